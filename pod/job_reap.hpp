// What pc left on this node for a Slurm job, for a site's epilog (`pc system reap --job ID`,
// run as the job's user): the containers started inside the job (their state records the
// job's id, container/state.hpp), the pods whose infra was, and the user-namespace holders
// started in it. Inside a live job these end with it by themselves (docs/hpc.md); this is
// for what a killed node, a killed monitor or an older pc left behind.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "pod/pod_store.hpp"

namespace pc::pod {

struct Reaped {
    std::vector<std::string> pods;        // ids, each with its members and infra
    std::vector<std::string> containers;  // ids of the other containers
    std::vector<pid_t> holders;           // user-namespace holders stopped
};

// Slurm job ids are numbers ("123"; an array task has one of its own too).
bool valid_job_id(const std::string& job);

// Stops (SIGKILL, no grace: the job is over) and removes everything of `job` in this store
// and runtime dir. Throws on the first removal that fails; what was removed before stays
// removed, and a second run removes the rest.
Reaped reap_job(PodStore& pods, const std::string& job);

}  // namespace pc::pod
