// Facts about the host that `pc info` reports in Podman's shape (memory, CPUs, uptime,
// the store's filesystem), read from /proc and statfs.
#pragma once

#include <cstdint>
#include <string>

namespace pc::cli {

struct MemoryFacts {
    int64_t total = 0, free = 0, swap_total = 0, swap_free = 0;  // bytes, from /proc/meminfo
};
MemoryFacts memory_facts();

// CPU time since boot split as Podman's info.host.cpuUtilization (percentages, 2 decimals).
struct CpuUtilization {
    double user = 0, system = 0, idle = 0;
};
CpuUtilization cpu_utilization();

// "6h 44m 17.00s (Approximately 0.25 days)", as Podman prints the host's uptime.
std::string uptime_text();

// Podman's "Backing Filesystem" name for the filesystem holding `path` ("extfs", "xfs",
// "btrfs", "tmpfs"...), and its size and used bytes.
struct FilesystemFacts {
    std::string backing;
    int64_t allocated = 0, used = 0;
};
FilesystemFacts filesystem_facts(const std::string& path);

}  // namespace pc::cli
