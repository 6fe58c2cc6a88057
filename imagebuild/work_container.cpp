#include "imagebuild/work_container.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <set>

#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/log.hpp"
#include "common/user_paths.hpp"
#include "container/attach.hpp"
#include "container/launcher.hpp"
#include "container/stdio_redirect.hpp"
#include "rootless/path_in_root.hpp"
#include "rootless/userns.hpp"
#include "storage/lazy_libraries.hpp"
#include "storage/remove_tree.hpp"

namespace pc::build {

WorkContainer::WorkContainer(storage::Store& store, std::vector<std::string> layers)
    : store_(store), layers_(std::move(layers)) {
    if (store_.driver() == storage::Driver::Vfs)
        throw Error("pc build needs the overlay or fuse-overlayfs storage driver (this store uses vfs): a step's "
                    "layer is taken from the container's overlay upper directory");
    id_ = store_.temp_container_id();
    ensure_dir(store_.containers_dir(), 0700);
    if (::mkdir(dir().c_str(), 0700) < 0) throw Error::sys("creating " + dir());
    try {
        store_.create_container_storage(id_, layers_, false);
    } catch (...) {
        try {
            store_.remove_container_storage(id_);
        } catch (const Error&) {
        }
        throw;
    }
}

WorkContainer::~WorkContainer() {
    try {
        store_.remove_container_storage(id_);
    } catch (const Error& e) {
        log::warn("removing the build container " + id_ + ": " + e.what());
    }
}

std::string WorkContainer::dir() const { return store_.container_dir(id_); }

bool WorkContainer::changed() const {
    UniqueFd upper(::open((dir() + "/upper").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    return !upper || !sorted_dir_entries(upper.get(), dir() + "/upper").empty();
}

void WorkContainer::in_upper(const std::function<void(int upper_fd, const std::function<bool(const std::string&)>& below)>& fn) {
    std::vector<std::string> lowers;
    for (const auto& l : layers_) lowers.push_back(store_.layer_diff_dir(l));
    const std::string upper = dir() + "/upper";
    rootless::run_in_userns(store_.mapping(), [&] {
        UniqueFd up(::open(upper.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
        if (!up) return;
        std::vector<UniqueFd> lower_fds;
        for (const auto& l : lowers) lower_fds.emplace_back(::open(l.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
        // A path some layer below has (or that cannot be told: a symlink on the way).
        auto below = [&](const std::string& rel) {
            for (const auto& l : lower_fds)
                if (l && (rootless::open_beneath(l.get(), rel, O_PATH) || errno != ENOENT)) return true;
            return false;
        };
        fn(up.get(), below);
    });
}

void WorkContainer::fresh_work_dir() {
    // A volatile overlay leaves work/work/incompat/volatile behind and refuses to be mounted
    // again on that work dir: each mount gets a new one.
    const std::string work = dir() + "/work";
    std::string old = storage::move_to_trash(work);
    ensure_dir(work, 0700);
    if (!old.empty()) store_.remove_tree(old);
}

void WorkContainer::with_rootfs(const std::function<void(int, int)>& fn,
                                const std::optional<std::vector<std::string>>& source_layers) {
    fresh_work_dir();
    storage::RootfsPlan plan = storage::rootfs_plan(store_, id_, layers_);
    // No sync of the upper file system when the mount goes away: the step's files are
    // about to become a layer, and syncing thousands of small files costs seconds.
    plan.volatile_upper = true;
    std::optional<storage::RootfsPlan> source;
    if (source_layers) {
        storage::RootfsPlan s;
        s.driver = storage::Driver::Overlay;
        for (auto it = source_layers->rbegin(); it != source_layers->rend(); ++it) s.lowers.push_back(store_.layer_diff_dir(*it));
        while (s.lowers.size() < 2) s.lowers.push_back(store_.empty_layer_dir());
        s.target = dir() + "/source";
        ensure_dir(s.target, 0755);
        source = s;
    }
    storage::load_archive_libraries();  // the child reads and writes tar streams
    rootless::run_in_userns(
        store_.mapping(),
        [&] {
            check_sys(::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr), "making / private");
            storage::mount_rootfs(plan);
            if (source) storage::mount_rootfs(*source);
            UniqueFd root(::open(plan.target.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
            if (!root) throw Error::sys("opening the build container's root " + plan.target);
            UniqueFd src;
            if (source) {
                src.reset(::open(source->target.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
                if (!src) throw Error::sys("opening " + source->target);
            }
            fn(root.get(), src.get());
        },
        CLONE_NEWNS);
}

int WorkContainer::run(container::ContainerConfig cfg, int stdin_fd, int stdout_fd, int stderr_fd) {
    cfg.id = id_;
    cfg.layers = layers_;
    cfg.storage_driver = storage::driver_name(store_.driver());
    if (cfg.name.empty()) cfg.name = id_;
    cfg.interactive = stdin_fd >= 0;
    cfg.auto_remove = true;  // a volatile overlay, as for --rm containers (see with_rootfs)
    fresh_work_dir();
    // Blocked (and forwarded to the step's process) from before it starts: an interrupt
    // stops the step, whose failure then ends the build cleanly.
    container::ForwardedSignals signals;
    container::Launched launched;
    {
        container::StdioRedirect redirect(stdout_fd, stderr_fd, stdin_fd);
        launched = container::launch(store_, cfg);
    }
    container::AttachOptions opts;
    int code = container::attach_until_exit(launched, opts, signals);
    launched.network.reset();
    return code;
}

void WorkContainer::prune_mount_points(const std::vector<std::string>& paths) {
    // Each path and its parents, deepest first.
    std::set<std::string> all;
    for (const auto& p : paths) {
        auto comps = rootless::clean_path_components(p);
        for (size_t i = 1; i <= comps.size(); ++i) all.insert(rootless::join_components(comps, i).substr(1));
    }
    if (all.empty()) return;
    std::vector<std::string> order(all.begin(), all.end());
    std::sort(order.begin(), order.end(), [](const std::string& a, const std::string& b) {
        auto depth = [](const std::string& s) { return std::count(s.begin(), s.end(), '/'); };
        return depth(a) != depth(b) ? depth(a) > depth(b) : a < b;
    });
    in_upper([&](int up, const std::function<bool(const std::string&)>& below) {
        for (const auto& rel : order) {
            const auto slash = rel.rfind('/');
            const std::string parent = slash == std::string::npos ? "" : rel.substr(0, slash);
            const std::string leaf = slash == std::string::npos ? rel : rel.substr(slash + 1);
            UniqueFd pfd = rootless::open_beneath(up, parent, O_PATH | O_DIRECTORY);
            if (!pfd) continue;
            struct stat st {};
            if (::fstatat(pfd.get(), leaf.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) continue;
            const bool empty_file = S_ISREG(st.st_mode) && st.st_size == 0;
            if ((!S_ISDIR(st.st_mode) && !empty_file) || below(rel)) continue;
            // A directory that is not empty fails with ENOTEMPTY and stays.
            (void)::unlinkat(pfd.get(), leaf.c_str(), S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0);
        }
    });
}

void WorkContainer::discard_changes_below(const std::vector<std::string>& paths) {
    in_upper([&](int up, const std::function<bool(const std::string&)>& below) {
        for (const auto& p : paths) {
            auto comps = rootless::clean_path_components(p);
            if (comps.empty()) continue;
            const std::string rel = rootless::join_components(comps, comps.size()).substr(1);
            const std::string parent = rootless::join_components(comps, comps.size() - 1).substr(1);
            UniqueFd pfd = rootless::open_beneath(up, parent, O_PATH | O_DIRECTORY);
            struct stat st {};
            if (!pfd || ::fstatat(pfd.get(), comps.back().c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) continue;
            if (below(rel) || !S_ISDIR(st.st_mode)) {
                storage::remove_tree_at(pfd.get(), comps.back(), p);
                continue;
            }
            UniqueFd d = rootless::open_beneath(up, rel, O_RDONLY | O_DIRECTORY);
            if (!d) continue;
            for (const auto& n : sorted_dir_entries(d.get(), p)) storage::remove_tree_at(d.get(), n, p + "/" + n);
        }
    });
}

storage::LayerRecord WorkContainer::commit(int tar_fd, std::optional<int64_t> mtime, const storage::KnownContent* known) {
    storage::LayerRecord rec = store_.commit_upper(id_, layers_.empty() ? "" : layers_.back(), tar_fd, mtime, known);
    layers_.push_back(rec.chain_id);
    store_.create_container_storage(id_, layers_, false);
    return rec;
}

}  // namespace pc::build
