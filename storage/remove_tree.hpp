// Recursive removal of store trees. Trees hold files owned by subordinate ids that the
// caller cannot unlink from the host (PLATFORM.md §2 "Cleanup"), so removal happens inside a
// user namespace with the caller's mapping when the host attempt is refused.
#pragma once

#include <string>
#include <vector>

#include "rootless/idmap.hpp"

namespace pc::storage {

// Removes `name` (any file type) under the directory `dirfd`, never following symlinks.
// Directories without write/search permission (mode 0555 dirs from images) are chmod'ed
// first. ENOENT is not an error. Throws pc::Error naming the path that failed.
void remove_tree_at(int dirfd, const std::string& name, const std::string& display);

// Renames `path` to a ".trash-PID-RANDOM" sibling so that it disappears atomically (a
// crash leaves only garbage the next import collects). Returns the new path, or "" when
// `path` does not exist.
std::string move_to_trash(const std::string& path);

// Removes each path: from the host if the caller may, else inside a user namespace with
// mapping `m`.
void remove_trees_in_userns(const rootless::IdMapping& m, const std::vector<std::string>& paths);

}  // namespace pc::storage
