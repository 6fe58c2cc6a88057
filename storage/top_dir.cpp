#include "storage/top_dir.hpp"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>

#include <cerrno>
#include <cstring>

#include "common/fd.hpp"
#include "common/log.hpp"

namespace pc::storage {

void mark_top_dir(const std::string& dir) {
    UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) return;
    // The ioctls take an int, whatever their definition says (ioctl_iflags(2)).
    int flags = 0;
    if (::ioctl(fd.get(), FS_IOC_GETFLAGS, &flags) < 0) return;  // no such flags here
    if (flags & FS_TOPDIR_FL) return;
    flags |= FS_TOPDIR_FL;
    if (::ioctl(fd.get(), FS_IOC_SETFLAGS, &flags) < 0)
        log::debug("cannot mark " + dir + " as a top directory (" + std::strerror(errno) + ")");
}

}  // namespace pc::storage
