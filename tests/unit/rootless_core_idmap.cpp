// Subordinate id parsing and mapping construction (no privileges, no kernel state).
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <unistd.h>

#include "common/error.hpp"
#include "common/log.hpp"
#include "common/user_paths.hpp"
#include "rootless/idmap.hpp"
#include "rootless/nested_userns.hpp"

using namespace pc::rootless;

namespace {

std::vector<std::pair<uint32_t, uint32_t>> pairs(const std::vector<SubIdRange>& v) {
    std::vector<std::pair<uint32_t, uint32_t>> out;
    for (const auto& r : v) out.emplace_back(r.start, r.count);
    return out;
}

using P = std::vector<std::pair<uint32_t, uint32_t>>;

}  // namespace

TEST(RootlessSubid, MatchesByNameOrUid) {
    const std::string content =
        "alice:100000:65536\n"
        "tester:200000:1000\n"
        "1001:300000:500\n"
        "bob:400000:65536\n";
    EXPECT_EQ(pairs(parse_subid(content, "tester", 1001)), (P{{200000, 1000}, {300000, 500}}));
    EXPECT_EQ(pairs(parse_subid(content, "alice", 1000)), (P{{100000, 65536}}));
    // No passwd name: the uid alone still matches.
    EXPECT_EQ(pairs(parse_subid(content, "", 1001)), (P{{300000, 500}}));
    EXPECT_TRUE(parse_subid(content, "carol", 1234).empty());
    // An empty name must not match an empty owner field.
    EXPECT_TRUE(parse_subid(":1:2\n", "", 5).empty());
}

TEST(RootlessSubid, LargeValuesAbove2To31) {
    auto r = parse_subid("tester:3000000000:65536\n", "tester", 1001);
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].start, 3000000000u);
    EXPECT_EQ(r[0].count, 65536u);
    // Up to the last valid id, not past it (uid_map extents must not wrap).
    EXPECT_EQ(pairs(parse_subid("t:4294901759:65536\n", "t", 1)), (P{{4294901759u, 65536}}));
    EXPECT_TRUE(parse_subid("t:4294901760:65536\n", "t", 1).empty());
    EXPECT_TRUE(parse_subid("t:4294967296:1\n", "t", 1).empty());
}

TEST(RootlessSubid, SkipsJunk) {
    const std::string content =
        "# comment\n"
        "\n"
        "   \n"
        "tester:100000\n"
        "tester:abc:10\n"
        "tester:-5:10\n"
        "tester:10:0\n"
        "tester:+10:5\n"
        "tester:10:5:7\n"
        "tester: 10:5\n"
        "tester:1e3:5\n"
        "  tester:500000:10  \n"
        "tester:600000:20\r\n"
        "testerx:700000:10\n"
        "tester:800000:10";  // no final newline
    EXPECT_EQ(pairs(parse_subid(content, "tester", 1001)), (P{{500000, 10}, {600000, 20}, {800000, 10}}));
    EXPECT_TRUE(parse_subid("", "tester", 1001).empty());
}

TEST(RootlessIdMapping, DefaultMapping) {
    auto m = build_default_mapping(1001, 1002, {{100000, 65536}}, {{200000, 1000}, {300000, 5}});
    EXPECT_FALSE(m.single);
    EXPECT_EQ(m.uids, (std::vector<IdMapEntry>{{0, 1001, 1}, {1, 100000, 65536}}));
    EXPECT_EQ(m.gids, (std::vector<IdMapEntry>{{0, 1002, 1}, {1, 200000, 1000}, {1001, 300000, 5}}));
    EXPECT_EQ(m.uid_count(), 65537u);
    EXPECT_EQ(IdMapping::format(m.uids), "0:1001:1,1:100000:65536");
    EXPECT_EQ(IdMapping::format(m.gids), "0:1002:1,1:200000:1000,1001:300000:5");
    EXPECT_EQ(IdMapping::format({}), "");
}

TEST(RootlessIdMapping, SingleWithoutRanges) {
    auto m = build_default_mapping(1001, 1002, {}, {});
    EXPECT_TRUE(m.single);
    EXPECT_EQ(m.uids, (std::vector<IdMapEntry>{{0, 1001, 1}}));
    EXPECT_EQ(m.gids, (std::vector<IdMapEntry>{{0, 1002, 1}}));
    EXPECT_EQ(m.uid_count(), 1u);
    // Half a configuration cannot give consistent ownership: both fall back.
    EXPECT_TRUE(build_default_mapping(1001, 1002, {{100000, 65536}}, {}).single);
    EXPECT_TRUE(build_default_mapping(1001, 1002, {}, {{100000, 65536}}).single);

    auto k = build_keep_id_mapping(1001, 1002, {}, {});
    EXPECT_TRUE(k.single);
    EXPECT_EQ(k.uids, (std::vector<IdMapEntry>{{1001, 1001, 1}}));
    EXPECT_EQ(k.gids, (std::vector<IdMapEntry>{{1002, 1002, 1}}));
}

TEST(RootlessIdMapping, KeepId) {
    auto m = build_keep_id_mapping(1001, 1001, {{100000, 65536}}, {{100000, 65536}});
    EXPECT_FALSE(m.single);
    EXPECT_EQ(m.uids, (std::vector<IdMapEntry>{{0, 100000, 1001}, {1001, 1001, 1}, {1002, 101001, 64535}}));
    EXPECT_EQ(m.gids, m.uids);
    EXPECT_EQ(m.uid_count(), 65537u);
    EXPECT_EQ(m.host_uid(1001), 1001u);
    EXPECT_EQ(m.host_uid(0), 100000u);
    EXPECT_EQ(m.host_uid(1000), 101000u);
    EXPECT_EQ(m.host_uid(1002), 101001u);
    EXPECT_EQ(m.host_uid(65536), 165535u);
    EXPECT_FALSE(m.host_uid(65537));
}

TEST(RootlessIdMapping, KeepIdSplitsRangesAcrossTheCallersId) {
    // 600 + 600 subids for uid 1000: the second range is cut at the caller's id.
    auto m = build_keep_id_mapping(1000, 1000, {{100000, 600}, {200000, 600}}, {{300000, 1000}});
    EXPECT_EQ(m.uids, (std::vector<IdMapEntry>{
                          {0, 100000, 600}, {600, 200000, 400}, {1000, 1000, 1}, {1001, 200400, 200}}));
    // Exactly enough ids: nothing above the caller's id.
    EXPECT_EQ(m.gids, (std::vector<IdMapEntry>{{0, 300000, 1000}, {1000, 1000, 1}}));
}

TEST(RootlessIdMapping, KeepIdNestedInTheDefaultMapping) {
    // The keep-id namespace nested in the shared one: the caller's id is the parent's 0,
    // the subids the parent's 1.., so the map is a permutation of the parent's ids.
    auto outer = build_default_mapping(1001, 1001, {{100000, 65536}}, {{100000, 65536}});
    auto inner = build_keep_id_mapping(1001, 1001, {{100000, 65536}}, {{100000, 65536}});
    auto m = nested_mapping(inner, outer);
    EXPECT_EQ(m.uids, (std::vector<IdMapEntry>{{0, 1, 1001}, {1001, 0, 1}, {1002, 1002, 64535}}));
    EXPECT_EQ(m.gids, m.uids);
    // Two subid ranges: an extent is split where the parent's extents split.
    auto outer2 = build_default_mapping(1000, 1000, {{100000, 600}, {200000, 600}}, {{300000, 1000}});
    auto inner2 = build_keep_id_mapping(1000, 1000, {{100000, 600}, {200000, 600}}, {{300000, 1000}});
    EXPECT_EQ(nested_mapping(inner2, outer2).uids,
              (std::vector<IdMapEntry>{{0, 1, 600}, {600, 601, 400}, {1000, 0, 1}, {1001, 1001, 200}}));
    // Single-id: the caller's id inside is the parent's 0.
    auto single = nested_mapping(build_keep_id_mapping(1001, 1002, {}, {}), build_default_mapping(1001, 1002, {}, {}));
    EXPECT_TRUE(single.single);
    EXPECT_EQ(single.uids, (std::vector<IdMapEntry>{{1001, 0, 1}}));
    EXPECT_EQ(single.gids, (std::vector<IdMapEntry>{{1002, 0, 1}}));
    // A host id the parent does not map: refused, named.
    try {
        nested_mapping(inner, build_default_mapping(1001, 1001, {{100000, 10}}, {{100000, 65536}}));
        ADD_FAILURE() << "no error";
    } catch (const pc::Error& e) {
        EXPECT_NE(std::string(e.what()).find("host uid 100010 is not mapped"), std::string::npos) << e.what();
    }
}

TEST(RootlessIdMapping, KeepIdWithOtherIdsInside) {
    // keep-id:uid=1000,gid=50: the caller (1001/1001) is uid 1000 and gid 50 inside.
    KeepIdIds ids;
    ids.uid = 1000;
    ids.gid = 50;
    auto m = build_keep_id_mapping(1001, 1001, {{100000, 65536}}, {{100000, 65536}}, ids);
    EXPECT_EQ(m.uids, (std::vector<IdMapEntry>{{0, 100000, 1000}, {1000, 1001, 1}, {1001, 101000, 64536}}));
    EXPECT_EQ(m.gids, (std::vector<IdMapEntry>{{0, 100000, 50}, {50, 1001, 1}, {51, 100050, 65486}}));
    EXPECT_EQ(m.inside_uid(1001), 1000u);
    // size= caps the ids mapped in all (ids below and above the caller's included).
    ids.size = 2000;
    m = build_keep_id_mapping(1001, 1001, {{100000, 65536}}, {{100000, 65536}}, ids);
    EXPECT_EQ(m.uid_count(), 2000u);
    ids.size = 1000;
    EXPECT_THROW(build_keep_id_mapping(1001, 1001, {{100000, 65536}}, {{100000, 65536}}, ids), pc::Error);
    // Single-id fallback: the one id still lands on the asked-for id.
    auto k = build_keep_id_mapping(1001, 1001, {}, {}, KeepIdIds{1000, 50, std::nullopt});
    EXPECT_EQ(k.uids, (std::vector<IdMapEntry>{{1000, 1001, 1}}));
    EXPECT_EQ(k.gids, (std::vector<IdMapEntry>{{50, 1001, 1}}));
}

TEST(RootlessIdMapping, ParsesUsernsValues) {
    EXPECT_EQ(parse_userns("").mode, UsernsMode::Default);
    EXPECT_EQ(parse_userns("host").mode, UsernsMode::Default);
    EXPECT_EQ(parse_userns("keep-id"), Userns(UsernsMode::KeepId));
    Userns u = parse_userns("keep-id:uid=1000,gid=1000,size=70000");
    EXPECT_EQ(u.mode, UsernsMode::KeepId);
    EXPECT_EQ(u.keep_id, (KeepIdIds{1000, 1000, 70000}));
    EXPECT_EQ(parse_userns("keep-id:gid=5").keep_id, (KeepIdIds{std::nullopt, 5, std::nullopt}));
    for (const char* bad : {"auto", "nomap", "keep-id:uid=", "keep-id:uid=x", "keep-id:user=1", "keep-id:size=0",
                            "keep-id:uid=4294967295", "keep-id:uid=-1", "private"}) {
        EXPECT_THROW(parse_userns(bad), pc::Error) << bad;
    }
}

TEST(RootlessIdMapping, KeepIdRangeTooSmall) {
    try {
        build_keep_id_mapping(1001, 1001, {{100000, 1000}}, {{100000, 65536}});
        FAIL() << "expected pc::Error";
    } catch (const pc::Error& e) {
        std::string msg = e.what();
        EXPECT_NE(msg.find("keep-id"), std::string::npos) << msg;
        EXPECT_NE(msg.find("1000"), std::string::npos) << msg;
        EXPECT_NE(msg.find("/etc/subuid"), std::string::npos) << msg;
    }
    EXPECT_THROW(build_keep_id_mapping(1001, 1001, {{100000, 65536}}, {{100000, 10}}), pc::Error);
}

TEST(RootlessIdMapping, Lookups) {
    auto m = build_default_mapping(1001, 1001, {{100000, 65536}}, {{100000, 65536}});
    EXPECT_EQ(m.host_uid(0), 1001u);
    EXPECT_EQ(m.host_uid(1), 100000u);
    EXPECT_EQ(m.host_uid(65536), 165535u);
    EXPECT_FALSE(m.host_uid(65537));
    EXPECT_EQ(m.host_gid(1000), 100999u);
    EXPECT_EQ(m.inside_uid(1001), 0u);
    EXPECT_EQ(m.inside_uid(100000), 1u);
    EXPECT_EQ(m.inside_uid(165535), 65536u);
    EXPECT_FALSE(m.inside_uid(165536));
    EXPECT_FALSE(m.inside_uid(99999));
    EXPECT_FALSE(m.inside_uid(0));
    EXPECT_EQ(m.inside_gid(100999), 1000u);

    // Near the top of the id space the arithmetic must not wrap.
    IdMapping top;
    top.uids = {{4294967000u, 10, 200}};
    EXPECT_EQ(top.host_uid(4294967199u), 209u);
    EXPECT_FALSE(top.host_uid(4294967200u));
    EXPECT_FALSE(top.host_uid(0));
}

namespace {

// caller_mapping() caches per process, so each scenario runs in a forked child.
void expect_caller_mapping(const std::string& subuid, const std::string& subgid, bool single,
                           const std::string& uids, const std::string& keep_uids, int warnings) {
    char uid_path[] = "/tmp/pc-unit-subuid-XXXXXX";
    char gid_path[] = "/tmp/pc-unit-subgid-XXXXXX";
    int ufd = ::mkstemp(uid_path), gfd = ::mkstemp(gid_path);
    ASSERT_GE(ufd, 0);
    ASSERT_GE(gfd, 0);
    ASSERT_EQ(::write(ufd, subuid.data(), subuid.size()), static_cast<ssize_t>(subuid.size()));
    ASSERT_EQ(::write(gfd, subgid.data(), subgid.size()), static_cast<ssize_t>(subgid.size()));
    ::close(ufd);
    ::close(gfd);
    EXPECT_EXIT(
        {
            ::setenv("PC_SUBUID_FILE", uid_path, 1);
            ::setenv("PC_SUBGID_FILE", gid_path, 1);
            int seen = 0;
            std::string last;
            pc::log::set_sink([&](pc::log::Level, const std::string& m) {
                ++seen;
                last = m;
            });
            const IdMapping& a = caller_mapping();
            const IdMapping& b = caller_mapping();
            const IdMapping& k = caller_mapping(UsernsMode::KeepId);
            bool ok = &a == &b && a.single == single && IdMapping::format(a.uids) == uids &&
                      IdMapping::format(k.uids) == keep_uids && seen == warnings &&
                      (warnings == 0 || last.find("/etc/subuid and /etc/subgid") != std::string::npos);
            if (!ok) std::fprintf(stderr, "got %s / %s, %d warnings: %s\n", IdMapping::format(a.uids).c_str(),
                                  IdMapping::format(k.uids).c_str(), seen, last.c_str());
            std::_Exit(ok ? 0 : 1);
        },
        ::testing::ExitedWithCode(0), "");
    ::unlink(uid_path);
    ::unlink(gid_path);
}

}  // namespace

TEST(RootlessCallerMapping, ReadsOverrideFilesAndCaches) {
    const auto& me = pc::caller();
    const std::string uid = std::to_string(me.uid);
    const std::string line = uid + ":100000:65536\n";
    std::string expect_keep = me.uid == 0 ? "0:0:1,1:100000:65536"
                                          : "0:100000:" + uid + "," + uid + ":" + uid + ":1," +
                                                std::to_string(me.uid + 1) + ":" +
                                                std::to_string(100000 + me.uid) + ":" +
                                                std::to_string(65536 - me.uid);
    if (me.uid > 65536) GTEST_SKIP() << "uid too large for the fixture range";
    expect_caller_mapping(line, line, false, "0:" + uid + ":1,1:100000:65536", expect_keep, 0);
}

TEST(RootlessCallerMapping, SingleMappingWarnsOnce) {
    const auto& me = pc::caller();
    const std::string uid = std::to_string(me.uid);
    // Another user's range does not count; both modes share the one warning.
    expect_caller_mapping("someoneelse:100000:65536\n", "", true, "0:" + uid + ":1", uid + ":" + uid + ":1", 1);
}
