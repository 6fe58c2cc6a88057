// Whether resource limits can be enforced for a rootless container on this host
// (PLATFORM.md §6): a writable cgroup v2 subtree with the controller enabled, or a writable
// (delegated) cgroup v1 directory. Without either, limits must fail clearly rather than be
// silently ignored.
#pragma once

#include <optional>
#include <string>

namespace pc::container {

// nullopt when limits can be enforced; else why not (for the error message).
std::optional<std::string> cgroup_limits_unavailable();

}  // namespace pc::container
