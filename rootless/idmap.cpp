// Subordinate id parsing and the mapping math. Writing a mapping to a process lives in
// idmap_write.cpp; the per-process caller mapping in idmap_caller.cpp.
#include "rootless/idmap.hpp"

#include <limits>

#include "common/error.hpp"
#include "common/strings.hpp"

namespace pc::rootless {

namespace {

constexpr uint64_t kIdLimit = std::numeric_limits<uint32_t>::max();

std::optional<uint32_t> parse_u32(std::string_view s) {
    auto v = str::parse_u64(s);
    if (!v || *v > kIdLimit) return std::nullopt;
    return static_cast<uint32_t>(*v);
}

// Maps through `entries` in either direction.
std::optional<uint32_t> lookup(const std::vector<IdMapEntry>& entries, uint32_t id, bool to_host) {
    for (const auto& e : entries) {
        uint32_t from = to_host ? e.inside : e.outside;
        uint32_t to = to_host ? e.outside : e.inside;
        if (id >= from && static_cast<uint64_t>(id) < static_cast<uint64_t>(from) + e.count)
            return to + (id - from);
    }
    return std::nullopt;
}

uint64_t total(const std::vector<SubIdRange>& ranges) {
    uint64_t n = 0;
    for (const auto& r : ranges) n += r.count;
    return n;
}

// Appends `n` ids taken from `ranges` (skipping the first `skip` of them) at inside ids
// starting from `inside`; a range crossing the skip point is split.
void take_ids(std::vector<IdMapEntry>& out, const std::vector<SubIdRange>& ranges, uint64_t skip,
              uint64_t n, uint32_t inside) {
    for (const auto& r : ranges) {
        if (n == 0) break;
        if (skip >= r.count) {
            skip -= r.count;
            continue;
        }
        uint64_t avail = r.count - skip;
        uint64_t len = avail < n ? avail : n;
        out.push_back({inside, static_cast<uint32_t>(r.start + skip), static_cast<uint32_t>(len)});
        inside = static_cast<uint32_t>(inside + len);
        n -= len;
        skip = 0;
    }
}

// Default layout for one id kind: 0 -> own id, then every range from inside id 1.
std::vector<IdMapEntry> default_entries(uint32_t own, const std::vector<SubIdRange>& ranges) {
    std::vector<IdMapEntry> out{{0, own, 1}};
    // Inside ids must stay below 2^32-1 (the kernel rejects a wrapping extent).
    uint64_t room = kIdLimit - 1;
    take_ids(out, ranges, 0, std::min(total(ranges), room), 1);
    return out;
}

// `own` (the caller's host id) becomes `inside`; the subids fill 0..inside-1, then
// inside+1.. up to `size` ids in all (0: no limit).
std::vector<IdMapEntry> keep_id_entries(uint32_t own, uint32_t inside, uint64_t size,
                                        const std::vector<SubIdRange>& ranges, const char* kind) {
    uint64_t have = total(ranges);
    if (have < inside)
        throw Error("--userns=keep-id: the subordinate " + std::string(kind) + " ranges hold " +
                    std::to_string(have) + " ids, fewer than the " + std::to_string(inside) +
                    " needed to map " + kind + "s 0-" + std::to_string(inside) + " below " + kind +
                    " " + std::to_string(inside) + " (add a larger range to /etc/sub" + kind + ")");
    if (size != 0 && size <= inside)
        throw Error("--userns=keep-id: size=" + std::to_string(size) + " cannot hold " + kind + " " +
                    std::to_string(inside));
    std::vector<IdMapEntry> out;
    take_ids(out, ranges, 0, inside, 0);
    out.push_back({inside, own, 1});
    uint64_t rest = std::min<uint64_t>(have - inside, kIdLimit - 1 - inside);
    if (size != 0) rest = std::min<uint64_t>(rest, size - inside - 1);
    take_ids(out, ranges, inside, rest, inside + 1);
    return out;
}

}  // namespace

std::vector<SubIdRange> parse_subid(std::string_view content, std::string_view user, uint32_t uid) {
    std::vector<SubIdRange> out;
    const std::string uid_text = std::to_string(uid);
    for (const auto& raw : str::split(content, '\n')) {
        std::string line = str::trim(raw);
        if (line.empty() || line[0] == '#') continue;
        auto fields = str::split(line, ':');
        if (fields.size() != 3) continue;
        const std::string& owner = fields[0];
        if (!((!user.empty() && owner == user) || owner == uid_text)) continue;
        auto start = parse_u32(fields[1]);
        auto count = parse_u32(fields[2]);
        if (!start || !count || *count == 0) continue;
        if (static_cast<uint64_t>(*start) + *count > kIdLimit) continue;  // would wrap in uid_map
        out.push_back({*start, *count});
    }
    return out;
}

std::optional<uint32_t> IdMapping::host_uid(uint32_t inside) const { return lookup(uids, inside, true); }
std::optional<uint32_t> IdMapping::host_gid(uint32_t inside) const { return lookup(gids, inside, true); }
std::optional<uint32_t> IdMapping::inside_uid(uint32_t outside) const { return lookup(uids, outside, false); }
std::optional<uint32_t> IdMapping::inside_gid(uint32_t outside) const { return lookup(gids, outside, false); }

uint64_t IdMapping::uid_count() const {
    uint64_t n = 0;
    for (const auto& e : uids) n += e.count;
    return n;
}

std::string IdMapping::format(const std::vector<IdMapEntry>& entries) {
    std::string out;
    for (const auto& e : entries) {
        if (!out.empty()) out += ',';
        out += std::to_string(e.inside) + ':' + std::to_string(e.outside) + ':' + std::to_string(e.count);
    }
    return out;
}

IdMapping build_default_mapping(uint32_t uid, uint32_t gid, const std::vector<SubIdRange>& subuids,
                                const std::vector<SubIdRange>& subgids) {
    IdMapping m;
    // A uid range without a gid range (or the reverse) cannot give a consistent view of
    // file ownership, so both kinds fall back together.
    if (subuids.empty() || subgids.empty()) {
        m.single = true;
        m.uids = {{0, uid, 1}};
        m.gids = {{0, gid, 1}};
        return m;
    }
    m.uids = default_entries(uid, subuids);
    m.gids = default_entries(gid, subgids);
    return m;
}

IdMapping build_keep_id_mapping(uint32_t uid, uint32_t gid, const std::vector<SubIdRange>& subuids,
                                const std::vector<SubIdRange>& subgids, const KeepIdIds& ids) {
    IdMapping m;
    const uint32_t inside_uid = ids.uid.value_or(uid);
    const uint32_t inside_gid = ids.gid.value_or(gid);
    if (subuids.empty() || subgids.empty()) {
        m.single = true;
        m.uids = {{inside_uid, uid, 1}};
        m.gids = {{inside_gid, gid, 1}};
        return m;
    }
    m.uids = keep_id_entries(uid, inside_uid, ids.size.value_or(0), subuids, "uid");
    m.gids = keep_id_entries(gid, inside_gid, ids.size.value_or(0), subgids, "gid");
    return m;
}

Userns parse_userns(std::string_view text) {
    if (text.empty() || text == "host") return {};
    auto [mode, options] = str::split_once(text, ':');
    if (mode != "keep-id")
        throw Error("unsupported --userns \"" + std::string(text) + "\" (valid: host, keep-id[:uid=N,gid=N,size=N])");
    Userns u(UsernsMode::KeepId);
    if (!options) return u;
    for (const auto& option : str::split(*options, ',')) {
        auto [key, value] = str::split_once(option, '=');
        const auto n = value ? parse_u32(*value) : std::nullopt;
        const bool id = n && *n != kIdLimit;  // 2^32-1 is no id (the kernel's "none")
        if (id && key == "uid") u.keep_id.uid = *n;
        else if (id && key == "gid") u.keep_id.gid = *n;
        else if (id && key == "size" && *n > 0) u.keep_id.size = *n;
        else throw Error("invalid --userns \"" + std::string(text) + "\": \"" + option + "\" (valid: uid=N, gid=N, size=N)");
    }
    return u;
}

}  // namespace pc::rootless
