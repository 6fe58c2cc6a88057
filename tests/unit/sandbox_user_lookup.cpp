// --user resolution against an image's /etc/passwd and /etc/group (pure functions).
#include <gtest/gtest.h>

#include "common/error.hpp"
#include "rootless/user_lookup.hpp"

using namespace pc::rootless;

namespace {

const char* kPasswd =
    "root:x:0:0:root:/root:/bin/sh\n"
    "# a comment\n"
    "\n"
    "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
    "app:x:1000:1000:App User:/home/app:/bin/sh\r\n"
    "broken:x:notanumber:0::/:/bin/sh\n"
    "short:x:5\n"
    "+nisentry::0:0:::\n"
    "nohome:x:2000:2000::\n";

const char* kGroup =
    "root:x:0:root\n"
    "tty:x:5:\n"
    "wheel:x:10:root,app\n"
    "staff:x:50: app , other\n"
    "app:x:1000:\n"
    "bad:x:\n";

std::vector<uint32_t> ids(std::initializer_list<uint32_t> l) { return l; }

}  // namespace

TEST(SandboxUserLookup, ParsesPasswdSkippingMalformedLines) {
    auto users = parse_passwd(kPasswd);
    ASSERT_EQ(users.size(), 4u);
    EXPECT_EQ(users[0].name, "root");
    EXPECT_EQ(users[1].home, "/usr/sbin");
    EXPECT_EQ(users[2].name, "app");
    EXPECT_EQ(users[2].uid, 1000u);
    EXPECT_EQ(users[2].gid, 1000u);
    EXPECT_EQ(users[2].home, "/home/app");
    EXPECT_EQ(users[2].shell, "/bin/sh");  // CR stripped
    EXPECT_EQ(users[3].name, "nohome");
    EXPECT_EQ(users[3].home, "");
}

TEST(SandboxUserLookup, ParsesGroupMembers) {
    auto groups = parse_group(kGroup);
    ASSERT_EQ(groups.size(), 5u);
    EXPECT_EQ(groups[1].name, "tty");
    EXPECT_TRUE(groups[1].members.empty());
    EXPECT_EQ(groups[2].members, (std::vector<std::string>{"root", "app"}));
    EXPECT_EQ(groups[3].members, (std::vector<std::string>{"app", "other"}));
}

TEST(SandboxUserLookup, EmptyUserIsRootWithMemberships) {
    // No user named: the primary gid is not added (Podman); root's memberships are.
    auto u = resolve_user("", kPasswd, kGroup, {}, false);
    EXPECT_EQ(u.uid, 0u);
    EXPECT_EQ(u.gid, 0u);
    EXPECT_EQ(u.home, "/root");
    EXPECT_EQ(u.name, "root");
    EXPECT_EQ(u.groups, ids({0, 10}));
}

TEST(SandboxUserLookup, EmptyFilesStillGiveRoot) {
    auto u = resolve_user("", "", "", {}, false);
    EXPECT_EQ(u.uid, 0u);
    EXPECT_EQ(u.gid, 0u);
    EXPECT_EQ(u.home, "/");
    EXPECT_TRUE(u.groups.empty());
}

TEST(SandboxUserLookup, NameUsesEntryAndMemberships) {
    auto u = resolve_user("app", kPasswd, kGroup, {}, true);
    EXPECT_EQ(u.uid, 1000u);
    EXPECT_EQ(u.gid, 1000u);
    EXPECT_EQ(u.home, "/home/app");
    EXPECT_EQ(u.groups, ids({1000, 10, 50}));
}

TEST(SandboxUserLookup, NumericUidWithEntryTakesItsGid) {
    auto u = resolve_user("1000", kPasswd, kGroup, {}, true);
    EXPECT_EQ(u.uid, 1000u);
    EXPECT_EQ(u.gid, 1000u);
    EXPECT_EQ(u.home, "/home/app");
}

TEST(SandboxUserLookup, NumericUidWithoutEntryIsFine) {
    auto u = resolve_user("4242", kPasswd, kGroup, {}, true);
    EXPECT_EQ(u.uid, 4242u);
    EXPECT_EQ(u.gid, 0u);
    EXPECT_EQ(u.home, "/");
    EXPECT_TRUE(u.name.empty());
    EXPECT_EQ(u.groups, ids({0}));
}

TEST(SandboxUserLookup, EntryWithoutHomeFallsBackToSlash) {
    EXPECT_EQ(resolve_user("nohome", kPasswd, kGroup, {}, true).home, "/");
}

TEST(SandboxUserLookup, UnknownNameFailsWithPodmanMessage) {
    try {
        resolve_user("nosuch", kPasswd, kGroup, {}, true);
        FAIL() << "expected an error";
    } catch (const pc::Error& e) {
        EXPECT_STREQ(e.what(), "unable to find user nosuch: no matching entries in passwd file");
        EXPECT_EQ(e.exit_code(), 125);
    }
}

TEST(SandboxUserLookup, UserAndGroupForms) {
    auto a = resolve_user("app:wheel", kPasswd, kGroup, {}, true);
    EXPECT_EQ(a.uid, 1000u);
    EXPECT_EQ(a.gid, 10u);
    // An explicit group replaces the memberships (runc/crun behaviour).
    EXPECT_EQ(a.groups, ids({10}));

    auto b = resolve_user("1234:5678", kPasswd, kGroup, {}, true);
    EXPECT_EQ(b.uid, 1234u);
    EXPECT_EQ(b.gid, 5678u);

    auto c = resolve_user(":10", kPasswd, kGroup, {}, true);
    EXPECT_EQ(c.uid, 0u);
    EXPECT_EQ(c.gid, 10u);

    auto d = resolve_user("app:", kPasswd, kGroup, {}, true);  // empty group = none given
    EXPECT_EQ(d.gid, 1000u);
}

TEST(SandboxUserLookup, UnknownGroupFailsWithPodmanMessage) {
    try {
        resolve_user("app:nogroup", kPasswd, kGroup, {}, true);
        FAIL() << "expected an error";
    } catch (const pc::Error& e) {
        EXPECT_STREQ(e.what(), "unable to find group nogroup: no matching entries in group file");
        EXPECT_EQ(e.exit_code(), 125);
    }
}

TEST(SandboxUserLookup, GroupAddByNameAndIdDeduplicated) {
    auto u = resolve_user("app", kPasswd, kGroup, {"tty", "777", "wheel", "keep-groups"}, true);
    EXPECT_EQ(u.groups, ids({1000, 10, 50, 5, 777}));
    EXPECT_THROW(resolve_user("app", kPasswd, kGroup, {"missing"}, true), pc::Error);
}

TEST(SandboxUserLookup, PrimaryGidOnlyWhenAsked) {
    // An exec session: memberships and --group-add, not the primary gid.
    EXPECT_EQ(resolve_user("app", kPasswd, kGroup, {"tty"}, false).groups, ids({10, 50, 5}));
    EXPECT_TRUE(resolve_user("4242", kPasswd, kGroup, {}, false).groups.empty());
}

TEST(SandboxUserLookup, RefusesIdsOutOfRange) {
    // 4294967295 is "no change" for set*id: it must not be parsed as a uid, so it is
    // treated as a (missing) name.
    EXPECT_THROW(resolve_user("4294967295", kPasswd, kGroup, {}, true), pc::Error);
    EXPECT_THROW(resolve_user("-1", kPasswd, kGroup, {}, true), pc::Error);
}
