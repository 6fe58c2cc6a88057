// `--mpi=host`: what MPI ranks started one container each by the host's launcher
// (`mpirun -np N pc run --mpi=host IMG ./app`, `srun --mpi=pmix pc run --mpi=host ...`)
// need to run as if they were not in containers:
//   --userns keep-id  the caller's own uid: ranks of one node share one user namespace
//                     (the held keep-id one, rootless/userns_holder.hpp), which
//                     cross-memory attach (process_vm_readv, a ptrace-mode check) requires
//   --pid host        real pids: Open MPI's vader/sm BTL passes pids between ranks for CMA
//   --ipc host        System V and POSIX shared memory of the node
//   --network host    the launcher's TCP (PMIx server, ORTE daemons) and the NICs
//   /dev/shm          the host's, where the shared-memory transport's segments live
//   -e PMIX_* PMI_* OMPI_* OPAL_* PRTE_* SLURM_*  the launcher's variables, and the
//                     directories they name (PMIX_SERVER_TMPDIR, PMIX_SYSTEM_TMPDIR,
//                     PMIX_*_BASE_PATH, Open MPI's session dirs) bound read-write
//   the host's MPI library closure (container/mpi_closure.hpp) bound read-only: its
//                     libraries in /.pc-mpi, first in LD_LIBRARY_PATH, its plugin, data
//                     and configuration directories at their host paths
// Each of the flags above that is given explicitly wins over the preset's value.
#pragma once

#include <string>
#include <vector>

#include "container/config.hpp"
#include "container/create_options.hpp"

namespace pc::container {

struct MpiPreset {
    std::vector<MountConfig> mounts;        // /dev/shm, the launcher's dirs, the MPI closure
    std::vector<std::string> library_path;  // LD_LIBRARY_PATH's first directories
};

// The preset named `name` ("host") for pc's `environment` ("K=V"), the MPI closure
// cached in `runroot` (container/mpi_closure_cache.hpp). Throws pc::Error for an unknown
// name or when the host has no MPI library (container/mpi_closure.hpp).
MpiPreset mpi_preset(const std::string& name, const std::vector<std::string>& environment, const std::string& runroot);

// `f` with the preset's namespace, network and environment options where it has none.
CreateOptions with_mpi_options(CreateOptions f);

// Puts the preset's mounts whose destination no mount of `mounts` (the flags') has
// before those.
void add_mpi_mounts(std::vector<MountConfig>& mounts, const MpiPreset& preset);

// LD_LIBRARY_PATH in `env`: the preset's directories, then the value already there.
void prepend_library_path(std::vector<std::string>& env, const MpiPreset& preset);

}  // namespace pc::container
