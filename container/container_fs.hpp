// Running code against a container's filesystem from a child process, for `pc cp`:
//
//  * running container: the child joins the user and mount namespaces of its PID 1, so it
//    sees exactly what the container sees (volumes, tmpfs mounts) with "/" as its root;
//  * stopped container: the child creates a user + mount namespace with the caller's
//    mapping and mounts the container's root filesystem (storage::rootfs_plan +
//    mount_rootfs) privately in it.
//
// Either way the function gets an O_PATH fd of the container's root, and must resolve
// every path against it (rootless::open_in_root), never against the process's own root.
#pragma once

#include <functional>

#include "common/fd.hpp"
#include "common/process.hpp"
#include "container/container_store.hpp"

namespace pc::container {

class ContainerFsChild {
public:
    // Starts `fn` in the child. fds the caller wants the child to use must be open (not
    // CLOEXEC-closed: no exec happens); the caller closes its own copies afterwards.
    static ContainerFsChild start(ContainerStore& containers, const Container& c,
                                  std::function<void(int root_fd)> fn);
    // Waits; throws pc::Error with the child's message (and exit code) when fn failed.
    void finish();

private:
    ChildProcess proc_;
    UniqueFd errors_;
};

}  // namespace pc::container
