// --ulimit parsing: names, defaults, unlimited, and the errors Podman reports.
#include <gtest/gtest.h>

#include "common/error.hpp"
#include "rootless/rlimits.hpp"

using pc::Error;
using pc::rootless::parse_ulimit;
using pc::rootless::rlimit_name;

TEST(Rlimits, SoftAndHard) {
    auto l = parse_ulimit("nofile=1024:2048");
    EXPECT_EQ(l.resource, RLIMIT_NOFILE);
    EXPECT_EQ(l.soft, 1024u);
    EXPECT_EQ(l.hard, 2048u);
}

TEST(Rlimits, HardDefaultsToSoftAndMinusOneIsUnlimited) {
    auto l = parse_ulimit("core=0");
    EXPECT_EQ(l.resource, RLIMIT_CORE);
    EXPECT_EQ(l.soft, 0u);
    EXPECT_EQ(l.hard, 0u);
    auto u = parse_ulimit("memlock=-1");
    EXPECT_EQ(u.soft, RLIM_INFINITY);
    EXPECT_EQ(u.hard, RLIM_INFINITY);
    auto mixed = parse_ulimit("stack=8192:-1");
    EXPECT_EQ(mixed.soft, 8192u);
    EXPECT_EQ(mixed.hard, RLIM_INFINITY);
}

TEST(Rlimits, ErrorsNameTheProblem) {
    auto message = [](const std::string& spec) {
        try {
            parse_ulimit(spec);
        } catch (const Error& e) {
            return std::string(e.what());
        }
        return std::string("accepted");
    };
    EXPECT_EQ(message("foo=1"), "invalid ulimit type: foo");
    EXPECT_EQ(message("nofile"), "invalid ulimit argument: nofile");
    EXPECT_EQ(message("nofile=2:1"), "ulimit soft limit must be less than or equal to hard limit: 2 > 1");
    EXPECT_EQ(message("nofile=-1:5"), "ulimit soft limit must be less than or equal to hard limit: -1 > 5");
    EXPECT_NE(message("nofile=abc").find("\"abc\""), std::string::npos);
    EXPECT_NE(message("nofile=-2").find("\"-2\""), std::string::npos);
    EXPECT_NE(message("nofile=1:2:3").find("up to two"), std::string::npos);
}

TEST(Rlimits, KernelNames) {
    EXPECT_EQ(rlimit_name(RLIMIT_NOFILE), "RLIMIT_NOFILE");
    EXPECT_EQ(rlimit_name(RLIMIT_NPROC), "RLIMIT_NPROC");
    EXPECT_EQ(rlimit_name(RLIMIT_RTTIME), "RLIMIT_RTTIME");
}
