// Capability names and --cap-add/--cap-drop resolution (no privileges needed).
#include <gtest/gtest.h>
#include <linux/capability.h>

#include <string>

#include "common/error.hpp"
#include "rootless/caps.hpp"

using namespace pc::rootless;

TEST(RootlessCaps, DefaultSetIsPodmans) {
    std::vector<int> d = default_capabilities();
    std::vector<int> expect = {CAP_CHOWN,   CAP_DAC_OVERRIDE, CAP_FOWNER,  CAP_FSETID, CAP_KILL,       CAP_NET_BIND_SERVICE,
                               CAP_SETFCAP, CAP_SETGID,       CAP_SETPCAP, CAP_SETUID, CAP_SYS_CHROOT};
    std::sort(d.begin(), d.end());
    std::sort(expect.begin(), expect.end());
    EXPECT_EQ(d, expect);
    // The mask PLATFORM.md §7 measured for this set.
    uint64_t mask = 0;
    for (int c : d) mask |= 1ull << c;
    EXPECT_EQ(mask, 0x00000000800405fbull);
}

TEST(RootlessCaps, AllCapabilitiesFollowTheKernel) {
    std::vector<int> all = all_capabilities();
    ASSERT_GT(all.size(), 37u);  // every kernel since 5.9 has at least 0..40
    for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i], static_cast<int>(i));
}

TEST(RootlessCaps, Names) {
    EXPECT_EQ(capability_from_name("NET_ADMIN"), CAP_NET_ADMIN);
    EXPECT_EQ(capability_from_name("CAP_NET_ADMIN"), CAP_NET_ADMIN);
    EXPECT_EQ(capability_from_name("net_admin"), CAP_NET_ADMIN);
    EXPECT_EQ(capability_from_name("cap_Sys_Admin"), CAP_SYS_ADMIN);
    EXPECT_EQ(capability_from_name("chown"), CAP_CHOWN);
    EXPECT_EQ(capability_from_name("CAP_CHECKPOINT_RESTORE"), CAP_CHECKPOINT_RESTORE);
    EXPECT_FALSE(capability_from_name("FOO"));
    EXPECT_FALSE(capability_from_name("CAP_"));
    EXPECT_FALSE(capability_from_name(""));
    EXPECT_FALSE(capability_from_name("12"));
    EXPECT_FALSE(capability_from_name("CAP_12"));
    EXPECT_FALSE(capability_from_name("ALL"));
    EXPECT_FALSE(capability_from_name("NET ADMIN"));
    EXPECT_EQ(capability_name(CAP_NET_ADMIN), "CAP_NET_ADMIN");
    EXPECT_EQ(capability_name(CAP_CHOWN), "CAP_CHOWN");
    EXPECT_EQ(capability_name(CAP_SYS_CHROOT), "CAP_SYS_CHROOT");
    for (int c : all_capabilities()) EXPECT_EQ(capability_from_name(capability_name(c)), c) << c;
}

namespace {
std::vector<int> sorted(std::vector<int> v) {
    std::sort(v.begin(), v.end());
    return v;
}
}  // namespace

TEST(RootlessCaps, ResolveAddDrop) {
    const auto base = default_capabilities();
    EXPECT_EQ(resolve_capabilities(base, {}, {}), sorted(base));

    auto r = resolve_capabilities(base, {"net_admin", "CAP_SYS_ADMIN", "CHOWN"}, {"cap_kill", "SETFCAP"});
    std::vector<int> expect;
    for (int c : base)
        if (c != CAP_KILL && c != CAP_SETFCAP) expect.push_back(c);
    expect.push_back(CAP_NET_ADMIN);
    expect.push_back(CAP_SYS_ADMIN);
    EXPECT_EQ(r, sorted(expect));

    // Dropping something not in the base is harmless.
    EXPECT_EQ(resolve_capabilities(base, {}, {"SYS_ADMIN"}), sorted(base));
}

TEST(RootlessCaps, ResolveAll) {
    const auto base = default_capabilities();
    EXPECT_EQ(resolve_capabilities(base, {"ALL"}, {}), all_capabilities());
    auto r = resolve_capabilities(base, {"all"}, {"SYS_ADMIN"});
    EXPECT_EQ(r.size(), all_capabilities().size() - 1);
    EXPECT_EQ(std::count(r.begin(), r.end(), CAP_SYS_ADMIN), 0);

    EXPECT_TRUE(resolve_capabilities(base, {}, {"ALL"}).empty());
    EXPECT_EQ(resolve_capabilities(base, {"NET_BIND_SERVICE", "chown"}, {"all"}),
              (std::vector<int>{CAP_CHOWN, CAP_NET_BIND_SERVICE}));
    EXPECT_THROW(resolve_capabilities(base, {"ALL"}, {"ALL"}), pc::Error);
}

TEST(RootlessCaps, ResolveErrors) {
    const auto base = default_capabilities();
    try {
        resolve_capabilities(base, {"foo"}, {});
        FAIL() << "expected pc::Error";
    } catch (const pc::Error& e) {
        EXPECT_STREQ(e.what(), "unknown capability \"CAP_FOO\"");
    }
    try {
        resolve_capabilities(base, {}, {"CAP_BAR"});
        FAIL() << "expected pc::Error";
    } catch (const pc::Error& e) {
        EXPECT_STREQ(e.what(), "unknown capability \"CAP_BAR\"");
    }
    // Podman refuses the same capability in both lists.
    EXPECT_THROW(resolve_capabilities(base, {"NET_ADMIN"}, {"cap_net_admin"}), pc::Error);
}
