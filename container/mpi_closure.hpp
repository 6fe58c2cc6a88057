// The host's MPI library and everything it needs at run time, found so that `--mpi=host`
// can bind them into a container (the hybrid model of Sarus and
// Apptainer: the image's application, built against a compatible MPI, runs with the
// host's, which knows the site's interconnect and launcher).
//
// Which library: PC_MPI_LIBRARY (a libmpi.so.N file) when set; else the libmpi.so.N of
// the `mpirun` found in PATH (PREFIX/lib, PREFIX/lib64, PREFIX/lib/<triplet>, PREFIX
// being mpirun's real path without bin/mpirun); else the libmpi.so.N of `ldconfig -p`.
// What comes with it: every library it needs (DT_NEEDED, followed through RUNPATH, the
// loader cache and the default dirs), except the C library's own (libc, libm, libpthread,
// libdl, librt, the loader...), which the image provides; the MPI's plugin directories
// next to it (openmpi, pmix*, ucx, hwloc, libfabric, mpich) and every library their
// plugins need; its data and configuration (PREFIX/share/{openmpi,pmix}, the sysconfdir's
// openmpi-mca-params.conf...); and PC_MPI_BIND's paths (colon-separated) as they are.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "container/config.hpp"

namespace pc::container {

// Where the closure's libraries are bound in the container (a tmpfs of their own), first
// in LD_LIBRARY_PATH; the plugin, data and configuration directories keep their host paths,
// where the MPI looks for them.
inline constexpr const char* kMpiLibraryDir = "/.pc-mpi";

struct HostMpi {
    std::string library;                   // the libmpi.so.N file found
    std::vector<MountConfig> mounts;        // read-only binds (and kMpiLibraryDir's tmpfs)
    std::vector<std::string> library_path;  // kMpiLibraryDir
    // What was read or looked for to find them (files, directories, absent paths), each
    // with its file_signature() from before it was read.
    std::map<std::string, std::string> inputs;
};

// What identifies a file's content without reading it (device, inode, size, mtime,
// ctime, the link followed); "-" when it does not exist.
std::string file_signature(const std::string& path);

// `environment` is pc's own ("K=V": PATH, PC_MPI_LIBRARY, PC_MPI_BIND). Throws pc::Error
// saying where it looked when no MPI library is found, or a named path does not exist.
HostMpi find_host_mpi(const std::vector<std::string>& environment);

}  // namespace pc::container
