// Podman's copy-up for named volumes: a fresh (empty) volume mounted over a directory of
// the image starts with that directory's content. The copy walks the image directory by
// fds without following any symlink (they are copied as symlinks), so nothing outside it
// is read.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <optional>

#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/file_lock.hpp"
#include "common/log.hpp"
#include "rootless/sandbox_steps.hpp"

namespace pc::rootless {

namespace {

// Entries of a directory fd, without "." and "..". The fd is dup'ed (fdopendir takes it).
std::vector<std::string> list_dir(int dir_fd, const std::string& shown) {
    int dup = ::fcntl(dir_fd, F_DUPFD_CLOEXEC, 0);
    if (dup < 0) throw Error::sys("listing " + shown, errno);
    DIR* d = ::fdopendir(dup);
    if (!d) {
        int err = errno;
        ::close(dup);
        throw Error::sys("listing " + shown, err);
    }
    ::rewinddir(d);
    std::vector<std::string> names;
    while (struct dirent* e = ::readdir(d)) {
        std::string n = e->d_name;
        if (n != "." && n != "..") names.push_back(n);
    }
    ::closedir(d);
    return names;
}

void copy_metadata(int fd, const struct stat& st, const std::string& shown) {
    if (::fchown(fd, st.st_uid, st.st_gid) < 0) throw Error::sys("chown " + shown, errno);
    // After chown: chown clears setuid/setgid bits.
    if (::fchmod(fd, st.st_mode & 07777) < 0) throw Error::sys("chmod " + shown, errno);
    const struct timespec times[2] = {st.st_atim, st.st_mtim};
    if (::futimens(fd, times) < 0) throw Error::sys("setting times of " + shown, errno);
}

void copy_file_data(int in, int out, const std::string& shown) {
    char buf[65536];
    for (;;) {
        ssize_t n = ::read(in, buf, sizeof(buf));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw Error::sys("reading " + shown, errno);
        if (n == 0) return;
        if (!write_all(out, buf, static_cast<size_t>(n))) throw Error::sys("writing " + shown, errno);
    }
}

void copy_tree(int src_dir, int dst_dir, const std::string& shown) {
    const std::string prefix = shown + "/";
    for (const std::string& name : list_dir(src_dir, shown)) {
        const std::string path = prefix + name;
        struct stat st {};
        if (::fstatat(src_dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0)
            throw Error::sys("stat " + path, errno);
        if (S_ISDIR(st.st_mode)) {
            if (::mkdirat(dst_dir, name.c_str(), 0700) < 0) throw Error::sys("mkdir " + path, errno);
            UniqueFd in(::openat(src_dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
            UniqueFd out(::openat(dst_dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
            if (!in || !out) throw Error::sys("opening " + path, errno);
            copy_tree(in.get(), out.get(), path);
            copy_metadata(out.get(), st, path);
        } else if (S_ISREG(st.st_mode)) {
            UniqueFd in(::openat(src_dir, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
            if (!in) throw Error::sys("opening " + path, errno);
            UniqueFd out(::openat(dst_dir, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                                  0600));
            if (!out) throw Error::sys("creating " + path + " in the volume", errno);
            copy_file_data(in.get(), out.get(), path);
            copy_metadata(out.get(), st, path);
        } else if (S_ISLNK(st.st_mode)) {
            std::string target(static_cast<size_t>(st.st_size) + 1, '\0');
            ssize_t n = ::readlinkat(src_dir, name.c_str(), target.data(), target.size());
            if (n < 0) throw Error::sys("readlink " + path, errno);
            target.resize(static_cast<size_t>(n));
            if (::symlinkat(target.c_str(), dst_dir, name.c_str()) < 0)
                throw Error::sys("symlink " + path, errno);
            if (::fchownat(dst_dir, name.c_str(), st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
                throw Error::sys("chown " + path, errno);
            const struct timespec times[2] = {st.st_atim, st.st_mtim};
            ::utimensat(dst_dir, name.c_str(), times, AT_SYMLINK_NOFOLLOW);  // cosmetic
        } else if (S_ISFIFO(st.st_mode)) {
            if (::mkfifoat(dst_dir, name.c_str(), st.st_mode & 07777) < 0)
                throw Error::sys("mkfifo " + path, errno);
        } else {
            // Device nodes and sockets cannot be recreated in a user namespace.
            log::debug("copy-up: skipping special file " + path);
        }
    }
}

}  // namespace

void copy_up_volume(int image_dir_fd, const MountSpec& m, const std::string& shown) {
    const std::string& volume_dir = m.source;
    // Containers started together with a new volume (`-v data:/d` in a loop of parallel
    // runs) copy one after the other: the first copies, the others find it done.
    std::optional<FileLock> lock;
    if (!m.copy_up_lock.empty()) lock.emplace(m.copy_up_lock);
    if (!m.copy_up_marker.empty() && ::access(m.copy_up_marker.c_str(), F_OK) == 0) return;
    UniqueFd vol(::open(volume_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!vol) throw Error::sys("opening volume " + volume_dir, errno);
    // Not empty: filled outside pc, never overwritten (as Podman, CVE-2020-1726).
    if (!list_dir(vol.get(), volume_dir).empty()) return;
    if (list_dir(image_dir_fd, shown).empty()) return;
    copy_tree(image_dir_fd, vol.get(), shown);
    // The volume root takes the image directory's owner and mode too (e.g. a 1777 /tmp or
    // a directory owned by the service user).
    struct stat st {};
    if (::fstat(image_dir_fd, &st) < 0) throw Error::sys("stat " + shown, errno);
    if (::fchown(vol.get(), st.st_uid, st.st_gid) < 0 || ::fchmod(vol.get(), st.st_mode & 07777) < 0)
        throw Error::sys("copying owner and mode of " + shown + " to volume " + volume_dir, errno);
    // Done: later containers mount it as it is, even once emptied (Podman's NeedsCopyUp).
    if (!m.copy_up_marker.empty()) {
        UniqueFd marker(::open(m.copy_up_marker.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
        if (!marker) throw Error::sys("marking volume " + volume_dir + " as copied up", errno);
    }
}

}  // namespace pc::rootless
