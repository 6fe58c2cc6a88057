// `pc push`: every layer blob and the config the registry does not have yet (HEAD check,
// else a cross-repository mount from the repository the image came from on the same
// registry, else a monolithic upload streamed from the store), then the manifest.
#pragma once

#include <string>

#include "image/manifest.hpp"
#include "image/progress.hpp"
#include "image/registry_client.hpp"
#include "storage/store.hpp"

namespace pc::image {

struct PushOptions {
    RegistryOptions registry;
    std::string format;  // "" (keep the stored manifest's family, else OCI), "oci", "v2s2"
};

// Returns the digest of the pushed manifest. `destination` "" = the source's own name.
std::string push_image(storage::Store& store, const std::string& source, const std::string& destination,
                       const PushOptions& options, Progress& progress);

}  // namespace pc::image
