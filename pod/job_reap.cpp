#include "pod/job_reap.hpp"

#include <algorithm>
#include <set>
#include <vector>

#include "common/error.hpp"
#include "container/control.hpp"
#include "pod/pod_ops.hpp"
#include "rootless/userns_holder.hpp"

namespace pc::pod {

bool valid_job_id(const std::string& job) {
    return !job.empty() && job.size() <= 20 && std::all_of(job.begin(), job.end(), [](char c) { return c >= '0' && c <= '9'; });
}

Reaped reap_job(PodStore& pods, const std::string& job) {
    if (!valid_job_id(job)) throw Error("invalid Slurm job id \"" + job + "\": a job id is a number", kExitEngine);
    Reaped out;
    container::ContainerStore& containers = pods.containers();
    std::vector<container::Container> all = containers.list();
    // Pods whose infra was started in the job are the job's: they go whole, members and all
    // (also those started outside it, which could not run without the infra anyway).
    std::set<std::string> gone;
    for (const container::Container& c : all) {
        if (!c.config.infra || c.state.slurm_job != job) continue;
        auto p = pods.find(c.config.pod);
        if (!p) continue;
        for (const auto& member : pods.containers_of(p->id)) gone.insert(member.config.id);
        gone.insert(c.config.id);
        remove_pod(pods, *p, true, 0U);
        out.pods.push_back(p->id);
    }
    for (container::Container& c : all) {
        if (c.state.slurm_job != job || gone.count(c.config.id)) continue;
        if (c.state.running()) container::stop_container(containers, c, 0, true);
        containers.remove(c, c.config.auto_remove);
        out.containers.push_back(c.config.id);
    }
    out.holders = rootless::stop_job_userns_holders(job);
    return out;
}

}  // namespace pc::pod
