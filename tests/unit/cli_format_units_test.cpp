// human_units against go-units v0.5.0 and Podman 4.3 behaviour (thresholds read from the
// Go sources; "2 MB" and "Less than a second ago" captured from podman on this machine).
#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>

#include "cli/human_units.hpp"
#include "common/time_format.hpp"
#include "common/error.hpp"
#include "common/units.hpp"

using namespace pc::cli;
using pc::parse_duration;
using pc::parse_duration_ns;
using pc::parse_size;

TEST(CliFormatUnits, HumanDurationThresholds) {
    EXPECT_EQ(human_duration(-5), "Less than a second");
    EXPECT_EQ(human_duration(0), "Less than a second");
    EXPECT_EQ(human_duration(0.999), "Less than a second");
    EXPECT_EQ(human_duration(1), "1 second");
    EXPECT_EQ(human_duration(1.9), "1 second");
    EXPECT_EQ(human_duration(2), "2 seconds");
    EXPECT_EQ(human_duration(59.9), "59 seconds");
    EXPECT_EQ(human_duration(60), "About a minute");
    EXPECT_EQ(human_duration(119), "About a minute");
    EXPECT_EQ(human_duration(120), "2 minutes");
    EXPECT_EQ(human_duration(3599), "59 minutes");
    EXPECT_EQ(human_duration(3600), "About an hour");
    EXPECT_EQ(human_duration(5399), "About an hour");  // hours round: int(h + 0.5)
    EXPECT_EQ(human_duration(5400), "2 hours");
    EXPECT_EQ(human_duration(47 * 3600 + 1799), "47 hours");
    EXPECT_EQ(human_duration(47 * 3600 + 1800), "2 days");
    EXPECT_EQ(human_duration(13 * 86400), "13 days");
    EXPECT_EQ(human_duration(14 * 86400), "2 weeks");
    EXPECT_EQ(human_duration(59 * 86400), "8 weeks");
    EXPECT_EQ(human_duration(60 * 86400), "2 months");
    EXPECT_EQ(human_duration(729 * 86400), "24 months");
    EXPECT_EQ(human_duration(730 * 86400), "2 years");
    EXPECT_EQ(human_duration(3650.0 * 86400), "10 years");
}

TEST(CliFormatUnits, CreatedAgoAndStatus) {
    EXPECT_EQ(created_ago(1000, 1000.2), "Less than a second ago");  // podman
    EXPECT_EQ(created_ago(1000, 1180), "3 minutes ago");
    EXPECT_EQ(container_status("running", 0, 100, 0, 105), "Up 5 seconds ago");
    EXPECT_EQ(container_status("running", 0, 100, 0, 100), "Up Less than a second ago");
    EXPECT_EQ(container_status("exited", 3, 0, 100, 160), "Exited (3) About a minute ago");
    EXPECT_EQ(container_status("stopped", 137, 0, 100, 7300), "Exited (137) 2 hours ago");
    EXPECT_EQ(container_status("created", 0, 0, 0, 5), "Created");  // podman
    EXPECT_EQ(container_status("paused", 0, 0, 0, 5), "Paused");
    EXPECT_EQ(container_status("stopping", 0, 0, 0, 5), "Stopping");
    EXPECT_EQ(container_status("configured", 0, 0, 0, 5), "Configured");
    EXPECT_EQ(container_status("running", 0, 0, 0, 130, "healthy"), "Up 2 minutes ago (healthy)");
    EXPECT_EQ(container_status("created", 0, 0, 0, 0, "starting"), "Created (starting)");
}

TEST(CliFormatUnits, HumanSize) {
    EXPECT_EQ(human_size(1997895), "2 MB");  // podman images
    EXPECT_EQ(human_size(4260000), "4.26 MB");
    EXPECT_EQ(human_size(1100), "1.1 kB");
    EXPECT_EQ(human_size(500), "500 B");
    EXPECT_EQ(human_size(0), "0 B");
    EXPECT_EQ(human_size(999), "999 B");
    EXPECT_EQ(human_size(1000), "1 kB");
    EXPECT_EQ(human_size(999999), "1e+03 kB");  // go-units' %.3g quirk
    EXPECT_EQ(human_size(1234567890), "1.23 GB");
    EXPECT_EQ(human_size_compact(1980000), "1.98MB");  // podman ps --size "virtual 1.98MB"
    EXPECT_EQ(human_size_compact(0), "0B");
}

TEST(CliFormatUnits, ParseSize) {
    EXPECT_EQ(parse_size("1024"), 1024);
    EXPECT_EQ(parse_size("64m"), 64LL * 1024 * 1024);
    EXPECT_EQ(parse_size("1g"), 1LL << 30);
    EXPECT_EQ(parse_size("512k"), 512 * 1024);
    EXPECT_EQ(parse_size("1.5GB"), 1610612736);
    EXPECT_EQ(parse_size("2 MiB"), 2 * 1048576);
    EXPECT_EQ(parse_size("10b"), 10);
    EXPECT_EQ(parse_size("1T"), 1LL << 40);
    EXPECT_EQ(parse_size("0.5k"), 512);
    auto msg = [](const std::string& s) {
        try {
            parse_size(s);
        } catch (const pc::Error& e) {
            return std::string(e.what());
        }
        return std::string("<no error>");
    };
    EXPECT_EQ(msg("abc"), "invalid size: 'abc'");
    EXPECT_EQ(msg(""), "invalid size: ''");
    EXPECT_EQ(msg("-1"), "invalid size: '-1'");
    EXPECT_EQ(msg("1x"), "invalid suffix: 'x'");
    EXPECT_EQ(msg("1kx"), "invalid suffix: 'kx'");
    EXPECT_EQ(msg("1bb"), "invalid suffix: 'bb'");
    EXPECT_EQ(msg("1kiBx"), "invalid suffix: 'kiBx'");
    EXPECT_EQ(msg("1.2.3m"), "strconv.ParseFloat: parsing \"1.2.3\": invalid syntax");
}

TEST(CliFormatUnits, ParseDuration) {
    EXPECT_EQ(parse_duration("30s"), 30000);
    EXPECT_EQ(parse_duration("1m30s"), 90000);
    EXPECT_EQ(parse_duration("500ms"), 500);
    EXPECT_EQ(parse_duration("1h"), 3600000);
    EXPECT_EQ(parse_duration("1.5h"), 5400000);
    EXPECT_EQ(parse_duration("0"), 0);
    EXPECT_EQ(parse_duration("-2s"), -2000);
    EXPECT_EQ(parse_duration("+1s"), 1000);
    EXPECT_EQ(parse_duration(".5s"), 500);
    EXPECT_EQ(parse_duration("1500us"), 1);
    EXPECT_EQ(parse_duration_ns("1\xC2\xB5s"), 1000);
    EXPECT_EQ(parse_duration_ns("3ns"), 3);
    EXPECT_EQ(parse_duration_ns("1h2m3s4ms5us6ns"), 3723004005006LL);
    auto msg = [](const std::string& s) {
        try {
            parse_duration(s);
        } catch (const pc::Error& e) {
            return std::string(e.what());
        }
        return std::string("<no error>");
    };
    EXPECT_EQ(msg("abc"), "time: invalid duration \"abc\"");
    EXPECT_EQ(msg(""), "time: invalid duration \"\"");
    EXPECT_EQ(msg("5"), "time: missing unit in duration \"5\"");
    EXPECT_EQ(msg("5x"), "time: unknown unit \"x\" in duration \"5x\"");
    EXPECT_EQ(msg("."), "time: invalid duration \".\"");
    EXPECT_EQ(msg("9999999999h"), "time: invalid duration \"9999999999h\"");
}

TEST(CliFormatUnits, TimeFormats) {
    struct timespec ts{1795338051, 123456789};  // 2026-11-22T09:00:51.123456789Z
    const int64_t ns = 1795338051LL * 1000000000 + 123456789;
    EXPECT_EQ(pc::rfc3339_nano(ns, true), "2026-11-22T09:00:51.123456789Z");
    EXPECT_EQ(pc::rfc3339_nano(1795338051LL * 1000000000 + 500000000, true), "2026-11-22T09:00:51.5Z");
    EXPECT_EQ(pc::rfc3339_nano(1795338051LL * 1000000000, true), "2026-11-22T09:00:51Z");
    EXPECT_EQ(go_time_string({1795338392, 675256245}, true), "2026-11-22 09:06:32.675256245 +0000 UTC");  // podman

    const char* old = std::getenv("TZ");
    std::string saved = old ? old : "";
    setenv("TZ", "CET-1CEST,M3.5.0,M10.5.0/3", 1);
    EXPECT_EQ(pc::rfc3339_nano(ns, false), "2026-11-22T10:00:51.123456789+01:00");
    EXPECT_EQ(go_time_string(ts), "2026-11-22 10:00:51.123456789 +0100 CET");
    setenv("TZ", "UTC0", 1);
    EXPECT_EQ(pc::rfc3339_nano(ns, false), "2026-11-22T09:00:51.123456789Z");
    setenv("TZ", "EST5", 1);
    EXPECT_EQ(pc::rfc3339_nano(1795338051LL * 1000000000, false), "2026-11-22T04:00:51-05:00");
    if (old)
        setenv("TZ", saved.c_str(), 1);
    else
        unsetenv("TZ");
    tzset();
}
