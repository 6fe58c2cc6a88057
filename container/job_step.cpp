#include "container/job_step.hpp"

#include <dirent.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <map>
#include <memory>

#include <cstdlib>
#include <sstream>

#include "common/atomic_file.hpp"
#include "common/process.hpp"
#include "common/process_start.hpp"
#include "common/strings.hpp"

namespace pc::container {

namespace {

bool is_slurmstepd(pid_t pid) {
    if (pid <= 0) return false;
    auto comm = try_read_file("/proc/" + std::to_string(pid) + "/comm");
    return comm && str::trim(*comm) == "slurmstepd";
}

// ProctrackType from slurm.conf ($SLURM_CONF, else the Debian and upstream paths);
// "" when it cannot be read (Slurm's default then is proctrack/cgroup: every process).
std::string proctrack_type() {
    std::vector<std::string> paths;
    if (const char* c = std::getenv("SLURM_CONF"); c && *c) paths.emplace_back(c);
    paths.insert(paths.end(), {"/etc/slurm/slurm.conf", "/etc/slurm-llnl/slurm.conf", "/usr/local/etc/slurm.conf"});
    for (const auto& p : paths) {
        auto text = try_read_file(p);
        if (!text) continue;
        std::istringstream in(*text);
        std::string line;
        while (std::getline(in, line)) {
            auto [key, value] = str::split_once(str::trim(line.substr(0, line.find('#'))), '=');
            if (value && str::to_lower(str::trim(key)) == "proctracktype") return str::trim(*value);
        }
        return "";
    }
    return "";
}

std::string proc_cmdline(pid_t pid) {
    std::string c = try_read_file("/proc/" + std::to_string(pid) + "/cmdline").value_or("");
    for (char& ch : c)
        if (ch == '\0') ch = ' ';
    return c;
}

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

std::string job_anchor() {
    const char* job = std::getenv("SLURM_JOB_ID");
    if (!job || !*job) return "";
    // The job's steps on this node, by their process titles ("slurmstepd: [42.batch]").
    std::map<std::string, pid_t> steps;
    std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir("/proc"), ::closedir);
    while (struct dirent* e = d ? ::readdir(d.get()) : nullptr) {
        const pid_t pid = static_cast<pid_t>(std::atoi(e->d_name));
        if (pid <= 0 || !is_slurmstepd(pid)) continue;
        const std::string cmd = proc_cmdline(pid);
        for (const char* kind : {"extern", "batch", "interactive"})
            if (cmd.find(std::string("[") + job + "." + kind + "]") != std::string::npos) steps[kind] = pid;
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

bool sent_to_payload_too(pid_t sender, pid_t payload) {
    if (!is_slurmstepd(sender)) return false;
    if (payload > 0 && ::getpgid(payload) == ::getpgrp()) return true;
    return proctrack_type() != "proctrack/pgid";
}

}  // namespace pc::container
