// Pods: containers that share the network, uts and ipc namespaces held by their pod's infra
// container, with no daemon. Run as the unprivileged test user against real namespaces:
// traffic on localhost between members, a port published on the pod, shared hostname and
// SysV IPC, pid namespaces apart or shared, every state, and nothing left running after the
// pod is removed.
#include <signal.h>
#include <unistd.h>

#include <dirent.h>

#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <set>
#include <thread>

#include "harness.hpp"
#include "network_fixtures.hpp"
#include "network_sockets.hpp"

namespace pcit {
namespace net {
pid_t parent_of(pid_t pid);  // network_fixtures.cpp
}
namespace {

// "pc __pause" processes of the test user whose holder is gone: a pause's parent is its
// infra's P1, a fork of the infra's monitor ("pc __monitor ..."); an orphan's is not. The
// pause renames itself, so store_processes() (which looks for the store's path) misses it.
std::set<pid_t> orphan_pauses() {
  std::set<pid_t> found;
  DIR* d = opendir("/proc");
  if (!d) return found;
  while (dirent* e = readdir(d)) {
    if (!isdigit(static_cast<unsigned char>(e->d_name[0]))) continue;
    const std::string dir = std::string("/proc/") + e->d_name;
    struct stat st {};
    if (stat(dir.c_str(), &st) != 0 || st.st_uid != getuid()) continue;
    if (read_file(dir + "/cmdline").rfind("pc __pause", 0) != 0) continue;
    const pid_t pid = std::stoi(e->d_name);
    const pid_t parent = net::parent_of(pid);
    if (parent <= 0 || !contains(read_file("/proc/" + std::to_string(parent) + "/cmdline"), "__monitor"))
      found.insert(pid);
  }
  closedir(d);
  return found;
}

class Pod : public net::NetworkTest {
 protected:
  void SetUp() override {
    net::NetworkTest::SetUp();
    orphans_before_ = orphan_pauses();
  }
  // Left by this test (another test running beside it may leave its own meanwhile only if
  // it has the same defect).
  std::set<pid_t> new_orphan_pauses() const {
    std::set<pid_t> out;
    for (pid_t p : orphan_pauses())
      if (!orphans_before_.count(p)) out.insert(p);
    return out;
  }
  std::set<pid_t> orphans_before_;

  static std::string pod_status(const std::string& pod) {
    Result r = pc({"pod", "inspect", "--format", "{{.State}}", pod});
    return r.ok() ? trim(r.out) : "?" + r.err;
  }
  static std::string state_of(const std::string& ctr) {
    Result r = pc({"inspect", "--format", "{{.State.Status}}", ctr});
    return r.ok() ? trim(r.out) : "?" + r.err;
  }
  static void expect_nothing_left() {
    Result ps = pc({"ps", "-a", "-q"});
    EXPECT_PC_OK(ps);
    EXPECT_EQ(trim(ps.out), "") << ps;
    Result pods = pc({"pod", "ps", "-q"});
    EXPECT_PC_OK(pods);
    EXPECT_EQ(trim(pods.out), "") << pods;
    // Monitors exit once their container is gone; give them a moment.
    EXPECT_TRUE(poll_until([] { return store_processes().empty(); }, 10));
    for (const auto& p : store_processes()) ADD_FAILURE() << "left running: " << p;
  }
  void expect_no_orphan_pause() const {
    EXPECT_TRUE(poll_until([this] { return new_orphan_pauses().empty(); }, 10));
    for (pid_t p : new_orphan_pauses()) ADD_FAILURE() << "pause process left without its holder: " << p;
  }
  static bool alive(pid_t pid) { return pid > 0 && ::kill(pid, 0) == 0 && read_file("/proc/" + std::to_string(pid) + "/cmdline") != ""; }
};

TEST_F(Pod, MembersTalkOnLocalhostShareHostnameAndServeAPublishedPort) {
  const int port = net::free_port();
  ASSERT_PC_OK(pc({"pod", "create", "--name", "stack", "-p", std::to_string(port) + ":80", "--hostname", "stackhost",
                   "--label", "team=a"}));
  EXPECT_EQ(pod_status("stack"), "Created");
  ASSERT_PC_OK(run_web("web", {"--pod", "stack"}, "hello from web"));
  // The published pod port reaches the member.
  EXPECT_TRUE(net::wait_http_body(port, "hello from web"));
  // Another member reaches it on localhost, and by its name (127.0.0.1 in /etc/hosts).
  Result local = run_in({"--pod", "stack"}, {"wget", "-qO-", "http://localhost/"});
  EXPECT_PC_OK(local);
  EXPECT_EQ(trim(local.out), "hello from web");
  Result by_name = run_in({"--pod", "stack"}, {"wget", "-qO-", "http://web/"});
  EXPECT_PC_OK(by_name);
  EXPECT_EQ(trim(by_name.out), "hello from web");
  // One uts namespace: the pod's hostname everywhere.
  Result host = run_in({"--pod", "stack"}, {"hostname"});
  EXPECT_PC_OK(host);
  EXPECT_EQ(trim(host.out), "stackhost");
  EXPECT_EQ(pod_status("stack"), "Running");
  ASSERT_PC_OK(pc({"pod", "rm", "-f", "-t", "0", "stack"}));
  expect_nothing_left();
}

TEST_F(Pod, MembersShareSysVIpcAndKeepTheirOwnPidNamespaces) {
  ASSERT_PC_OK(pc({"pod", "create", "--name", "p"}));
  auto create = net::helper_invocation("sysv-create:4242");
  auto find = net::helper_invocation("sysv-find:4242");
  ASSERT_FALSE(create.flags.empty());
  ASSERT_PC_OK(run_d("holder", {"--pod", "p"}, {"sleep", "300"}));
  // A segment made in one member is seen by another (shared IPC namespace) while the pod
  // holds the namespace...
  std::vector<std::string> flags = create.flags;
  flags.insert(flags.begin(), {"--pod", "p"});
  Result made = run_in(flags, create.cmd);
  EXPECT_PC_OK(made);
  EXPECT_EQ(trim(made.out), "found");
  flags = find.flags;
  flags.insert(flags.begin(), {"--pod", "p"});
  Result seen = run_in(flags, find.cmd);
  EXPECT_PC_OK(seen);
  EXPECT_EQ(trim(seen.out), "found");
  // ...and not outside the pod.
  Result outside = run_in(find.flags, find.cmd);
  EXPECT_PC_OK(outside);
  EXPECT_EQ(trim(outside.out), "missing");
  // Separate pid namespaces by default: each member is PID 1 of its own and sees only its
  // own processes.
  Result ps = run_in({"--pod", "p"}, {"sh", "-c", "ps -o args | grep -c [s]leep; echo $$"});
  EXPECT_PC_OK(ps);
  EXPECT_EQ(lines(ps.out), (std::vector<std::string>{"0", "1"}));
  ASSERT_PC_OK(pc({"pod", "rm", "-f", "-t", "0", "p"}));
  expect_nothing_left();
}

TEST_F(Pod, SharePidPutsMembersInOnePidNamespace) {
  ASSERT_PC_OK(pc({"pod", "create", "--name", "pp", "--share", "pid,net,ipc,uts"}));
  ASSERT_PC_OK(run_d("sleeper", {"--pod", "pp"}, {"sleep", "300"}));
  Result ps = run_in({"--pod", "pp"}, {"ps", "-o", "pid,args"});
  EXPECT_PC_OK(ps);
  EXPECT_TRUE(contains(ps.out, "sleep 300")) << ps;
  // PID 1 is the pod's infra, as catatonit is under Podman.
  EXPECT_TRUE(contains(ps.out, "    1 ") && contains(ps.out, "pc __pause")) << ps;
  Result shared = pc({"pod", "inspect", "--format", "{{.SharedNamespaces}}", "pp"});
  EXPECT_PC_OK(shared);
  EXPECT_EQ(trim(shared.out), "[pid net ipc uts]");
  ASSERT_PC_OK(pc({"pod", "rm", "-f", "-t", "0", "pp"}));
  expect_nothing_left();
}

TEST_F(Pod, StatesFollowTheMembers) {
  ASSERT_PC_OK(pc({"pod", "create", "--name", "s"}));
  EXPECT_EQ(pod_status("s"), "Created");
  ASSERT_PC_OK(run_d("a", {"--pod", "s", "--init"}, {"sleep", "300"}));
  ASSERT_PC_OK(run_d("b", {"--pod", "s", "--init"}, {"sleep", "300"}));
  EXPECT_EQ(pod_status("s"), "Running");
  ASSERT_PC_OK(pc({"stop", "-t", "1", "a"}));
  EXPECT_EQ(pod_status("s"), "Degraded");
  // A member's exit does not stop the pod (exit policy continue).
  EXPECT_EQ(state_of(trim(pc({"pod", "inspect", "--format", "{{.InfraContainerID}}", "s"}).out)), "running");
  ASSERT_PC_OK(pc({"pod", "stop", "-t", "1", "s"}));
  EXPECT_EQ(pod_status("s"), "Exited");
  Result start = pc({"pod", "start", "s"});
  ASSERT_PC_OK(start);
  EXPECT_EQ(trim(start.out).size(), 64u) << start;
  EXPECT_EQ(pod_status("s"), "Running");
  ASSERT_PC_OK(pc({"pod", "restart", "s"}));
  EXPECT_EQ(pod_status("s"), "Running");
  ASSERT_PC_OK(pc({"pod", "kill", "s"}));
  EXPECT_TRUE(poll_until([] { return pod_status("s") == "Exited"; }, 10)) << pod_status("s");
  ASSERT_PC_OK(pc({"pod", "rm", "s"}));
  expect_nothing_left();
}

TEST_F(Pod, ExitPolicyStopEndsThePodWithItsLastMember) {
  ASSERT_PC_OK(pc({"pod", "create", "--name", "e", "--exit-policy", "stop"}));
  ASSERT_PC_OK(pc({"run", "--pod", "e", image(), "true"}));
  EXPECT_TRUE(poll_until([] { return pod_status("e") == "Exited"; }, 10)) << pod_status("e");
  Result bad = pc({"pod", "create", "--name", "x", "--exit-policy", "sometimes"});
  EXPECT_EXIT_CODE(bad, 125);
  EXPECT_TRUE(contains(bad.err, "sometimes")) << bad;
  ASSERT_PC_OK(pc({"pod", "rm", "e"}));
  expect_nothing_left();
}

TEST_F(Pod, PsInspectAndFiltersAsPodman) {
  ASSERT_PC_OK(pc({"pod", "create", "--name", "one", "--label", "tier=web"}));
  ASSERT_PC_OK(pc({"pod", "create", "--name", "two", "--infra-name", "two-holder"}));
  ASSERT_PC_OK(run_d("m1", {"--pod", "one"}, {"sleep", "300"}));
  Result table = pc({"pod", "ps"});
  EXPECT_PC_OK(table);
  EXPECT_TRUE(contains(table.out, "POD ID        NAME        STATUS      CREATED")) << table;
  EXPECT_TRUE(contains(table.out, "# OF CONTAINERS")) << table;
  Result names = pc({"pod", "ps", "--ctr-names", "--ctr-status", "--filter", "name=one", "--format",
                     "{{.Name}} {{.Status}} {{.NumberOfContainers}} {{.ContainerNames}} {{.ContainerStatuses}}"});
  EXPECT_PC_OK(names);
  EXPECT_TRUE(contains(names.out, "one Running 2 ")) << names;
  EXPECT_TRUE(contains(names.out, "m1")) << names;
  Result by_label = pc({"pod", "ls", "-q", "--filter", "label=tier=web"});
  EXPECT_EQ(lines(by_label.out).size(), 1u) << by_label;
  Result json = pc({"pod", "ps", "--format", "json"});
  EXPECT_PC_OK(json);
  EXPECT_TRUE(contains(json.out, "\"InfraId\"")) << json;
  EXPECT_TRUE(contains(json.out, "\"Containers\"")) << json;
  Result inspect = pc({"pod", "inspect", "two"});
  EXPECT_PC_OK(inspect);
  for (const char* key : {"\"Id\"", "\"Name\"", "\"Created\"", "\"State\"", "\"Hostname\"", "\"Labels\"",
                          "\"InfraContainerID\"", "\"SharedNamespaces\"", "\"NumContainers\"", "\"Containers\"",
                          "\"InfraConfig\"", "\"ExitPolicy\""})
    EXPECT_TRUE(contains(inspect.out, key)) << key << inspect;
  EXPECT_TRUE(contains(pc({"ps", "-a", "--format", "{{.Names}}"}).out, "two-holder"));
  // ps --pod: POD ID and PODNAME columns, and the pod= filter.
  Result ps = pc({"ps", "-a", "--pod", "--filter", "pod=one", "--format", "{{.Names}} {{.PodName}} {{.IsInfra}}"});
  EXPECT_PC_OK(ps);
  EXPECT_TRUE(contains(ps.out, "m1 one false")) << ps;
  EXPECT_TRUE(contains(ps.out, "-infra one true")) << ps;
  EXPECT_TRUE(contains(pc({"ps", "-a", "--pod"}).out, "PODNAME"));
  EXPECT_EXIT_CODE(pc({"pod", "exists", "one"}), 0);
  EXPECT_EXIT_CODE(pc({"pod", "exists", "nope"}), 1);
  ASSERT_PC_OK(pc({"pod", "rm", "-f", "-a"}));
  expect_nothing_left();
}

TEST_F(Pod, LogsTopAndStatsCoverEveryMember) {
  ASSERT_PC_OK(pc({"pod", "create", "--name", "lt"}));
  ASSERT_PC_OK(run_d("ta", {"--pod", "lt"}, {"sh", "-c", "echo from-a; exec sleep 300"}));
  ASSERT_PC_OK(run_d("tb", {"--pod", "lt"}, {"sh", "-c", "echo from-b >&2; exec sleep 300"}));
  ASSERT_TRUE(poll_until([] { return contains(pc({"pod", "logs", "lt"}).err, "from-b"); }, 10));
  Result logs = pc({"pod", "logs", "--names", "lt"});
  EXPECT_PC_OK(logs);
  EXPECT_TRUE(contains(logs.out, "ta from-a")) << logs;
  EXPECT_TRUE(contains(logs.err, "tb from-b")) << logs;
  Result one = pc({"pod", "logs", "-c", "ta", "lt"});
  EXPECT_FALSE(contains(one.out + one.err, "from-b")) << one;
  Result top = pc({"pod", "top", "lt"});
  EXPECT_PC_OK(top);
  EXPECT_EQ(std::count(top.out.begin(), top.out.end(), '\n'), 4) << top;  // header, pause, two sleeps
  Result stats = pc({"pod", "stats", "--no-stream", "--format", "{{.Name}}", "lt"});
  EXPECT_PC_OK(stats);
  EXPECT_TRUE(contains(stats.out, "ta") && contains(stats.out, "tb")) << stats;
  ASSERT_PC_OK(pc({"pod", "rm", "-f", "-t", "0", "lt"}));
  expect_nothing_left();
}

TEST_F(Pod, NewPodWithRunRmGoesWithItsContainer) {
  Result r = pc({"run", "--rm", "--pod", "new:scratch", image(), "hostname"});
  EXPECT_PC_OK(r);
  EXPECT_EQ(trim(r.out), "scratch");
  EXPECT_TRUE(poll_until([] { return !pc({"pod", "exists", "scratch"}).ok(); }, 10));
  expect_nothing_left();
}

TEST_F(Pod, MemberRestartPolicyAndHealthcheckWorkAsStandalone) {
  ASSERT_PC_OK(pc({"pod", "create", "--name", "rp"}));
  ASSERT_PC_OK(run_d("flaky", {"--pod", "rp", "--restart", "on-failure:2"}, {"sh", "-c", "exit 3"}));
  EXPECT_TRUE(poll_until([] {
    return trim(pc({"inspect", "--format", "{{.RestartCount}} {{.State.Status}}", "flaky"}).out) == "2 exited";
  }, 20));
  ASSERT_PC_OK(run_d("healthy", {"--pod", "rp", "--health-cmd", "true", "--health-interval", "1s"}, {"sleep", "300"}));
  EXPECT_TRUE(poll_until([] { return trim(pc({"inspect", "--format", "{{.State.Health.Status}}", "healthy"}).out) == "healthy"; }, 20));
  ASSERT_PC_OK(pc({"pod", "rm", "-f", "-t", "0", "rp"}));
  expect_nothing_left();
}

// ---------------------------------------------------------------- bad input and faults

TEST_F(Pod, JoiningAPodThatDoesNotExistCreatesNothing) {
  Result r = pc({"run", "--pod", "nope", image(), "true"});
  EXPECT_EXIT_CODE(r, 125);
  EXPECT_TRUE(contains(r.err, "no pod with name or ID nope found")) << r;
  Result c = pc({"create", "--pod", "nope", image(), "true"});
  EXPECT_EXIT_CODE(c, 125);
  expect_nothing_left();
}

TEST_F(Pod, AMembersOwnNetworkOptionsAreRefusedNamingThePod) {
  ASSERT_PC_OK(pc({"pod", "create", "--name", "netpod"}));
  for (const std::vector<std::string>& flags : std::vector<std::vector<std::string>>{
           {"-p", "8080:80"}, {"--network", "none"}, {"--hostname", "x"}, {"--dns", "1.1.1.1"}, {"--add-host", "a:1.2.3.4"}}) {
    std::vector<std::string> args = {"run", "--rm", "--pod", "netpod"};
    args.insert(args.end(), flags.begin(), flags.end());
    args.insert(args.end(), {image(), "true"});
    Result r = pc(args);
    EXPECT_EXIT_CODE(r, 125);
    EXPECT_TRUE(contains(r.err, "netpod")) << r;
  }
  EXPECT_EQ(trim(pc({"ps", "-a", "--format", "{{.Names}}", "--filter", "pod=netpod"}).out).find('\n'), std::string::npos);
  ASSERT_PC_OK(pc({"pod", "rm", "netpod"}));
  expect_nothing_left();
}

TEST_F(Pod, TwoMembersOnOnePortTheSecondFailsTheFirstKeepsServing) {
  const int port = net::free_port();
  ASSERT_PC_OK(pc({"pod", "create", "--name", "clash", "-p", std::to_string(port) + ":80"}));
  ASSERT_PC_OK(run_web("first", {"--pod", "clash"}, "first wins"));
  ASSERT_TRUE(net::wait_http_body(port, "first wins"));
  Result second = pc({"run", "--name", "second", "--pod", "clash", image(), "httpd", "-f", "-p", "80"});
  EXPECT_NE(second.exit_code, 0) << second;
  EXPECT_TRUE(contains(pc({"logs", "second"}).err, "Address already in use") || contains(second.err, "Address already in use"))
      << second << pc({"logs", "second"});
  EXPECT_TRUE(net::wait_http_body(port, "first wins"));
  ASSERT_PC_OK(pc({"pod", "rm", "-f", "-t", "0", "clash"}));
  expect_nothing_left();
}

TEST_F(Pod, RemovingAPodWithRunningMembersNeedsForce) {
  ASSERT_PC_OK(pc({"pod", "create", "--name", "busy"}));
  ASSERT_PC_OK(run_d("worker", {"--pod", "busy"}, {"sleep", "300"}));
  Result r = pc({"pod", "rm", "busy"});
  EXPECT_EXIT_CODE(r, 125);
  EXPECT_TRUE(contains(r.err, "worker")) << r;
  EXPECT_EQ(state_of("worker"), "running");
  // The infra cannot be removed on its own either.
  std::string infra = trim(pc({"pod", "inspect", "--format", "{{.InfraContainerID}}", "busy"}).out);
  Result rm_infra = pc({"rm", "-f", infra});
  EXPECT_EXIT_CODE(rm_infra, 125);
  EXPECT_TRUE(contains(rm_infra.err, "infra container of pod")) << rm_infra;
  Result missing = pc({"pod", "rm", "nosuchpod"});
  EXPECT_EXIT_CODE(missing, 1);
  ASSERT_PC_OK(pc({"pod", "rm", "-f", "-t", "0", "busy"}));
  expect_nothing_left();
}

TEST_F(Pod, APublishedPortInUseFailsThePodStartBeforeAnyMemberRuns) {
  net::Fd taken = net::bound_socket(SOCK_STREAM, "0.0.0.0", 0);
  ASSERT_GE(taken.fd, 0);
  ASSERT_EQ(listen(taken.fd, 1), 0);
  const int port = net::local_port(taken.fd);
  ASSERT_PC_OK(pc({"pod", "create", "--name", "inuse", "-p", std::to_string(port) + ":80"}));
  ASSERT_PC_OK(pc({"create", "--pod", "inuse", "--name", "waiting", image(), "sleep", "300"}));
  Result start = pc({"pod", "start", "inuse"});
  EXPECT_EXIT_CODE(start, 125);
  EXPECT_TRUE(contains(start.err, std::to_string(port))) << start;
  EXPECT_EQ(state_of("waiting"), "created");
  ASSERT_PC_OK(pc({"pod", "rm", "-f", "inuse"}));
  expect_nothing_left();
}

TEST_F(Pod, ANameInUseIsRefusedForPodsAndContainersAlike) {
  ASSERT_PC_OK(pc({"pod", "create", "--name", "taken"}));
  Result again = pc({"pod", "create", "--name", "taken"});
  EXPECT_EXIT_CODE(again, 125);
  EXPECT_TRUE(contains(again.err, "name \"taken\" is in use: pod already exists")) << again;
  Result ctr = pc({"create", "--name", "taken", image(), "true"});
  EXPECT_EXIT_CODE(ctr, 125);
  EXPECT_TRUE(contains(ctr.err, "pod already exists")) << ctr;
  ASSERT_PC_OK(pc({"create", "--name", "ctrname", image(), "true"}));
  Result pod = pc({"pod", "create", "--name", "ctrname"});
  EXPECT_EXIT_CODE(pod, 125);
  EXPECT_TRUE(contains(pod.err, "container already exists")) << pod;
  // --replace takes the name over.
  ASSERT_PC_OK(pc({"pod", "create", "--replace", "--name", "taken"}));
  ASSERT_PC_OK(pc({"rm", "ctrname"}));
  ASSERT_PC_OK(pc({"pod", "rm", "-a", "-f"}));
  expect_nothing_left();
}

TEST_F(Pod, AKilledInfraLeavesMembersReportedTruthfullyAndRmCleansUp) {
  ASSERT_PC_OK(pc({"pod", "create", "--name", "k9"}));
  ASSERT_PC_OK(run_d("survivor", {"--pod", "k9"}, {"sleep", "300"}));
  std::string infra = trim(pc({"pod", "inspect", "--format", "{{.InfraContainerID}}", "k9"}).out);
  std::string pid = trim(pc({"inspect", "--format", "{{.State.Pid}}", infra}).out);
  ASSERT_FALSE(pid.empty());
  ASSERT_EQ(::kill(std::stoi(pid), SIGKILL), 0);
  EXPECT_TRUE(poll_until([&] { return state_of(infra) == "exited"; }, 10)) << state_of(infra);
  EXPECT_EQ(state_of("survivor"), "running");
  EXPECT_EQ(pod_status("k9"), "Degraded");
  ASSERT_PC_OK(pc({"pod", "rm", "-f", "-t", "0", "k9"}));
  expect_nothing_left();
}

TEST_F(Pod, AKilledInfraMonitorTakesItsPauseAlong) {
  ASSERT_PC_OK(pc({"pod", "create", "--name", "held", "--share", "pid,net,ipc,uts"}));
  ASSERT_PC_OK(run_d("inside", {"--pod", "held"}, {"sleep", "300"}));
  const std::string infra = trim(pc({"pod", "inspect", "--format", "{{.InfraContainerID}}", "held"}).out);
  const std::string pause = trim(pc({"inspect", "--format", "{{.State.Pid}}", infra}).out);
  ASSERT_FALSE(pause.empty());
  const pid_t pause_pid = std::stoi(pause);
  const pid_t holder = net::parent_of(pause_pid);  // the infra's P1
  const pid_t monitor = monitor_pid(infra);
  ASSERT_GT(monitor, 1);
  ASSERT_EQ(::kill(monitor, SIGKILL), 0);
  // P1 and the pause go with the monitor; the member in the pod's pid namespace with them.
  EXPECT_TRUE(poll_until([&] { return !alive(pause_pid) && !alive(holder); }, 10));
  EXPECT_TRUE(poll_until([] { return state_of("inside") == "exited"; }, 10)) << state_of("inside");
  ASSERT_PC_OK(pc({"pod", "rm", "-f", "-t", "0", "held"}));
  expect_nothing_left();
  expect_no_orphan_pause();
}

TEST_F(Pod, RemovingAPodWhileMembersStartLeavesNoProcessAndNoRecord) {
  // Members made and started (each start starts the infra first) while the pod goes: each
  // either makes it before the removal, which then takes it along, or fails naming the pod.
  // The removal comes at several points of the starts' way.
  for (int delay_ms : {0, 40, 80, 160}) {
    SCOPED_TRACE("pod rm after " + std::to_string(delay_ms) + " ms");
    ASSERT_PC_OK(pc({"pod", "create", "--name", "racing"}));
    ASSERT_PC_OK(pc({"create", "--pod", "racing", "--name", "made", image(), "sleep", "300"}));
    std::vector<std::unique_ptr<Child>> jobs;
    jobs.push_back(store().pc_async({"start", "made"}));
    for (int i = 0; i < 3; ++i)
      jobs.push_back(store().pc_async({"run", "-d", "--pod", "racing", image(), "sleep", "300"}));
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    Result rm = store().pc_async({"pod", "rm", "-f", "-t", "0", "racing"})->wait(120);
    EXPECT_PC_OK(rm);
    for (auto& j : jobs) {
      Result r = j->wait(120);
      if (r.ok()) continue;
      EXPECT_TRUE(contains(r.err, "racing") || contains(r.err, "no such pod") || contains(r.err, "no such container")) << r;
    }
    EXPECT_FALSE(pc({"pod", "exists", "racing"}).ok());
    expect_nothing_left();
    expect_no_orphan_pause();
    if (HasFailure()) break;
  }
}

TEST_F(Pod, KeepIdOnThePodMapsEveryMemberToTheCaller) {
  const std::string dir = make_temp_dir("pc-it-podkeepid-");
  write_file(dir + "/mine", "x");
  const std::string uid = std::to_string(getuid());
  ASSERT_PC_OK(pc({"pod", "create", "--name", "kid", "--userns=keep-id"}));
  ASSERT_PC_OK(run_d("kept", {"--pod", "kid", "-v", dir + ":/data"}, {"sleep", "300"}));
  Result detached = pc({"exec", "kept", "sh", "-c", "id -u; stat -c %u /data/mine"});
  EXPECT_PC_OK(detached);
  EXPECT_EQ(lines(detached.out), (std::vector<std::string>{uid, uid})) << detached;
  Result r = run_in({"--pod", "kid", "-v", dir + ":/data"},
                    {"sh", "-c", "id -u; stat -c %u /data/mine; touch /data/new; stat -c %u /data/new; hostname"});
  EXPECT_PC_OK(r);
  EXPECT_EQ(lines(r.out), (std::vector<std::string>{uid, uid, uid, "kid"})) << r;
  struct stat st {};
  ASSERT_EQ(stat((dir + "/new").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, getuid());
  // A member cannot ask for another mapping than its pod's.
  Result other = run_in({"--pod", "kid", "--userns", "keep-id:uid=5"}, {"true"});
  EXPECT_EXIT_CODE(other, 125);
  EXPECT_TRUE(contains(other.err, "kid")) << other;
  ASSERT_PC_OK(pc({"pod", "rm", "-f", "-t", "0", "kid"}));
  expect_nothing_left();
  remove_tree(dir);
}

TEST_F(Pod, TwentyPodsMadeFilledAndRemovedInParallel) {
  std::vector<std::unique_ptr<Child>> jobs;
  for (int i = 0; i < 20; ++i) {
    const std::string n = "par" + std::to_string(i);
    jobs.push_back(store().pc_async({"pod", "create", "--name", n}));
  }
  for (auto& j : jobs) EXPECT_PC_OK(j->wait(120));
  jobs.clear();
  for (int i = 0; i < 20; ++i)
    jobs.push_back(store().pc_async({"run", "-d", "--pod", "par" + std::to_string(i), image(), "sleep", "300"}));
  for (auto& j : jobs) EXPECT_PC_OK(j->wait(120));
  EXPECT_EQ(lines(pc({"pod", "ps", "-q", "--filter", "status=running"}).out).size(), 20u);
  jobs.clear();
  for (int i = 0; i < 20; ++i) jobs.push_back(store().pc_async({"pod", "rm", "-f", "-t", "0", "par" + std::to_string(i)}));
  for (auto& j : jobs) EXPECT_PC_OK(j->wait(120));
  expect_nothing_left();
}

}  // namespace
}  // namespace pcit
