// Everything mounted below the rootfs before pivot_root: /proc, /dev, /sys, the user's
// mounts and the engine's /etc files. Destinations are resolved inside the rootfs
// (path_in_root.hpp) so that the image's symlinks can never redirect a mount onto the host.
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "common/error.hpp"
#include "common/lazy_library.hpp"
#include "common/log.hpp"
#include "common/strings.hpp"
#include "rootless/mount_ops.hpp"
#include "rootless/path_in_root.hpp"
#include "rootless/sandbox_steps.hpp"

namespace pc::rootless {

namespace {

std::string normalized(const std::string& path) {
    auto c = clean_path_components(path);
    return join_components(c, c.size());
}

void mount_proc(int root_fd) {
    UniqueFd fd = create_in_root(root_fd, "/proc", NodeKind::Directory);
    mount_or_throw("proc", fd_path(fd.get()), "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "", "proc",
                   "/proc");
}

// --pid host: procfs may only be mounted by the user namespace that owns the pid namespace
// (PLATFORM.md §2), and the host's belongs to the host: its /proc is bound instead, as
// rootless Podman does.
void bind_host_proc(int root_fd) {
    UniqueFd fd = create_in_root(root_fd, "/proc", NodeKind::Directory);
    mount_or_throw("/proc", fd_path(fd.get()), nullptr, MS_BIND | MS_REC, "", "/proc (host, rbind)", "/proc");
}

void bind_host_sys(int root_fd, bool readonly) {
    UniqueFd fd = create_in_root(root_fd, "/sys", NodeKind::Directory);
    mount_or_throw("/sys", fd_path(fd.get()), nullptr, MS_BIND | MS_REC, "", "/sys (host, rbind)",
                   "/sys");
    if (!readonly) return;
    // The fd still names the directory below the new mount: reopen to reach the mount.
    UniqueFd top = open_in_root(root_fd, "/sys", O_PATH | O_DIRECTORY);
    if (!top) throw Error::sys("reopening /sys in the container", errno);
    remount_bind_adding(fd_path(top.get()), MS_RDONLY, "/sys");
    make_tree_readonly(top.get(), "/sys");
}

// sysfs may only be mounted by the user namespace owning the network namespace (PLATFORM.md
// §2); with the host's network, or when the kernel says no, show the host's /sys instead.
void mount_sys(int root_fd, const SandboxSpec& spec) {
    const bool readonly = !spec.privileged;
    if (spec.network == NetworkMode::Host) {
        bind_host_sys(root_fd, readonly);
        return;
    }
    UniqueFd fd = create_in_root(root_fd, "/sys", NodeKind::Directory);
    unsigned long flags = MS_NOSUID | MS_NODEV | MS_NOEXEC | (readonly ? MS_RDONLY : 0);
    if (::mount("sysfs", fd_path(fd.get()).c_str(), "sysfs", flags, nullptr) == 0) return;
    if (errno != EPERM) throw Error::sys("mounting sysfs on /sys", errno);
    log::debug("sysfs refused (EPERM), bind-mounting the host's /sys");
    bind_host_sys(root_fd, readonly);
}

// What "bind"/tmpfs options mean for mount(2).
struct ParsedOptions {
    unsigned long flags = 0;        // MS_NOSUID... to set
    unsigned long propagation = 0;  // MS_PRIVATE|MS_REC...
    bool recursive = true;          // binds: rbind unless "bind"
    bool readonly = false;
    std::vector<std::string> data;  // tmpfs: size=, mode=, ...
};

ParsedOptions parse_options(const MountSpec& m) {
    ParsedOptions p;
    const bool tmpfs = m.type == "tmpfs";
    if (tmpfs) p.flags = MS_NOSUID | MS_NODEV;
    p.readonly = m.readonly;
    for (const std::string& o : m.options) {
        if (o == "bind") p.recursive = false;
        else if (o == "rbind") p.recursive = true;
        else if (o == "ro" || o == "readonly") p.readonly = true;
        else if (o == "rw") p.readonly = false;
        else if (o == "nosuid") p.flags |= MS_NOSUID;
        else if (o == "suid") p.flags &= ~static_cast<unsigned long>(MS_NOSUID);
        else if (o == "nodev") p.flags |= MS_NODEV;
        else if (o == "dev") p.flags &= ~static_cast<unsigned long>(MS_NODEV);
        else if (o == "noexec") p.flags |= MS_NOEXEC;
        else if (o == "exec") p.flags &= ~static_cast<unsigned long>(MS_NOEXEC);
        else if (o == "private") p.propagation = MS_PRIVATE;
        else if (o == "rprivate") p.propagation = MS_PRIVATE | MS_REC;
        else if (o == "shared") p.propagation = MS_SHARED;
        else if (o == "rshared") p.propagation = MS_SHARED | MS_REC;
        else if (o == "slave") p.propagation = MS_SLAVE;
        else if (o == "rslave") p.propagation = MS_SLAVE | MS_REC;
        else if (o == "unbindable") p.propagation = MS_UNBINDABLE;
        else if (o == "runbindable") p.propagation = MS_UNBINDABLE | MS_REC;
        else if (tmpfs && o.find('=') != std::string::npos) p.data.push_back(o);
        // Podman-level options (z, Z, U, copy, nocopy, tmpcopyup, ...) mean nothing here.
        else log::debug("mount option " + o + " ignored for " + m.destination);
    }
    return p;
}

void mount_bind(int root_fd, const MountSpec& m, const std::string& dest) {
    struct stat st {};
    if (::stat(m.source.c_str(), &st) < 0) throw Error::sys("bind mount source " + m.source, errno);
    const bool is_dir = S_ISDIR(st.st_mode);
    const ParsedOptions opt = parse_options(m);

    UniqueFd target = create_in_root(root_fd, dest, is_dir ? NodeKind::Directory : NodeKind::File);
    if (m.copy_up && is_dir) {
        UniqueFd image_dir = open_in_root(root_fd, dest, O_RDONLY | O_DIRECTORY);
        if (image_dir) copy_up_volume(image_dir.get(), m, dest);
    }
    mount_or_throw(m.source.c_str(), fd_path(target.get()), nullptr,
                   MS_BIND | (opt.recursive ? MS_REC : 0), "", m.source, dest);

    if (!opt.readonly && opt.flags == 0 && opt.propagation == 0) return;
    // Flags and propagation apply to the new mount, which the old fd does not name.
    UniqueFd top = open_in_root(root_fd, dest, O_PATH);
    if (!top) throw Error::sys("reopening " + dest + " after mounting it", errno);
    const std::string top_path = fd_path(top.get());
    if (opt.readonly || opt.flags)
        remount_bind_adding(top_path, opt.flags | (opt.readonly ? MS_RDONLY : 0), dest);
    if (opt.readonly && opt.recursive) make_tree_readonly(top.get(), dest);
    if (opt.propagation)
        mount_or_throw(nullptr, top_path, nullptr, opt.propagation, "", "propagation", dest);
}

void mount_tmpfs(int root_fd, const MountSpec& m, const std::string& dest) {
    const ParsedOptions opt = parse_options(m);
    UniqueFd target = create_in_root(root_fd, dest, NodeKind::Directory);
    mount_or_throw("tmpfs", fd_path(target.get()), "tmpfs",
                   opt.flags | (opt.readonly ? MS_RDONLY : 0), str::join(opt.data, ","), "tmpfs",
                   dest);
}

void mount_user(int root_fd, const MountSpec& m) {
    const std::string dest = normalized(m.destination);
    if (dest == "/") throw Error("mount destination " + m.destination + ": cannot mount over /");
    if (m.type == "bind") mount_bind(root_fd, m, dest);
    else if (m.type == "tmpfs") mount_tmpfs(root_fd, m, dest);
    else throw Error("mount on " + dest + ": unsupported type \"" + m.type + "\"");
}

void mount_etc_files(int root_fd, const SandboxSpec& spec) {
    for (const auto& [dest_raw, source] : spec.etc_files) {
        const std::string dest = normalized(dest_raw);
        bool covered = false;
        for (const MountSpec& m : spec.mounts) covered = covered || normalized(m.destination) == dest;
        if (covered) continue;
        UniqueFd target = create_in_root(root_fd, dest, NodeKind::File);
        mount_or_throw(source.c_str(), fd_path(target.get()), nullptr, MS_BIND, "", source, dest);
    }
}

}  // namespace

void mount_container_filesystems(const SandboxSpec& spec) {
    UniqueFd root(::open(spec.rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root) throw Error::sys("opening rootfs " + spec.rootfs, errno);
    if (spec.host_pid) bind_host_proc(root.get());
    else mount_proc(root.get());
    setup_dev(root.get(), spec);
    if (spec.join_network) spec.join_network();
    mount_sys(root.get(), spec);
    for (const MountSpec& m : spec.mounts) mount_user(root.get(), m);
    mount_etc_files(root.get(), spec);
}

void pivot_to_rootfs(const std::string& rootfs) {
    // pivot_root(".", ".") stacks the old root on top of the new one; detaching "." then
    // removes it without needing a directory for it inside the image.
    if (::chdir(rootfs.c_str()) < 0) throw Error::sys("chdir to rootfs " + rootfs, errno);
    common::LazyLibrary::forbid_opening();  // the container's files from here
    if (::syscall(SYS_pivot_root, ".", ".") < 0) throw Error::sys("pivot_root to " + rootfs, errno);
    if (::umount2(".", MNT_DETACH) < 0) throw Error::sys("detaching the old root", errno);
    if (::chdir("/") < 0) throw Error::sys("chdir to / in the container", errno);
}

}  // namespace pc::rootless
