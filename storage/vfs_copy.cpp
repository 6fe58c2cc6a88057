#include "storage/vfs_copy.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "common/error.hpp"
#include "common/fd.hpp"
#include "storage/remove_tree.hpp"
#include "storage/whiteouts.hpp"

namespace pc::storage {

namespace {

std::vector<std::string> list_dir(int fd, const std::string& display) {
    int dup = ::dup(fd);
    DIR* d = dup >= 0 ? ::fdopendir(dup) : nullptr;
    if (!d) {
        if (dup >= 0) ::close(dup);
        throw Error::sys("reading " + display);
    }
    std::vector<std::string> out;
    while (struct dirent* e = ::readdir(d)) {
        std::string n = e->d_name;
        if (n != "." && n != "..") out.push_back(std::move(n));
    }
    ::closedir(d);
    return out;
}

void clear_dir(int fd, const std::string& display) {
    for (const auto& n : list_dir(fd, display)) remove_tree_at(fd, n, display + "/" + n);
}

// user.* (except overlay's own markers) and file capabilities, as at extraction.
void copy_xattrs(int src, int dst, const std::string& display) {
    char names[16384];
    ssize_t len = ::flistxattr(src, names, sizeof(names));
    if (len <= 0) return;
    for (ssize_t i = 0; i < len; i += static_cast<ssize_t>(std::strlen(names + i)) + 1) {
        const char* n = names + i;
        bool user = std::strncmp(n, "user.", 5) == 0 && std::strncmp(n, "user.overlay.", 13) != 0;
        if (!user && std::strcmp(n, "security.capability") != 0) continue;
        char value[65536];
        ssize_t vl = ::fgetxattr(src, n, value, sizeof(value));
        if (vl < 0) continue;
        if (::fsetxattr(dst, n, value, static_cast<size_t>(vl), 0) < 0 && errno != ENOTSUP)
            throw Error::sys("copying xattr " + std::string(n) + " of " + display);
    }
}

void copy_metadata(int src_fd, int dst_fd, const struct stat& st, const std::string& display, bool times) {
    if (::fchown(dst_fd, st.st_uid, st.st_gid) < 0) throw Error::sys("chown " + display);
    if (::fchmod(dst_fd, st.st_mode & 07777) < 0) throw Error::sys("chmod " + display);
    copy_xattrs(src_fd, dst_fd, display);
    if (times) {
        struct timespec t[2] = {st.st_atim, st.st_mtim};
        ::futimens(dst_fd, t);
    }
}

void copy_contents(int src, int dst, const std::string& display) {
    if (::ioctl(dst, FICLONE, src) == 0) return;  // reflink where the fs supports it
    for (;;) {
        ssize_t n = ::copy_file_range(src, nullptr, dst, nullptr, 1 << 30, 0);
        if (n == 0) return;
        if (n > 0) continue;
        if (errno == EINTR) continue;
        if (errno != EXDEV && errno != ENOSYS && errno != EINVAL && errno != EOPNOTSUPP)
            throw Error::sys("copying " + display);
        break;
    }
    char buf[65536];
    for (;;) {
        ssize_t n = ::read(src, buf, sizeof(buf));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw Error::sys("copying " + display);
        if (n == 0) return;
        if (!write_all(dst, buf, static_cast<size_t>(n))) throw Error::sys("copying " + display);
    }
}

void copy_entry(int dst_dir, int src_dir, const std::string& name, const std::string& display) {
    struct stat st {};
    if (::fstatat(src_dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) throw Error::sys("reading " + display);
    if (is_whiteout(st)) {
        remove_tree_at(dst_dir, name, display);
        return;
    }
    struct stat dst {};
    bool exists = ::fstatat(dst_dir, name.c_str(), &dst, AT_SYMLINK_NOFOLLOW) == 0;
    if (S_ISDIR(st.st_mode)) {
        if (exists && !S_ISDIR(dst.st_mode)) {
            remove_tree_at(dst_dir, name, display);
            exists = false;
        }
        if (!exists && ::mkdirat(dst_dir, name.c_str(), 0700) < 0) throw Error::sys("creating " + display);
        UniqueFd s(::openat(src_dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        UniqueFd d(::openat(dst_dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!s || !d) throw Error::sys("opening " + display);
        copy_layer_onto(d.get(), s.get(), display);
        copy_metadata(s.get(), d.get(), st, display, true);
        return;
    }
    if (exists) remove_tree_at(dst_dir, name, display);
    if (S_ISREG(st.st_mode)) {
        UniqueFd s(::openat(src_dir, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
        UniqueFd d(::openat(dst_dir, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
        if (!s || !d) throw Error::sys("copying " + display);
        copy_contents(s.get(), d.get(), display);
        copy_metadata(s.get(), d.get(), st, display, true);
    } else if (S_ISLNK(st.st_mode)) {
        std::vector<char> target(static_cast<size_t>(st.st_size) + 1);
        ssize_t n = ::readlinkat(src_dir, name.c_str(), target.data(), target.size());
        if (n < 0) throw Error::sys("reading link " + display);
        target[static_cast<size_t>(n)] = '\0';
        if (::symlinkat(target.data(), dst_dir, name.c_str()) < 0) throw Error::sys("creating " + display);
        if (::fchownat(dst_dir, name.c_str(), st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
            throw Error::sys("chown " + display);
        struct timespec t[2] = {st.st_atim, st.st_mtim};
        ::utimensat(dst_dir, name.c_str(), t, AT_SYMLINK_NOFOLLOW);
    } else if (S_ISFIFO(st.st_mode)) {
        if (::mknodat(dst_dir, name.c_str(), S_IFIFO | 0600, 0) < 0) throw Error::sys("creating " + display);
        if (::fchownat(dst_dir, name.c_str(), st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0 ||
            ::fchmodat(dst_dir, name.c_str(), st.st_mode & 07777, 0) < 0)
            throw Error::sys("setting owner/mode of " + display);
    }
    // Sockets and device nodes cannot come from an extracted layer: nothing to copy.
}

}  // namespace

void copy_layer_onto(int dst_dir, int src_dir, const std::string& display) {
    if (is_opaque(src_dir)) clear_dir(dst_dir, display);
    for (const auto& n : list_dir(src_dir, display)) copy_entry(dst_dir, src_dir, n, display + "/" + n);
}

}  // namespace pc::storage
