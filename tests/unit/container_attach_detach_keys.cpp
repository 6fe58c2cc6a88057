// Detach keys of `pc attach`: Podman's --detach-keys syntax and spotting the sequence in
// typed input without swallowing what is not part of it.
#include <gtest/gtest.h>

#include "common/error.hpp"
#include "container/detach_keys.hpp"

using pc::container::DetachKeyMatcher;
using pc::container::parse_detach_keys;

TEST(DetachKeys, ParsesPodmansSyntax) {
    EXPECT_EQ(parse_detach_keys("ctrl-p,ctrl-q"), std::string("\x10\x11"));
    EXPECT_EQ(parse_detach_keys("ctrl-a"), std::string("\x01"));
    EXPECT_EQ(parse_detach_keys("ctrl-z"), std::string("\x1a"));
    EXPECT_EQ(parse_detach_keys("ctrl-@"), std::string("\0", 1));
    EXPECT_EQ(parse_detach_keys("ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_"), std::string("\x1b\x1c\x1d\x1e\x1f"));
    EXPECT_EQ(parse_detach_keys("a,ctrl-b,c"), std::string("a\x02" "c"));
    EXPECT_EQ(parse_detach_keys(""), "");  // never detach
}

TEST(DetachKeys, RejectsUnknownKeys) {
    for (const char* bad : {"ctrl-1", "ctrl-P", "ab", "ctrl-p,", "shift-a", "ctrl-pp"}) {
        try {
            parse_detach_keys(bad);
            ADD_FAILURE() << bad << " was accepted";
        } catch (const pc::Error& e) {
            EXPECT_EQ(e.exit_code(), 125);
            EXPECT_NE(std::string(e.what()).find("invalid detach keys: Unknown character: '"), std::string::npos) << e.what();
        }
    }
}

TEST(DetachKeys, MatcherDetachesOnTheWholeSequence) {
    DetachKeyMatcher m(parse_detach_keys("ctrl-p,ctrl-q"));
    auto r = m.feed("ls\n\x10\x11" "after");
    EXPECT_TRUE(r.detach);
    EXPECT_EQ(r.forward, "ls\n");
}

TEST(DetachKeys, MatcherHoldsAPrefixAcrossReads) {
    DetachKeyMatcher m(parse_detach_keys("ctrl-p,ctrl-q"));
    auto r = m.feed("x\x10");
    EXPECT_FALSE(r.detach);
    EXPECT_EQ(r.forward, "x");  // ctrl-p held back
    r = m.feed("\x11");
    EXPECT_TRUE(r.detach);
    EXPECT_EQ(r.forward, "");
}

TEST(DetachKeys, MatcherReleasesWhatIsNotTheSequence) {
    DetachKeyMatcher m(parse_detach_keys("ctrl-p,ctrl-q"));
    auto r = m.feed("\x10");
    EXPECT_EQ(r.forward, "");
    r = m.feed("k");  // ctrl-p then k: both go to the container (shell history up, k)
    EXPECT_FALSE(r.detach);
    EXPECT_EQ(r.forward, "\x10k");
    // A repeated first key: the second one may still start the sequence.
    r = m.feed("\x10\x10\x11");
    EXPECT_TRUE(r.detach);
    EXPECT_EQ(r.forward, "\x10");
}

TEST(DetachKeys, SingleKeyAndNoKeys) {
    DetachKeyMatcher one(parse_detach_keys("q"));
    auto r = one.feed("abq");
    EXPECT_TRUE(r.detach);
    EXPECT_EQ(r.forward, "ab");
    DetachKeyMatcher none("");
    r = none.feed("\x10\x11");
    EXPECT_FALSE(r.detach);
    EXPECT_EQ(r.forward, "\x10\x11");
}
