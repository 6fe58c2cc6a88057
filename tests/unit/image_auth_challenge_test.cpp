#include <gtest/gtest.h>

#include "image/auth_challenge.hpp"

using namespace pc::image;

TEST(ImageAuthChallenge, RegistryChallenges) {
    auto c = parse_auth_challenges(
        R"(Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull")");
    ASSERT_EQ(c.size(), 1u);
    EXPECT_EQ(c[0].scheme, "bearer");
    EXPECT_EQ(c[0].params.at("realm"), "https://auth.docker.io/token");
    EXPECT_EQ(c[0].params.at("service"), "registry.docker.io");
    EXPECT_EQ(c[0].params.at("scope"), "repository:library/busybox:pull");
    auto b = parse_auth_challenges(R"(Basic realm="Registry, with comma")");
    ASSERT_EQ(b.size(), 1u);
    EXPECT_EQ(b[0].scheme, "basic");
    EXPECT_EQ(b[0].params.at("realm"), "Registry, with comma");
}

TEST(ImageAuthChallenge, SeveralChallengesEscapesAndOddSpacing) {
    auto c = parse_auth_challenges(R"(Basic realm="a", BEARER Realm = "b\"q\\x" , service=svc,error="insufficient_scope")");
    ASSERT_EQ(c.size(), 2u);
    EXPECT_EQ(c[0].scheme, "basic");
    EXPECT_EQ(c[1].scheme, "bearer");
    EXPECT_EQ(c[1].params.at("realm"), "b\"q\\x");
    EXPECT_EQ(c[1].params.at("service"), "svc");
    EXPECT_EQ(c[1].params.at("error"), "insufficient_scope");
    EXPECT_TRUE(parse_auth_challenges("").empty());
    EXPECT_TRUE(parse_auth_challenges("=,=\"").empty());
    auto unterminated = parse_auth_challenges("Bearer realm=\"open");
    ASSERT_EQ(unterminated.size(), 1u);
    EXPECT_EQ(unterminated[0].params.at("realm"), "open");
}
