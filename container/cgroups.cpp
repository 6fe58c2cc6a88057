#include "container/cgroups.hpp"

#include <unistd.h>

#include <optional>

#include "common/atomic_file.hpp"
#include "common/strings.hpp"

namespace pc::container {

namespace {

// The writable cgroup this process could place containers under, if any.
std::optional<std::string> delegated_cgroup() {
    auto cg = try_read_file("/proc/self/cgroup");
    if (!cg) return std::nullopt;
    for (const auto& line : str::split(*cg, '\n')) {
        // "ID:CONTROLLERS:PATH"; v2 is "0::PATH".
        auto parts = str::split(line, ':');
        if (parts.size() < 3) continue;
        const std::string& controllers = parts[1];
        const std::string& path = parts[2];
        if (parts[0] == "0" && controllers.empty()) {
            std::string base = "/sys/fs/cgroup";
            if (::access("/sys/fs/cgroup/unified", F_OK) == 0) base = "/sys/fs/cgroup/unified";
            auto ctl = try_read_file(base + path + "/cgroup.controllers");
            if (ctl && ctl->find("memory") != std::string::npos && ::access((base + path).c_str(), W_OK) == 0)
                return base + path;
        } else if (controllers == "memory") {
            if (::access(("/sys/fs/cgroup/memory" + path).c_str(), W_OK) == 0) return "/sys/fs/cgroup/memory" + path;
        }
    }
    return std::nullopt;
}

}  // namespace

std::string cgroup_limits_unavailable_reason() {
    if (auto dir = delegated_cgroup())
        return "pc does not create cgroups yet, so it cannot use the cgroup delegated to it (" + *dir + ")";
    return "cgroup delegation not available: no writable cgroup (v2 with the memory controller, or a delegated v1 "
           "memory subtree) for uid " + std::to_string(::getuid());
}

}  // namespace pc::container
