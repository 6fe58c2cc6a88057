// Where ext4 puts the inodes of a store's containers and layers (see spread_dirs.cpp).
#pragma once

#include <string>

namespace pc::storage {

// Marks `dir` as the top of directory hierarchies (FS_TOPDIR_FL, `chattr +T`): ext4's
// allocator then places each new subdirectory, and the files under it, in a block group
// with many free inodes instead of next to `dir`. Best effort: a file system without the
// flag (tmpfs, xfs, fuse) or one that refuses it is left as it is. Returns whether `dir`
// has the flag now.
bool spread_subdirectories(const std::string& dir);

}  // namespace pc::storage
