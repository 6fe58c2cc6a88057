#include "common/slurm_job.hpp"

#include <sys/syscall.h>
#include <unistd.h>

#include <cstdlib>
#include <map>
#include <sstream>

#include "common/atomic_file.hpp"
#include "common/proc_list.hpp"
#include "common/process_start.hpp"
#include "common/strings.hpp"

namespace pc {

namespace {

pid_t parent_of(pid_t pid) {
    auto stat = try_read_file("/proc/" + std::to_string(pid) + "/stat").value_or("");
    auto close = stat.rfind(')');
    if (close == std::string::npos) return 0;
    std::istringstream rest(stat.substr(close + 2));
    char state = 0;
    long ppid = 0;
    rest >> state >> ppid;
    return static_cast<pid_t>(ppid);
}

std::string anchor_of(pid_t pid) {
    auto start = start_time_of(pid);
    return start ? std::to_string(pid) + ":" + std::to_string(*start) : "";
}

}  // namespace

bool is_slurmstepd(pid_t pid) {
    if (pid <= 0) return false;
    auto comm = try_read_file("/proc/" + std::to_string(pid) + "/comm");
    return comm && str::trim(*comm) == "slurmstepd";
}

std::string slurm_job_id() {
    const char* job = std::getenv("SLURM_JOB_ID");
    return job ? job : "";
}

std::string job_anchor() {
    const std::string job = slurm_job_id();
    if (job.empty()) return "";
    // The job's steps on this node, by their process titles ("slurmstepd: [42.batch]").
    std::map<std::string, pid_t> steps;
    for (pid_t pid : proc_pids()) {
        if (!is_slurmstepd(pid)) continue;
        const std::string cmd = str::join(proc_cmdline(pid), " ");
        for (const char* kind : {"extern", "batch", "interactive"})
            if (cmd.find("[" + job + "." + kind + "]") != std::string::npos) steps[kind] = pid;
    }
    for (const char* kind : {"extern", "batch", "interactive"})
        if (steps.count(kind)) return anchor_of(steps[kind]);
    for (pid_t p = parent_of(::getpid()); p > 1; p = parent_of(p))
        if (is_slurmstepd(p)) return anchor_of(p);
    return "";
}

int open_job_anchor(const std::string& anchor) {
    auto [pid_text, start_text] = str::split_once(anchor, ':');
    auto pid = str::parse_i64(pid_text);
    auto start = start_text ? str::parse_u64(*start_text) : std::nullopt;
    if (!pid || !start || *pid <= 1) return -1;
    int fd = static_cast<int>(::syscall(SYS_pidfd_open, static_cast<pid_t>(*pid), 0));
    if (fd < 0) return -1;
    // Checked after the pidfd is open: the pid cannot be recycled under it from here.
    if (anchor_of(static_cast<pid_t>(*pid)) != anchor) {
        ::close(fd);
        return -1;
    }
    return fd;
}

}  // namespace pc
