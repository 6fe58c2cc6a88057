// Signals of a batch job step, without the batch system: Slurm signals a step's process
// group (proctrack/pgid: kill(-pgid, sig)) or every process of the step (cgroup,
// linuxproc). Either way the payload of a foreground `pc run` must get each signal once
// and `pc run` must exit with the payload's status: no pc process may die of it first.
#include <dirent.h>
#include <signal.h>

#include <fstream>
#include <set>
#include <sstream>

#include "harness.hpp"

using namespace pcit;

namespace {

class JobSignals : public PcTest {
 protected:
  // Every process below `root` (any session or process group), from /proc.
  static std::set<pid_t> descendants(pid_t root) {
    std::map<pid_t, pid_t> parent;
    DIR* d = opendir("/proc");
    while (struct dirent* e = d ? readdir(d) : nullptr) {
      pid_t pid = static_cast<pid_t>(atoi(e->d_name));
      if (pid <= 0) continue;
      std::string stat = read_file("/proc/" + std::string(e->d_name) + "/stat");
      auto close = stat.rfind(')');
      if (close == std::string::npos) continue;
      std::istringstream rest(stat.substr(close + 2));
      char state;
      pid_t ppid = 0;
      rest >> state >> ppid;
      parent[pid] = ppid;
    }
    if (d) closedir(d);
    std::set<pid_t> out;
    for (bool grew = true; grew;) {
      grew = false;
      for (auto [pid, ppid] : parent)
        if ((ppid == root || out.count(ppid)) && out.insert(pid).second) grew = true;
    }
    return out;
  }

  // A foreground run whose payload counts `sig`, says "ready", then runs ~3 s.
  std::unique_ptr<Child> start_counter(const std::string& name, const std::string& trap) {
    auto child = store().pc_async({"run", "--rm", "--name", name, image(), "sh", "-c",
                                   trap + "; echo ready; i=0; while [ $i -lt 30 ]; do sleep 0.1; i=$((i+1)); done; "
                                          "echo count=$n; exit 7"});
    EXPECT_TRUE(child->wait_for_output("ready", 30)) << child->wait(1);
    EXPECT_TRUE(wait_running(name));
    return child;
  }
  pid_t payload_pid(const std::string& name) {
    return static_cast<pid_t>(std::stol("0" + trim(pc({"inspect", "--format", "{{.State.Pid}}", name}).out)));
  }
  // What Slurm's cgroup/linuxproc tracking does to pc's own processes: each of them
  // (the payload excluded: the test controls how it gets the signal) gets `sig`.
  void signal_pc_processes(pid_t pc_pid, pid_t payload, int sig) {
    ::kill(pc_pid, sig);
    for (pid_t p : descendants(pc_pid))
      if (p != payload && descendants(payload).count(p) == 0) ::kill(p, sig);
  }
};

}  // namespace

TEST_F(JobSignals, ProcessGroupUsr1ReachesATrappingPayloadOnce) {
  const std::string name = unique_name("usr1");
  auto child = start_counter(name, "n=0; trap 'n=$((n+1))' USR1");
  child->signal_group(SIGUSR1);
  Result r = child->wait(30);
  EXPECT_EXIT_CODE(r, 7);
  EXPECT_TRUE(contains(r.out, "count=1")) << r;
}

TEST_F(JobSignals, Usr1ToEveryPcProcessKillsNoneAndReachesThePayloadOnce) {
  const std::string name = unique_name("usr1all");
  auto child = start_counter(name, "n=0; trap 'n=$((n+1))' USR1");
  const pid_t payload = payload_pid(name);
  ASSERT_GT(payload, 0);
  signal_pc_processes(child->pid(), payload, SIGUSR1);
  Result r = child->wait(30);
  EXPECT_EXIT_CODE(r, 7);  // not 138: no pc process died of the signal
  EXPECT_TRUE(contains(r.out, "count=1")) << r;
}

TEST_F(JobSignals, TermGivesThePayloadItsCheckpointTime) {
  const std::string name = unique_name("term");
  auto child = start_counter(
      name, "trap 'echo checkpoint-start; sleep 2; echo checkpoint-done; exit 0' TERM");
  const pid_t payload = payload_pid(name);
  ASSERT_GT(payload, 0);
  child->signal_group(SIGTERM);
  signal_pc_processes(child->pid(), payload, SIGTERM);
  Result r = child->wait(30);
  EXPECT_EXIT_CODE(r, 0);
  EXPECT_TRUE(contains(r.out, "checkpoint-done")) << r;
  EXPECT_GE(r.seconds, 2.0) << r;
}

TEST_F(JobSignals, SigintToTheGroupIsThePayloadsToHandle) {
  const std::string name = unique_name("int");
  auto child = start_counter(name, "trap 'echo got-int; exit 5' INT");
  const pid_t payload = payload_pid(name);
  ASSERT_GT(payload, 0);
  child->signal_group(SIGINT);
  signal_pc_processes(child->pid(), payload, SIGINT);
  Result r = child->wait(30);
  EXPECT_EXIT_CODE(r, 5);
  EXPECT_EQ(lines(r.out), (std::vector<std::string>{"ready", "got-int"})) << r;
}
