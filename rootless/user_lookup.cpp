#include "rootless/user_lookup.hpp"

#include <algorithm>
#include <optional>

#include "common/error.hpp"
#include "common/strings.hpp"

namespace pc::rootless {

namespace {

// Ids are 32-bit, and (uint32_t)-1 means "no change" to set*id calls, so it is refused.
std::optional<uint32_t> parse_id(std::string_view s) {
    auto v = str::parse_u64(s);
    if (!v || *v >= UINT32_MAX) return std::nullopt;
    return static_cast<uint32_t>(*v);
}

// Lines of a colon-separated database, split into fields; blank, comment and NIS lines
// skipped.
std::vector<std::vector<std::string>> records(std::string_view content) {
    std::vector<std::vector<std::string>> out;
    for (const std::string& raw : str::split(content, '\n')) {
        std::string line = raw;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (str::trim(line).empty() || line[0] == '#' || line[0] == '+' || line[0] == '-') continue;
        out.push_back(str::split(line, ':'));
    }
    return out;
}

std::string user_not_found(std::string_view name) {
    return "unable to find user " + std::string(name) + ": no matching entries in passwd file";
}
std::string group_not_found(std::string_view name) {
    return "unable to find group " + std::string(name) + ": no matching entries in group file";
}

// A group given as a number (any value is fine) or a name (must exist).
uint32_t resolve_group(std::string_view g, const std::vector<GroupEntry>& groups) {
    if (auto id = parse_id(g)) return *id;
    for (const GroupEntry& e : groups)
        if (e.name == g) return e.gid;
    throw Error(group_not_found(g), kExitEngine);
}

}  // namespace

std::vector<PasswdEntry> parse_passwd(std::string_view content) {
    std::vector<PasswdEntry> out;
    for (const auto& f : records(content)) {
        if (f.size() < 4 || f[0].empty()) continue;
        auto uid = parse_id(f[2]);
        auto gid = parse_id(f[3]);
        if (!uid || !gid) continue;
        out.push_back({f[0], *uid, *gid, f.size() > 5 ? f[5] : "", f.size() > 6 ? f[6] : ""});
    }
    return out;
}

std::vector<GroupEntry> parse_group(std::string_view content) {
    std::vector<GroupEntry> out;
    for (const auto& f : records(content)) {
        if (f.size() < 3 || f[0].empty()) continue;
        auto gid = parse_id(f[2]);
        if (!gid) continue;
        GroupEntry g{f[0], *gid, {}};
        if (f.size() > 3) {
            for (const std::string& m : str::split(f[3], ',')) {
                std::string t = str::trim(m);
                if (!t.empty()) g.members.push_back(t);
            }
        }
        out.push_back(std::move(g));
    }
    return out;
}

ResolvedUser resolve_user(std::string_view user, std::string_view passwd, std::string_view group,
                          const std::vector<std::string>& group_add, bool with_primary_gid) {
    const auto users = parse_passwd(passwd);
    const auto groups = parse_group(group);
    auto [user_part, group_part] = str::split_once(user, ':');
    if (user_part.empty()) user_part = "0";  // "" and ":gid" mean root

    ResolvedUser r;
    const PasswdEntry* entry = nullptr;
    if (auto uid = parse_id(user_part)) {
        r.uid = *uid;
        for (const PasswdEntry& e : users)
            if (e.uid == *uid) { entry = &e; break; }
    } else {
        for (const PasswdEntry& e : users)
            if (e.name == user_part) { entry = &e; break; }
        if (!entry) throw Error(user_not_found(user_part), kExitEngine);
        r.uid = entry->uid;
    }
    if (entry) {
        r.gid = entry->gid;
        r.name = entry->name;
        if (!entry->home.empty()) r.home = entry->home;
    }

    if (group_part && !group_part->empty()) {
        // An explicit group replaces the passwd gid and, as in runc/crun, the memberships.
        r.gid = resolve_group(*group_part, groups);
    } else if (!r.name.empty()) {
        for (const GroupEntry& g : groups)
            if (std::find(g.members.begin(), g.members.end(), r.name) != g.members.end())
                r.groups.push_back(g.gid);
    }
    for (const std::string& g : group_add) {
        // "keep-groups" (crun's: keep the caller's host groups) cannot be honoured after a
        // setgroups in a user namespace; it only means "no change" here.
        if (g == "keep-groups") continue;
        r.groups.push_back(resolve_group(g, groups));
    }

    if (with_primary_gid) r.groups.insert(r.groups.begin(), r.gid);
    std::vector<uint32_t> unique;
    for (uint32_t g : r.groups)
        if (std::find(unique.begin(), unique.end(), g) == unique.end()) unique.push_back(g);
    r.groups = std::move(unique);
    return r;
}

}  // namespace pc::rootless
