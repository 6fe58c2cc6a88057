// The events log: appends (also concurrent ones), reading with since/until, follow.
#include <gtest/gtest.h>

#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "container/events.hpp"
#include "container/state.hpp"

using namespace pc::container;

namespace {

struct TempDir {
    std::string path;
    TempDir() {
        char tmpl[] = "/tmp/pc-events-test-XXXXXX";
        path = ::mkdtemp(tmpl);
    }
    ~TempDir() { (void)!::system(("rm -rf " + path).c_str()); }
};

Event ev(const std::string& status, int64_t t, const std::string& name = "web") {
    Event e;
    e.status = status;
    e.time_ns = t;
    e.id = std::string(64, 'a');
    e.name = name;
    e.image = "localhost/busybox:latest";
    return e;
}

std::vector<Event> read_all(const std::string& root, std::optional<int64_t> since = {},
                            std::optional<int64_t> until = {}) {
    std::vector<Event> out;
    read_events(root, since, until, false, [&](const Event& e) {
        out.push_back(e);
        return true;
    });
    return out;
}

constexpr int64_t kSec = 1000000000;
constexpr int64_t kBase = 1700000000 * kSec;

}  // namespace

TEST(ContainerEvents, AppendAndReadBack) {
    TempDir d;
    Event e = ev("died", kBase);
    e.attributes["containerExitCode"] = "3";
    e.attributes["app"] = "x\"y";
    record_event(d.path, e);
    record_event(d.path, ev("remove", kBase + kSec));
    auto all = read_all(d.path);
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].status, "died");
    EXPECT_EQ(all[0].type, "container");
    EXPECT_EQ(all[0].id, std::string(64, 'a'));
    EXPECT_EQ(all[0].name, "web");
    EXPECT_EQ(all[0].image, "localhost/busybox:latest");
    EXPECT_EQ(all[0].time_ns, kBase);
    EXPECT_EQ(all[0].attributes.at("containerExitCode"), "3");
    EXPECT_EQ(all[0].attributes.at("app"), "x\"y");
    EXPECT_EQ(all[1].status, "remove");
}

TEST(ContainerEvents, TimeDefaultsToNow) {
    TempDir d;
    int64_t before = now_ns();
    record_event(d.path, ev("start", 0));
    auto all = read_all(d.path);
    ASSERT_EQ(all.size(), 1u);
    EXPECT_GE(all[0].time_ns, before);
    EXPECT_LE(all[0].time_ns, now_ns());
}

TEST(ContainerEvents, SinceUntil) {
    TempDir d;
    for (int i = 0; i < 5; ++i) record_event(d.path, ev("s" + std::to_string(i), kBase + i * kSec));
    auto mid = read_all(d.path, kBase + kSec, kBase + 3 * kSec);
    ASSERT_EQ(mid.size(), 3u);
    EXPECT_EQ(mid[0].status, "s1");
    EXPECT_EQ(mid[2].status, "s3");
}

TEST(ContainerEvents, SkipsGarbageLines) {
    TempDir d;
    record_event(d.path, ev("create", kBase));
    { std::ofstream(d.path + "/events.log", std::ios::app) << "{\"Type\":\"cont\n"; }
    record_event(d.path, ev("start", kBase + 1));
    auto all = read_all(d.path);
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[1].status, "start");
}

TEST(ContainerEvents, NeverThrowsOnUnwritableRoot) {
    EXPECT_NO_THROW(record_event("/nonexistent/dir/for/pc", ev("create", kBase)));
    EXPECT_TRUE(read_all("/nonexistent/dir/for/pc").empty());
}

TEST(ContainerEvents, ConcurrentWritersDoNotInterleave) {
    TempDir d;
    constexpr int kProcs = 8, kEach = 200;
    std::vector<pid_t> kids;
    for (int p = 0; p < kProcs; ++p) {
        pid_t pid = ::fork();
        if (pid == 0) {
            for (int i = 0; i < kEach; ++i) {
                Event e = ev("exec", 0, "p" + std::to_string(p));
                e.attributes["payload"] = std::string(static_cast<size_t>(100 + i * 7), 'x');
                record_event(d.path, e);
            }
            ::_exit(0);
        }
        kids.push_back(pid);
    }
    for (pid_t k : kids) ::waitpid(k, nullptr, 0);
    auto all = read_all(d.path);
    EXPECT_EQ(all.size(), static_cast<size_t>(kProcs * kEach));
}

TEST(ContainerEvents, EmitFalseStops) {
    TempDir d;
    for (int i = 0; i < 5; ++i) record_event(d.path, ev("x", kBase + i));
    int n = 0;
    read_events(d.path, {}, {}, false, [&](const Event&) { return ++n < 2; });
    EXPECT_EQ(n, 2);
}

TEST(ContainerEvents, FollowSeesNewEvents) {
    TempDir d;
    record_event(d.path, ev("create", kBase));
    std::atomic<int> seen{0};
    std::thread writer([&] {
        for (int i = 0; i < 3; ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(30));
            record_event(d.path, ev("start", 0));
        }
    });
    auto start = std::chrono::steady_clock::now();
    read_events(d.path, {}, {}, true, [&](const Event&) { return ++seen < 4; },
                [&] { return std::chrono::steady_clock::now() - start < std::chrono::seconds(10); });
    writer.join();
    EXPECT_EQ(seen.load(), 4);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}
