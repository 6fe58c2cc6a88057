// Why the store's containers/ and layers/ carry FS_TOPDIR_FL.
//
// This VM's root file system is ext4 without a journal. Without a journal, ext4 does not
// reuse an inode freed in the last 30 seconds (5.5 minutes while its inode table block is
// dirty: find_inode_bit -> recently_deleted), and it finds that out per allocation by
// scanning the group's free inodes one by one. A new file goes into its directory's group
// and a new directory near its parent's, so a build's 10,000 files were allocated in the
// groups where the previous 10,000-file tree had just been deleted (a `podman build`'s work
// container, a test's store): 79% of a `pc build` COPY's time was spent in that scan
// (perf, 8.0 s with 2.9 s system time against 1.6 s / 0.44 s with the flag). With the flag
// each container's and layer's directory goes where ext4's Orlov allocator finds a group
// with above-average free inodes and the fewest directories, as for directories in /.
// Container starts had the same cost: each `run --rm` creates ~24 inodes under
// containers/ and its removal frees them, so a start's inode allocations grew with the
// starts of the last minutes (17% of a Slurm step's samples; srun -n16 2.08-2.39x bare
// before, 1.66x after, at load 9-12).
#include "storage/spread_dirs.hpp"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>

#include "common/fd.hpp"

namespace pc::storage {

bool spread_subdirectories(const std::string& dir) {
    UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) return false;
    int flags = 0;
    if (::ioctl(fd.get(), FS_IOC_GETFLAGS, &flags) < 0) return false;
    if (flags & FS_TOPDIR_FL) return true;
    flags |= FS_TOPDIR_FL;
    return ::ioctl(fd.get(), FS_IOC_SETFLAGS, &flags) == 0;
}

}  // namespace pc::storage
