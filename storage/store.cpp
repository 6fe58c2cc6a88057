#include "storage/store.hpp"

#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "common/atomic_file.hpp"
#include "common/error.hpp"
#include "common/log.hpp"
#include "common/strings.hpp"
#include "common/user_paths.hpp"
#include "rootless/userns_holder.hpp"
#include "storage/digest.hpp"
#include "storage/records.hpp"
#include "storage/remove_tree.hpp"
#include "storage/spread_dirs.hpp"
#include "storage/storage_conf.hpp"

namespace pc::storage {

namespace {

// Children chdir/chroot; every path the store hands out must not depend on the cwd.
std::string absolute(const std::string& p) {
    if (p.empty() || p.front() == '/') return p;
    char buf[4096];
    if (!::getcwd(buf, sizeof(buf))) throw Error::sys("resolving " + p);
    return std::string(buf) + "/" + p;
}

// ".tmp-PID-RANDOM" / ".trash-PID-RANDOM-..." -> PID, when well-formed.
std::optional<pid_t> leftover_pid(const std::string& name) {
    std::string rest;
    if (str::starts_with(name, ".tmp-")) rest = name.substr(5);
    else if (str::starts_with(name, ".trash-")) rest = name.substr(7);
    else return std::nullopt;
    auto dash = rest.find('-');
    auto pid = str::parse_u64(rest.substr(0, dash));
    if (!pid || *pid == 0 || *pid > 0x7fffffff) return std::nullopt;
    return static_cast<pid_t>(*pid);
}

}  // namespace

std::string driver_name(Driver d) {
    switch (d) {
        case Driver::Overlay: return "overlay";
        case Driver::FuseOverlay: return "fuse-overlayfs";
        case Driver::Vfs: return "vfs";
    }
    return "vfs";
}

std::optional<Driver> driver_from_name(const std::string& name) {
    std::string n = str::to_lower(name);
    if (n == "overlay" || n == "overlay2" || n == "overlayfs") return Driver::Overlay;
    if (n == "fuse-overlayfs" || n == "fuse" || n == "fuse-overlay") return Driver::FuseOverlay;
    if (n == "vfs") return Driver::Vfs;
    return std::nullopt;
}

Store::Store(StoreOptions options)
    : root_(absolute(options.root.empty() ? default_store_root() : options.root)),
      runroot_(absolute(options.runroot.empty() ? default_runtime_root() : options.runroot)),
      forced_driver_(options.driver) {
    while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
    while (runroot_.size() > 1 && runroot_.back() == '/') runroot_.pop_back();
    // The runtime dir may be the /tmp fallback: it must be ours and private.
    ensure_dir(runroot_, 0700, true);
    // The shared user namespace's holder is recorded there too: one per runtime dir, so
    // that `system migrate --runroot` and a runtime dir's removal concern its own.
    rootless::set_holder_runtime_dir(runroot_);
}

void Store::ensure_layout() {
    ensure_dir(root_, 0700);
    for (const char* sub : {"/layers", "/blobs", "/blobs/sha256", "/containers", "/volumes"})
        ensure_dir(root_ + sub, 0700);
    // Containers' and layers' trees away from the inodes just freed (spread_dirs.cpp);
    // once per process, and for stores made before this too.
    if (!subdirectories_spread_) {
        for (const char* sub : {"/layers", "/containers"}) spread_subdirectories(root_ + sub);
        subdirectories_spread_ = true;
    }
}

FileLock Store::lock() {
    ensure_layout();
    return FileLock(root_ + "/storage.lock");
}

const rootless::IdMapping& Store::mapping() const { return rootless::caller_mapping(); }

std::string Store::layer_dir(const std::string& chain_id) const {
    return layers_dir() + "/" + digest_hex(chain_id);
}

// A layer of a read-only additional store (storage_conf.hpp) is used where it is: its
// diff is a lower dir like this store's own.
std::string Store::layer_diff_dir(const std::string& chain_id) const {
    const std::string own = layer_dir(chain_id) + "/diff";
    for (const auto& root : additional_image_stores_besides(root_)) {
        if (::access(own.c_str(), F_OK) == 0) break;
        const std::string other = root + "/layers/" + digest_hex(chain_id) + "/diff";
        if (::access(other.c_str(), F_OK) == 0) return other;
    }
    return own;
}

std::optional<LayerRecord> Store::find_layer(const std::string& chain_id) {
    auto j = try_read_json(layer_dir(chain_id) + "/layer.json");
    for (const auto& root : additional_image_stores_besides(root_)) {
        if (j) break;
        j = try_read_json(root + "/layers/" + digest_hex(chain_id) + "/layer.json");
    }
    if (!j) return std::nullopt;
    return layer_from_json(*j);
}

std::string Store::empty_layer_dir() {
    ensure_layout();
    std::string dir = root_ + "/empty-layer";
    ensure_dir(dir, 0755);
    return dir;
}

std::vector<std::string> Store::container_layers(const std::string& id) {
    auto j = try_read_json(container_dir(id) + "/layers.json");
    if (!j || !j->is_array()) return {};
    return j->get<std::vector<std::string>>();
}

void Store::collect_leftovers() {
    ensure_layout();
    collect_garbage(layers_dir());
    collect_garbage(containers_dir());
    collect_garbage(volumes_dir());
}

void Store::collect_garbage(const std::string& dir) {
    DIR* d = ::opendir(dir.c_str());
    if (!d) return;
    std::vector<std::string> dead;
    while (struct dirent* e = ::readdir(d)) {
        std::string name = e->d_name;
        auto pid = leftover_pid(name);
        // kill(pid, 0) fails with ESRCH only when no such process exists; a reused pid keeps
        // the leftover for a later run, which is harmless.
        if (pid && ::kill(*pid, 0) < 0 && errno == ESRCH) dead.push_back(dir + "/" + name);
    }
    ::closedir(d);
    if (dead.empty()) return;
    try {
        remove_trees_in_userns(mapping(), dead);
    } catch (const Error& e) {
        log::warn("removing leftovers of an interrupted operation in " + dir + ": " + e.what());
    }
}

}  // namespace pc::storage
