// Detached containers (issue 4): run -d and the monitor, stop/kill/start/restart/wait,
// rename, rm -f, prune, --rm -d, restart policies, healthchecks, logs across restarts,
// a killed monitor, signals from inside, many containers in parallel, events.
//
// Every wait polls with a timeout (never a fixed sleep). Payloads that must tell the test
// something (runs counted, signals received) write into a bind-mounted host directory:
// container uid 0 is the test user, so the files are the test user's.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <regex>

#include <nlohmann/json.hpp>

#include "harness.hpp"
#include "image_fixtures.hpp"

using namespace pcit;
using json = nlohmann::json;

namespace {

class LifecycleBase : public PcTest {
 protected:
  void SetUp() override {
    PcTest::SetUp();
    if (HasFatalFailure() || IsSkipped()) return;
    data_ = make_temp_dir("pc-lc-data");
    ::chmod(data_.c_str(), 0777);
  }
  void TearDown() override {
    // Containers first (their monitors hold the bind mount's files open), then the dir.
    if (store_) store_->pc({"rm", "-a", "-f", "-t", "0"}, {.timeout_s = 120});
    if (!data_.empty()) remove_tree(data_);
    PcTest::TearDown();
  }

  // The bind-mounted host directory (/data in containers started with data_flags()).
  const std::string& data() const { return data_; }
  std::vector<std::string> data_flags() const { return {"-v", data_ + ":/data"}; }

  static std::string inspect(const std::string& name, const std::string& format) {
    Result r = store_->pc({"inspect", "--format", format, name}, {.timeout_s = 20});
    return r.ok() ? trim(r.out) : "<inspect failed: " + trim(r.err) + ">";
  }
  static std::string status_of(const std::string& name) { return inspect(name, "{{.State.Status}}"); }

  static bool wait_status(const std::string& name, const std::string& status, double timeout_s = 30) {
    return poll_until([&] { return status_of(name) == status; }, timeout_s, 50);
  }
  static bool wait_health(const std::string& name, const std::string& health, double timeout_s = 30) {
    return poll_until([&] { return inspect(name, "{{.State.Health.Status}}") == health; }, timeout_s, 100);
  }

  // `pc run -d --name NAME [flags] IMAGE sh -c SCRIPT`.
  static Result run_detached(const std::string& name, const std::string& script,
                             const std::vector<std::string>& flags = {}, const std::string& img = "") {
    std::vector<std::string> args = {"run", "-d", "--name", name};
    args.insert(args.end(), flags.begin(), flags.end());
    args.insert(args.end(), {img.empty() ? image() : img, "sh", "-c", script});
    return store_->pc(args, {.timeout_s = 60});
  }

  // The monitor is gone for good when `pc logs -f` ends: it follows across restarts until
  // no monitor is alive. That is the barrier for "no more restarts can happen".
  static Result wait_monitor_gone(const std::string& name, int timeout_s = 120) {
    return store_->pc({"logs", "-f", name}, {.timeout_s = timeout_s});
  }

  size_t count_lines(const std::string& file) const {
    if (!path_exists(data_ + "/" + file)) return 0;
    return lines(read_file(data_ + "/" + file)).size();
  }

  static std::vector<std::string> ps_names(const std::vector<std::string>& extra = {"-a"}) {
    std::vector<std::string> args = {"ps", "--format", "{{.Names}}"};
    args.insert(args.end(), extra.begin(), extra.end());
    Result r = store_->pc(args);
    EXPECT_PC_OK(r);
    return lines(r.out);
  }

  static bool pid_alive(pid_t pid) { return pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM); }

  std::string data_;
};

class Lifecycle : public LifecycleBase {};
class LifecycleStop : public LifecycleBase {};
class LifecycleKill : public LifecycleBase {};
class LifecycleWait : public LifecycleBase {};
class LifecycleRestart : public LifecycleBase {};
class LifecycleHealth : public LifecycleBase {};
class LifecycleFaults : public LifecycleBase {};

double elapsed_s(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// A docker-archive of the busybox rootfs whose image config carries `config_extra`
// (members of "config", e.g. a Healthcheck): `pc import --change` has no HEALTHCHECK
// (Podman's import has none either), so an image with one is made by hand.
std::string image_archive_with_config(const std::string& dir, const std::string& name, const std::string& config_extra) {
  run({"mkdir", "-p", dir + "/a"});
  const std::string layer = read_file(busybox_tar());
  write_file(dir + "/a/layer.tar", layer);
  std::string config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\"2024-01-02T03:04:05Z\","
                       "\"config\":{\"Env\":[\"PATH=/usr/sbin:/usr/bin:/sbin:/bin\"],\"Cmd\":[\"sh\"]," +
                       config_extra + "},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:" + sha256_of(layer) +
                       "\"]}}";
  std::string cfg_hex = sha256_of(config);
  write_file(dir + "/a/" + cfg_hex + ".json", config);
  write_file(dir + "/a/manifest.json",
             "[{\"Config\":\"" + cfg_hex + ".json\",\"RepoTags\":[\"" + name + "\"],\"Layers\":[\"layer.tar\"]}]");
  std::string out = dir + "/image.tar";
  run({"tar", "-C", dir + "/a", "-cf", out, "."});
  return out;
}

}  // namespace

// ---------------------------------------------------------------- run -d, ps, inspect

TEST_F(Lifecycle, RunDetachedThenPsAndInspect) {
  std::string name = unique_name("det");
  Result r = run_detached(name, "echo hello; sleep 1000");
  ASSERT_PC_OK(r);
  std::string id = trim(r.out);
  EXPECT_TRUE(std::regex_match(id, std::regex("[0-9a-f]{64}"))) << r;
  // run -d returns once the payload runs: the state is already recorded.
  EXPECT_EQ(status_of(name), "running");
  Result ps = pc({"ps", "--format", "{{.ID}} {{.Names}} {{.Status}}"});
  ASSERT_PC_OK(ps);
  EXPECT_TRUE(contains(ps.out, id.substr(0, 12) + " " + name + " Up ")) << ps;

  Result in = pc({"inspect", name});
  ASSERT_PC_OK(in);
  json j = json::parse(in.out)[0];
  const json& st = j["State"];
  EXPECT_EQ(st["Status"], "running") << st;
  EXPECT_EQ(st["Running"], true) << st;
  pid_t pid = st["Pid"].get<pid_t>();
  pid_t conmon = st["ConmonPid"].get<pid_t>();
  EXPECT_GT(pid, 1) << st;
  EXPECT_GT(conmon, 1) << st;
  EXPECT_NE(pid, conmon);
  EXPECT_TRUE(pid_alive(pid));
  EXPECT_TRUE(pid_alive(conmon));
  // The payload is ours (sh or the sleep it execs); the monitor is pc's.
  std::string cmdline = read_file("/proc/" + std::to_string(pid) + "/cmdline");
  EXPECT_TRUE(contains(cmdline, "sh") || contains(cmdline, "sleep")) << cmdline;
  std::string mon = read_file("/proc/" + std::to_string(conmon) + "/cmdline");
  EXPECT_TRUE(contains(mon, "pc")) << mon;
  // The monitor is out of our session (it survives the caller's shell and logout).
  EXPECT_NE(::getsid(conmon), ::getsid(0));
  EXPECT_GT(::getsid(conmon), 0);
  std::string started = st["StartedAt"].get<std::string>();
  EXPECT_TRUE(std::regex_search(started, std::regex(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)"))) << started;
  EXPECT_NE(started.substr(0, 4), "0001") << started;
  EXPECT_EQ(st["ExitCode"], 0);
  EXPECT_EQ(j["RestartCount"], 0);
  // The output went to the log.
  EXPECT_TRUE(poll_until([&] { return pc({"logs", name}).out == "hello\n"; }, 20));
}

// ---------------------------------------------------------------- stop

TEST_F(LifecycleStop, TimeoutEndsInSigkill137) {
  // sh as PID 1 with SIGTERM ignored: only the SIGKILL after -t can end it.
  std::string name = unique_name("stopkill");
  ASSERT_PC_OK(run_detached(name, "trap '' TERM; while :; do sleep 0.2; done"));
  auto t0 = std::chrono::steady_clock::now();
  Result r = pc({"stop", "-t", "1", name});
  double took = elapsed_s(t0);
  ASSERT_PC_OK(r);
  EXPECT_EQ(trim(r.out), name);
  EXPECT_GE(took, 0.9) << "SIGKILL came before the timeout";
  EXPECT_LT(took, 8.0) << "the timeout was not honoured";
  EXPECT_EQ(status_of(name), "exited");
  EXPECT_EQ(inspect(name, "{{.State.ExitCode}}"), "137");
  Result ps = pc({"ps", "-a", "--format", "{{.Names}} {{.Status}}"});
  EXPECT_TRUE(contains(ps.out, name + " Exited (137)")) << ps;
}

TEST_F(LifecycleStop, PayloadDyingOfSigtermIs143) {
  // With --init the payload is not PID 1, so SIGTERM's default action kills it (as with
  // Podman + catatonit): exit 128+15, well before the timeout.
  std::string name = unique_name("stopterm");
  ASSERT_PC_OK(pc({"run", "-d", "--init", "--name", name, image(), "sleep", "1000"}));
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_PC_OK(pc({"stop", "-t", "20", name}));
  EXPECT_LT(elapsed_s(t0), 10.0);
  EXPECT_EQ(status_of(name), "exited");
  EXPECT_EQ(inspect(name, "{{.State.ExitCode}}"), "143");
  // A second stop of an exited container is fine (Podman: no-op, exit 0).
  EXPECT_PC_OK(pc({"stop", name}));
}

TEST_F(LifecycleStop, StopSignalFlagAndStopTimeout) {
  std::string name = unique_name("stopsig");
  ASSERT_PC_OK(run_detached(name, "trap 'echo usr1 > /data/sig; exit 7' USR1; while :; do sleep 0.1; done",
                            {"-v", data() + ":/data", "--stop-signal", "SIGUSR1", "--stop-timeout", "30"}));
  EXPECT_EQ(inspect(name, "{{.Config.StopSignal}}"), "10");  // a number, as Podman prints it
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_PC_OK(pc({"stop", name}));
  EXPECT_LT(elapsed_s(t0), 15.0);
  EXPECT_EQ(trim(read_file(data() + "/sig")), "usr1");
  EXPECT_EQ(inspect(name, "{{.State.ExitCode}}"), "7");

  // --stop-timeout is the default of stop -t: 1 s, then SIGKILL.
  std::string quick = unique_name("stoptimeout");
  ASSERT_PC_OK(run_detached(quick, "trap '' TERM; while :; do sleep 0.2; done", {"--stop-timeout", "1"}));
  t0 = std::chrono::steady_clock::now();
  ASSERT_PC_OK(pc({"stop", quick}));
  double took = elapsed_s(t0);
  EXPECT_GE(took, 0.9);
  EXPECT_LT(took, 8.0) << "--stop-timeout 1 not honoured (default is 10 s)";
  EXPECT_EQ(inspect(quick, "{{.State.ExitCode}}"), "137");
}

TEST_F(LifecycleStop, ImageStopSignalIsUsed) {
  const std::string img = "localhost/stopsig-" + random_suffix();
  Result imp = pc({"import", "-c", "STOPSIGNAL SIGUSR2", busybox_tar(), img});
  ASSERT_PC_OK(imp);
  std::string name = unique_name("imgsig");
  ASSERT_PC_OK(run_detached(name, "trap 'echo usr2 > /data/sig; exit 0' USR2; while :; do sleep 0.1; done",
                            data_flags(), img));
  EXPECT_EQ(inspect(name, "{{.Config.StopSignal}}"), "12");
  ASSERT_PC_OK(pc({"stop", "-t", "30", name}));
  EXPECT_EQ(trim(read_file(data() + "/sig")), "usr2");
  EXPECT_EQ(inspect(name, "{{.State.ExitCode}}"), "0");
}

TEST_F(LifecycleStop, InvalidStopSignalIs125) {
  std::string name = unique_name("badsig");
  Result r = pc({"create", "--name", name, "--stop-signal", "FOO", image(), "true"});
  EXPECT_EXIT_CODE(r, 125);
  EXPECT_TRUE(contains(r.err, "invalid signal: FOO")) << r;
  EXPECT_EXIT_CODE(pc({"container", "exists", name}), 1);
}

TEST_F(LifecycleStop, UnknownNameIs125) {
  Result r = pc({"stop", "no-such-container"});
  EXPECT_EXIT_CODE(r, 125);
  EXPECT_TRUE(contains(r.err, "no such container")) << r;
  // --ignore: nothing to do, success.
  EXPECT_PC_OK(pc({"stop", "--ignore", "no-such-container"}));
}

// ---------------------------------------------------------------- start

TEST_F(Lifecycle, StartCreatedStoppedAndRunningContainers) {
  std::string name = unique_name("start");
  ASSERT_PC_OK(pc({"create", "--name", name, "-v", data() + ":/data", image(), "sh", "-c",
                   "echo run >> /data/runs; sleep 1000"}));
  EXPECT_EQ(status_of(name), "created");
  Result s = pc({"start", name});
  ASSERT_PC_OK(s);
  EXPECT_EQ(trim(s.out), name);
  EXPECT_EQ(status_of(name), "running");
  EXPECT_TRUE(poll_until([&] { return count_lines("runs") == 1; }, 20));
  std::string pid = inspect(name, "{{.State.Pid}}");

  // Start of a running container: a no-op, exit 0, the same process keeps running.
  Result again = pc({"start", name});
  EXPECT_PC_OK(again);
  EXPECT_EQ(inspect(name, "{{.State.Pid}}"), pid);
  EXPECT_EQ(count_lines("runs"), 1u);

  ASSERT_PC_OK(pc({"stop", "-t", "0", name}));
  EXPECT_EQ(status_of(name), "exited");
  // Start of a stopped container runs it again.
  ASSERT_PC_OK(pc({"start", name}));
  EXPECT_EQ(status_of(name), "running");
  EXPECT_TRUE(poll_until([&] { return count_lines("runs") == 2; }, 20));
  EXPECT_NE(inspect(name, "{{.State.Pid}}"), pid);

  Result unknown = pc({"start", "no-such-container"});
  EXPECT_EXIT_CODE(unknown, 125);
}

// ---------------------------------------------------------------- kill

TEST_F(LifecycleKill, HupIsDelivered) {
  std::string name = unique_name("hup");
  ASSERT_PC_OK(run_detached(name, "trap 'echo hup >> /data/hup' HUP; echo ready > /data/ready; while :; do sleep 0.1; done",
                            data_flags()));
  ASSERT_TRUE(poll_until([&] { return path_exists(data() + "/ready"); }, 20));
  Result k = pc({"kill", "-s", "HUP", name});
  ASSERT_PC_OK(k);
  EXPECT_EQ(trim(k.out), name);
  EXPECT_TRUE(poll_until([&] { return count_lines("hup") == 1; }, 20)) << "SIGHUP never reached the payload";
  // The trap handled it: the container keeps running.
  EXPECT_EQ(status_of(name), "running");
  ASSERT_PC_OK(pc({"kill", "--signal", "SIGHUP", name}));
  EXPECT_TRUE(poll_until([&] { return count_lines("hup") == 2; }, 20));
  // Default signal: KILL.
  ASSERT_PC_OK(pc({"kill", name}));
  EXPECT_TRUE(wait_status(name, "exited"));
  EXPECT_EQ(inspect(name, "{{.State.ExitCode}}"), "137");
}

TEST_F(LifecycleKill, UnknownSignalAndStoppedContainerAre125) {
  std::string name = unique_name("killbad");
  ASSERT_PC_OK(run_detached(name, "sleep 1000"));
  Result bad = pc({"kill", "-s", "SIGNOPE", name});
  EXPECT_EXIT_CODE(bad, 125);
  EXPECT_TRUE(contains(bad.err, "SIGNOPE")) << bad;
  Result num = pc({"kill", "-s", "99", name});
  EXPECT_EXIT_CODE(num, 125);
  EXPECT_EQ(status_of(name), "running") << "a bad signal must not touch the container";

  std::string created = unique_name("killcreated");
  ASSERT_PC_OK(pc({"create", "--name", created, image(), "true"}));
  Result k = pc({"kill", created});
  EXPECT_EXIT_CODE(k, 125);
  EXPECT_TRUE(contains(k.err, "state improper")) << k;
  EXPECT_EXIT_CODE(pc({"kill", "no-such-container"}), 125);
}

// pc creates no cgroups, so there is no freezer: pause and unpause fail with the reason and
// leave the container running; a stopped or unknown container is its own error.
TEST_F(Lifecycle, PauseAndUnpauseFailClearlyWithoutAFreezer) {
  std::string name = unique_name("pause");
  ASSERT_PC_OK(run_detached(name, "sleep 1000"));
  for (const std::vector<std::string>& args : {std::vector<std::string>{"pause", name}, {"unpause", name},
                                                 {"container", "pause", name}}) {
    Result r = pc(args);
    EXPECT_EXIT_CODE(r, 125);
    EXPECT_TRUE(contains(r.err, "freezer")) << r;
  }
  EXPECT_EQ(status_of(name), "running");
  std::string created = unique_name("pausecreated");
  ASSERT_PC_OK(pc({"create", "--name", created, image(), "true"}));
  Result stopped = pc({"pause", created});
  EXPECT_EXIT_CODE(stopped, 125);
  EXPECT_TRUE(contains(stopped.err, "is not running")) << stopped;
  EXPECT_EXIT_CODE(pc({"unpause", "no-such-container"}), 125);
}

// ---------------------------------------------------------------- restart, wait, rename

TEST_F(Lifecycle, RestartChangesStartedAt) {
  std::string name = unique_name("restart");
  ASSERT_PC_OK(run_detached(name, "echo run-$$-$(date +%s%N); sleep 1000", {"--init"}));
  std::string started = inspect(name, "{{.State.StartedAt}}");
  std::string pid = inspect(name, "{{.State.Pid}}");
  Result r = pc({"restart", "-t", "5", name});
  ASSERT_PC_OK(r);
  EXPECT_EQ(trim(r.out), name);
  EXPECT_EQ(status_of(name), "running");
  EXPECT_NE(inspect(name, "{{.State.StartedAt}}"), started);
  EXPECT_NE(inspect(name, "{{.State.Pid}}"), pid);
  // Logs after a restart contain both runs.
  EXPECT_TRUE(poll_until([&] { return lines(pc({"logs", name}).out).size() == 2; }, 20)) << pc({"logs", name});
  // restart of a stopped container starts it.
  ASSERT_PC_OK(pc({"stop", name}));
  ASSERT_PC_OK(pc({"restart", name}));
  EXPECT_EQ(status_of(name), "running");
  EXPECT_TRUE(poll_until([&] { return lines(pc({"logs", name}).out).size() == 3; }, 20)) << pc({"logs", name});
}

TEST_F(LifecycleWait, PrintsExitCode) {
  std::string name = unique_name("wait");
  ASSERT_PC_OK(run_detached(name, "while [ ! -e /data/go ]; do sleep 0.05; done; exit 42", data_flags()));
  auto w = store().pc_async({"wait", name});
  // It blocks while the container runs...
  EXPECT_FALSE(w->wait_exit(0.5));
  write_file(data() + "/go", "");
  Result r = w->wait(30);
  ASSERT_PC_OK(r);
  EXPECT_EQ(trim(r.out), "42");
  // ...and returns at once for an exited container.
  Result again = pc({"wait", name});
  ASSERT_PC_OK(again);
  EXPECT_EQ(trim(again.out), "42");
  EXPECT_EXIT_CODE(pc({"wait", "no-such-container"}), 125);
}

TEST_F(LifecycleWait, ConditionRunningAndHealthy) {
  std::string name = unique_name("waitcond");
  ASSERT_PC_OK(pc({"create", "--name", name, "--health-cmd", "test -e /tmp/ok", "--health-interval", "1s",
                   image(), "sh", "-c", "sleep 1000"}));
  auto running = store().pc_async({"wait", "--condition", "running", name});
  EXPECT_FALSE(running->wait_exit(0.3)) << "returned before the container ran";
  auto healthy = store().pc_async({"wait", "--condition", "healthy", name});
  ASSERT_PC_OK(pc({"start", name}));
  Result r = running->wait(30);
  EXPECT_PC_OK(r);
  EXPECT_EQ(r.out, "-1\n") << "no exit code for a condition other than an exit, as Podman";
  EXPECT_FALSE(healthy->exited()) << "healthy before the check could succeed";
  ASSERT_PC_OK(pc({"exec", name, "touch", "/tmp/ok"}));
  Result h = healthy->wait(30);
  EXPECT_PC_OK(h);
  Result bad = pc({"wait", "--condition", "bogus", name});
  EXPECT_EXIT_CODE(bad, 125);
  Result bad_interval = pc({"wait", "--interval", "soon", name});
  EXPECT_EXIT_CODE(bad_interval, 125);
  EXPECT_TRUE(contains(bad_interval.err, "--interval")) << bad_interval;
  // --interval is the polling period: the exit is still seen.
  auto stopped = store().pc_async({"wait", "--interval", "100ms", name});
  ASSERT_PC_OK(pc({"kill", name}));
  Result s = stopped->wait(30);
  EXPECT_PC_OK(s);
  EXPECT_EQ(s.out, "137\n");
}

TEST_F(Lifecycle, RenameFreesTheOldName) {
  std::string a = unique_name("old"), b = unique_name("new");
  ASSERT_PC_OK(run_detached(a, "sleep 1000"));
  std::string id = inspect(a, "{{.Id}}");
  ASSERT_PC_OK(pc({"rename", a, b}));
  EXPECT_EQ(inspect(b, "{{.Id}}"), id);
  EXPECT_EQ(inspect(b, "{{.Name}}"), b);
  EXPECT_EQ(status_of(b), "running") << "rename must not disturb a running container";
  EXPECT_EXIT_CODE(pc({"inspect", a}), 125);
  // The old name is free again.
  ASSERT_PC_OK(pc({"create", "--name", a, image(), "true"}));
  EXPECT_NE(inspect(a, "{{.Id}}"), id);
  // The new name is taken; renaming onto it fails and changes nothing.
  Result clash = pc({"rename", a, b});
  EXPECT_EXIT_CODE(clash, 125);
  EXPECT_EQ(inspect(b, "{{.Id}}"), id);
  EXPECT_EXIT_CODE(pc({"rename", b, "bad/name"}), 125);
  // Stopping by the new name works: the monitor follows the id, not the name.
  ASSERT_PC_OK(pc({"stop", "-t", "0", b}));
  EXPECT_EQ(status_of(b), "exited");
}

// ---------------------------------------------------------------- rm -f, prune, --rm -d

TEST_F(Lifecycle, RmForceOfRunningDetachedLeavesNothing) {
  std::string name = unique_name("rmf");
  ASSERT_PC_OK(run_detached(name, "sleep 1000"));
  pid_t pid = std::stoi(inspect(name, "{{.State.Pid}}"));
  pid_t mon = std::stoi(inspect(name, "{{.State.ConmonPid}}"));
  ASSERT_TRUE(pid_alive(pid) && pid_alive(mon));
  Result rm = pc({"rm", "-f", name});
  ASSERT_PC_OK(rm);
  EXPECT_TRUE(ps_names().empty());
  EXPECT_TRUE(poll_until([&] { return !pid_alive(pid) && !pid_alive(mon); }, 20))
      << "payload " << pid_alive(pid) << " monitor " << pid_alive(mon);
  EXPECT_EXIT_CODE(pc({"inspect", name}), 125);
  // The name is free.
  EXPECT_PC_OK(pc({"create", "--name", name, image(), "true"}));
}

TEST_F(Lifecycle, ContainerPrune) {
  std::string exited = unique_name("pr-exited"), created = unique_name("pr-created"), up = unique_name("pr-up");
  ASSERT_PC_OK(run_detached(exited, "exit 3"));
  ASSERT_PC_OK(pc({"create", "--name", created, image(), "true"}));
  ASSERT_PC_OK(run_detached(up, "sleep 1000"));
  ASSERT_TRUE(wait_status(exited, "exited"));
  Result p = pc({"container", "prune", "-f"});
  ASSERT_PC_OK(p);
  EXPECT_TRUE(contains(p.out, inspect(up, "{{.Id}}")) == false) << p;
  auto names = ps_names();
  EXPECT_EQ(names, std::vector<std::string>{up});
  EXPECT_EQ(status_of(up), "running");
}

TEST_F(Lifecycle, AutoRemoveWithDetach) {
  std::string name = unique_name("rmd");
  ASSERT_PC_OK(run_detached(name, "while [ ! -e /data/go ]; do sleep 0.05; done; echo bye", {"--rm", "-v", data() + ":/data"}));
  EXPECT_EQ(status_of(name), "running");
  write_file(data() + "/go", "");
  EXPECT_TRUE(poll_until([&] { return ps_names().empty(); }, 30)) << pc({"ps", "-a"});
  EXPECT_EXIT_CODE(pc({"inspect", name}), 125);
  // Its storage is gone too (allowing for a deletion that finishes just after the record).
  auto top_dirs = [&] {
    size_t n = 0;
    for (auto& p : list_tree(store().root() + "/containers"))
      if (p.find('/') == std::string::npos) ++n;
    return n;
  };
  EXPECT_TRUE(poll_until([&] { return top_dirs() == 0; }, 20)) << "leftover container directories";
  // --rm -d of a stopped container: pc stop removes it too.
  std::string stopped = unique_name("rmd-stop");
  ASSERT_PC_OK(run_detached(stopped, "sleep 1000", {"--rm"}));
  ASSERT_PC_OK(pc({"stop", "-t", "0", stopped}));
  EXPECT_TRUE(poll_until([&] { return ps_names().empty(); }, 30)) << pc({"ps", "-a"});
}

// ---------------------------------------------------------------- restart policies

TEST_F(LifecycleRestart, OnFailureRunsExactlyMaxPlusOne) {
  std::string name = unique_name("onfail");
  ASSERT_PC_OK(run_detached(name, "echo run >> /data/runs; echo attempt; exit 3",
                            {"-v", data() + ":/data", "--restart", "on-failure:3"}));
  Result logs = wait_monitor_gone(name);
  ASSERT_FALSE(logs.timed_out) << logs;
  EXPECT_EQ(count_lines("runs"), 4u) << "1 run + 3 restarts";
  EXPECT_EQ(lines(logs.out).size(), 4u) << logs;
  EXPECT_EQ(status_of(name), "exited");
  EXPECT_EQ(inspect(name, "{{.State.ExitCode}}"), "3");
  EXPECT_EQ(inspect(name, "{{.RestartCount}}"), "3");
  EXPECT_EQ(inspect(name, "{{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}"),
            "on-failure:3");
}

TEST_F(LifecycleRestart, OnFailureDoesNotRestartSuccess) {
  std::string name = unique_name("onfail0");
  ASSERT_PC_OK(run_detached(name, "echo run >> /data/runs; exit 0", {"-v", data() + ":/data", "--restart", "on-failure"}));
  ASSERT_FALSE(wait_monitor_gone(name).timed_out);
  EXPECT_EQ(count_lines("runs"), 1u);
  EXPECT_EQ(inspect(name, "{{.RestartCount}}"), "0");
}

TEST_F(LifecycleRestart, AlwaysRestartsUntilStop) {
  std::string name = unique_name("always");
  ASSERT_PC_OK(run_detached(name, "echo run >> /data/runs; sleep 0.2; exit 0",
                            {"-v", data() + ":/data", "--restart", "always"}));
  ASSERT_TRUE(poll_until([&] { return count_lines("runs") >= 3; }, 60)) << count_lines("runs");
  EXPECT_GE(std::stoi(inspect(name, "{{.RestartCount}}")), 2);
  ASSERT_PC_OK(pc({"stop", "-t", "2", name}));
  // Stop is not a failure: the monitor gives up, and nothing restarts it.
  Result gone = wait_monitor_gone(name, 60);
  EXPECT_FALSE(gone.timed_out) << "the monitor kept going after pc stop" << gone;
  size_t runs = count_lines("runs");
  EXPECT_EQ(status_of(name), "exited");
  EXPECT_TRUE(ps_names({}).empty());
  EXPECT_EQ(count_lines("runs"), runs);
}

TEST_F(LifecycleRestart, StopDuringBackoffCancelsTheRestart) {
  // A crash loop spends most of its time waiting out the backoff; a pc stop then must
  // still end the loop (Podman: stop is not a failure), even though nothing runs.
  std::string name = unique_name("backoff");
  ASSERT_PC_OK(run_detached(name, "echo run >> /data/runs; exit 1", {"-v", data() + ":/data", "--restart", "always"}));
  // After 4 runs the backoff is 800 ms and more: "exited" now is almost surely inside it.
  ASSERT_TRUE(poll_until([&] { return count_lines("runs") >= 4 && status_of(name) == "exited"; }, 60));
  ASSERT_PC_OK(pc({"stop", "-t", "0", name}));
  size_t runs = count_lines("runs");
  Result gone = wait_monitor_gone(name, 60);
  EXPECT_FALSE(gone.timed_out) << "the monitor kept restarting after pc stop";
  EXPECT_EQ(status_of(name), "exited");
  EXPECT_EQ(count_lines("runs"), runs) << "restarted after pc stop returned";
}

TEST_F(LifecycleRestart, UnlessStopped) {
  std::string name = unique_name("unless");
  ASSERT_PC_OK(run_detached(name, "echo run >> /data/runs; sleep 0.2; exit 5",
                            {"-v", data() + ":/data", "--restart", "unless-stopped"}));
  ASSERT_TRUE(poll_until([&] { return count_lines("runs") >= 2; }, 60));
  ASSERT_PC_OK(pc({"stop", "-t", "2", name}));
  EXPECT_FALSE(wait_monitor_gone(name, 60).timed_out);
  EXPECT_EQ(status_of(name), "exited");
  EXPECT_EQ(inspect(name, "{{.HostConfig.RestartPolicy.Name}}"), "unless-stopped");
}

TEST_F(LifecycleRestart, KillIsNotAFailureEither) {
  std::string name = unique_name("killnr");
  ASSERT_PC_OK(run_detached(name, "echo run >> /data/runs; sleep 1000", {"-v", data() + ":/data", "--restart", "on-failure"}));
  ASSERT_TRUE(poll_until([&] { return count_lines("runs") == 1; }, 20));
  ASSERT_PC_OK(pc({"kill", name}));
  EXPECT_FALSE(wait_monitor_gone(name, 60).timed_out);
  EXPECT_EQ(count_lines("runs"), 1u);
  EXPECT_EQ(inspect(name, "{{.State.ExitCode}}"), "137");
}

// ---------------------------------------------------------------- healthchecks

TEST_F(LifecycleHealth, StartingHealthyUnhealthy) {
  std::string name = unique_name("health");
  // The start period keeps the status "starting" until the first success, however slow
  // this machine is; after that, failures count (one is enough with --health-retries 1).
  ASSERT_PC_OK(run_detached(name, "sleep 1000",
                            {"--health-cmd", "echo checking; test -e /tmp/healthy", "--health-interval", "1s",
                             "--health-retries", "1", "--health-start-period", "120s"}));
  EXPECT_EQ(inspect(name, "{{.State.Health.Status}}"), "starting");
  Result ps = pc({"ps", "--format", "{{.Names}} {{.Status}}"});
  EXPECT_TRUE(contains(ps.out, name + " Up ") && contains(ps.out, "(starting)")) << ps;
  // A few failing checks inside the start period: logged, still starting.
  ASSERT_TRUE(poll_until([&] { return inspect(name, "{{len .State.Health.Log}}") == "2"; }, 30))
      << inspect(name, "{{json .State.Health}}");
  EXPECT_EQ(inspect(name, "{{.State.Health.Status}}"), "starting");

  ASSERT_PC_OK(pc({"exec", name, "touch", "/tmp/healthy"}));
  ASSERT_TRUE(wait_health(name, "healthy")) << inspect(name, "{{json .State.Health}}");
  Result filtered = pc({"ps", "--filter", "health=healthy", "--format", "{{.Names}}"});
  EXPECT_EQ(lines(filtered.out), std::vector<std::string>{name}) << filtered;
  ps = pc({"ps", "--format", "{{.Names}}|{{.Status}}"});
  EXPECT_TRUE(std::regex_search(ps.out, std::regex(name + R"(\|Up .*\(healthy\))"))) << ps;
  EXPECT_TRUE(lines(pc({"ps", "--filter", "health=unhealthy", "--format", "{{.Names}}"}).out).empty());

  ASSERT_PC_OK(pc({"exec", name, "rm", "/tmp/healthy"}));
  ASSERT_TRUE(wait_health(name, "unhealthy")) << inspect(name, "{{json .State.Health}}");
  EXPECT_EQ(lines(pc({"ps", "--filter", "health=unhealthy", "--format", "{{.Names}}"}).out),
            std::vector<std::string>{name});
  EXPECT_EQ(status_of(name), "running") << "--health-on-failure none keeps it running";

  Result in = pc({"inspect", name});
  ASSERT_PC_OK(in);
  json health = json::parse(in.out)[0]["State"]["Health"];
  EXPECT_EQ(health["Status"], "unhealthy");
  EXPECT_GE(health["FailingStreak"].get<int>(), 1);
  ASSERT_TRUE(health["Log"].is_array());
  EXPECT_GE(health["Log"].size(), 3u);
  EXPECT_LE(health["Log"].size(), 5u) << "Podman keeps the last five results";
  bool saw_ok = false, saw_fail = false;
  for (const auto& e : health["Log"]) {
    EXPECT_TRUE(e.contains("Start") && e.contains("End") && e.contains("Output")) << e;
    EXPECT_TRUE(contains(e.value("Output", ""), "checking")) << e;
    saw_ok |= e["ExitCode"] == 0;
    saw_fail |= e["ExitCode"] == 1;
  }
  EXPECT_TRUE(saw_ok && saw_fail) << health;

  // health_status events for each change.
  Result ev = pc({"events", "--stream=false", "--filter", "event=health_status", "--format", "{{.Name}} {{.HealthStatus}}"});
  EXPECT_PC_OK(ev);
  EXPECT_TRUE(contains(ev.out, name)) << ev;
}

TEST_F(LifecycleHealth, HealthcheckRunExitCodes) {
  std::string name = unique_name("hcrun");
  // No interval: only `pc healthcheck run` runs the check.
  ASSERT_PC_OK(run_detached(name, "sleep 1000", {"--health-cmd", "test -e /tmp/ok", "--health-interval", "disable"}));
  Result bad = pc({"healthcheck", "run", name});
  EXPECT_EXIT_CODE(bad, 1);
  EXPECT_EQ(trim(bad.out), "unhealthy");
  ASSERT_PC_OK(pc({"exec", name, "touch", "/tmp/ok"}));
  Result good = pc({"healthcheck", "run", name});
  EXPECT_EXIT_CODE(good, 0);
  EXPECT_EQ(trim(good.out), "healthy");
  EXPECT_EQ(inspect(name, "{{.State.Health.Status}}"), "healthy");

  std::string plain = unique_name("hcnone");
  ASSERT_PC_OK(run_detached(plain, "sleep 1000"));
  Result none = pc({"healthcheck", "run", plain});
  EXPECT_EXIT_CODE(none, 125);
  EXPECT_TRUE(contains(none.err, "no defined healthcheck")) << none;
  EXPECT_EXIT_CODE(pc({"healthcheck", "run", "no-such-container"}), 125);
  ASSERT_PC_OK(pc({"stop", "-t", "0", name}));
  EXPECT_EXIT_CODE(pc({"healthcheck", "run", name}), 125);
}

TEST_F(LifecycleHealth, OnFailureKill) {
  std::string name = unique_name("hckill");
  ASSERT_PC_OK(run_detached(name, "sleep 1000", {"--health-cmd", "false", "--health-interval", "1s", "--health-retries", "1",
                                                 "--health-on-failure", "kill", "--restart", "on-failure"}));
  ASSERT_TRUE(wait_status(name, "exited", 60)) << inspect(name, "{{json .State}}");
  EXPECT_EQ(inspect(name, "{{.State.ExitCode}}"), "137");
  // The kill is the healthcheck's action, not a crash to restart from.
  EXPECT_FALSE(wait_monitor_gone(name, 60).timed_out);
  EXPECT_EQ(inspect(name, "{{.RestartCount}}"), "0");
}

TEST_F(LifecycleHealth, OnFailureRestart) {
  std::string name = unique_name("hcrestart");
  ASSERT_PC_OK(run_detached(name, "echo run >> /data/runs; sleep 1000",
                            {"-v", data() + ":/data", "--health-cmd", "false", "--health-interval", "1s", "--health-retries",
                             "1", "--health-on-failure", "restart"}));
  ASSERT_TRUE(poll_until([&] { return count_lines("runs") >= 2; }, 60)) << inspect(name, "{{json .State}}");
  EXPECT_GE(std::stoi(inspect(name, "{{.RestartCount}}")), 1);
  ASSERT_PC_OK(pc({"stop", "-t", "0", name}));
  EXPECT_FALSE(wait_monitor_gone(name, 60).timed_out);
  EXPECT_EQ(status_of(name), "exited");
}

TEST_F(LifecycleHealth, OnFailureStop) {
  // `sleep` as PID 1 ignores SIGTERM: the stop action must escalate to SIGKILL after the
  // stop timeout, as `pc stop` does.
  std::string name = unique_name("hcstop");
  ASSERT_PC_OK(run_detached(name, "sleep 1000", {"--health-cmd", "false", "--health-interval", "1s", "--health-retries", "1",
                                                 "--health-on-failure", "stop", "--stop-timeout", "1"}));
  ASSERT_TRUE(wait_status(name, "exited", 60)) << inspect(name, "{{json .State}}");
  EXPECT_FALSE(wait_monitor_gone(name, 60).timed_out);
  EXPECT_EQ(inspect(name, "{{.RestartCount}}"), "0");
}

TEST_F(LifecycleHealth, ImageHealthcheckIsHonoured) {
  std::string dir = make_temp_dir("pc-lc-img");
  const std::string img = "localhost/withhealth:" + random_suffix();
  std::string tar = image_archive_with_config(
      dir, img,
      "\"Healthcheck\":{\"Test\":[\"CMD-SHELL\",\"test -e /tmp/ok\"],\"Interval\":1000000000,\"Timeout\":5000000000,"
      "\"Retries\":1}");
  Result load = pc({"load", "-i", tar});
  remove_tree(dir);
  ASSERT_PC_OK(load);
  std::string name = unique_name("imghc");
  ASSERT_PC_OK(run_detached(name, "sleep 1000", {}, img));
  EXPECT_EQ(inspect(name, "{{index .Config.Healthcheck.Test 1}}"), "test -e /tmp/ok");
  ASSERT_TRUE(wait_health(name, "unhealthy")) << inspect(name, "{{json .State.Health}}");
  ASSERT_PC_OK(pc({"exec", name, "touch", "/tmp/ok"}));
  EXPECT_TRUE(wait_health(name, "healthy")) << inspect(name, "{{json .State.Health}}");
  // --no-healthcheck turns the image's check off.
  std::string off = unique_name("imghc-off");
  ASSERT_PC_OK(run_detached(off, "sleep 1000", {"--no-healthcheck"}, img));
  EXPECT_EXIT_CODE(pc({"healthcheck", "run", off}), 125);
}

// ---------------------------------------------------------------- faults

TEST_F(LifecycleFaults, MonitorKilledWithSigkill) {
  std::string name = unique_name("monkill");
  ASSERT_PC_OK(run_detached(name, "echo before-kill; sleep 1000"));
  ASSERT_TRUE(poll_until([&] { return contains(pc({"logs", name}).out, "before-kill"); }, 20));
  pid_t pid = std::stoi(inspect(name, "{{.State.Pid}}"));
  pid_t mon = std::stoi(inspect(name, "{{.State.ConmonPid}}"));
  ASSERT_GT(mon, 1);
  ASSERT_EQ(::kill(mon, SIGKILL), 0) << strerror(errno);
  // By design the container does not outlive its monitor (PDEATHSIG)...
  EXPECT_TRUE(poll_until([&] { return !pid_alive(pid) && !pid_alive(mon); }, 20)) << "payload survived its monitor";
  // ...and every view says exited, never running.
  Result ps = pc({"ps", "-a", "--format", "{{.Names}} {{.State}} {{.Status}}"});
  ASSERT_PC_OK(ps);
  EXPECT_TRUE(contains(ps.out, name + " exited Exited (")) << ps;
  EXPECT_TRUE(ps_names({}).empty()) << "ps (running only) still lists it";
  EXPECT_EQ(status_of(name), "exited");
  EXPECT_EQ(inspect(name, "{{.State.Pid}} {{.State.ConmonPid}}"), "0 0");
  // Logs are intact up to the kill.
  EXPECT_EQ(pc({"logs", name}).out, "before-kill\n");
  // The container can be started again and removed.
  ASSERT_PC_OK(pc({"start", name}));
  EXPECT_EQ(status_of(name), "running");
  ASSERT_PC_OK(pc({"rm", "-f", "-t", "0", name}));
}

TEST_F(LifecycleFaults, KilledBySignalFromInsideIs128PlusN) {
  std::string name = unique_name("segv");
  // With --init the shell is not PID 1, so it can die of its own signal.
  ASSERT_PC_OK(run_detached(name, "kill -SEGV $$", {"--init"}));
  Result w = pc({"wait", name});
  ASSERT_PC_OK(w);
  EXPECT_EQ(trim(w.out), "139");
  EXPECT_EQ(inspect(name, "{{.State.ExitCode}}"), "139");
  Result ps = pc({"ps", "-a", "--format", "{{.Names}} {{.Status}}"});
  EXPECT_TRUE(contains(ps.out, name + " Exited (139)")) << ps;
}

TEST_F(LifecycleFaults, ExecIntoStoppedContainerIs255LikePodman) {
  std::string name = unique_name("execstop");
  ASSERT_PC_OK(run_detached(name, "sleep 1000"));
  ASSERT_PC_OK(pc({"exec", name, "true"}));
  ASSERT_PC_OK(pc({"stop", "-t", "0", name}));
  Result r = pc({"exec", name, "true"});
  EXPECT_EXIT_CODE(r, 255);
  EXPECT_TRUE(contains(r.err, "state improper")) << r;
}

TEST_F(LifecycleFaults, FiftyStartedAndStoppedInParallel) {
  constexpr int kN = 50;
  std::vector<std::string> names;
  std::vector<std::unique_ptr<Child>> kids;
  for (int i = 0; i < kN; ++i) {
    names.push_back("par-" + std::to_string(i) + "-" + random_suffix());
    kids.push_back(store().pc_async({"run", "-d", "--init", "--name", names.back(), image(), "sleep", "1000"},
                                    {.timeout_s = 300}));
  }
  int started = 0;
  for (auto& k : kids) {
    Result r = k->wait(300);
    EXPECT_PC_OK(r);
    started += r.ok();
  }
  ASSERT_EQ(started, kN);
  EXPECT_EQ(ps_names({}).size(), static_cast<size_t>(kN));
  kids.clear();
  for (const auto& n : names) kids.push_back(store().pc_async({"stop", "-t", "10", n}, {.timeout_s = 300}));
  for (auto& k : kids) EXPECT_PC_OK(k->wait(300));
  Result ps = pc({"ps", "-a", "--format", "{{.State}} {{.ExitCode}}"});
  ASSERT_PC_OK(ps);
  auto ls = lines(ps.out);
  EXPECT_EQ(ls.size(), static_cast<size_t>(kN));
  for (const auto& l : ls) EXPECT_EQ(l, "exited 143") << ps;
  ASSERT_PC_OK(pc({"rm", "-a"}, {.timeout_s = 300}));
  EXPECT_TRUE(ps_names().empty());
}

TEST_F(Lifecycle, EventsForCreateStartDiedRemove) {
  std::string name = unique_name("ev");
  ASSERT_PC_OK(pc({"create", "--name", name, image(), "sh", "-c", "exit 4"}));
  ASSERT_PC_OK(pc({"start", name}));
  ASSERT_TRUE(wait_status(name, "exited"));
  ASSERT_PC_OK(pc({"rm", name}));
  Result ev = pc({"events", "--stream=false", "--filter", "container=" + name, "--format", "{{.Status}}"});
  ASSERT_PC_OK(ev);
  auto got = lines(ev.out);
  std::vector<std::string> want = {"create", "start", "died", "remove"};
  // In this order (other events, if any, may come in between).
  size_t at = 0;
  for (const auto& g : got)
    if (at < want.size() && g == want[at]) ++at;
  EXPECT_EQ(at, want.size()) << ev;
  Result died = pc({"events", "--stream=false", "--filter", "event=died", "--filter", "container=" + name, "--format", "json"});
  ASSERT_EQ(lines(died.out).size(), 1u) << died;
  EXPECT_EQ(json::parse(lines(died.out)[0]).value("ContainerExitCode", -1), 4);
}
