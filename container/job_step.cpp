#include "container/job_step.hpp"

#include <unistd.h>

#include <cstdlib>
#include <sstream>
#include <vector>

#include "common/atomic_file.hpp"
#include "common/slurm_job.hpp"
#include "common/strings.hpp"

namespace pc::container {

namespace {

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

}  // namespace

bool sent_to_payload_too(pid_t sender, pid_t payload) {
    if (!is_slurmstepd(sender)) return false;
    if (payload > 0 && ::getpgid(payload) == ::getpgrp()) return true;
    return proctrack_type() != "proctrack/pgid";
}

}  // namespace pc::container
