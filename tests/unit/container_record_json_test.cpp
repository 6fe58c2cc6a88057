// The fast record readers (container/record_json.hpp) must decode exactly what nlohmann
// decodes, or refuse (and let the caller fall back).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "container/config.hpp"
#include "container/record_json.hpp"
#include "container/state.hpp"

using namespace pc::container;
using nlohmann::json;

namespace {

ContainerConfig full_config() {
    ContainerConfig c;
    c.id = std::string(64, 'a');
    c.name = "web-1";
    c.created_ns = 1700000000123456789;
    c.image_id = std::string(64, 'b');
    c.image_name = "localhost/busybox:latest";
    c.image_ref = "busybox";
    c.layers = {"l1", "l2"};
    c.entrypoint = {"/bin/sh", "-c"};
    c.cmd = {"echo \"quoted\" \\ back\tslash\n", "ünïcödé ☃ 𝄞", std::string("ctl\x01", 4)};
    c.env = {"PATH=/usr/bin", "A=b=c"};
    c.working_dir = "/data";
    c.user = "1000:1000";
    c.group_add = {"wheel"};
    c.tty = true;
    c.interactive = true;
    c.init = true;
    c.labels = {{"a", "1"}, {"b.c", "x y"}};
    c.annotations = {{"k", "v"}};
    c.stop_signal = "SIGUSR1";
    c.stop_timeout = 3;
    c.create_command = {"pc", "run", "-d"};
    MountConfig m;
    m.type = "bind";
    m.source = "/host";
    m.destination = "/data";
    m.options = {"ro", "z"};
    m.readonly = true;
    c.mounts = {m};
    c.readonly_rootfs = true;
    c.readonly_tmpfs = false;
    c.privileged = true;
    c.cap_add = {"NET_ADMIN"};
    c.cap_drop = {"ALL"};
    c.seccomp_profile = "unconfined";
    c.no_new_privileges = true;
    c.security_opt = {"label=disable"};
    c.network_mode = "host";
    c.hostname = "h";
    c.userns = "keep-id";
    c.auto_remove = true;
    c.restart_policy = "on-failure";
    c.restart_max = 4;
    c.log_max_size = 1ULL << 40;
    c.health_cmd = {"CMD-SHELL", "true"};
    c.health_interval_ns = 1000000000;
    c.health_timeout_ns = 2000000000;
    c.health_start_period_ns = -1;
    c.health_retries = 7;
    c.health_on_failure = "restart";
    c.storage_driver = "overlay";
    return c;
}

}  // namespace

TEST(RecordJson, ConfigRoundTripsLikeNlohmann) {
    ContainerConfig c = full_config();
    for (int indent : {-1, 2}) {
        std::string text = json(c).dump(indent);
        ContainerConfig fast;
        ASSERT_TRUE(from_json_text(text, fast)) << text;
        EXPECT_EQ(json(fast), json(json::parse(text).get<ContainerConfig>()));
        EXPECT_EQ(json(fast), json(c));
    }
    // Defaults survive absent and null fields, as with from_json.
    ContainerConfig partial;
    ASSERT_TRUE(from_json_text(R"({"id": "x", "cmd": null, "stop_timeout": null})", partial));
    EXPECT_EQ(partial.id, "x");
    EXPECT_EQ(partial.stop_timeout, 10u);
    EXPECT_EQ(partial.health_on_failure, "none");
}

TEST(RecordJson, StateRoundTripsLikeNlohmann) {
    ContainerState s;
    s.status = Status::Stopping;
    s.pid = 1234;
    s.monitor_pid = 1200;
    s.monitor_start = 987654321;
    s.exit_code = -1;
    s.started_ns = 1700000000000000000;
    s.finished_ns = 1700000000500000000;
    s.oom_killed = true;
    s.restart_count = 3;
    s.error = "boom: \"x\"";
    s.stopped_by_user = true;
    s.health_status = "healthy";
    s.health_failing_streak = 2;
    s.health_log = json::array({{{"ExitCode", 0}, {"Output", "ok\n"}}});
    std::string text = json(s).dump(2);
    ContainerState fast;
    ASSERT_TRUE(from_json_text(text, fast)) << text;
    EXPECT_EQ(json(fast), json(json::parse(text).get<ContainerState>()));
    EXPECT_EQ(json(fast), json(s));
}

TEST(RecordJson, RefusesWhatItDoesNotHandle) {
    ContainerConfig c;
    EXPECT_FALSE(from_json_text(R"({"id": "x", "future_field": 1})", c));  // unknown key
    EXPECT_FALSE(from_json_text(R"({"stop_timeout": 1.5})", c));            // not an integer
    EXPECT_FALSE(from_json_text(R"({"stop_timeout": -1})", c));             // unsigned
    EXPECT_FALSE(from_json_text(R"({"id": 5})", c));                        // wrong type
    EXPECT_FALSE(from_json_text(R"({"id": "x"} trailing)", c));
    EXPECT_FALSE(from_json_text(R"({"id": "x")", c));                       // truncated
    EXPECT_FALSE(from_json_text(R"({"id": "\ud800"})", c));                 // lone surrogate
    EXPECT_FALSE(from_json_text(R"({"cmd": ["a", 1]})", c));
    ContainerState s;
    EXPECT_FALSE(from_json_text(R"({"error": null})", s));  // from_json's value() throws on null
    EXPECT_FALSE(from_json_text(R"({"pid": 99999999999})", s));
    // Not JSON numbers, which nlohmann refuses: the fast path must not accept them either.
    EXPECT_FALSE(from_json_text(R"({"exit_code": 07})", s));     // leading zero
    EXPECT_FALSE(from_json_text(R"({"started_ns": - 5})", s));   // space after the sign
    EXPECT_FALSE(from_json_text(R"({"started_ns": -})", s));
    EXPECT_TRUE(from_json_text(R"({"exit_code": 0, "started_ns": -0})", s));
}

TEST(RecordJson, CursorSkipsNestedValues) {
    recjson::Cursor cur(R"({"a": [1, {"b": "}]\""}, null], "c": true})");
    std::vector<std::string> spans;
    ASSERT_TRUE(cur.object([&](const std::string& key) {
        std::string_view span;
        if (!cur.skip(&span)) return false;
        spans.push_back(key + "=" + std::string(span));
        return true;
    }));
    ASSERT_EQ(spans.size(), 2u);
    EXPECT_EQ(spans[0], R"(a=[1, {"b": "}]\""}, null])");
    EXPECT_EQ(spans[1], "c=true");
}

TEST(RecordJson, GenericPathRefusesIntegersThatDoNotFit) {
    // When the fast path refuses, from_json decides. nlohmann would cast a float (or a
    // number past the field's range) with a plain cast, undefined for 1e300: a damaged
    // record is an error naming the key instead.
    auto config = [](const char* text) { return json::parse(text).get<ContainerConfig>(); };
    EXPECT_EQ(config(R"({"stop_timeout": 7})").stop_timeout, 7u);
    EXPECT_THROW(config(R"({"stop_timeout": 1e300})"), pc::Error);
    EXPECT_THROW(config(R"({"stop_timeout": -1})"), pc::Error);
    EXPECT_THROW(config(R"({"hooks": [{"path": "/bin/true", "timeout": 2.5e20}]})"), pc::Error);
    auto state = [](const char* text) { return json::parse(text).get<ContainerState>(); };
    EXPECT_EQ(state(R"({"pid": 42})").pid, 42);
    EXPECT_THROW(state(R"({"pid": 1e300})"), pc::Error);
    EXPECT_THROW(state(R"({"restart_count": -3})"), pc::Error);
    EXPECT_THROW(state(R"({"endpoints": [{"network": "n", "prefix4": 3e40}]})"), pc::Error);
    try {
        state(R"({"exit_code": 4294967296})");
        FAIL() << "no error";
    } catch (const pc::Error& e) {
        EXPECT_STREQ(e.what(), "exit_code: 4294967296 is not an integer from -2147483648 to 2147483647");
    }
}
