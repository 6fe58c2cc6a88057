// `pc stats` output as Podman 4.3 prints it: go-units sizes, percentages, the default
// table's columns, the JSON keys; and the /proc parsers and the CPU arithmetic behind it.
#include <gtest/gtest.h>

#include "cli/stats_view.hpp"
#include "container/stats.hpp"

using namespace pc::cli;
using pc::container::ContainerStats;
using pc::container::StatsSample;

TEST(StatsFormat, SizesAsGoUnits) {
    EXPECT_EQ(go_human_size(0), "0B");
    EXPECT_EQ(go_human_size(999), "999B");
    EXPECT_EQ(go_human_size(1000), "1kB");
    EXPECT_EQ(go_human_size(1234567), "1.235MB");
    EXPECT_EQ(go_human_size(25283239936.0), "25.28GB");
    EXPECT_EQ(go_bytes_size(0), "0B");
    EXPECT_EQ(go_bytes_size(1536), "1.5KiB");
    EXPECT_EQ(go_bytes_size(1024.0 * 1024 * 1024 * 3), "3GiB");
    EXPECT_EQ(percent_string(0), "0.00%");
    EXPECT_EQ(percent_string(99.756), "99.76%");
    EXPECT_EQ(percent_string(250), "250.00%");
}

namespace {
ContainerStats sample_stats() {
    ContainerStats s;
    s.id = "36efed3a549b8f58da092b6be9a6413fb7f72f21375bb172e09a2b972b21ce52";
    s.name = "busy";
    s.cpu_percent = 99.75;
    s.avg_cpu = 97.85;
    s.cpu_ns = 1350000000;
    s.mem_usage = 1490944;
    s.mem_limit = 25283239936ULL;
    s.mem_percent = 0.0059;
    s.block_input = 0;
    s.block_output = 8192;
    s.pids = 1;
    return s;
}
}  // namespace

TEST(StatsFormat, TemplateFields) {
    auto j = stats_template_row(sample_stats(), false);
    EXPECT_EQ(j["ID"], "36efed3a549b");
    EXPECT_EQ(j["ContainerID"], sample_stats().id);
    EXPECT_EQ(j["CPUPerc"], "99.75%");
    EXPECT_EQ(j["AVGCPU"], "97.85%");
    EXPECT_EQ(j["MemUsage"], "1.491MB / 25.28GB");
    EXPECT_EQ(j["MemUsageBytes"], "1.422MiB / 23.55GiB");
    EXPECT_EQ(j["MemPerc"], "0.01%");
    EXPECT_EQ(j["NetIO"], "0B / 0B");
    EXPECT_EQ(j["BlockIO"], "0B / 8.192kB");
    EXPECT_EQ(j["PIDS"], "1");
    EXPECT_EQ(j["PIDs"], 1);
    EXPECT_EQ(j["UpTime"], "1.35s");
    EXPECT_EQ(stats_template_row(sample_stats(), true)["ID"], sample_stats().id);
}

TEST(StatsFormat, UnreadableBlockIoIsShownAsUnknown) {
    auto s = sample_stats();
    s.block_known = false;
    EXPECT_EQ(stats_template_row(s, false)["BlockIO"], "-- / --");
}

TEST(StatsFormat, JsonAsPodman) {
    std::string out = stats_json({sample_stats()}, false);
    EXPECT_EQ(out,
              "[\n"
              " {\n"
              "  \"id\": \"36efed3a549b\",\n"
              "  \"name\": \"busy\",\n"
              "  \"cpu_time\": \"1.35s\",\n"
              "  \"cpu_percent\": \"99.75%\",\n"
              "  \"avg_cpu\": \"97.85%\",\n"
              "  \"mem_usage\": \"1.491MB / 25.28GB\",\n"
              "  \"mem_percent\": \"0.01%\",\n"
              "  \"net_io\": \"0B / 0B\",\n"
              "  \"block_io\": \"0B / 8.192kB\",\n"
              "  \"pids\": \"1\"\n"
              " }\n"
              "]");
    EXPECT_EQ(stats_json({}, false), "[]");
}

TEST(StatsFormat, DefaultTableColumns) {
    Listing l = stats_listing({sample_stats()}, false);
    EXPECT_EQ(l.default_format,
              "table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDS}}"
              "\t{{.UpTime}}\t{{.AVGCPU}}");
    EXPECT_EQ(l.headers.at("UpTime"), "CPU TIME");
    EXPECT_EQ(l.headers.at("AVGCPU"), "AVG CPU %");
    EXPECT_EQ(l.headers.at("MemUsage"), "MEM USAGE / LIMIT");
}

TEST(StatsProc, NetDevSkipsLoopback) {
    const std::string text =
        "Inter-|   Receive                                                |  Transmit\n"
        " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n"
        "    lo:  123456     100    0    0    0     0          0         0   123456     100    0    0    0     0       0          0\n"
        "  tap0:    1000      10    0    0    0     0          0         0     2000      20    0    0    0     0       0          0\n"
        "  eth1:      24       1    0    0    0     0          0         0       48       2    0    0    0     0       0          0\n";
    auto t = pc::container::parse_net_dev(text);
    EXPECT_EQ(t.rx, 1024u);
    EXPECT_EQ(t.tx, 2048u);
}

TEST(StatsProc, ProcIo) {
    auto io = pc::container::parse_proc_io(
        "rchar: 1\nwchar: 2\nsyscr: 3\nsyscw: 4\nread_bytes: 4096\nwrite_bytes: 20971520\ncancelled_write_bytes: 0\n");
    ASSERT_TRUE(io);
    EXPECT_EQ(io->first, 4096u);
    EXPECT_EQ(io->second, 20971520u);
    EXPECT_FALSE(pc::container::parse_proc_io("rchar: 1\n"));
}

TEST(StatsProc, CpuPercentOverTheInterval) {
    StatsSample a, b;
    a.taken_mono_ns = 1'000'000'000;
    a.taken_real_ns = 10'000'000'000;
    a.cpu_ns = 500'000'000;
    b = a;
    b.taken_mono_ns += 250'000'000;
    b.taken_real_ns += 250'000'000;
    b.cpu_ns += 250'000'000;  // one core, fully busy
    b.mem_bytes = 1000;
    b.pids = 3;
    auto s = pc::container::compute_stats(a, b, 9'000'000'000, 100000);
    EXPECT_DOUBLE_EQ(s.cpu_percent, 100.0);
    EXPECT_DOUBLE_EQ(s.avg_cpu, 750'000'000.0 / 1'250'000'000.0 * 100.0);
    EXPECT_DOUBLE_EQ(s.mem_percent, 1.0);
    EXPECT_EQ(s.pids, 3u);
    // A single sample: the average since the start.
    auto once = pc::container::compute_stats(b, b, 9'000'000'000, 100000);
    EXPECT_DOUBLE_EQ(once.cpu_percent, once.avg_cpu);
}
