#include "cli/host_facts.hpp"

#include <sys/statfs.h>

#include <cmath>
#include <cstdio>
#include <sstream>

#include "common/atomic_file.hpp"
#include "common/filesystem_name.hpp"

namespace pc::cli {

namespace {

double two_decimals(double v) { return std::round(v * 100.0) / 100.0; }

}  // namespace

MemoryFacts memory_facts() {
    MemoryFacts m;
    std::istringstream in(try_read_file("/proc/meminfo").value_or(""));
    std::string key;
    int64_t kib = 0;
    std::string unit;
    while (in >> key >> kib) {
        std::getline(in, unit);
        if (key == "MemTotal:") m.total = kib * 1024;
        else if (key == "MemFree:") m.free = kib * 1024;
        else if (key == "SwapTotal:") m.swap_total = kib * 1024;
        else if (key == "SwapFree:") m.swap_free = kib * 1024;
    }
    return m;
}

CpuUtilization cpu_utilization() {
    // "cpu  user nice system idle iowait irq softirq steal ...": user and nice are user
    // time, system, irq and softirq system time, idle and iowait idle time (Podman's split).
    std::istringstream in(try_read_file("/proc/stat").value_or(""));
    std::string cpu;
    double f[8] = {};
    in >> cpu;
    for (double& v : f) in >> v;
    const double user = f[0] + f[1], system = f[2] + f[5] + f[6], idle = f[3] + f[4];
    const double total = user + system + idle + f[7];
    if (cpu != "cpu" || total <= 0) return {};
    return {two_decimals(100.0 * user / total), two_decimals(100.0 * system / total), two_decimals(100.0 * idle / total)};
}

std::string uptime_text() {
    double secs = 0;
    std::istringstream(try_read_file("/proc/uptime").value_or("0")) >> secs;
    const auto whole = static_cast<int64_t>(secs);
    char buf[96];
    std::snprintf(buf, sizeof(buf), "%lldh %lldm %.2fs (Approximately %.2f days)", static_cast<long long>(whole / 3600),
                  static_cast<long long>(whole % 3600 / 60), secs - static_cast<double>(whole - whole % 60),
                  static_cast<double>(whole / 3600) / 24.0);  // whole hours, as Podman counts them
    return buf;
}

FilesystemFacts filesystem_facts(const std::string& path) {
    FilesystemFacts f;
    struct statfs s {};
    if (::statfs(path.c_str(), &s) != 0) return f;
    f.backing = filesystem_name(static_cast<unsigned long>(s.f_type));
    f.allocated = static_cast<int64_t>(s.f_blocks) * s.f_bsize;
    f.used = static_cast<int64_t>(s.f_blocks - s.f_bfree) * s.f_bsize;
    return f;
}

}  // namespace pc::cli
