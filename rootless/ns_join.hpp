// Joining the namespaces of a running container's process (`pc exec`, `pc cp` into a
// running container) through /proc/PID/ns/*.
//
// Every fd is opened before the first setns: once in the container's user namespace, the
// host's /proc may no longer let us open the others (PLATFORM.md §5). The user namespace is
// joined first, so that the others (owned by it) can be entered with its capabilities.
// setns(CLONE_NEWUSER) refuses multithreaded callers: join from a freshly forked child.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "common/fd.hpp"

namespace pc::rootless {

struct NamespaceFd {
    std::string kind;  // "user", "mnt", "pid", "uts", "ipc", "net"
    int nstype = 0;    // CLONE_NEW*
    UniqueFd fd;
};

// Opens /proc/PID/ns/KIND for each kind, in the order given, skipping namespaces the
// caller is already in (a container with --network host shares the host's netns, which
// cannot be re-entered from the container's user namespace). Throws pc::Error naming the
// pid when the process is gone or refuses access; throws when `pid`'s user namespace is
// the caller's own (it is then not a container's process: e.g. a recycled pid).
std::vector<NamespaceFd> open_namespaces(pid_t pid, const std::vector<std::string>& kinds);

// setns into each, in order. Throws pc::Error naming the namespace on failure.
void join_namespaces(const std::vector<NamespaceFd>& namespaces);

}  // namespace pc::rootless
