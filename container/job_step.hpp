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

}  // namespace pc::container
