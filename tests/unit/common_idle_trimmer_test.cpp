// IdleTrimmer: a poll loop trims once after a quiet spell and otherwise bounds its sleep so
// that it wakes up when the trim is due (an idle loop gets no other wake-ups).
#include <gtest/gtest.h>

#include "common/idle_memory.hpp"

namespace {

TEST(IdleTrimmer, BoundsTheSleepUntilTheTrimIsDue) {
    pc::IdleTrimmer trimmer(60'000'000'000);  // a minute
    int timeout = -1;
    trimmer.before_sleep(timeout);
    EXPECT_GT(timeout, 59'000);
    EXPECT_LE(timeout, 60'000);
    int shorter = 5;
    trimmer.before_sleep(shorter);
    EXPECT_EQ(shorter, 5);  // a sooner deadline of the loop's own stays
}

TEST(IdleTrimmer, TrimsOnceWhenQuietThenSleepsUntilAnEvent) {
    pc::IdleTrimmer trimmer(0);
    int timeout = -1;
    trimmer.before_sleep(timeout);  // due at once: trims
    EXPECT_EQ(timeout, -1);
    trimmer.before_sleep(timeout);  // already trimmed: no wake-up needed
    EXPECT_EQ(timeout, -1);
    trimmer.after_wake(false);      // a timeout is not activity
    trimmer.before_sleep(timeout);
    EXPECT_EQ(timeout, -1);
}

TEST(IdleTrimmer, ActivityArmsItAgain) {
    pc::IdleTrimmer trimmer(30'000'000'000);
    int timeout = -1;
    trimmer.after_wake(true);
    trimmer.before_sleep(timeout);
    EXPECT_GT(timeout, 29'000);
}

}  // namespace
