// `pc stats` without cgroups: rootless cgroups are not available on such hosts (no
// delegation), so the numbers come from /proc, for the processes of the container's pid
// namespace. What this cannot see: processes that exited and were not reaped inside the
// container, and I/O of exited processes; memory is the sum of RSS (shared pages count
// once per process).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

namespace pc::container {

struct StatsSample {
    int64_t taken_mono_ns = 0;  // CLOCK_MONOTONIC: deltas between samples
    int64_t taken_real_ns = 0;  // CLOCK_REALTIME: average since the container started
    uint64_t cpu_ns = 0;        // user+system time of its processes and of the children they reaped
    uint64_t mem_bytes = 0;     // sum of RSS
    uint64_t pids = 0;
    uint64_t net_rx = 0, net_tx = 0;  // all interfaces but lo
    bool block_known = false;   // /proc/PID/io was readable for at least one process
    uint64_t block_read = 0, block_write = 0;
};

// Samples the container whose PID 1 has host pid `init_pid`. `with_network`: false for
// --network host (the host's counters are not the container's) and none. Throws when
// the init is gone.
StatsSample sample_container(pid_t init_pid, bool with_network);

// Physical memory of the host in bytes: the limit Podman shows without a memory limit.
uint64_t host_memory_total();

// Podman's define.ContainerStats, computed from two samples of a running container.
struct ContainerStats {
    std::string id, name;
    double cpu_percent = 0;   // over the interval between the samples
    double avg_cpu = 0;       // since the container started
    uint64_t cpu_ns = 0;      // total CPU time (Podman's UpTime, the "CPU TIME" column)
    uint64_t mem_usage = 0, mem_limit = 0;
    double mem_percent = 0;
    uint64_t net_input = 0, net_output = 0;
    bool block_known = true;
    uint64_t block_input = 0, block_output = 0;
    uint64_t pids = 0;
    int64_t system_ns = 0;    // wall time of the sample
};

// `prev` may be the same sample as `cur` (then the CPU % is the average since start).
// `started_ns`: wall time the container started.
ContainerStats compute_stats(const StatsSample& prev, const StatsSample& cur, int64_t started_ns, uint64_t mem_limit);

// Parsers of /proc files, exposed for tests.
struct NetTotals {
    uint64_t rx = 0, tx = 0;
};
NetTotals parse_net_dev(const std::string& text);                  // /proc/PID/net/dev, lo excluded
std::optional<std::pair<uint64_t, uint64_t>> parse_proc_io(const std::string& text);  // read_bytes, write_bytes

}  // namespace pc::container
