#include "storage/whiteouts.hpp"

#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <fcntl.h>

#include <cerrno>

#include "common/error.hpp"

namespace pc::storage {

WhiteoutName classify_whiteout(std::string_view base) {
    if (base.substr(0, kWhiteoutPrefix.size()) != kWhiteoutPrefix) return {};
    if (base == kOpaqueMarker) return {WhiteoutKind::Opaque, ""};
    if (base.substr(0, 8) == ".wh..wh.") return {WhiteoutKind::Ignored, ""};
    std::string_view target = base.substr(kWhiteoutPrefix.size());
    if (target.empty() || target == "." || target == ".." || target.find('/') != std::string_view::npos)
        return {WhiteoutKind::Invalid, ""};
    return {WhiteoutKind::Whiteout, std::string(target)};
}

void make_whiteout(int dirfd, const std::string& name, const std::string& what) {
    if (::mknodat(dirfd, name.c_str(), S_IFCHR | 0, makedev(0, 0)) < 0)
        throw Error::sys(what + ": creating whiteout " + name);
}

void set_opaque(int dir_fd, const std::string& what) {
    if (::fsetxattr(dir_fd, kOpaqueXattr, "y", 1, 0) < 0)
        throw Error::sys(what + ": setting " + std::string(kOpaqueXattr));
}

bool is_whiteout(const struct stat& st) {
    return S_ISCHR(st.st_mode) && major(st.st_rdev) == 0 && minor(st.st_rdev) == 0;
}

bool is_opaque(int dir_fd) {
    char v[4];
    ssize_t n = ::fgetxattr(dir_fd, kOpaqueXattr, v, sizeof(v));
    return n == 1 && v[0] == 'y';
}

}  // namespace pc::storage
