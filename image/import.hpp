// `pc import`: a root filesystem tarball (any compression libarchive reads, or stdin) becomes
// a one-layer image, with optional --change instructions and a history message.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "storage/store.hpp"

namespace pc::image {

struct ImportOptions {
    std::string reference;             // "" = untagged (dangling) image
    std::vector<std::string> changes;  // Dockerfile-style instructions
    std::string message;               // history comment
    std::string source_description;    // shown in history ("file:..." or "-")
};

// Validates `changes` first, so a bad --change leaves the store untouched.
storage::ImageRecord import_tarball(storage::Store& store, int fd, const ImportOptions& options);

// Builds and stores the config and manifest blobs for a new image made of `layers` and
// registers it under `reference`. Shared by import and commit.
storage::ImageRecord register_image(storage::Store& store, nlohmann::json config,
                                    const std::vector<storage::LayerRecord>& layers, const std::string& reference);

// The same with the manifest's form chosen: builds make Docker schema 2 images with
// --format docker, put annotations in the manifest, and record the step's parent image.
struct RegisterOptions {
    std::vector<std::string> names;  // already normalized; none = dangling
    bool docker = false;             // Docker schema 2 manifest and config media types
    std::map<std::string, std::string> annotations;
    std::string parent;              // ImageRecord::parent
};
storage::ImageRecord register_image(storage::Store& store, nlohmann::json config,
                                    const std::vector<storage::LayerRecord>& layers, const RegisterOptions& options);

}  // namespace pc::image
