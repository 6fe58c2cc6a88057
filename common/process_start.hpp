// A process named across pid reuse: its pid and its start time (clock ticks since boot,
// field 22 of /proc/PID/stat). The records of monitors, holders, network leases and job
// anchors keep both, and trust a pid only while /proc still shows that start time.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>

namespace pc {

// The start time of `pid` while it runs; nullopt once it has exited (a zombie included).
std::optional<uint64_t> start_time_of(pid_t pid);

// True while `pid` runs and is the process that started at `start` (0: whichever runs).
bool is_same_process(pid_t pid, uint64_t start);

}  // namespace pc
