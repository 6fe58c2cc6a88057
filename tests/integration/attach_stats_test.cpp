// pc attach (to the monitor of a detached container: output, input, a terminal through
// script(1), the detach keys, exit codes) and pc stats (numbers from /proc, Podman's table,
// JSON and templates, stopped containers).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "harness.hpp"

using namespace pcit;

namespace {

class Attach : public PcTest {
 protected:
  void TearDown() override {
    for (const auto& n : cleanup_) pc({"rm", "-f", "-t", "0", n});
    PcTest::TearDown();
  }
  // `pc run -d FLAGS IMAGE CMD...` under a fresh name, removed at the end of the test.
  std::string run_detached(const std::string& base, const std::vector<std::string>& flags,
                           const std::vector<std::string>& cmd) {
    std::string name = unique_name(base);
    std::vector<std::string> args = {"run", "-d", "--name", name};
    args.insert(args.end(), flags.begin(), flags.end());
    args.push_back(image());
    args.insert(args.end(), cmd.begin(), cmd.end());
    Result r = pc(args);
    EXPECT_PC_OK(r);
    cleanup_.push_back(name);
    return name;
  }
  std::string status(const std::string& name) {
    return trim(pc({"inspect", "--format", "{{.State.Status}}", name}).out);
  }
  std::vector<std::string> cleanup_;
};

class Stats : public Attach {};

std::string shell_quote(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) {
    std::string q = "'";
    for (char c : a) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    out += (out.empty() ? "" : " ") + q + "'";
  }
  return out;
}

}  // namespace

TEST_F(Attach, RelaysInputAndOutputOfAnInteractiveContainer) {
  std::string name = run_detached("att-cat", {"-i"}, {"cat"});
  ASSERT_TRUE(wait_running(name));
  auto client = store().pc_async({"attach", name}, {.input = "hello attach\n"});
  ASSERT_TRUE(client->wait_for_output("hello attach", 20)) << client->out() << client->err();
  // Our stdin ended, the container's did not: it keeps running and we keep listening
  // until it exits; then attach exits with its code.
  EXPECT_EQ(status(name), "running");
  EXPECT_PC_OK(pc({"kill", name}));
  Result r = client->wait(20);
  EXPECT_EXIT_CODE(r, 137);
  // The output went to the log as well.
  EXPECT_TRUE(contains(pc({"logs", name}).out, "hello attach"));
}

TEST_F(Attach, ExitsWithTheContainersExitCode) {
  std::string name = run_detached("att-exit", {"-i"}, {"sh", "-c", "read x; echo got $x; exit 3"});
  ASSERT_TRUE(wait_running(name));
  Result r = pc({"attach", name}, {.input = "go\n", .timeout_s = 30});
  EXPECT_EXIT_CODE(r, 3);
  EXPECT_TRUE(contains(r.out, "got go")) << r;
}

// The container echoes whatever reaches its stdin (cat), so input --no-stdin let through
// would show up. A second client with stdin sends a probe afterwards: once the probe is
// echoed, anything sent before it on the same stdin pipe would have been echoed too.
TEST_F(Attach, SeesOutputButSendsNoInputWithNoStdin) {
  std::string name = run_detached("att-nostdin", {"-i"}, {"sh", "-c", "while :; do echo tick; sleep 0.2; done & exec cat"});
  ASSERT_TRUE(wait_running(name));
  auto client = store().pc_async({"attach", "--no-stdin", name}, {.input = "ignored\n"});
  ASSERT_TRUE(client->wait_for_output("tick", 20)) << client->err();
  auto probe = store().pc_async({"attach", name}, {.input = "probe\n"});
  ASSERT_TRUE(probe->wait_for_output("probe", 20)) << probe->out() << probe->err();
  ASSERT_TRUE(client->wait_for_output("probe", 20)) << "the --no-stdin client sees the output" << client->out();
  EXPECT_PC_OK(pc({"stop", "-t", "0", name}));
  Result r = client->wait(20);
  probe->wait(20);
  EXPECT_FALSE(r.timed_out) << r;
  EXPECT_FALSE(contains(r.out, "ignored")) << r;
  EXPECT_FALSE(contains(pc({"logs", name}).out, "ignored"));
}

TEST_F(Attach, TerminalDetachKeysLeaveTheContainerRunning) {
  if (!path_exists("/usr/bin/script")) GTEST_SKIP() << "script(1) is not installed";
  std::string name = run_detached("att-tty", {"-i", "-t"}, {"sh"});
  ASSERT_TRUE(wait_running(name));
  // Input goes through a FIFO so that the detach keys are typed only once attach relays
  // (and has put the terminal in raw mode): before that, the terminal would eat ctrl-q.
  std::string dir = make_temp_dir("pc-attach");
  std::string fifo = dir + "/in";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  int in = open(fifo.c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(in, 0);
  std::string cmd = shell_quote(store().argv({"attach", name}));
  auto client = std::make_unique<Child>(
      std::vector<std::string>{"sh", "-c", "exec script -qefc " + shell_quote({cmd}) + " /dev/null < " + fifo});
  const std::string probe = "echo RE''ADY\n";  // the echo of the typed line does not match
  ASSERT_EQ(write(in, probe.data(), probe.size()), static_cast<ssize_t>(probe.size()));
  EXPECT_TRUE(client->wait_for_output("READY", 20)) << client->out() << client->err();
  ASSERT_EQ(write(in, "\x10\x11", 2), 2);  // ctrl-p ctrl-q
  Result r = client->wait(20);
  close(in);
  remove_tree(dir);
  EXPECT_EXIT_CODE(r, 0);
  EXPECT_EQ(status(name), "running");
}

TEST_F(Attach, StoppedContainerIsRefused) {
  std::string name = unique_name("att-created");
  ASSERT_PC_OK(pc({"create", "--name", name, image(), "true"}));
  cleanup_.push_back(name);
  Result r = pc({"attach", name});
  EXPECT_EXIT_CODE(r, 125);
  EXPECT_TRUE(contains(r.err, "you can only attach to running containers")) << r;

  std::string done = run_detached("att-exited", {}, {"true"});
  ASSERT_TRUE(poll_until([&] { return status(done) == "exited"; }, 20));
  r = pc({"attach", done});
  EXPECT_EXIT_CODE(r, 125);
  EXPECT_TRUE(contains(r.err, "you can only attach to running containers")) << r;
}

TEST_F(Attach, BadDetachKeysAndUnknownContainer) {
  std::string name = run_detached("att-keys", {"-i"}, {"cat"});
  Result r = pc({"attach", "--detach-keys", "ctrl-1", name});
  EXPECT_EXIT_CODE(r, 125);
  EXPECT_TRUE(contains(r.err, "invalid detach keys: Unknown character: 'ctrl-1'")) << r;
  r = pc({"attach", "no-such-container"});
  EXPECT_EXIT_CODE(r, 125);
  EXPECT_TRUE(contains(r.err, "no such container")) << r;
}

TEST_F(Stats, NoStreamShowsCpuOfABusyContainer) {
  std::string name = run_detached("stats-busy", {"--network", "none"}, {"sh", "-c", "while :; do :; done"});
  ASSERT_TRUE(wait_running(name));
  Result r = pc({"stats", "--no-stream", name}, {.timeout_s = 30});
  ASSERT_PC_OK(r);
  auto ls = lines(r.out);
  ASSERT_EQ(ls.size(), 2u) << r;
  for (const char* h : {"ID", "NAME", "CPU %", "MEM USAGE / LIMIT", "MEM %", "NET IO", "BLOCK IO", "PIDS",
                        "CPU TIME", "AVG CPU %"})
    EXPECT_TRUE(contains(ls[0], h)) << h << "\n" << r;
  EXPECT_TRUE(contains(ls[1], name)) << r;
  EXPECT_TRUE(contains(ls[1], "0B / 0B")) << r;  // --network none: no traffic

  r = pc({"stats", "--no-stream", "--format", "{{.CPUPerc}} {{.PIDS}} {{.MemUsage}} {{.Name}}", name}, {.timeout_s = 30});
  ASSERT_PC_OK(r);
  double cpu = std::stod(r.out);
  EXPECT_GT(cpu, 5.0) << r;  // a busy loop: around 100% of a core
  std::string rest = r.out.substr(r.out.find(' ') + 1);
  EXPECT_GE(std::stoi(rest), 1) << r;
  EXPECT_TRUE(contains(r.out, " / ")) << r;
  EXPECT_TRUE(contains(r.out, name)) << r;
}

TEST_F(Stats, JsonHasPodmansKeys) {
  std::string name = run_detached("stats-json", {"--network", "none"}, {"sleep", "1000"});
  ASSERT_TRUE(wait_running(name));
  Result r = pc({"stats", "--no-stream", "--format", "json", name}, {.timeout_s = 30});
  ASSERT_PC_OK(r);
  auto j = nlohmann::json::parse(r.out);
  ASSERT_TRUE(j.is_array() && j.size() == 1) << r;
  for (const char* k : {"id", "name", "cpu_time", "cpu_percent", "avg_cpu", "mem_usage", "mem_percent", "net_io",
                        "block_io", "pids"})
    EXPECT_TRUE(j[0].contains(k) && j[0][k].is_string()) << k << "\n" << r;
  EXPECT_EQ(j[0]["name"], name);
  EXPECT_EQ(j[0]["pids"], "1");
  EXPECT_EQ(j[0]["net_io"], "0B / 0B");
  EXPECT_EQ(j[0]["id"].get<std::string>().size(), 12u);
}

TEST_F(Stats, StoppedContainersHaveEmptyStats) {
  std::string name = unique_name("stats-created");
  ASSERT_PC_OK(pc({"create", "--name", name, image(), "true"}));
  cleanup_.push_back(name);
  // Named: Podman 4.3 shows it with zero values rather than failing.
  Result r = pc({"stats", "--no-stream", "--format", "{{.Name}} {{.CPUPerc}} {{.MemUsage}} {{.PIDS}}", name});
  ASSERT_PC_OK(r);
  EXPECT_EQ(trim(r.out), name + " 0.00% 0B / 0B 0") << r;
  // Not named: only running containers are listed (-a adds the others).
  r = pc({"stats", "--no-stream", "--format", "{{.Name}}"});
  ASSERT_PC_OK(r);
  EXPECT_FALSE(contains(r.out, name)) << r;
  r = pc({"stats", "--no-stream", "-a", "--format", "{{.Name}}"});
  ASSERT_PC_OK(r);
  EXPECT_TRUE(contains(r.out, name)) << r;
}

TEST_F(Stats, BadArguments) {
  Result r = pc({"stats", "--no-stream", "no-such-container"});
  EXPECT_EXIT_CODE(r, 125);
  EXPECT_TRUE(contains(r.err, "no such container")) << r;
  r = pc({"stats", "--no-stream", "-a", "x"});
  EXPECT_EXIT_CODE(r, 125);
  EXPECT_TRUE(contains(r.err, "--all, --latest and containers cannot be used together")) << r;
}

TEST_F(Stats, StreamsUntilInterrupted) {
  std::string name = run_detached("stats-stream", {}, {"sleep", "1000"});
  ASSERT_TRUE(wait_running(name));
  auto client = store().pc_async({"stats", "-i", "1", "--format", "{{.Name}}", name});
  // Two frames: the first after the initial sampling window, the second a second later.
  ASSERT_TRUE(poll_until([&] {
    client->wait_exit(0.05);
    std::string out = client->out();
    size_t first = out.find(name);
    return first != std::string::npos && out.find(name, first + 1) != std::string::npos;
  }, 20)) << client->out() << client->err();
  EXPECT_FALSE(client->exited());
  client->signal(SIGINT);
  EXPECT_TRUE(client->wait_exit(10));
}
