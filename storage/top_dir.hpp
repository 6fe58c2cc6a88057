// Marking a directory whose subdirectories are unrelated trees (the store's containers/: one
// tree per container), so that the file system places each of them apart.
//
// Why: ext4's inode allocator (Orlov) puts a new directory, and then its files, in its
// parent's block group, unless the parent has the "top of directory hierarchies" flag
// (FS_TOPDIR_FL, `chattr +T`): its subdirectories then go to groups with more free inodes
// than average. Every container start creates ~24 inodes under containers/ and its removal
// frees them, so without the flag all of that churn lands in one group. On an ext4 without
// a journal (this machine's root, docs/performance.md "Slurm job steps") each new inode
// skips the group's recently deleted ones (deleted in the last minute, six when their inode
// table block is not yet written back) one by one, so a start's inode creation grows with
// how many containers came and went before it. With the flag, each container's tree starts
// in a group with more free inodes than average and the churn is spread over the disk.
#pragma once

#include <string>

namespace pc::storage {

// Sets FS_TOPDIR_FL on `dir` when the file system supports it and it is not set yet; a
// file system without the flag (tmpfs, xfs, btrfs, overlay, fuse) is left as it is, since
// the flag only steers placement. Never throws.
void mark_top_dir(const std::string& dir);

}  // namespace pc::storage
