// `pc pull`: manifest (a list/index picks the platform), config, then the layers the store
// does not have, downloaded in parallel into staging, verified, extracted in order; the
// image is registered last.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "image/manifest.hpp"
#include "image/progress.hpp"
#include "image/registry_client.hpp"
#include "storage/store.hpp"

namespace pc::image {

struct PullOptions {
    RegistryOptions registry;
    Platform platform = host_platform();
    int parallel = 4;
    // For a short name with several candidates (short-name-mode enforcing or permissive):
    // asks the user which one (set by the CLI when stdin and stdout are a terminal).
    std::function<std::string(const std::string& name, const std::vector<std::string>& candidates)> choose_short_name;
};

// `reference`: fully qualified, or a short name resolved through registries.conf.
storage::ImageRecord pull_image(storage::Store& store, const std::string& reference, const PullOptions& options,
                                Progress& progress);

}  // namespace pc::image
