// Resolving container paths while the rootfs is still mounted below the host's tree.
//
// A container image controls its own symlinks: a naive open("ROOTFS/x/y") where /x is a
// symlink to /etc would land on the host's /etc, and a mount there would cover it. These
// helpers resolve every component with openat2(RESOLVE_IN_ROOT), so symlinks (absolute or
// "..") are interpreted as if ROOTFS were "/", and hand back an fd; callers mount on
// /proc/self/fd/N, which names exactly the resolved dentry.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/fd.hpp"

namespace pc::rootless {

// Lexically cleans an absolute container path into its components: "" and "." dropped,
// ".." pops (clamped at "/"), like Go's filepath.Clean. "/" gives an empty list.
std::vector<std::string> clean_path_components(std::string_view path);
// "/a/b" from {"a","b"}; "/" for none.
std::string join_components(const std::vector<std::string>& comps, size_t count);

// Opens `path` (a container path) below `root_fd` with RESOLVE_IN_ROOT. Returns an invalid
// fd with errno set on failure (callers decide whether ENOENT is fatal).
UniqueFd open_in_root(int root_fd, std::string_view path, int flags);

// Opens `rel` (relative; "" = the directory itself) below `dir_fd` with RESOLVE_BENEATH and
// no symlink followed at all: for trees the caller walks itself (a copy's entries, a build's
// upper dir). Invalid fd with errno set on failure (ELOOP: a symlink on the way).
UniqueFd open_beneath(int dir_fd, std::string_view rel, int flags);

enum class NodeKind { Directory, File };

// Opens `path` below `root_fd` (O_PATH), creating missing parents as 0755 directories and
// the last component as a directory or an empty 0644 file. Throws pc::Error naming the
// path on failure, and when an existing node is not of the expected kind is fine (a bind of
// a file onto a directory fails later with the kernel's own error).
UniqueFd create_in_root(int root_fd, std::string_view path, NodeKind kind);

// "/proc/self/fd/N": what mount(2) and friends are given to act on an fd's dentry.
std::string fd_path(int fd);

}  // namespace pc::rootless
