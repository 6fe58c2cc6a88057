// `pc system reap --job ID` (pc's own; Podman has nothing like it): a Slurm epilog's clean-up
// of what pc left on this node for a job, run as the job's user (pod/job_reap.hpp).
#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "pod/job_reap.hpp"

namespace pc::cli {

CLI::App* add_system_reap(CLI::App& parent, Context& ctx) {
    auto job = std::make_shared<std::string>();
    CLI::App* cmd = parent.add_subcommand(
        "reap", "Stop and remove the containers, pods and user namespace holders a Slurm job left on this node");
    cmd->add_option("--job", *job, "The Slurm job's id (SLURM_JOB_ID in an epilog)")->required();
    cmd->callback([&ctx, job] {
        pod::PodStore pods(ctx.containers());
        const pod::Reaped r = pod::reap_job(pods, *job);
        // Ids as `pc rm` and `pc pod rm` print them; holders by pid.
        for (const auto& id : r.pods) std::cout << id << "\n";
        for (const auto& id : r.containers) std::cout << id << "\n";
        for (pid_t pid : r.holders) std::cout << "user namespace holder " << pid << "\n";
        std::cout << std::flush;
    });
    return cmd;
}

}  // namespace pc::cli
