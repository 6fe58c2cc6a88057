// A build's working container: a container directory (".tmp-PID-RANDOM" under
// ROOT/containers, so `ps` never lists it and a killed build's leftovers are collected like
// the store's others) with an overlay upper dir on the image's layers. RUN steps run in it
// through container/launcher (the same sandbox as `pc run`), COPY writes into it from a
// child in the user namespace, and commit() turns its upper dir into the next layer.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "container/config.hpp"
#include "storage/store.hpp"
#include "storage/tree_tar.hpp"

namespace pc::build {

class WorkContainer {
public:
    // Throws pc::Error when the store's driver has no upper dir (vfs).
    WorkContainer(storage::Store& store, std::vector<std::string> layers);
    ~WorkContainer();  // removes its directory
    WorkContainer(const WorkContainer&) = delete;
    WorkContainer& operator=(const WorkContainer&) = delete;

    const std::string& id() const { return id_; }
    const std::vector<std::string>& layers() const { return layers_; }
    std::string dir() const;
    // Whether a step changed anything (the upper dir has entries).
    bool changed() const;

    // Runs `fn` in a child in the store's user namespace with a mount namespace of its own,
    // where the container's root file system is mounted; `fn` gets an fd of that root and,
    // when `source_layers` are given (another image's, for COPY --from), an fd of those
    // layers mounted read-only (else -1). Exceptions come back as pc::Error.
    void with_rootfs(const std::function<void(int root_fd, int source_fd)>& fn,
                     const std::optional<std::vector<std::string>>& source_layers = std::nullopt);

    // Runs `cfg` (id and layers are filled in) in the container as `pc run` would, with the
    // given descriptors as its stdin/stdout/stderr, forwarding SIGINT/SIGTERM to it.
    // Returns its exit code; throws pc::Error (125/126/127) when it cannot start.
    int run(container::ContainerConfig cfg, int stdin_fd, int stdout_fd, int stderr_fd);

    // Removes mount points a RUN step created (empty directories or files at these paths,
    // and their empty parents, that no layer below has) from the upper dir.
    void prune_mount_points(const std::vector<std::string>& paths);

    // Drops what the upper dir holds below each path (a VOLUME's content): the path itself
    // too when a layer below has it, else only what is inside.
    void discard_changes_below(const std::vector<std::string>& paths);

    // The upper dir becomes a layer on top of layers() (its tar streamed to `tar_fd`; files in
    // `known` written from memory); the container then goes on from that layer with an
    // empty upper dir.
    storage::LayerRecord commit(int tar_fd, std::optional<int64_t> mtime, const storage::KnownContent* known = nullptr);

private:
    void fresh_work_dir();
    // Runs `fn` in the user namespace with the upper dir open and a test of whether a path
    // (relative to the root) exists in a layer below.
    void in_upper(const std::function<void(int upper_fd, const std::function<bool(const std::string&)>& below)>& fn);

    storage::Store& store_;
    std::string id_;
    std::vector<std::string> layers_;
};

}  // namespace pc::build
