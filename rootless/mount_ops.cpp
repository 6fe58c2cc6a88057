#include "rootless/mount_ops.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/statvfs.h>

#include <cerrno>

#include "common/error.hpp"

namespace pc::rootless {

void mount_or_throw(const char* source, const std::string& target, const char* fstype,
                    unsigned long flags, const std::string& data, const std::string& what,
                    const std::string& shown) {
    if (::mount(source, target.c_str(), fstype, flags, data.empty() ? nullptr : data.c_str()) < 0) {
        std::string ctx = "mounting " + what + " on " + shown;
        if (!data.empty()) ctx += " (options " + data + ")";
        throw Error::sys(ctx, errno);
    }
}

unsigned long current_mount_flags(const std::string& target, const std::string& shown) {
    struct statvfs sv {};
    if (::statvfs(target.c_str(), &sv) < 0) throw Error::sys("statvfs " + shown, errno);
    unsigned long f = 0;
    if (sv.f_flag & ST_NOSUID) f |= MS_NOSUID;
    if (sv.f_flag & ST_NODEV) f |= MS_NODEV;
    if (sv.f_flag & ST_NOEXEC) f |= MS_NOEXEC;
    if (sv.f_flag & ST_RDONLY) f |= MS_RDONLY;
    return f;
}

void remount_bind_adding(const std::string& target, unsigned long flags, const std::string& shown) {
    unsigned long all = MS_REMOUNT | MS_BIND | flags | current_mount_flags(target, shown);
    if (::mount(nullptr, target.c_str(), nullptr, all, nullptr) < 0) {
        std::string ctx = "remounting " + shown;
        ctx += (flags & MS_RDONLY) ? " read-only" : " with new flags";
        throw Error::sys(ctx, errno);
    }
}

void make_tree_readonly(int fd, const std::string& shown) {
    struct mount_attr attr {};
    attr.attr_set = MOUNT_ATTR_RDONLY;
    if (::mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0 && errno != ENOSYS)
        throw Error::sys("making " + shown + " recursively read-only", errno);
}

}  // namespace pc::rootless
