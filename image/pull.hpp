// `pc pull`: manifest (a list/index picks the platform), config, then the layers the store
// does not have, downloaded in parallel into staging, verified, extracted in order; the
// image is registered last.
#pragma once

#include <string>

#include "image/manifest.hpp"
#include "image/progress.hpp"
#include "image/registry_client.hpp"
#include "storage/store.hpp"

namespace pc::image {

struct PullOptions {
    RegistryOptions registry;
    Platform platform = host_platform();
    int parallel = 4;
};

// `reference`: fully qualified, or a short name resolved through registries.conf.
storage::ImageRecord pull_image(storage::Store& store, const std::string& reference, const PullOptions& options,
                                Progress& progress);

}  // namespace pc::image
