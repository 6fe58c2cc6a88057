// User-namespace id mappings: the caller's subordinate id ranges (/etc/subuid, /etc/subgid),
// the mappings pc uses (default: 0 -> caller, 1..N -> subids; keep-id: caller -> itself;
// single-id fallback), and writing a mapping for a child process (newuidmap/newgidmap run
// concurrently, since each setuid exec costs ~1.3 ms; or a direct write of the single map).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pc::rootless {

// One line of /etc/subuid: host ids [start, start+count).
struct SubIdRange {
    uint32_t start = 0;
    uint32_t count = 0;
};

// Parses /etc/subuid-format content, returning every range whose owner field equals `user`
// or the decimal `uid` (several lines allowed; ids are unsigned 32-bit, so values above
// 2^31 are fine). Malformed lines are skipped.
std::vector<SubIdRange> parse_subid(std::string_view content, std::string_view user, uint32_t uid);

// One uid_map/gid_map line: ids [inside, inside+count) map to [outside, outside+count).
struct IdMapEntry {
    uint32_t inside = 0;
    uint32_t outside = 0;
    uint32_t count = 0;
    bool operator==(const IdMapEntry&) const = default;
};

struct IdMapping {
    std::vector<IdMapEntry> uids;
    std::vector<IdMapEntry> gids;
    // True when only the caller's own id is mapped (no subid range or no newuidmap):
    // ownership is squashed, setgroups is denied.
    bool single = false;

    // Host id of a namespace id, if mapped.
    std::optional<uint32_t> host_uid(uint32_t inside) const;
    std::optional<uint32_t> host_gid(uint32_t inside) const;
    // Namespace id of a host id, if mapped.
    std::optional<uint32_t> inside_uid(uint32_t outside) const;
    std::optional<uint32_t> inside_gid(uint32_t outside) const;
    // Number of uids mapped.
    uint64_t uid_count() const;
    // "0:1001:1,1:100000:65536" style text (pc info, inspect).
    static std::string format(const std::vector<IdMapEntry>& entries);
};

// Builds the default mapping from the caller's ranges: 0 -> uid, then the ranges in order
// from 1. Empty ranges -> single mapping.
IdMapping build_default_mapping(uint32_t uid, uint32_t gid, const std::vector<SubIdRange>& subuids,
                                 const std::vector<SubIdRange>& subgids);
// keep-id: the caller's uid/gid map to `inside_uid`/`inside_gid` (themselves unless
// keep-id:uid=,gid= said otherwise); the ids below and above take the subids, `size` ids in
// all at most (0: as many as the ranges hold). Throws when the ranges are too small to hold
// the ids below the caller's.
struct KeepIdIds {
    std::optional<uint32_t> uid, gid;  // keep-id:uid=N,gid=M
    std::optional<uint32_t> size;      // keep-id:size=N
    bool operator==(const KeepIdIds&) const = default;
};
IdMapping build_keep_id_mapping(uint32_t uid, uint32_t gid, const std::vector<SubIdRange>& subuids,
                                const std::vector<SubIdRange>& subgids, const KeepIdIds& ids = {});

enum class UsernsMode { Default, KeepId };

// A --userns value pc runs with: the default mapping, or keep-id with its options.
struct Userns {
    UsernsMode mode = UsernsMode::Default;
    KeepIdIds keep_id;
    Userns(UsernsMode m = UsernsMode::Default) : mode(m) {}  // NOLINT(google-explicit-constructor)
    bool operator==(const Userns&) const = default;
};
// Parses "" / "host" (the default mapping), "keep-id" and "keep-id:uid=N,gid=M,size=S"
// (Podman's syntax); throws pc::Error naming what is wrong.
Userns parse_userns(std::string_view text);

// The caller's mapping for `userns`, read once per process from /etc/subuid and /etc/subgid
// (by user name or uid). Falls back to the single mapping, with one warning, when there is
// no range or newuidmap/newgidmap are missing.
const IdMapping& caller_mapping(const Userns& userns = {});

// Writes `m` for process `pid` (which must be in a fresh user namespace): newuidmap and
// newgidmap concurrently, or /proc/PID/{uid_map,setgroups,gid_map} for a single mapping.
// Throws with the helper's own message on failure.
void write_mapping(pid_t pid, const IdMapping& m);

// The same in two steps, so that the caller can work while the helpers run (their setuid
// execs take most of a millisecond): start() forks both helpers (or writes a single
// mapping at once), finish() waits for them and throws as write_mapping() does. Destroying
// an unfinished one waits for the helpers.
class PendingMapping {
public:
    static PendingMapping start(pid_t pid, const IdMapping& m);
    void finish();

    PendingMapping();
    PendingMapping(PendingMapping&&) noexcept;
    PendingMapping& operator=(PendingMapping&&) noexcept;
    ~PendingMapping();

    struct Helper;

private:
    pid_t pid_ = -1;
    std::vector<Helper> helpers_;
};

}  // namespace pc::rootless
