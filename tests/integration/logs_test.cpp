// pc logs (of detached and foreground containers: streams, -t, --tail, --since/--until,
// -f until the container is gone, across restarts, several containers, rotation) and
// pc events. Every wait polls with a timeout.
#include <signal.h>
#include <unistd.h>

#include <algorithm>

#include <nlohmann/json.hpp>
#include <regex>

#include "harness.hpp"

using namespace pcit;
using json = nlohmann::json;

namespace {

class LogsBase : public PcTest {
 protected:
  static std::string status_of(const std::string& name) {
    Result r = store_->pc({"inspect", "--format", "{{.State.Status}}", name}, {.timeout_s = 10});
    return r.ok() ? trim(r.out) : "";
  }

  // Polls until the container has exited (its last output is then in the log).
  static bool wait_exited(const std::string& name, double timeout_s = 30) {
    return poll_until([&] { return status_of(name) == "exited"; }, timeout_s, 50);
  }

  // `pc run -d --name NAME IMAGE sh -c SCRIPT`, asserting success.
  static ::testing::AssertionResult run_detached(const std::string& name, const std::string& script,
                                          const std::vector<std::string>& flags = {}) {
    std::vector<std::string> args = {"run", "-d", "--name", name};
    args.insert(args.end(), flags.begin(), flags.end());
    args.insert(args.end(), {"localhost/busybox", "sh", "-c", script});
    Result r = store_->pc(args);
    if (!r.ok()) return ::testing::AssertionFailure() << r;
    return ::testing::AssertionSuccess();
  }
};

class Logs : public LogsBase {};
class LogsFollow : public LogsBase {};
class Events : public LogsBase {};

const std::regex kStamp(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d) )");

}  // namespace

// ---------------------------------------------------------------- plain reads

TEST_F(Logs, StdoutAndStderrGoBackToTheirStreams) {
  std::string name = unique_name("streams");
  ASSERT_TRUE(run_detached(name, "echo out; echo err >&2; echo out2"));
  ASSERT_TRUE(wait_exited(name)) << status_of(name);
  Result r = pc({"logs", name});
  ASSERT_PC_OK(r);
  EXPECT_EQ(r.out, "out\nout2\n") << r;
  EXPECT_EQ(r.err, "err\n") << r;
}

TEST_F(Logs, ManagementFormAndIdPrefix) {
  std::string name = unique_name("mgmt");
  ASSERT_TRUE(run_detached(name, "echo via-container-logs"));
  ASSERT_TRUE(wait_exited(name));
  Result r = pc({"container", "logs", name});
  ASSERT_PC_OK(r);
  EXPECT_EQ(r.out, "via-container-logs\n") << r;
  Result id = pc({"inspect", "--format", "{{.Id}}", name});
  ASSERT_PC_OK(id);
  Result byid = pc({"logs", trim(id.out).substr(0, 12)});
  ASSERT_PC_OK(byid);
  EXPECT_EQ(byid.out, "via-container-logs\n") << byid;
}

TEST_F(Logs, ForegroundRunIsLoggedToo) {
  std::string name = unique_name("fg");
  ASSERT_PC_OK(pc({"run", "--name", name, image(), "sh", "-c", "echo fg-out; echo fg-err >&2"}));
  Result r = pc({"logs", name});
  ASSERT_PC_OK(r);
  EXPECT_EQ(r.out, "fg-out\n") << r;
  EXPECT_EQ(r.err, "fg-err\n") << r;
}

TEST_F(Logs, PartialLastLineIsShown) {
  std::string name = unique_name("partial");
  ASSERT_TRUE(run_detached(name, "echo full; printf 'no-newline'"));
  ASSERT_TRUE(wait_exited(name));
  Result r = pc({"logs", name});
  ASSERT_PC_OK(r);
  EXPECT_EQ(r.out, "full\nno-newline") << r;
}

TEST_F(Logs, Timestamps) {
  std::string name = unique_name("ts");
  ASSERT_TRUE(run_detached(name, "echo a; echo b >&2"));
  ASSERT_TRUE(wait_exited(name));
  Result r = pc({"logs", "-t", name});
  ASSERT_PC_OK(r);
  auto out = lines(r.out), err = lines(r.err);
  ASSERT_EQ(out.size(), 1u) << r;
  ASSERT_EQ(err.size(), 1u) << r;
  EXPECT_TRUE(std::regex_search(out[0], kStamp)) << out[0];
  EXPECT_TRUE(out[0].ends_with(" a")) << out[0];
  EXPECT_TRUE(std::regex_search(err[0], kStamp)) << err[0];
  EXPECT_TRUE(err[0].ends_with(" b")) << err[0];
}

TEST_F(Logs, Tail) {
  std::string name = unique_name("tail");
  ASSERT_TRUE(run_detached(name, "for i in 1 2 3 4 5 6 7 8 9 10; do echo $i; done"));
  ASSERT_TRUE(wait_exited(name));
  Result r = pc({"logs", "--tail", "3", name});
  ASSERT_PC_OK(r);
  EXPECT_EQ(r.out, "8\n9\n10\n") << r;
  Result zero = pc({"logs", "--tail=0", name});
  ASSERT_PC_OK(zero);
  EXPECT_EQ(zero.out, "") << zero;
  Result all = pc({"logs", "--tail=-1", name});
  ASSERT_PC_OK(all);
  EXPECT_EQ(lines(all.out).size(), 10u) << all;
}

TEST_F(Logs, SinceAndUntil) {
  std::string name = unique_name("since");
  ASSERT_TRUE(run_detached(name, "echo early"));
  ASSERT_TRUE(wait_exited(name));
  Result recent = pc({"logs", "--since", "10m", name});
  ASSERT_PC_OK(recent);
  EXPECT_EQ(recent.out, "early\n") << recent;
  Result future = pc({"logs", "--since", "2200-01-01T00:00:00Z", name});
  ASSERT_PC_OK(future);
  EXPECT_EQ(future.out, "") << future;
  Result past = pc({"logs", "--until", "2000-01-01", name});
  ASSERT_PC_OK(past);
  EXPECT_EQ(past.out, "") << past;
  Result unix_ts = pc({"logs", "--since", "946684800", name});  // 2000-01-01 as a Unix time
  ASSERT_PC_OK(unix_ts);
  EXPECT_EQ(unix_ts.out, "early\n") << unix_ts;
  Result bad = pc({"logs", "--since", "yesterday-ish", name});
  EXPECT_EXIT_CODE(bad, 125);
}

TEST_F(Logs, SeveralContainersArePrefixed) {
  std::string a = unique_name("multi-a"), b = unique_name("multi-b");
  ASSERT_TRUE(run_detached(a, "echo from-a"));
  ASSERT_TRUE(run_detached(b, "echo from-b"));
  ASSERT_TRUE(wait_exited(a));
  ASSERT_TRUE(wait_exited(b));
  Result r = pc({"logs", "--names", a, b});
  ASSERT_PC_OK(r);
  EXPECT_TRUE(contains(r.out, a + " from-a\n")) << r;
  EXPECT_TRUE(contains(r.out, b + " from-b\n")) << r;
  Result ids = pc({"logs", a, b});
  ASSERT_PC_OK(ids);
  for (const auto& l : lines(ids.out)) EXPECT_TRUE(std::regex_search(l, std::regex("^[0-9a-f]{12} from-[ab]$"))) << l;
  Result single = pc({"logs", "--names", a});
  ASSERT_PC_OK(single);
  EXPECT_EQ(single.out, "from-a\n") << "one container: no prefix, as Podman" << single;
}

TEST_F(Logs, Latest) {
  std::string a = unique_name("old"), b = unique_name("new");
  ASSERT_TRUE(run_detached(a, "echo old"));
  ASSERT_TRUE(wait_exited(a));
  ASSERT_TRUE(run_detached(b, "echo new"));
  ASSERT_TRUE(wait_exited(b));
  Result r = pc({"logs", "-l"});
  ASSERT_PC_OK(r);
  EXPECT_EQ(r.out, "new\n") << r;
}

TEST_F(Logs, UnknownContainer) {
  Result r = pc({"logs", "no-such-ctr"});
  EXPECT_EXIT_CODE(r, 125);
  EXPECT_TRUE(contains(r.err, "no container with name or ID \"no-such-ctr\" found: no such container")) << r;
  Result none = pc({"logs"});
  EXPECT_EXIT_CODE(none, 125);
}

TEST_F(Logs, RemovedContainerHasNoLogs) {
  std::string name = unique_name("gone");
  ASSERT_TRUE(run_detached(name, "echo x"));
  ASSERT_TRUE(wait_exited(name));
  ASSERT_PC_OK(pc({"rm", name}));
  EXPECT_EXIT_CODE(pc({"logs", name}), 125);
}

TEST_F(Logs, RotationKeepsTheNewestLines) {
  std::string name = unique_name("rotate");
  // ~60 KB of output against a 10 KB limit: the log rotates several times.
  ASSERT_TRUE(run_detached(name, "i=0; while [ $i -lt 1000 ]; do echo line-$i-padding-padding-padding; i=$((i+1)); done",
                           {"--log-opt", "max-size=10k"}));
  ASSERT_TRUE(wait_exited(name, 60));
  Result r = pc({"logs", name});
  ASSERT_PC_OK(r);
  auto ls = lines(r.out);
  ASSERT_FALSE(ls.empty());
  EXPECT_EQ(ls.back(), "line-999-padding-padding-padding") << r.out.size();
  EXPECT_LT(ls.size(), 1000u) << "the oldest lines were rotated away";
  Result dir = pc({"inspect", "--format", "{{.HostConfig.LogConfig.Path}}", name});
  ASSERT_PC_OK(dir);
  const std::string path = trim(dir.out);
  ASSERT_TRUE(path.starts_with("/")) << dir;
  EXPECT_LE(read_file(path).size(), 10u * 1024 + 200) << path;
}

// ---------------------------------------------------------------- follow
// The payloads wait for /tmp/go, which `pc exec ... touch` makes, then pause before they
// end: a payload that ended at once could take the container's pid namespace down while
// `touch` (preempted on a loaded machine right after creating the file) was still running,
// and the kernel's SIGKILL would fail the exec with 137.

TEST_F(LogsFollow, FollowsUntilTheContainerExits) {
  std::string name = unique_name("follow");
  ASSERT_TRUE(run_detached(name, "echo first; while [ ! -e /tmp/go ]; do sleep 0.05; done; sleep 0.3; echo last; echo bye >&2"));
  auto f = store().pc_async({"logs", "-f", name});
  ASSERT_TRUE(f->wait_for_output("first\n", 30)) << f->wait(1);
  EXPECT_FALSE(f->exited()) << "must keep following a running container";
  ASSERT_PC_OK(pc({"exec", name, "touch", "/tmp/go"}));
  Result r = f->wait(30);
  EXPECT_PC_OK(r);
  EXPECT_EQ(r.out, "first\nlast\n") << r;
  EXPECT_EQ(r.err, "bye\n") << r;
}

TEST_F(LogsFollow, FollowOfExitedContainerReturns) {
  std::string name = unique_name("done");
  ASSERT_TRUE(run_detached(name, "echo done"));
  ASSERT_TRUE(wait_exited(name));
  Result r = pc({"logs", "-f", name}, {.timeout_s = 20});
  ASSERT_PC_OK(r);
  EXPECT_EQ(r.out, "done\n") << r;
}

TEST_F(LogsFollow, TailThenFollow) {
  std::string name = unique_name("tailf");
  ASSERT_TRUE(run_detached(name, "echo 1; echo 2; echo 3; while [ ! -e /tmp/go ]; do sleep 0.05; done; sleep 0.3; echo 4"));
  ASSERT_TRUE(poll_until([&] { return contains(pc({"logs", name}).out, "3\n"); }, 30, 50));
  auto f = store().pc_async({"logs", "-f", "--tail", "1", name});
  ASSERT_TRUE(f->wait_for_output("3\n", 30)) << f->wait(1);
  ASSERT_PC_OK(pc({"exec", name, "touch", "/tmp/go"}));
  Result r = f->wait(30);
  EXPECT_PC_OK(r);
  EXPECT_EQ(r.out, "3\n4\n") << r;
}

TEST_F(LogsFollow, AcrossRestarts) {
  std::string name = unique_name("restarts");
  // Fails twice, then the restart policy gives up: three runs, one log, -f sees all three
  // and ends when the monitor is gone.
  ASSERT_TRUE(run_detached(name, "echo run-$(date +%s%N); exit 1", {"--restart", "on-failure:2"}));
  Result r = pc({"logs", "-f", name}, {.timeout_s = 90});
  ASSERT_PC_OK(r);
  auto ls = lines(r.out);
  EXPECT_EQ(ls.size(), 3u) << r;
  for (const auto& l : ls) EXPECT_TRUE(l.starts_with("run-")) << l;
}

TEST_F(LogsFollow, StopsWhenContainerIsRemoved) {
  std::string name = unique_name("rmf");
  ASSERT_TRUE(run_detached(name, "echo up; sleep 1000"));
  auto f = store().pc_async({"logs", "-f", name});
  ASSERT_TRUE(f->wait_for_output("up\n", 30)) << f->wait(1);
  ASSERT_PC_OK(pc({"rm", "-f", "-t", "0", name}));
  Result r = f->wait(30);
  EXPECT_FALSE(r.timed_out) << r;
  EXPECT_EQ(r.out, "up\n") << r;
}

TEST_F(LogsFollow, SeveralContainersFollowedTogether) {
  std::string a = unique_name("fa"), b = unique_name("fb");
  ASSERT_TRUE(run_detached(a, "echo a1; while [ ! -e /tmp/go ]; do sleep 0.05; done; sleep 0.3; echo a2"));
  ASSERT_TRUE(run_detached(b, "echo b1; while [ ! -e /tmp/go ]; do sleep 0.05; done; sleep 0.3; echo b2"));
  auto f = store().pc_async({"logs", "-f", "--names", a, b});
  ASSERT_TRUE(f->wait_for_output(a + " a1\n", 30)) << f->wait(1);
  ASSERT_TRUE(f->wait_for_output(b + " b1\n", 30)) << f->wait(1);
  ASSERT_PC_OK(pc({"exec", a, "touch", "/tmp/go"}));
  ASSERT_PC_OK(pc({"exec", b, "touch", "/tmp/go"}));
  Result r = f->wait(30);
  EXPECT_PC_OK(r);
  EXPECT_TRUE(contains(r.out, a + " a2\n")) << r;
  EXPECT_TRUE(contains(r.out, b + " b2\n")) << r;
}

// ---------------------------------------------------------------- events

TEST_F(Events, LifecycleOfAContainer) {
  std::string name = unique_name("ev");
  ASSERT_TRUE(run_detached(name, "exit 3"));
  ASSERT_TRUE(wait_exited(name));
  ASSERT_PC_OK(pc({"rm", name}));
  Result r = pc({"events", "--stream=false"}, {.timeout_s = 20});
  ASSERT_PC_OK(r);
  std::vector<std::string> statuses;
  for (const auto& l : lines(r.out)) {
    if (!contains(l, "name=" + name)) continue;
    // "2026-11-22 09:31:16.123456789 +0000 UTC container start <id> (image=..., name=...)"
    EXPECT_TRUE(std::regex_search(l, std::regex(R"(^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? [+-]\d{4} \S+ container \S+ [0-9a-f]{64} \(image=)")))
        << l;
    std::smatch m;
    if (std::regex_search(l, m, std::regex(R"( container (\S+) )"))) statuses.push_back(m[1]);
  }
  auto has = [&](const std::string& s) { return std::find(statuses.begin(), statuses.end(), s) != statuses.end(); };
  EXPECT_TRUE(has("create")) << r.out;
  EXPECT_TRUE(has("start")) << r.out;
  EXPECT_TRUE(has("died")) << r.out;
  EXPECT_TRUE(has("remove")) << r.out;
}

TEST_F(Events, JsonFormatAndFilter) {
  std::string name = unique_name("evj");
  ASSERT_TRUE(run_detached(name, "exit 2"));
  ASSERT_TRUE(wait_exited(name));
  Result r = pc({"events", "--stream=false", "--format", "json", "--filter", "event=died", "--filter",
                 "container=" + name});
  ASSERT_PC_OK(r);
  auto ls = lines(r.out);
  ASSERT_EQ(ls.size(), 1u) << r;
  json j = json::parse(ls[0]);
  EXPECT_EQ(j.value("Status", ""), "died");
  EXPECT_EQ(j.value("Type", ""), "container");
  EXPECT_EQ(j.value("Name", ""), name);
  EXPECT_EQ(j.value("ID", "").size(), 64u);
  EXPECT_TRUE(contains(j.value("Image", ""), "busybox")) << ls[0];
  EXPECT_TRUE(j.contains("Time")) << ls[0];
  EXPECT_EQ(j.value("ContainerExitCode", -1), 2) << ls[0];
  Result tmpl = pc({"events", "--stream=false", "--filter", "event=died", "--format", "{{.Name}} {{.Status}}"});
  ASSERT_PC_OK(tmpl);
  EXPECT_TRUE(contains(tmpl.out, name + " died\n")) << tmpl;
}

TEST_F(Events, SinceUntilAndStreaming) {
  Result none = pc({"events", "--stream=false", "--since", "2200-01-01T00:00:00Z"});
  ASSERT_PC_OK(none);
  EXPECT_EQ(none.out, "") << none;
  // Without --stream=false and --until, events follow: a new event shows up, then ^C ends it.
  auto f = store().pc_async({"events", "--since", "1s", "--filter", "event=create"});
  std::string name = unique_name("evs");
  ASSERT_PC_OK(pc({"create", "--name", name, image(), "true"}));
  ASSERT_TRUE(f->wait_for_output("name=" + name, 30)) << f->wait(1);
  f->signal(SIGINT);
  Result r = f->wait(10);
  EXPECT_FALSE(r.timed_out) << r;
  // --until ends by itself.
  Result until = pc({"events", "--since", "1m", "--until", "1s"}, {.timeout_s = 20});
  EXPECT_PC_OK(until);
  EXPECT_TRUE(contains(until.out, "name=" + name)) << until;
}
