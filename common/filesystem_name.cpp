#include "common/filesystem_name.hpp"

#include <linux/magic.h>
#include <sys/statfs.h>

#include <cstdio>

namespace pc {

std::string filesystem_name(unsigned long f_type) {
    switch (f_type) {
        case EXT4_SUPER_MAGIC: return "extfs";  // ext2, ext3 and ext4 share it
        case XFS_SUPER_MAGIC: return "xfs";
        case BTRFS_SUPER_MAGIC: return "btrfs";
        case TMPFS_MAGIC: return "tmpfs";
        case RAMFS_MAGIC: return "ramfs";
        case OVERLAYFS_SUPER_MAGIC: return "overlayfs";
        case NFS_SUPER_MAGIC: return "nfs";
        case SQUASHFS_MAGIC: return "squashfs";
        case MSDOS_SUPER_MAGIC: return "vfat";
        case 0x65735546: return "fuseblk";  // FUSE_SUPER_MAGIC: fuse-overlayfs, sshfs, ...
        case 0x2fc12fc1: return "zfs";
        case 0xe0f5e1e2: return "erofs";
        case 0xff534d42: return "cifs";
        case 0xfe534d42: return "smb2";
        case 0x0bd00bd0: return "lustre";
        case 0x47504653: return "gpfs";
        case 0x19830326: return "beegfs";
        case 0x5346414f: return "afs";
        default: {
            char hex[32];
            std::snprintf(hex, sizeof(hex), "0x%lx", f_type);
            return hex;
        }
    }
}

std::string filesystem_name_of(const std::string& path) {
    struct statfs s {};
    if (::statfs(path.c_str(), &s) != 0) return "";
    return filesystem_name(static_cast<unsigned long>(s.f_type));
}

}  // namespace pc
