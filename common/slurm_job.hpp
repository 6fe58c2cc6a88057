// The Slurm job this process runs in (SLURM_JOB_ID set), seen from this node: what lives
// no longer than the job. Detached container monitors and the user-namespace holder
// watch it, so that nothing pc starts inside a job outlives the job (docs/hpc.md).
#pragma once

#include <sys/types.h>

#include <string>

namespace pc {

// Whether `pid` is a slurmstepd (its comm).
bool is_slurmstepd(pid_t pid);

// $SLURM_JOB_ID, "" outside a job.
std::string slurm_job_id();

// What lives exactly as long as the job on this node: this node's slurmstepd of the job's
// extern step (the whole allocation), else of its batch step (the job script), else of
// the interactive step (salloc), else the slurmstepd the caller runs under.
// "PID:STARTTIME", or "" outside a job.
std::string job_anchor();
// Opens a pidfd for an anchor as job_anchor() wrote it (the start time verified); -1 when
// there is none or it is already gone. The pidfd becomes readable when the job ends here.
int open_job_anchor(const std::string& anchor);

}  // namespace pc
