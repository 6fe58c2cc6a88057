// find_host_mpi's answer (container/mpi_closure.hpp) kept in the runroot: finding it runs
// `ldconfig -p` and reads the MPI's ~570 ELF files and directories, which every rank of
// every launch would otherwise repeat for the same answer. The entry is used while the
// variables that steer the search (PATH, PC_MPI_LIBRARY, PC_MPI_BIND) and the pc binary
// that wrote it are the same and none of the files and directories it read or looked for
// has changed (inode, size, mtime, ctime; absent ones still absent): a rebuilt or upgraded
// library, a plugin added, mpirun pointed at another MPI, a new loader cache or another
// pc each make it found again.
#pragma once

#include <string>
#include <vector>

#include "container/mpi_closure.hpp"

namespace pc::container {

// The file in `runroot` where the answer is kept.
std::string mpi_closure_cache_path(const std::string& runroot);

// find_host_mpi(environment), from `runroot`'s cache when it is still valid; else found
// and written there (atomically: the ranks of one node race for it, and any of their
// answers is right).
HostMpi cached_host_mpi(const std::vector<std::string>& environment, const std::string& runroot);

}  // namespace pc::container
