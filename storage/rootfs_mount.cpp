// A container's root filesystem: the plan (which dirs, which driver) is made from the
// store; mount_rootfs() runs in the container's own user + mount namespace.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/log.hpp"
#include "common/process.hpp"
#include "common/strings.hpp"
#include "common/user_paths.hpp"
#include "storage/keep_id_owners.hpp"
#include "storage/store.hpp"

namespace pc::storage {

RootfsPlan rootfs_plan(Store& store, const std::string& container_id, const std::vector<std::string>& layers,
                       const rootless::Userns& userns) {
    RootfsPlan plan;
    plan.driver = store.driver();
    const std::string dir = store.container_dir(container_id);
    // With a single-id mapping every file is the caller's in the store and in the container
    // alike: nothing to present differently.
    const bool keep_id = userns.mode == rootless::UsernsMode::KeepId && !rootless::caller_mapping(userns).single;
    // Kernel overlay: keep-id copies of the layers, whose owners need no translation.
    std::optional<std::vector<std::string>> copies;
    std::string no_copy;
    if (keep_id && plan.driver == Driver::Overlay)
        copies = store.keep_id_lowers(layers, rootless::caller_mapping(userns), no_copy);
    const bool translate = keep_id && !copies;
    if (plan.driver == Driver::Vfs && !translate) {
        plan.target = dir + "/rootfs";
        return plan;
    }
    if (copies) {
        plan.lowers = std::move(*copies);
        plan.keep_id_upper = true;
    } else {
        for (auto it = layers.rbegin(); it != layers.rend(); ++it) plan.lowers.push_back(store.layer_diff_dir(*it));
        // overlay needs at least one lower: an image built FROM scratch with no layers.
        if (plan.lowers.empty()) plan.lowers.push_back(store.empty_layer_dir());
    }
    plan.upper = dir + "/upper";
    plan.work = dir + "/work";
    plan.target = dir + "/merged";
    if (translate) {
        if (std::string why = fuse_unavailable_reason(); !why.empty())
            throw Error("--userns=keep-id: " + (no_copy.empty() ? keep_id_unavailable_reason(plan.driver)
                                                                : no_copy + "; fuse-overlayfs, which could, cannot be used: " + why));
        if (!no_copy.empty()) log::debug("keep-id through fuse-overlayfs: " + no_copy);
        plan.driver = Driver::FuseOverlay;
        // A vfs container has only rootfs/: keep-id presents the layers through
        // fuse-overlayfs instead, which needs its own upper and work dirs.
        ensure_dir(plan.upper, 0755);
        ensure_dir(plan.work, 0700);
        ensure_dir(plan.target, 0755);
        FuseIdMappings m = fuse_id_mappings(rootless::caller_mapping(rootless::UsernsMode::Default),
                                            rootless::caller_mapping(userns));
        plan.fuse_uidmapping = m.uidmapping;
        plan.fuse_gidmapping = m.gidmapping;
    }
    return plan;
}

namespace {

// Layers are stored with the default mapping: image id k lives on disk as host id
// D(k) (D = `storage`). A keep-id container's namespace (K = `container`) sees host id h as
// K^-1(h), so fuse-overlayfs, running in that namespace, reads image id k as
// K^-1(D(k)). Its "uidmapping=A:B:L" turns an id A it reads from disk into B presented to
// the kernel (and back on writes), so for every host range where D and K overlap we emit
// A = K^-1(h), B = D^-1(h): image root (D(0) = caller) is presented as 0 again.
std::string fuse_mapping(const std::vector<rootless::IdMapEntry>& storage,
                         const std::vector<rootless::IdMapEntry>& container) {
    std::vector<std::string> out;
    for (const auto& e : keep_id_id_pairs(storage, container))
        out.push_back(std::to_string(e.inside) + ":" + std::to_string(e.outside) + ":" + std::to_string(e.count));
    // fuse-overlayfs takes several triples joined by ':' (',' separates -o options).
    return str::join(out, ":");
}

std::string join_lowers(const std::vector<std::string>& lowers, char sep) {
    std::string out;
    for (const auto& l : lowers) {
        if (!out.empty()) out += sep;
        out += l;
    }
    return out;
}

// overlay's mount(2) data separates options with ',' and lowers with ':'.
std::string escape_overlay(const std::string& p) {
    std::string out;
    for (char c : p) {
        if (c == ',' || c == ':' || c == '\\') out += '\\';
        out += c;
    }
    return out;
}

std::string read_fs_log(int fsfd) {
    // The fs context log carries overlay's own reasons ("e overlay: ..."), which dmesg would
    // otherwise be the only place for (and dmesg is restricted).
    std::string out;
    char buf[1024];
    for (;;) {
        ssize_t n = ::read(fsfd, buf, sizeof(buf) - 1);
        if (n <= 0) break;
        if (!out.empty()) out += "; ";
        out.append(buf, static_cast<size_t>(n));
        while (!out.empty() && out.back() == '\n') out.pop_back();
    }
    return out;
}

std::string describe(const RootfsPlan& p) {
    return "lowerdir=" + join_lowers(p.lowers, ':') + (p.upper.empty() ? "" : ",upperdir=" + p.upper + ",workdir=" + p.work) +
           ",userxattr" + (p.volatile_upper ? ",volatile" : "");
}

[[noreturn]] void overlay_failed(const RootfsPlan& p, const std::string& step, int err, const std::string& log) {
    throw Error("mounting overlay on " + p.target + " (" + step + "): " + std::strerror(err) +
                (log.empty() ? "" : " [" + log + "]") + "; options: " + describe(p));
}

// Returns false when the kernel rejects "lowerdir+" (before 6.8): use mount(2) instead.
bool mount_overlay_fsopen(const RootfsPlan& p) {
    UniqueFd fs(::fsopen("overlay", FSOPEN_CLOEXEC));
    if (!fs) {
        if (errno == ENOSYS) return false;
        overlay_failed(p, "fsopen", errno, "");
    }
    for (size_t i = 0; i < p.lowers.size(); ++i) {
        if (::fsconfig(fs.get(), FSCONFIG_SET_STRING, "lowerdir+", p.lowers[i].c_str(), 0) < 0) {
            int err = errno;
            if (i == 0 && err == EINVAL) return false;
            overlay_failed(p, "lowerdir+ " + p.lowers[i], err, read_fs_log(fs.get()));
        }
    }
    // No upper dir: a read-only view of the layers (a build's COPY --from source).
    if (!p.upper.empty() && ::fsconfig(fs.get(), FSCONFIG_SET_STRING, "upperdir", p.upper.c_str(), 0) < 0)
        overlay_failed(p, "upperdir", errno, read_fs_log(fs.get()));
    if (!p.upper.empty() && ::fsconfig(fs.get(), FSCONFIG_SET_STRING, "workdir", p.work.c_str(), 0) < 0)
        overlay_failed(p, "workdir", errno, read_fs_log(fs.get()));
    if (::fsconfig(fs.get(), FSCONFIG_SET_FLAG, "userxattr", nullptr, 0) < 0)
        overlay_failed(p, "userxattr", errno, read_fs_log(fs.get()));
    if (p.volatile_upper && ::fsconfig(fs.get(), FSCONFIG_SET_FLAG, "volatile", nullptr, 0) < 0)
        overlay_failed(p, "volatile", errno, read_fs_log(fs.get()));
    if (::fsconfig(fs.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) < 0)
        overlay_failed(p, "create", errno, read_fs_log(fs.get()));
    UniqueFd mnt(::fsmount(fs.get(), FSMOUNT_CLOEXEC, 0));
    if (!mnt) overlay_failed(p, "fsmount", errno, read_fs_log(fs.get()));
    if (::move_mount(mnt.get(), "", AT_FDCWD, p.target.c_str(), MOVE_MOUNT_F_EMPTY_PATH) < 0)
        overlay_failed(p, "move_mount", errno, "");
    return true;
}

// Longest common directory of all lowers, so that relative lowers fit in one page.
std::string common_dir(const std::vector<std::string>& paths) {
    std::string prefix = paths.front();
    for (const auto& p : paths) {
        size_t n = 0;
        while (n < prefix.size() && n < p.size() && prefix[n] == p[n]) ++n;
        prefix.resize(n);
    }
    auto slash = prefix.rfind('/');
    return slash == std::string::npos || slash == 0 ? "/" : prefix.substr(0, slash);
}

void mount_overlay_legacy(const RootfsPlan& p) {
    std::vector<std::string> lowers;
    for (const auto& l : p.lowers) lowers.push_back(escape_overlay(l));
    const std::string tail =
        (p.upper.empty() ? "" : ",upperdir=" + escape_overlay(p.upper) + ",workdir=" + escape_overlay(p.work)) +
        ",userxattr" + (p.volatile_upper ? ",volatile" : "");
    std::string data = "lowerdir=" + join_lowers(lowers, ':') + tail;
    UniqueFd cwd;
    if (data.size() >= 4096) {
        // mount(2) data is one page: switch to short paths relative to the layers' common
        // directory for the duration of the call.
        const std::string base = common_dir(p.lowers);
        lowers.clear();
        for (const auto& l : p.lowers) lowers.push_back(escape_overlay(l.substr(base == "/" ? 1 : base.size() + 1)));
        data = "lowerdir=" + join_lowers(lowers, ':') + tail;
        if (data.size() >= 4096)
            throw Error("mounting overlay on " + p.target + ": " + std::to_string(p.lowers.size()) +
                        " layers do not fit in the mount options of this kernel (needs \"lowerdir+\", Linux 6.8)");
        cwd.reset(::open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (::chdir(base.c_str()) < 0) throw Error::sys("chdir " + base);
    }
    int rc = ::mount("overlay", p.target.c_str(), "overlay", 0, data.c_str());
    int err = errno;
    if (cwd) (void)!::fchdir(cwd.get());
    if (rc < 0)
        throw Error("mounting overlay on " + p.target + ": " + std::strerror(err) + "; options: " + data);
}

void mount_fuse_overlay(const RootfsPlan& p) {
    if (std::string why = fuse_unavailable_reason(); !why.empty())
        throw Error("mounting fuse-overlayfs on " + p.target + ": " + why);
    for (const auto& s : p.lowers)
        if (s.find_first_of(":,") != std::string::npos)
            throw Error("fuse-overlayfs cannot use layer path " + s + " (contains ':' or ',')");
    std::string opts = "lowerdir=" + join_lowers(p.lowers, ':') + ",upperdir=" + p.upper + ",workdir=" + p.work;
    if (!p.fuse_uidmapping.empty()) opts += ",uidmapping=" + p.fuse_uidmapping;
    if (!p.fuse_gidmapping.empty()) opts += ",gidmapping=" + p.fuse_gidmapping;
    // Its diagnostics go to a memfd, not a pipe: the daemonized child keeps its own stderr
    // and would hold a pipe open forever.
    UniqueFd errfd(::memfd_create("fuse-overlayfs-stderr", MFD_CLOEXEC));
    const std::string prog = find_program("fuse-overlayfs");
    std::vector<std::string> argv = {prog, "-o", opts, p.target};
    std::vector<char*> args;
    args.reserve(argv.size() + 1);
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    pid_t pid = ::fork();
    if (pid < 0) throw Error::sys("starting fuse-overlayfs");
    if (pid == 0) {
        // With keep-id the caller is uid N, not 0, in its namespace, and execve would drop
        // the capabilities fuse-overlayfs needs to mount (it would then try fusermount3 and
        // fail): run it as namespace root.
        if (::geteuid() != 0) {
            (void)!::setresgid(0, 0, 0);
            (void)!::setresuid(0, 0, 0);
        }
        if (errfd) ::dup2(errfd.get(), 2);
        ::execv(prog.c_str(), args.data());
        ::_exit(127);
    }
    ChildProcess proc(pid);
    ExitStatus st = proc.wait();
    if (!st.signaled && st.code == 0) return;
    std::string out;
    if (errfd) {
        char buf[2048];
        ssize_t n = ::pread(errfd.get(), buf, sizeof(buf), 0);
        if (n > 0) out = str::trim(std::string(buf, static_cast<size_t>(n)));
    }
    throw Error("mounting fuse-overlayfs on " + p.target + ": exit " + std::to_string(st.shell_code()) +
                (out.empty() ? "" : ": " + out) + "; options: " + opts);
}

}  // namespace

FuseIdMappings fuse_id_mappings(const rootless::IdMapping& storage, const rootless::IdMapping& container) {
    return {fuse_mapping(storage.uids, container.uids), fuse_mapping(storage.gids, container.gids)};
}

void mount_rootfs(const RootfsPlan& plan) {
    switch (plan.driver) {
        case Driver::Overlay:
            if (!plan.fuse_uidmapping.empty()) {
                mount_fuse_overlay(plan);
                return;
            }
            // The upper dir's owner is the owner of the container's "/": the namespace's root,
            // K(0), as the copies' "/" is (run in the container's namespace, where the
            // caller's upper dir is mapped).
            if (plan.keep_id_upper && ::lchown(plan.upper.c_str(), 0, 0) < 0)
                throw Error::sys("giving the upper dir " + plan.upper + " to the container's root");
            if (!mount_overlay_fsopen(plan)) mount_overlay_legacy(plan);
            return;
        case Driver::FuseOverlay: mount_fuse_overlay(plan); return;
        case Driver::Vfs:
            // pivot_root needs the new root to be a mount point.
            if (::mount(plan.target.c_str(), plan.target.c_str(), nullptr, MS_BIND | MS_REC, nullptr) < 0)
                throw Error::sys("bind-mounting the vfs rootfs " + plan.target);
            return;
    }
}

}  // namespace pc::storage
