// /dev for the container. Real device nodes cannot be created in a user namespace (mknod
// c 1 3 -> EPERM, PLATFORM.md §2), so /dev is a tmpfs into which the host's harmless nodes
// are bind-mounted, plus a devpts instance of the container's own.
#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <sstream>

#include "common/atomic_file.hpp"
#include "common/error.hpp"
#include "rootless/mount_ops.hpp"
#include "rootless/path_in_root.hpp"
#include "rootless/sandbox_steps.hpp"

namespace pc::rootless {

namespace {

// devpts' gid=5 ("tty") is refused with EINVAL when gid 5 has no mapping (single-id map).
bool gid_is_mapped(unsigned gid) {
    auto content = try_read_file("/proc/self/gid_map");
    if (!content) return false;
    std::istringstream in(*content);
    unsigned long inside, outside, count;
    while (in >> inside >> outside >> count) {
        if (gid >= inside && gid - inside < count) return true;
    }
    return false;
}

void mount_fs_in_root(int root_fd, const std::string& dest, const char* fstype, unsigned long flags,
                      const std::string& data) {
    UniqueFd fd = create_in_root(root_fd, dest, NodeKind::Directory);
    mount_or_throw(fstype, fd_path(fd.get()), fstype, flags, data, fstype, dest);
}

void bind_host_node(int root_fd, const std::string& name) {
    const std::string host = "/dev/" + name;
    UniqueFd fd = create_in_root(root_fd, host, NodeKind::File);
    mount_or_throw(host.c_str(), fd_path(fd.get()), nullptr, MS_BIND, "", host, host);
}

// The bind gets nosuid and noexec, as Podman's rootless device mounts.
void bind_device(int root_fd, const DeviceSpec& d) {
    UniqueFd fd = create_in_root(root_fd, d.container_path, NodeKind::File);
    mount_or_throw(d.host_path.c_str(), fd_path(fd.get()), nullptr, MS_BIND, "", "device " + d.host_path,
                   d.container_path);
    UniqueFd top = open_in_root(root_fd, d.container_path, O_PATH);
    if (!top) throw Error::sys("reopening device " + d.container_path + " after mounting it", errno);
    remount_bind_adding(fd_path(top.get()), MS_NOSUID | MS_NOEXEC, d.container_path);
}

void symlink_in_dev(int dev_fd, const char* target, const char* name) {
    if (::symlinkat(target, dev_fd, name) < 0 && errno != EEXIST)
        throw Error::sys(std::string("creating symlink /dev/") + name, errno);
}

}  // namespace

void setup_dev(int root_fd, const SandboxSpec& spec) {
    mount_fs_in_root(root_fd, "/dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k");

    for (const char* node : {"null", "zero", "full", "random", "urandom", "tty"})
        bind_host_node(root_fd, node);

    UniqueFd dev = open_in_root(root_fd, "/dev", O_PATH | O_DIRECTORY);
    if (!dev) throw Error::sys("opening /dev in the container", errno);
    symlink_in_dev(dev.get(), "/proc/self/fd", "fd");
    symlink_in_dev(dev.get(), "/proc/self/fd/0", "stdin");
    symlink_in_dev(dev.get(), "/proc/self/fd/1", "stdout");
    symlink_in_dev(dev.get(), "/proc/self/fd/2", "stderr");
    symlink_in_dev(dev.get(), "pts/ptmx", "ptmx");

    std::string pts_opts = "newinstance,ptmxmode=0666,mode=0620";
    if (gid_is_mapped(5)) pts_opts += ",gid=5";
    mount_fs_in_root(root_fd, "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, pts_opts);

    if (!spec.shm_size.empty())
        mount_fs_in_root(root_fd, "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                         "mode=1777,size=" + spec.shm_size);

    if (spec.private_ipc) {
        mount_fs_in_root(root_fd, "/dev/mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, "");
    } else if (::access("/dev/mqueue", F_OK) == 0) {
        // Sharing the host's IPC namespace: its mqueue mount is the matching view (hosts
        // without one, e.g. no systemd to mount it, simply get none).
        UniqueFd fd = create_in_root(root_fd, "/dev/mqueue", NodeKind::Directory);
        mount_or_throw("/dev/mqueue", fd_path(fd.get()), nullptr, MS_BIND | MS_REC, "",
                       "/dev/mqueue (host)", "/dev/mqueue");
    }
    for (const DeviceSpec& d : spec.devices) bind_device(root_fd, d);
}

}  // namespace pc::rootless
