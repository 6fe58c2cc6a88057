// `pc commit` and `pc export` (with the containers, as in Podman: image/ sits below container/): a container's upper dir becomes a new layer on top of its
// image's layers (overlay whiteouts and opaque dirs written back as OCI .wh. entries), and
// a container's merged root filesystem written as one flat tar.
#pragma once

#include <string>
#include <vector>

#include "container/config.hpp"
#include "storage/store.hpp"

namespace pc::container {

struct CommitOptions {
    std::string reference;             // "" = dangling
    std::vector<std::string> changes;  // --change
    std::string message, author;
};

storage::ImageRecord commit_container(storage::Store& store, const ContainerConfig& ctr, const CommitOptions& options);
// Writes the container's filesystem as a tar to `out_fd`.
void export_container(storage::Store& store, const ContainerConfig& ctr, int out_fd);

}  // namespace pc::container
