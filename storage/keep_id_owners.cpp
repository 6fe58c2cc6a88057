#include "storage/keep_id_owners.hpp"

#include <algorithm>
#include <cstdio>

namespace pc::storage {

std::vector<rootless::IdMapEntry> keep_id_id_pairs(const std::vector<rootless::IdMapEntry>& storage,
                                                   const std::vector<rootless::IdMapEntry>& container) {
    std::vector<rootless::IdMapEntry> out;
    for (const auto& d : storage) {
        for (const auto& k : container) {
            uint64_t lo = std::max<uint64_t>(d.outside, k.outside);
            uint64_t hi = std::min<uint64_t>(uint64_t{d.outside} + d.count, uint64_t{k.outside} + k.count);
            if (lo >= hi) continue;
            out.push_back({static_cast<uint32_t>(k.inside + (lo - k.outside)),
                           static_cast<uint32_t>(d.inside + (lo - d.outside)), static_cast<uint32_t>(hi - lo)});
        }
    }
    return out;
}

rootless::IdMapping keep_id_owner_translation(const rootless::IdMapping& storage,
                                              const rootless::IdMapping& container) {
    rootless::IdMapping t;
    t.uids = keep_id_id_pairs(storage.uids, container.uids);
    t.gids = keep_id_id_pairs(storage.gids, container.gids);
    return t;
}

std::string keep_id_copy_key(const rootless::IdMapping& container) {
    // FNV-1a: a name, not a security boundary (the store is the user's own).
    const std::string text = rootless::IdMapping::format(container.uids) + "/" + rootless::IdMapping::format(container.gids);
    uint64_t h = 0xcbf29ce484222325ULL;
    for (unsigned char c : text) {
        h ^= c;
        h *= 0x100000001b3ULL;
    }
    char buf[17];
    std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(h));
    return std::string("keep-id-") + buf;
}

}  // namespace pc::storage
