// The owners of keep-id copies of layers: image id k, stored as host D(k), must be stored as
// host K(k) so that a keep-id container reads k (no kernel state).
#include <gtest/gtest.h>

#include <set>

#include "rootless/idmap.hpp"
#include "storage/keep_id_owners.hpp"

using namespace pc::rootless;
using namespace pc::storage;

namespace {

// For every image id the translation maps, the copy's host owner is K(k): the store's
// namespace (D) writes owner t(k), which is host D(t(k)).
void expect_keeps_image_ids(const IdMapping& d, const IdMapping& k, uint32_t ids) {
    const IdMapping t = keep_id_owner_translation(d, k);
    for (uint32_t id = 0; id < ids; ++id) {
        auto u = t.host_uid(id);
        ASSERT_TRUE(u) << "uid " << id;
        EXPECT_EQ(d.host_uid(*u), k.host_uid(id)) << "uid " << id;
        auto g = t.host_gid(id);
        ASSERT_TRUE(g) << "gid " << id;
        EXPECT_EQ(d.host_gid(*g), k.host_gid(id)) << "gid " << id;
    }
}

const std::vector<SubIdRange> kRange = {{100000, 65536}};

}  // namespace

TEST(StorageKeepIdOwners, ImageIdsKeepTheirValueInsideKeepId) {
    const IdMapping d = build_default_mapping(1001, 1001, kRange, kRange);
    const IdMapping k = build_keep_id_mapping(1001, 1001, kRange, kRange);
    expect_keeps_image_ids(d, k, 65537);
    const IdMapping t = keep_id_owner_translation(d, k);
    // Image root (stored as the caller, D's 0) becomes the first subordinate id (D's 1);
    // the caller's own id inside (1001) is the caller on the host (D's 0); ids below the
    // caller's shift by one; those above it are unchanged.
    EXPECT_EQ(t.host_uid(0), 1u);
    EXPECT_EQ(t.host_uid(1001), 0u);
    EXPECT_EQ(t.host_uid(1000), 1001u);
    EXPECT_EQ(t.host_uid(1002), 1002u);
    EXPECT_EQ(t.host_uid(65536), 65536u);
    EXPECT_FALSE(t.host_uid(65537));
}

TEST(StorageKeepIdOwners, OtherIdsInsideAndSmallerSizes) {
    const IdMapping d = build_default_mapping(1001, 1001, kRange, kRange);
    KeepIdIds ids;
    ids.uid = 1000;
    ids.gid = 50;
    const IdMapping k = build_keep_id_mapping(1001, 1001, kRange, kRange, ids);
    expect_keeps_image_ids(d, k, 65537);
    EXPECT_EQ(keep_id_owner_translation(d, k).host_gid(50), 0u);

    // keep-id:size=2000: image ids from 2000 up cannot be shown (the copy is refused and
    // the container uses fuse-overlayfs).
    ids.size = 2000;
    const IdMapping small = build_keep_id_mapping(1001, 1001, kRange, kRange, ids);
    expect_keeps_image_ids(d, small, 2000);
    EXPECT_FALSE(keep_id_owner_translation(d, small).host_uid(2000));
    EXPECT_FALSE(keep_id_owner_translation(d, small).host_uid(65534));
}

TEST(StorageKeepIdOwners, SplitRangesKeepImageIds) {
    const std::vector<SubIdRange> uids = {{100000, 600}, {200000, 600}};
    const std::vector<SubIdRange> gids = {{300000, 1000}, {400000, 200}};
    const IdMapping d = build_default_mapping(1000, 1000, uids, gids);
    const IdMapping k = build_keep_id_mapping(1000, 1000, uids, gids);
    expect_keeps_image_ids(d, k, 1200);
}

TEST(StorageKeepIdOwners, EveryMappingHasItsOwnCopies) {
    KeepIdIds other;
    other.uid = 1000;
    other.gid = 50;
    KeepIdIds sized;
    sized.size = 2000;
    std::set<std::string> keys = {
        keep_id_copy_key(build_keep_id_mapping(1001, 1001, kRange, kRange)),
        keep_id_copy_key(build_keep_id_mapping(1001, 1001, kRange, kRange, other)),
        keep_id_copy_key(build_keep_id_mapping(1001, 1001, kRange, kRange, sized)),
        keep_id_copy_key(build_keep_id_mapping(1002, 1002, kRange, kRange)),
    };
    EXPECT_EQ(keys.size(), 4u);
    const std::string key = keep_id_copy_key(build_keep_id_mapping(1001, 1001, kRange, kRange));
    EXPECT_EQ(key, keep_id_copy_key(build_keep_id_mapping(1001, 1001, kRange, kRange)));
    EXPECT_EQ(key.rfind("keep-id-", 0), 0u);
    EXPECT_EQ(key.size(), 8u + 16u);
}
