#include "pod/pod_store.hpp"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>

#include "common/atomic_file.hpp"
#include "common/error.hpp"
#include "common/log.hpp"
#include "common/strings.hpp"
#include "common/user_paths.hpp"
#include "container/state.hpp"

namespace pc::pod {

namespace {

std::vector<std::string> pod_ids(const std::string& dir) {
    std::vector<std::string> out;
    std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir.c_str()), ::closedir);
    if (!d) return out;
    while (struct dirent* e = ::readdir(d.get()))
        if (e->d_name[0] != '.') out.emplace_back(e->d_name);
    return out;
}

}  // namespace

PodStore::PodStore(container::ContainerStore& containers)
    : containers_(containers), names_(containers.storage()) {}

std::string PodStore::dir(const std::string& id) const { return containers_.storage().pod_dir(id); }

FileLock PodStore::lock(const std::string& id) { return FileLock(dir(id) + "/lock"); }

std::optional<PodConfig> PodStore::load(const std::string& id) {
    auto j = try_read_json(dir(id) + "/config.json");
    if (!j) return std::nullopt;
    try {
        return j->get<PodConfig>();
    } catch (const std::exception& e) {
        throw Error("reading pod " + id + ": " + e.what());
    }
}

std::vector<PodConfig> PodStore::list() {
    std::vector<PodConfig> out;
    for (const auto& id : pod_ids(containers_.storage().pods_dir())) {
        try {
            if (auto p = load(id)) out.push_back(std::move(*p));
        } catch (const Error& e) {
            log::warn("skipping pod " + id + ": " + e.what());
        }
    }
    std::stable_sort(out.begin(), out.end(), [](const PodConfig& a, const PodConfig& b) { return a.created_ns > b.created_ns; });
    return out;
}

std::optional<PodConfig> PodStore::find(const std::string& ref) {
    if (ref.empty()) return std::nullopt;
    if (auto id = names_.lookup(ref))
        if (auto p = load(*id)) return p;
    const bool hex = std::all_of(ref.begin(), ref.end(), [](char ch) { return std::isxdigit(static_cast<unsigned char>(ch)); });
    if (!hex) return std::nullopt;
    std::optional<std::string> match;
    for (const auto& id : pod_ids(containers_.storage().pods_dir())) {
        if (!str::starts_with(id, ref) || ::access((dir(id) + "/config.json").c_str(), F_OK) != 0) continue;
        if (match) throw Error("more than one result for pod ID prefix \"" + ref + "\"");
        match = id;
    }
    if (!match) return std::nullopt;
    return load(*match);
}

PodConfig PodStore::get(const std::string& ref) {
    auto p = find(ref);
    if (!p) throw Error("no pod with name or ID " + ref + " found: no such pod");
    return *p;
}

PodConfig PodStore::create(PodConfig cfg, const std::function<void(PodConfig&)>& populate) {
    if (cfg.id.empty()) cfg.id = str::random_hex_id();
    if (cfg.created_ns == 0) cfg.created_ns = container::now_ns();
    if (!container::valid_container_name(cfg.name))
        throw Error("running pod create option: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument");
    const std::string d = dir(cfg.id);
    ensure_dir(containers_.storage().pods_dir(), 0700);
    if (::mkdir(d.c_str(), 0700) < 0) throw Error::sys("creating " + d);
    // Held until the record exists: a concurrent create that finds our name knows it is
    // taken, not left over (container/name_registry.hpp).
    FileLock creating(d + "/lock");
    bool named = false;
    try {
        names_.reserve(cfg.name, cfg.id, container::NameOwner::Pod);
        named = true;
        populate(cfg);
        write_json_atomic(d + "/config.json", cfg);  // last: the record now exists
        return cfg;
    } catch (...) {
        if (named) names_.release(cfg.name, cfg.id);
        try {
            containers_.storage().remove_tree(d);
        } catch (const Error& e) {
            log::warn("cleaning up pod " + cfg.id + ": " + e.what());
        }
        throw;
    }
}

void PodStore::remove(const PodConfig& pod) {
    const std::string d = dir(pod.id);
    const std::string trash = containers_.storage().pods_dir() + "/.trash-" + pod.id;
    // The record disappears at once (listings skip dot entries), then the name goes.
    if (::rename(d.c_str(), trash.c_str()) < 0) throw Error::sys("removing pod " + pod.name);
    names_.release(pod.name, pod.id);
    try {
        containers_.storage().remove_tree(trash);
    } catch (const Error& e) {
        log::warn("removing pod directory " + trash + ": " + e.what());
    }
}

std::vector<container::Container> PodStore::containers_of(const std::string& pod_id,
                                                          const std::vector<container::Container>& all) {
    std::vector<container::Container> out;
    for (const auto& c : all)
        if (c.config.pod == pod_id) out.push_back(c);
    // The infra first (Podman lists it with the others; `pod start` starts it first).
    std::stable_partition(out.begin(), out.end(), [](const container::Container& c) { return c.config.infra; });
    return out;
}

std::vector<container::Container> PodStore::containers_of(const std::string& pod_id) {
    return containers_of(pod_id, containers_.list());
}

}  // namespace pc::pod
