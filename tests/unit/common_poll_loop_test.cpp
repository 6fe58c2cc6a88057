// PollLoop: the one poll() loop of the monitor, the foreground `pc run` and P1. Sources are
// filled and dispatched in the order they were added, may lower the round's timeout, and
// may be removed (and destroyed) from inside another source's dispatch.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/fd.hpp"
#include "common/poll_loop.hpp"

namespace {

struct TestPipe {
    pc::UniqueFd read, write;
    TestPipe() {
        int fds[2];
        EXPECT_EQ(::pipe2(fds, O_CLOEXEC | O_NONBLOCK), 0);
        read.reset(fds[0]);
        write.reset(fds[1]);
    }
    void put(char c) { EXPECT_EQ(::write(write.get(), &c, 1), 1); }
};

// A source that asks for a deadline and counts its calls.
class Deadline : public pc::PollSource {
public:
    explicit Deadline(int ms) : ms_(ms) {}
    void fill(std::vector<struct pollfd>&, int& timeout_ms) override {
        ++fills;
        if (timeout_ms < 0 || timeout_ms > ms_) timeout_ms = ms_;
    }
    void dispatch(const std::vector<struct pollfd>&) override { ++dispatches; }
    int fills = 0, dispatches = 0;

private:
    int ms_;
};

TEST(PollLoop, DispatchesReadyDescriptorsToTheirSourcesInOrder) {
    TestPipe a, b;
    std::string order;
    pc::FdSource first(a.read.get(), POLLIN, [&](short revents) {
        EXPECT_TRUE(revents & POLLIN);
        order += 'a';
    });
    pc::FdSource second(b.read.get(), POLLIN, [&](short) { order += 'b'; });
    pc::PollLoop loop;
    loop.add(first);
    loop.add(second);
    b.put('x');
    EXPECT_EQ(loop.poll_once(1000), 1);
    EXPECT_EQ(order, "b");
    a.put('x');
    EXPECT_EQ(loop.poll_once(1000), 2);  // b's byte is still unread
    EXPECT_EQ(order, "bab");
}

TEST(PollLoop, ASourceLowersTheTimeoutAndATimedOutRoundIsStillDispatched) {
    TestPipe never;
    pc::FdSource idle(never.read.get(), POLLIN, [](short) { ADD_FAILURE() << "nothing was written"; });
    Deadline soon(20);
    pc::PollLoop loop;
    loop.add(idle);
    loop.add(soon);
    const int64_t start = pc::monotonic_ns();
    EXPECT_EQ(loop.poll_once(-1), 0);  // would sleep forever without the source's deadline
    const int64_t took_ms = (pc::monotonic_ns() - start) / 1'000'000;
    EXPECT_GE(took_ms, 19);
    EXPECT_LT(took_ms, 5000);
    EXPECT_EQ(soon.fills, 1);
    EXPECT_EQ(soon.dispatches, 1);
    EXPECT_EQ(loop.poll_once(0), 0);  // the caller's own, shorter, timeout
}

TEST(PollLoop, ASourceRemovedDuringARoundIsNotDispatchedAgain) {
    TestPipe p;
    auto victim = std::make_unique<Deadline>(1000);
    pc::PollLoop loop;
    pc::FdSource remover(p.read.get(), POLLIN, [&](short) {
        if (!victim) return;  // the later rounds: already gone
        loop.remove(*victim);
        victim.reset();  // destroyed at once, as the monitor drops the container's network
    });
    loop.add(remover);
    Deadline* raw = victim.get();
    loop.add(*raw);
    EXPECT_EQ(loop.poll_once(0), 0);
    EXPECT_EQ(raw->dispatches, 1);
    p.put('x');
    EXPECT_EQ(loop.poll_once(1000), 1);  // would dispatch to freed memory (ASan) without the mark
    EXPECT_EQ(victim, nullptr);
    EXPECT_EQ(loop.poll_once(0), 1);  // the byte is unread: the remover runs again, alone
}

TEST(PollLoop, ASourceAddedDuringARoundJoinsTheNextOne) {
    TestPipe p;
    Deadline late(1000);
    pc::PollLoop loop;
    bool added = false;
    pc::FdSource adder(p.read.get(), POLLIN, [&](short) {
        if (!added) loop.add(late);
        added = true;
    });
    loop.add(adder);
    p.put('x');
    EXPECT_EQ(loop.poll_once(1000), 1);
    EXPECT_EQ(late.fills + late.dispatches, 0);
    EXPECT_EQ(loop.poll_once(1000), 1);
    EXPECT_EQ(late.fills, 1);
    EXPECT_EQ(late.dispatches, 1);
}

TEST(PollLoop, RunsUntilTheStopConditionAndSkipsAClosedDescriptor) {
    TestPipe p;
    int reads = 0;
    pc::FdSource reader(p.read.get(), POLLIN, [&](short) {
        char c;
        while (::read(p.read.get(), &c, 1) == 1) ++reads;
    });
    pc::FdSource unwatched(-1, POLLIN, [](short) { ADD_FAILURE() << "an fd of -1 is never ready"; });
    Deadline tick(5);
    pc::PollLoop loop;
    loop.add(reader);
    loop.add(unwatched);
    loop.add(tick);
    int rounds = 0;
    EXPECT_EQ(loop.run_until([&] {
        if (++rounds == 3) p.put('x');
        return reads > 0;
    }),
              0);
    EXPECT_EQ(reads, 1);
    EXPECT_GE(tick.dispatches, 3);
}

TEST(PollLoop, SetFdMinusOneStopsWatchingADescriptor) {
    TestPipe p;
    int calls = 0;
    pc::FdSource once(p.read.get(), POLLIN, [&](short) { ++calls; });
    pc::PollLoop loop;
    loop.add(once);
    p.put('x');
    EXPECT_EQ(loop.poll_once(1000), 1);
    once.set_fd(-1);  // as P1 does once the monitor's channel is gone
    EXPECT_EQ(loop.poll_once(0), 0);
    EXPECT_EQ(calls, 1);
}

int trims = 0;
void count_trim() { ++trims; }

TEST(PollLoop, TheIdleTrimmerAddedLastTrimsOnceUntilADescriptorIsReady) {
    trims = 0;
    TestPipe p;
    pc::FdSource ready(p.read.get(), POLLIN, [](short) {});
    Deadline tick(1);
    pc::IdleTrimmer trimmer(0, count_trim);
    pc::PollLoop loop;
    loop.add(ready);
    loop.add(tick);
    loop.add(trimmer);
    EXPECT_EQ(loop.poll_once(), 0);
    EXPECT_EQ(loop.poll_once(), 0);
    EXPECT_EQ(trims, 1);  // timeouts are not events
    p.put('x');
    EXPECT_EQ(loop.poll_once(), 1);
    EXPECT_EQ(loop.poll_once(), 1);  // trims again: the ready descriptor was an event
    EXPECT_EQ(trims, 2);
}

}  // namespace
