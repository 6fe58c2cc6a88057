// `pc top`: the processes of a running container and ps-style fields about them, with the
// descriptors Podman's top accepts (its psgo names and AIX "%x" forms). Collection reads
// the host's /proc (the caller owns the container's user namespace, so it may read every
// process in it); formatting is pure, so it is unit-tested on synthetic records.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "rootless/idmap.hpp"

namespace pc::container {

struct ProcessInfo {
    pid_t host_pid = 0;
    pid_t pid = 0, ppid = 0, pgid = 0;   // as seen in the container (0: outside it)
    uint32_t ruid = 0, euid = 0, rgid = 0, egid = 0;  // host ids (as /proc shows them to us)
    std::string comm, state;
    std::vector<std::string> args;       // empty for kernel threads / zombies
    uint64_t utime = 0, stime = 0;       // clock ticks
    uint64_t start_ticks = 0;            // since boot
    uint64_t vsize = 0;                  // bytes
    uint64_t rss_pages = 0;
    long nice = 0;
    uint64_t tty_nr = 0;
    uint64_t cap_inh = 0, cap_prm = 0, cap_eff = 0, cap_bnd = 0, cap_amb = 0;
    int seccomp = 0;                     // 0 disabled, 1 strict, 2 filter
    std::string label;                   // LSM label ("" when none)
};

// Everything the formatting needs besides the process itself.
struct TopContext {
    int64_t now_ns = 0;
    int64_t boot_time_ns = 0;   // wall-clock time of boot
    long clock_ticks = 100;     // sysconf(_SC_CLK_TCK)
    long page_size = 4096;
    int last_cap = 40;
    rootless::IdMapping mapping;  // the container's: host ids -> container ids
    std::map<uint32_t, std::string> users, groups;  // container ids -> names
};

// Descriptor names, validated and normalised ("%p" -> "pid"); each argument may hold
// several separated by commas. Empty input: Podman's default (user, pid, ppid, pcpu,
// etime, tty, time, args). Throws pc::Error "unknown descriptor: X" listing the valid ones.
std::vector<std::string> parse_top_descriptors(const std::vector<std::string>& args);
// Column header of a (normalised) descriptor: "pid" -> "PID", "pcpu" -> "%CPU".
std::string top_header(const std::string& descriptor);
// One cell.
std::string top_field(const std::string& descriptor, const ProcessInfo& p, const TopContext& ctx);

// Go's time.Duration.String(): "0s", "1.5ms", "15.628624563s", "2m3s", "1h0m0s".
std::string go_duration(int64_t ns);

// The processes in the pid namespace of `init_pid` (the container's PID 1), by container
// pid, and the context to format them (names from the container's own /etc/passwd and
// /etc/group, resolved inside its root).
std::vector<ProcessInfo> container_processes(pid_t init_pid);
// Host pids of the processes in the pid namespace of `init_pid` (unordered). Throws when
// the init is gone.
std::vector<pid_t> pid_namespace_members(pid_t init_pid);
TopContext top_context(pid_t init_pid);

}  // namespace pc::container
