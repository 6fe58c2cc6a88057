// `pc cp` between the host and a container (running or not), both directions, files,
// directories and tar streams. The container side runs in a child process that sees the
// container's filesystem (container_fs.hpp); the two sides exchange a tar stream
// (cp_archive.hpp) over a socket pair, so the same extraction rules protect both the
// container (against writes outside its root) and the host (against an archive, made from
// files the container controls, that would write outside the destination).
#pragma once

#include <string>

#include "container/container_store.hpp"

namespace pc::container {

struct CopyOptions {
    // Copied in: keep the source's uid/gid (else the files belong to the container's root).
    bool archive = false;
};

// `host_src` "-" reads a tar stream from `stdin_fd` and extracts it into the directory
// `ctr_dest`.
void copy_to_container(ContainerStore& containers, const Container& c, const std::string& host_src,
                       const std::string& ctr_dest, const CopyOptions& options, int stdin_fd = 0);

// `host_dest` "-" writes a tar stream of `ctr_src` to `stdout_fd`. Files copied out belong
// to the caller.
void copy_from_container(ContainerStore& containers, const Container& c, const std::string& ctr_src,
                         const std::string& host_dest, const CopyOptions& options, int stdout_fd = 1);

}  // namespace pc::container
