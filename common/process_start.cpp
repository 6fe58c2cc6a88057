#include "common/process_start.hpp"

#include <string>

#include "common/atomic_file.hpp"
#include "common/process.hpp"

namespace pc {

std::optional<uint64_t> start_time_of(pid_t pid) {
    if (pid <= 0) return std::nullopt;
    auto stat = try_read_file("/proc/" + std::to_string(pid) + "/stat");
    return stat ? stat_start_time(*stat) : std::nullopt;
}

bool is_same_process(pid_t pid, uint64_t start) {
    auto now = start_time_of(pid);
    return now && (start == 0 || *now == start);
}

}  // namespace pc
