// The name of the filesystem a path is on, from statfs(2)'s f_type: what `pc info` reports
// as the store's "Backing Filesystem" and what an error names when a storage driver cannot
// use the store's filesystem.
#pragma once

#include <string>

namespace pc {

// Podman's name for an f_type ("extfs", "xfs", "btrfs", "tmpfs", "overlayfs", "nfs"...), or
// its magic number in hex ("0x1234") when it has none here.
std::string filesystem_name(unsigned long f_type);

// filesystem_name() of the filesystem holding `path`; "" when statfs fails.
std::string filesystem_name_of(const std::string& path);

}  // namespace pc
