#include "storage/vfs_copy.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <endian.h>
#include <linux/capability.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <utility>
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

// How a walk copies: onto a merged tree (vfs) or one layer as it is (keep-id copies).
struct Walk {
    // As-is copy: whiteouts and opaque markers are copied instead of applied, hard links
    // of the layer stay hard links, owners are translated through `owners`.
    bool as_is = false;
    const rootless::IdMapping* owners = nullptr;
    int root_fd = -1;  // the destination root, for hard links
    std::map<std::pair<dev_t, ino_t>, std::string> links;  // first copy of a linked inode
};

uid_t owner_uid(const Walk& w, uid_t u, const std::string& display) {
    if (!w.owners) return u;
    if (auto t = w.owners->host_uid(u)) return *t;
    throw UnmappedOwner(display + " is owned by uid " + std::to_string(u));
}

gid_t owner_gid(const Walk& w, gid_t g, const std::string& display) {
    if (!w.owners) return g;
    if (auto t = w.owners->host_gid(g)) return *t;
    throw UnmappedOwner(display + " is owned by gid " + std::to_string(g));
}

// A file capability's root id is an owner too: v2 (the namespace's root, image id 0)
// and v3 (an explicit root id) become v3 with the translated root id, which the kernel
// maps through the writer's namespace (cap_convert_nscap).
std::string translate_capability(const Walk& w, const char* value, size_t len, const std::string& display) {
    std::string out(value, len);
    if (!w.owners || (len != XATTR_CAPS_SZ_2 && len != XATTR_CAPS_SZ_3)) return out;
    vfs_ns_cap_data caps {};
    std::memcpy(&caps, value, len);
    uint32_t root = len == XATTR_CAPS_SZ_3 ? le32toh(caps.rootid) : 0;
    const uint32_t magic = le32toh(caps.magic_etc);
    caps.magic_etc = htole32(VFS_CAP_REVISION_3 | (magic & VFS_CAP_FLAGS_EFFECTIVE));
    caps.rootid = htole32(owner_uid(w, root, display + " (file capabilities)"));
    return {reinterpret_cast<const char*>(&caps), XATTR_CAPS_SZ_3};
}

// user.* (overlay's own markers only in an as-is copy) and file capabilities, as at
// extraction.
void copy_xattrs(const Walk& w, int src, int dst, const std::string& display) {
    char names[16384];
    ssize_t len = ::flistxattr(src, names, sizeof(names));
    if (len <= 0) return;
    for (ssize_t i = 0; i < len; i += static_cast<ssize_t>(std::strlen(names + i)) + 1) {
        const char* n = names + i;
        const bool overlay = std::strncmp(n, "user.overlay.", 13) == 0;
        const bool user = std::strncmp(n, "user.", 5) == 0 && (!overlay || (w.as_is && n == std::string(kOpaqueXattr)));
        const bool caps = std::strcmp(n, "security.capability") == 0;
        if (!user && !caps) continue;
        char value[65536];
        ssize_t vl = ::fgetxattr(src, n, value, sizeof(value));
        if (vl < 0) continue;
        std::string v = caps ? translate_capability(w, value, static_cast<size_t>(vl), display)
                             : std::string(value, static_cast<size_t>(vl));
        if (::fsetxattr(dst, n, v.data(), v.size(), 0) < 0 && errno != ENOTSUP)
            throw Error::sys("copying xattr " + std::string(n) + " of " + display);
    }
}

void copy_metadata(const Walk& w, int src_fd, int dst_fd, const struct stat& st, const std::string& display,
                   bool times) {
    if (::fchown(dst_fd, owner_uid(w, st.st_uid, display), owner_gid(w, st.st_gid, display)) < 0)
        throw Error::sys("chown " + display);
    // After the chown, which clears setuid/setgid bits.
    if (::fchmod(dst_fd, st.st_mode & 07777) < 0) throw Error::sys("chmod " + display);
    copy_xattrs(w, src_fd, dst_fd, display);
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

void copy_tree(Walk& w, int dst_dir, int src_dir, const std::string& display, const std::string& rel);

// Owner, mode and times of an entry made by name (symlinks, fifos, whiteouts).
void set_metadata_at(const Walk& w, int dst_dir, const std::string& name, const struct stat& st,
                     const std::string& display) {
    if (::fchownat(dst_dir, name.c_str(), owner_uid(w, st.st_uid, display), owner_gid(w, st.st_gid, display),
                   AT_SYMLINK_NOFOLLOW) < 0)
        throw Error::sys("chown " + display);
    if (!S_ISLNK(st.st_mode) && ::fchmodat(dst_dir, name.c_str(), st.st_mode & 07777, 0) < 0)
        throw Error::sys("chmod " + display);
    struct timespec t[2] = {st.st_atim, st.st_mtim};
    ::utimensat(dst_dir, name.c_str(), t, AT_SYMLINK_NOFOLLOW);
}

void copy_entry(Walk& w, int dst_dir, int src_dir, const std::string& name, const std::string& display,
                const std::string& rel) {
    struct stat st {};
    if (::fstatat(src_dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) throw Error::sys("reading " + display);
    if (is_whiteout(st)) {
        if (!w.as_is) {
            remove_tree_at(dst_dir, name, display);
            return;
        }
        make_whiteout(dst_dir, name, display);
        set_metadata_at(w, dst_dir, name, st, display);
        return;
    }
    struct stat dst {};
    bool exists = !w.as_is && ::fstatat(dst_dir, name.c_str(), &dst, AT_SYMLINK_NOFOLLOW) == 0;
    if (S_ISDIR(st.st_mode)) {
        if (exists && !S_ISDIR(dst.st_mode)) {
            remove_tree_at(dst_dir, name, display);
            exists = false;
        }
        if (!exists && ::mkdirat(dst_dir, name.c_str(), 0700) < 0) throw Error::sys("creating " + display);
        UniqueFd s(::openat(src_dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        UniqueFd d(::openat(dst_dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!s || !d) throw Error::sys("opening " + display);
        copy_tree(w, d.get(), s.get(), display, rel);
        copy_metadata(w, s.get(), d.get(), st, display, true);
        return;
    }
    if (exists) remove_tree_at(dst_dir, name, display);
    if (S_ISREG(st.st_mode)) {
        if (w.as_is && st.st_nlink > 1) {
            auto [it, first] = w.links.try_emplace({st.st_dev, st.st_ino}, rel);
            if (!first) {
                if (::linkat(w.root_fd, it->second.c_str(), dst_dir, name.c_str(), 0) < 0)
                    throw Error::sys("linking " + display);
                return;
            }
        }
        UniqueFd s(::openat(src_dir, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
        UniqueFd d(::openat(dst_dir, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
        if (!s || !d) throw Error::sys("copying " + display);
        copy_contents(s.get(), d.get(), display);
        copy_metadata(w, s.get(), d.get(), st, display, true);
    } else if (S_ISLNK(st.st_mode)) {
        std::vector<char> target(static_cast<size_t>(st.st_size) + 1);
        ssize_t n = ::readlinkat(src_dir, name.c_str(), target.data(), target.size());
        if (n < 0) throw Error::sys("reading link " + display);
        target[static_cast<size_t>(n)] = '\0';
        if (::symlinkat(target.data(), dst_dir, name.c_str()) < 0) throw Error::sys("creating " + display);
        set_metadata_at(w, dst_dir, name, st, display);
    } else if (S_ISFIFO(st.st_mode)) {
        if (::mknodat(dst_dir, name.c_str(), S_IFIFO | 0600, 0) < 0) throw Error::sys("creating " + display);
        set_metadata_at(w, dst_dir, name, st, display);
    }
    // Sockets and device nodes cannot come from an extracted layer: nothing to copy.
}

void copy_tree(Walk& w, int dst_dir, int src_dir, const std::string& display, const std::string& rel) {
    if (!w.as_is && is_opaque(src_dir)) clear_dir(dst_dir, display);
    for (const auto& n : list_dir(src_dir, display))
        copy_entry(w, dst_dir, src_dir, n, display + "/" + n, rel.empty() ? n : rel + "/" + n);
}

}  // namespace

void copy_layer_onto(int dst_dir, int src_dir, const std::string& display) {
    Walk w;
    copy_tree(w, dst_dir, src_dir, display, "");
}

void copy_layer_as_is(int dst_dir, int src_dir, const std::string& display, const rootless::IdMapping& owners) {
    Walk w;
    w.as_is = true;
    w.owners = &owners;
    w.root_fd = dst_dir;
    copy_tree(w, dst_dir, src_dir, display, "");
    // The root directory's own attributes too: overlay takes the top layer's for "/".
    struct stat st {};
    if (::fstat(src_dir, &st) < 0) throw Error::sys("reading " + display);
    copy_metadata(w, src_dir, dst_dir, st, display, true);
}

}  // namespace pc::storage
