#include <gtest/gtest.h>

#include "common/error.hpp"
#include "container/top.hpp"

using namespace pc;
using namespace pc::container;

TEST(TopFormat, GoDurations) {
    EXPECT_EQ(go_duration(0), "0s");
    EXPECT_EQ(go_duration(999), "999ns");
    EXPECT_EQ(go_duration(1500), "1.5µs");
    EXPECT_EQ(go_duration(10000000), "10ms");
    EXPECT_EQ(go_duration(106201654), "106.201654ms");
    EXPECT_EQ(go_duration(15628624563), "15.628624563s");
    EXPECT_EQ(go_duration(120000000000), "2m0s");
    EXPECT_EQ(go_duration(3600000000000), "1h0m0s");
    EXPECT_EQ(go_duration(3723500000000), "1h2m3.5s");
}

TEST(TopFormat, Descriptors) {
    EXPECT_EQ(parse_top_descriptors({}),
              (std::vector<std::string>{"user", "pid", "ppid", "pcpu", "etime", "tty", "time", "args"}));
    EXPECT_EQ(parse_top_descriptors({"pid,comm", "%U"}), (std::vector<std::string>{"pid", "comm", "user"}));
    EXPECT_THROW(parse_top_descriptors({"pid", "bogus"}), Error);
    EXPECT_EQ(top_header("pcpu"), "%CPU");
    EXPECT_EQ(top_header("etime"), "ELAPSED");
    EXPECT_EQ(top_header("capeff"), "EFFECTIVE CAPS");
}

TEST(TopFormat, Fields) {
    TopContext c;
    c.clock_ticks = 100;
    c.boot_time_ns = 1000000000000;
    c.now_ns = c.boot_time_ns + 20000000000;  // 20 s after boot
    c.mapping.uids = {{0, 1001, 1}, {1, 100000, 65536}};
    c.mapping.gids = c.mapping.uids;
    c.users = {{0, "root"}, {1000, "user"}};
    c.last_cap = 40;
    ProcessInfo p;
    p.pid = 1;
    p.host_pid = 4242;
    p.euid = 100999;  // container 1000
    p.ruid = 1001;    // container 0
    p.egid = 42;      // unmapped: shown as is
    p.comm = "sleep";
    p.args = {"sleep", "1000"};
    p.start_ticks = 1000;  // 10 s after boot -> 10 s elapsed
    p.utime = 50;
    p.stime = 50;  // 1 s of CPU -> 10%
    p.tty_nr = (136 << 8) | 3;
    p.cap_eff = 0;
    p.cap_bnd = (uint64_t{1} << 41) - 1;
    p.cap_prm = 1 | (1 << 1);
    p.seccomp = 2;
    EXPECT_EQ(top_field("user", p, c), "user");
    EXPECT_EQ(top_field("ruser", p, c), "root");
    EXPECT_EQ(top_field("group", p, c), "42");
    EXPECT_EQ(top_field("huser", p, c), "100999");
    EXPECT_EQ(top_field("hpid", p, c), "4242");
    EXPECT_EQ(top_field("args", p, c), "sleep 1000");
    EXPECT_EQ(top_field("etime", p, c), "10s");
    EXPECT_EQ(top_field("time", p, c), "1s");
    EXPECT_EQ(top_field("pcpu", p, c), "10.000");
    EXPECT_EQ(top_field("tty", p, c), "pts/3");
    EXPECT_EQ(top_field("capeff", p, c), "none");
    EXPECT_EQ(top_field("capbnd", p, c), "full");
    EXPECT_EQ(top_field("capprm", p, c), "CHOWN,DAC_OVERRIDE");
    EXPECT_EQ(top_field("seccomp", p, c), "filter");
    p.args.clear();
    EXPECT_EQ(top_field("args", p, c), "[sleep]");
    p.tty_nr = 0;
    EXPECT_EQ(top_field("tty", p, c), "?");
}
