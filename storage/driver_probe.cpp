// Storage driver choice: forced (--storage-driver), else recorded in store.json, else probed
// once: kernel overlay mounted in a user+mount namespace with userxattr (PLATFORM.md §2),
// then fuse-overlayfs (§3), then vfs. A forced overlay is probed too, once per store, so that
// a filesystem that cannot carry it is named before anything is made.
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/atomic_file.hpp"
#include "common/error.hpp"
#include "common/filesystem_name.hpp"
#include "common/log.hpp"
#include "common/process.hpp"
#include "rootless/userns.hpp"
#include "storage/remove_tree.hpp"
#include "storage/store.hpp"

namespace pc::storage {

namespace {

bool kernel_overlay_works(const rootless::IdMapping& m, const std::string& layers_dir) {
    // Named like an import's temp dir so that a crash mid-probe is garbage-collected.
    const std::string dir = layers_dir + "/.tmp-" + std::to_string(::getpid()) + "-probe";
    for (const char* sub : {"", "/l1", "/l2", "/u", "/w", "/m"})
        if (::mkdir((dir + sub).c_str(), 0700) < 0 && errno != EEXIST) throw Error::sys("creating " + dir + sub);
    bool ok = false;
    try {
        auto child = rootless::UsernsChild::enter(m, CLONE_NEWNS, [&dir]() -> int {
            // Nothing mounted here may propagate back to the host namespace.
            if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) < 0) return 2;
            const std::string data = "lowerdir=" + dir + "/l1:" + dir + "/l2,upperdir=" + dir + "/u,workdir=" + dir +
                                     "/w,userxattr";
            if (::mount("overlay", (dir + "/m").c_str(), "overlay", 0, data.c_str()) < 0) return 1;
            // On an upper filesystem it cannot write to (a FUSE one), overlay mounts read-only.
            const int fd = ::open((dir + "/m/f").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
            if (fd >= 0) ::close(fd);
            ::umount2((dir + "/m").c_str(), MNT_DETACH);
            return fd >= 0 ? 0 : 3;
        });
        child.map_and_release(m);
        ExitStatus st = child.wait();
        ok = !st.signaled && st.code == 0;
        if (!ok) log::debug("kernel overlay in a user namespace: not usable (probe exit " + std::to_string(st.code) + ")");
    } catch (const Error& e) {
        log::debug(std::string("kernel overlay probe failed: ") + e.what());
    }
    try {
        remove_trees_in_userns(m, {dir});
    } catch (const Error& e) {
        log::warn("removing " + dir + ": " + e.what());
    }
    return ok;
}

}  // namespace

std::string fuse_unavailable_reason() {
    if (find_program("fuse-overlayfs").empty())
        return "fuse-overlayfs is not installed (install the fuse-overlayfs package)";
    int fd = ::open("/dev/fuse", O_RDWR | O_CLOEXEC);
    if (fd >= 0) {
        ::close(fd);
        return "";
    }
    int err = errno;
    if (err == EACCES || err == EPERM)
        return "cannot open /dev/fuse: " + std::string(std::strerror(err)) +
               " (run `chmod 0666 /dev/fuse` as root once per boot, as udev does on most distributions)";
    if (err == ENOENT) return "/dev/fuse does not exist (load the fuse kernel module: `modprobe fuse` as root)";
    return "cannot open /dev/fuse: " + std::string(std::strerror(err));
}

namespace {

// Why a forced kernel overlay cannot be used on the store at `root`: its filesystem named,
// and the drivers that work there.
std::string overlay_unusable_reason(const std::string& root, const std::string& layers_dir) {
    const std::string fs = filesystem_name_of(layers_dir);
    std::string works = "fuse-overlayfs, vfs";
    if (std::string why = fuse_unavailable_reason(); !why.empty()) works = "vfs (not fuse-overlayfs: " + why + ")";
    return "--storage-driver overlay cannot be used: the store " + root + " is on " + (fs.empty() ? "a filesystem" : fs) +
           ", where kernel overlayfs cannot be mounted in a user namespace; storage drivers that work there: " + works +
           " (or leave --storage-driver out and pc picks one)";
}

}  // namespace

bool keep_id_needs_fuse(Driver driver) {
    return driver != Driver::Overlay && !rootless::caller_mapping(rootless::UsernsMode::KeepId).single;
}

std::string keep_id_unavailable_reason(Driver driver) {
    if (!keep_id_needs_fuse(driver)) return "";
    std::string why = fuse_unavailable_reason();
    if (why.empty()) return "";
    return "with the " + driver_name(driver) +
           " storage driver, keep-id needs fuse-overlayfs to present image files with their owners: " + why;
}

Driver Store::driver() {
    if (driver_) return *driver_;
    const std::string path = root_ + "/store.json";
    auto recorded = [&]() -> std::optional<Driver> {
        auto j = try_read_json(path);
        if (!j) return std::nullopt;
        return driver_from_name(j->value("driver", ""));
    };
    if (forced_driver_ == Driver::Overlay && recorded() != Driver::Overlay) {
        FileLock l = lock();
        if (recorded() != Driver::Overlay) {
            if (!kernel_overlay_works(mapping(), layers_dir())) throw Error(overlay_unusable_reason(root_, layers_dir()));
            // Kept for the runs that do not force it, unless the store already chose another.
            if (!recorded()) write_json_atomic(path, nlohmann::json{{"driver", "overlay"}, {"xattr_format", "userxattr"}});
        }
    }
    if (forced_driver_) {
        driver_ = forced_driver_;
        return *driver_;
    }
    if (auto d = recorded()) {
        driver_ = d;
        return *driver_;
    }
    FileLock l = lock();
    if (auto d = recorded()) {  // another pc probed while we waited
        driver_ = d;
        return *driver_;
    }
    Driver d = Driver::Vfs;
    if (kernel_overlay_works(mapping(), layers_dir())) {
        d = Driver::Overlay;
    } else if (std::string why = fuse_unavailable_reason(); why.empty()) {
        d = Driver::FuseOverlay;
    } else {
        log::warn("kernel overlay is not usable in a user namespace and fuse-overlayfs cannot be used (" + why +
                  "): using the vfs storage driver, which copies every image for each container");
    }
    // Layers are written in overlay's "userxattr" format (user.overlay.opaque); a rootful
    // store would use the trusted.* format, and the two are not interchangeable.
    write_json_atomic(path, nlohmann::json{{"driver", driver_name(d)}, {"xattr_format", "userxattr"}});
    driver_ = d;
    return d;
}

}  // namespace pc::storage
