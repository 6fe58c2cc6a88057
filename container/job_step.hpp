// Running inside a batch system's job step (Slurm). Slurm delivers a step's signals
// (scancel --signal, sbatch --signal, the TERM before KillWait, srun's Ctrl-C) itself to
// every process of the step, unless it tracks steps by process group (proctrack/pgid),
// where only the step's process group gets them. A foreground `pc run` forwards the
// signals it gets to the payload; when Slurm has signalled the payload directly, a
// forwarded copy would make it see the signal twice, so it is not forwarded.
#pragma once

#include <sys/types.h>

#include <string>

namespace pc::container {

// Whether a signal from `sender` (its pid as signalfd reports it) was also sent by Slurm
// to `payload`: the sender is a slurmstepd and Slurm signals every process of a step
// (proctrack other than pgid), or the payload is in our process group.
bool sent_to_payload_too(pid_t sender, pid_t payload);

// What a detached container started inside a Slurm job (SLURM_JOB_ID set) lives no longer
// than: this node's slurmstepd of the job's extern step (the whole allocation), else of its
// batch step (the job script), else of the interactive step (salloc), else the
// slurmstepd the caller runs under. "PID:STARTTIME", or "" outside a job. The monitor gets
// it in PC_JOB_ANCHOR and kills its container when that process is gone.
std::string job_anchor();
// Opens a pidfd for an anchor as job_anchor() wrote it (the start time verified); an
// invalid fd when there is none or it is already gone.
int open_job_anchor(const std::string& anchor);

}  // namespace pc::container
