// Why resource limits and the freezer are not available for a rootless container on this
// host (PLATFORM.md §6). pc does not create cgroups yet, so limits cannot be enforced
// anywhere; they fail clearly rather than being silently ignored, and the reason names
// what the host lacks (a writable cgroup v2 subtree with the memory controller, or a
// delegated cgroup v1 directory) when it lacks it.
#pragma once

#include <string>

namespace pc::container {

std::string cgroup_limits_unavailable_reason();

}  // namespace pc::container
