// The calling user's mapping, computed once per process: every container and storage
// operation of a user must use the same mapping so extracted layers stay valid.
#include <cstdlib>
#include <list>
#include <mutex>

#include "common/atomic_file.hpp"
#include "common/log.hpp"
#include "common/process.hpp"
#include "common/user_paths.hpp"
#include "rootless/idmap.hpp"

namespace pc::rootless {

namespace {

std::string subid_path(const char* env, const char* fallback) {
    // Tests point these at fixture files; the real files are root-owned.
    const char* v = std::getenv(env);
    return (v && *v) ? std::string(v) : std::string(fallback);
}

std::vector<SubIdRange> read_ranges(const std::string& path, const CallerIdentity& who) {
    auto content = try_read_file(path);
    if (!content) return {};
    return parse_subid(*content, who.name, who.uid);
}

const char* kWarnKey = "rootless.single-id-mapping";

IdMapping compute(const Userns& userns) {
    const CallerIdentity& who = caller();
    const std::string uid_file = subid_path("PC_SUBUID_FILE", "/etc/subuid");
    const std::string gid_file = subid_path("PC_SUBGID_FILE", "/etc/subgid");
    std::vector<SubIdRange> subuids = read_ranges(uid_file, who);
    std::vector<SubIdRange> subgids = read_ranges(gid_file, who);
    const std::string name = who.name.empty() ? std::to_string(who.uid) : who.name;
    const std::string consequence =
        ": running with a single-id mapping (files in images owned by other users appear owned "
        "by root";

    if (subuids.empty() || subgids.empty()) {
        const bool uid_missing = subuids.empty();
        log::warn_once(kWarnKey, std::string("no subordinate ") + (uid_missing ? "uid" : "gid") +
                                     " range for user " + name + " in " +
                                     (uid_missing ? uid_file : gid_file) + consequence +
                                     "; add a range such as '" + name +
                                     ":100000:65536' to /etc/subuid and /etc/subgid)");
        subuids.clear();
        subgids.clear();
    } else if (find_program("newuidmap").empty() || find_program("newgidmap").empty()) {
        log::warn_once(kWarnKey, "newuidmap/newgidmap not found" + consequence +
                                     "; install the uidmap package)");
        subuids.clear();
        subgids.clear();
    }
    return userns.mode == UsernsMode::KeepId ? build_keep_id_mapping(who.uid, who.gid, subuids, subgids, userns.keep_id)
                                             : build_default_mapping(who.uid, who.gid, subuids, subgids);
}

}  // namespace

const IdMapping& caller_mapping(const Userns& userns) {
    static std::mutex mu;
    // A list, not a map: a process uses one or two mappings, and references stay valid.
    static std::list<std::pair<Userns, IdMapping>> cache;
    std::lock_guard<std::mutex> lock(mu);
    for (const auto& [key, mapping] : cache)
        if (key == userns) return mapping;
    return cache.emplace_back(userns, compute(userns)).second;
}

}  // namespace pc::rootless
