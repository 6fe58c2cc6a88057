#include "container/container_store.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <cerrno>

#include "common/atomic_file.hpp"
#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/log.hpp"
#include "common/slurm_job.hpp"
#include "common/strings.hpp"
#include "common/user_paths.hpp"
#include "container/events.hpp"
#include "container/pod_guard.hpp"
#include "storage/volumes.hpp"

namespace pc::container {

namespace {
constexpr int kExitNoSuchContainer = 125;

// Entries of `dir` not starting with '.'; the names of ".trash-*" entries go to `trash`.
std::vector<std::string> list_dir(const std::string& dir, std::vector<std::string>* trash = nullptr) {
    std::vector<std::string> out;
    DIR* d = ::opendir(dir.c_str());
    if (!d) return out;
    while (struct dirent* e = ::readdir(d)) {
        if (e->d_name[0] == '.') {
            if (trash && std::strncmp(e->d_name, ".trash-", 7) == 0) trash->emplace_back(e->d_name);
            continue;
        }
        out.emplace_back(e->d_name);
    }
    ::closedir(d);
    return out;
}

// Records are decoded by the fast text readers (container/record_json.hpp) and, for
// anything those do not handle, by nlohmann as before.
template <typename Record>
Record decode_record(const std::string& text, const std::string& path) {
    {
        Record fast;
        if (from_json_text(text, fast)) return fast;
    }
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
        throw Error("parsing " + path + ": " + e.what());
    }
    return j.get<Record>();
}

// Trash left by a removal that never finished (killed, crashed): anything renamed aside
// more than a minute ago.
bool stale_trash(const std::string& path) {
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0 && ::time(nullptr) - st.st_ctime > 60;
}
}  // namespace

ContainerStore::ContainerStore(storage::Store& store) : store_(store), names_(store) {}

std::string ContainerStore::dir(const std::string& id) const { return store_.container_dir(id); }

FileLock ContainerStore::lock(const std::string& id) { return FileLock(dir(id) + "/lock"); }

FileLock ContainerStore::start_lock(const std::string& id) { return FileLock(dir(id) + "/start.lock"); }

void ContainerStore::save_state(const std::string& id, const ContainerState& state, bool durable) {
    write_json_atomic(dir(id) + "/state.json", state, durable);
}

ContainerState ContainerStore::load_state(const std::string& id) {
    const std::string path = dir(id) + "/state.json";
    auto text = try_read_file(path, true);
    if (!text || text->empty()) return ContainerState{};
    try {
        return decode_record<ContainerState>(*text, path);
    } catch (const Error& e) {
        // Only a crash right after a non-durable write can leave this (see create): the
        // state is then "created", and reconcile corrects anything else.
        log::warn(e.what());
        return ContainerState{};
    }
}

ContainerState ContainerStore::update_state(const std::string& id, const std::function<void(ContainerState&)>& change,
                                            bool durable) {
    if (::access((dir(id) + "/config.json").c_str(), F_OK) != 0) return {};
    FileLock l = lock(id);
    ContainerState st = load_state(id);
    change(st);
    if (::access((dir(id) + "/config.json").c_str(), F_OK) == 0) save_state(id, st, durable);
    return st;
}

std::optional<Container> ContainerStore::load(const std::string& id) {
    const std::string path = dir(id) + "/config.json";
    auto text = try_read_file(path, true);
    if (!text) return std::nullopt;
    Container c;
    c.config = decode_record<ContainerConfig>(*text, path);
    c.state = load_state(id);
    bool removed = false;
    c.state = reconcile(id, c.state, c.config.auto_remove, &removed);
    if (removed) return std::nullopt;
    return c;
}

// A container recorded as running whose monitor is gone (killed, machine rebooted) has
// exited: say so instead of reporting it running forever.
ContainerState ContainerStore::reconcile(const std::string& id, ContainerState st, bool auto_remove,
                                         bool* removed) {
    if (!st.running() || process_alive(st.monitor_pid, st.monitor_start)) return st;
    FileLock l = lock(id);
    st = load_state(id);
    if (!st.running() || process_alive(st.monitor_pid, st.monitor_start)) return st;
    st.status = Status::Exited;
    st.pid = 0;
    st.monitor_pid = 0;
    if (st.finished_ns == 0) st.finished_ns = now_ns();
    if (st.exit_code == 0) st.exit_code = 137;  // killed along with its monitor
    if (auto_remove) {
        auto cfg = try_read_json(dir(id) + "/config.json");
        if (cfg) {
            Container c{cfg->get<ContainerConfig>(), st};
            l.unlock();
            remove(c);
            *removed = true;
            return st;
        }
    }
    save_state(id, st);
    return st;
}

std::vector<Container> ContainerStore::list() {
    std::vector<Container> out;
    std::vector<std::string> trash;
    const auto ids = list_dir(store_.containers_dir(), &trash);
    out.reserve(ids.size());
    for (const auto& id : ids) {
        try {
            if (auto c = load(id)) out.push_back(std::move(*c));
        } catch (const Error& e) {
            log::warn("skipping container " + id + ": " + e.what());
        }
    }
    // Leftovers of removals that never finished go to the store's reaper, which also picks
    // up a queue that no reaper drains any more: a listing never deletes anything itself.
    for (const auto& t : trash) {
        const std::string path = store_.containers_dir() + "/" + t;
        if (!stale_trash(path)) continue;
        try {
            store_.queue_leftover(path);
        } catch (const Error& e) {
            log::warn("removing leftover " + path + ": " + e.what());
        }
    }
    store_.resume_removals();
    // Sorted through an index: moving whole records around cost more than the comparisons.
    std::vector<std::pair<int64_t, size_t>> order;
    order.reserve(out.size());
    for (size_t i = 0; i < out.size(); ++i) order.emplace_back(out[i].config.created_ns, i);
    std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    std::vector<Container> sorted;
    sorted.reserve(out.size());
    for (const auto& o : order) sorted.push_back(std::move(out[o.second]));
    return sorted;
}

std::optional<Container> ContainerStore::find(const std::string& ref) {
    if (ref.empty()) return std::nullopt;
    if (auto id = names_.lookup(ref)) {
        if (auto c = load(*id)) return c;
    }
    bool hex = std::all_of(ref.begin(), ref.end(), [](char ch) { return std::isxdigit(static_cast<unsigned char>(ch)); });
    if (!hex) return std::nullopt;
    std::optional<std::string> match;
    for (const auto& id : list_dir(store_.containers_dir())) {
        if (!str::starts_with(id, ref)) continue;
        if (match) throw Error("more than one result for container ID prefix \"" + ref + "\"");
        match = id;
    }
    if (!match) return std::nullopt;
    return load(*match);
}

Container ContainerStore::get(const std::string& ref) {
    auto c = find(ref);
    if (!c) throw Error("no container with name or ID \"" + ref + "\" found: no such container", kExitNoSuchContainer);
    return *c;
}

Container ContainerStore::create(ContainerConfig cfg) {
    if (cfg.id.empty()) cfg.id = str::random_hex_id();
    if (cfg.created_ns == 0) cfg.created_ns = now_ns();
    bool generated = cfg.name.empty();
    if (!generated && !valid_container_name(cfg.name))
        throw Error("running container create option: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument");
    // A member is not made while its pod is being removed (the infra is made by the
    // pod's create, which holds the pod's lock).
    UniqueFd in_pod;
    if (!cfg.infra) in_pod = guard_pod_member(*this, cfg);
    const std::string d = dir(cfg.id);
    // The directory and its lock come first: while we hold the lock, a concurrent create
    // that finds our name link knows the name is taken, not left over.
    ensure_dir(store_.containers_dir(), 0700);
    if (::mkdir(d.c_str(), 0700) < 0) throw Error::sys("creating " + d);
    FileLock creating(d + "/lock");
    bool named = false;
    try {
        for (int attempt = 0;; ++attempt) {
            if (generated) cfg.name = generate_container_name();
            try {
                names_.reserve(cfg.name, cfg.id, NameOwner::Container);
                break;
            } catch (const Error&) {
                if (!generated || attempt > 20) throw;
            }
        }
        named = true;
        // Only config.json must survive a power loss (and only for kept containers): the
        // initial state is the default one, and layers.json is written before it so the
        // layers stay referenced; one fsync of config.json and of the directory (which
        // also makes the earlier renames durable) instead of one pair per file.
        const bool durable = !cfg.auto_remove;
        store_.create_container_storage(cfg.id, cfg.layers, false);
        cfg.storage_driver = storage::driver_name(store_.driver());
        ContainerState st;
        st.slurm_job = slurm_job_id();  // created in a job and never started: still the job's
        save_state(cfg.id, st, false);
        write_json_atomic(d + "/config.json", cfg, durable);  // last: the record now exists
        record_event(store_.root(), Event{now_ns(), "container", "create", cfg.id, cfg.name, cfg.image_name, {}});
        return Container{cfg, st};
    } catch (...) {
        try {
            if (::access(d.c_str(), F_OK) == 0) store_.remove_container_storage(cfg.id);
        } catch (const Error& e) {
            log::warn("cleaning up container " + cfg.id + ": " + e.what());
        }
        if (named) names_.release(cfg.name, cfg.id);
        throw;
    }
}

void ContainerStore::rename(Container& c, const std::string& new_name) {
    if (!valid_container_name(new_name))
        throw Error("renaming container: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument");
    names_.reserve(new_name, c.config.id, NameOwner::Container);
    std::string old = c.config.name;
    c.config.name = new_name;
    write_json_atomic(dir(c.config.id) + "/config.json", c.config);
    names_.release(old, c.config.id);
}

ContainerConfig ContainerStore::update_config(const std::string& id, const std::function<void(ContainerConfig&)>& change) {
    FileLock l = lock(id);
    ContainerConfig cfg = read_json(dir(id) + "/config.json").get<ContainerConfig>();
    change(cfg);
    write_json_atomic(dir(id) + "/config.json", cfg);
    return cfg;
}

void ContainerStore::remove(const Container& c, bool anonymous_volumes, bool background) {
    // Renames make the record disappear atomically (`ps` skips dot entries); the name goes
    // first, while config.json still marks it as taken, so nobody reclaims it in between.
    // Both renames free no disk blocks, so they stay cheap on a filesystem with online
    // discard, where every unlink of a file with data costs ~1 ms.
    const std::string name_trash = names_.retire(c.config.name, c.config.id);
    store_.remove_container_storage(c.config.id, background, name_trash);
    record_event(store_.root(), Event{now_ns(), "container", "remove", c.config.id, c.config.name, c.config.image_name, {}});
    if (!anonymous_volumes) return;
    storage::Volumes volumes(store_);
    for (const auto& m : c.config.mounts) {
        if (m.type != "volume" || !m.anonymous) continue;
        try {
            volumes.remove(m.source);
        } catch (const Error& e) {
            log::warn("removing anonymous volume " + m.source + ": " + e.what());
        }
    }
}

}  // namespace pc::container
