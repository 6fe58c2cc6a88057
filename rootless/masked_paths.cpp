// Hiding and freezing kernel interfaces after pivot_root (paths are the container's own):
// masked directories get an empty read-only tmpfs, masked files /dev/null; read-only paths
// are bound over themselves and remounted read-only. Paths the kernel does not have (many
// of Podman's defaults, PLATFORM.md §2) are skipped.
#include <sys/mount.h>
#include <sys/stat.h>

#include <cerrno>

#include "common/error.hpp"
#include "rootless/mount_ops.hpp"
#include "rootless/sandbox_steps.hpp"

namespace pc::rootless {

namespace {

// stat that treats a missing path as "skip"; other errors are real.
bool exists(const std::string& path, struct stat* st) {
    if (::stat(path.c_str(), st) == 0) return true;
    if (errno == ENOENT || errno == ENOTDIR) return false;
    throw Error::sys("stat " + path, errno);
}

}  // namespace

void mask_paths(const std::vector<std::string>& paths) {
    for (const std::string& p : paths) {
        struct stat st {};
        if (!exists(p, &st)) continue;
        if (S_ISDIR(st.st_mode)) {
            mount_or_throw("tmpfs", p, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                           "", "a read-only tmpfs (masking)", p);
        } else {
            mount_or_throw("/dev/null", p, nullptr, MS_BIND, "", "/dev/null (masking)", p);
        }
    }
}

void make_paths_readonly(const std::vector<std::string>& paths) {
    for (const std::string& p : paths) {
        struct stat st {};
        if (!exists(p, &st)) continue;
        mount_or_throw(p.c_str(), p, nullptr, MS_BIND | MS_REC, "", p, p);
        remount_bind_adding(p, MS_RDONLY, p);
    }
}

void make_root_readonly() { remount_bind_adding("/", MS_RDONLY, "/ (read-only rootfs)"); }

}  // namespace pc::rootless
