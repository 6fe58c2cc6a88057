// The fuse-overlayfs daemon of a container that is in the host's pid namespace (--pid
// host, as --mpi=host sets): the daemon runs in the container's mount namespace and so
// holds it, and with it its own mount, alive after the payload exits. In a private pid
// namespace the kernel ends it with the namespace's init; here pc must stop it.
#pragma once

#include <string>

namespace pc::container {

// SIGTERM to the caller's fuse-overlayfs processes serving the mount point `merged`
// (found in /proc by their command line, whose last word is the mount point).
void stop_fuse_daemons(const std::string& merged);

}  // namespace pc::container
