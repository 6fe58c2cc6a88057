// `pc run` in real Slurm job steps of the one-node cluster that scripts/slurm-setup starts
// (scripts/test does): scancel --signal=USR1 reaches a trapping payload once, and the TERM
// of a cancelled step leaves the payload its checkpoint time. Skipped, saying so, when no
// cluster answers.
#include <dirent.h>

#include <fstream>

#include "harness.hpp"

using namespace pcit;

namespace {

std::string read_file_or_empty(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// "PID: COMMAND LINE" of every live process whose command line names `text`.
std::vector<std::string> processes_naming(const std::string& text) {
  std::vector<std::string> found;
  DIR* d = opendir("/proc");
  while (struct dirent* e = d ? readdir(d) : nullptr) {
    if (atoi(e->d_name) <= 0) continue;
    const std::string proc = "/proc/" + std::string(e->d_name);
    std::string cmd = read_file_or_empty(proc + "/cmdline");
    if (cmd.find(text) == std::string::npos || contains(read_file_or_empty(proc + "/stat"), ") Z ")) continue;
    for (char& c : cmd)
      if (c == '\0') c = ' ';
    found.push_back(std::string(e->d_name) + ": " + cmd);
  }
  if (d) closedir(d);
  return found;
}

// A job script running `commands` (each pc's argv), then `tail`.
std::string job_script(const std::vector<std::vector<std::string>>& commands, const std::string& tail) {
  std::string script = "#!/bin/sh\n";
  for (const auto& argv : commands) {
    for (const auto& a : argv) script += "'" + a + "' ";
    script += "\n";
  }
  return script + tail;
}

class SlurmSteps : public PcTest {
 protected:
  void SetUp() override {
    Result ping = run({"sh", "-c", "command -v srun && scontrol ping"}, {.timeout_s = 20});
    if (!ping.ok() || !contains(ping.out, "UP"))
      GTEST_SKIP() << "no Slurm cluster (run scripts/slurm-setup start as root; scripts/test does): " << ping.out << ping.err;
    PcTest::SetUp();
  }

  // srun of a foreground `pc run` in a job named `job`; returns once the payload is ready.
  std::unique_ptr<Child> srun_pc(const std::string& job, const std::string& script) {
    std::vector<std::string> argv = {"srun", "-n1", "--job-name=" + job, "--quit-on-interrupt"};
    for (const auto& a : store().argv({"run", "--rm", image(), "sh", "-c", script})) argv.push_back(a);
    auto child = std::make_unique<Child>(argv);
    EXPECT_TRUE(child->wait_for_output("ready", 60)) << child->wait(1);
    return child;
  }
  static Result scancel(const std::string& job, const std::vector<std::string>& extra) {
    std::vector<std::string> argv = {"scancel", "--name=" + job};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return run(argv, {.timeout_s = 20});
  }
};

}  // namespace

TEST_F(SlurmSteps, ScancelUsr1ReachesATrappingPayloadOnce) {
  const std::string job = unique_name("pc-usr1");
  auto child = srun_pc(job, "n=0; trap 'n=$((n+1))' USR1; echo ready; i=0; while [ $i -lt 30 ]; do sleep 0.1; "
                            "i=$((i+1)); done; echo count=$n; exit 7");
  EXPECT_PC_OK(scancel(job, {"--signal=USR1"}));
  Result r = child->wait(60);
  EXPECT_TRUE(contains(r.out, "count=1")) << r;  // not killed (138), not twice
  EXPECT_EXIT_CODE(r, 7);
}

TEST_F(SlurmSteps, CancelledStepLetsThePayloadCheckpointOnTerm) {
  const std::string job = unique_name("pc-term");
  auto child = srun_pc(job, "trap 'echo checkpoint-start; sleep 2; echo checkpoint-done; exit 0' TERM; echo ready; "
                            "while true; do sleep 0.1; done");
  EXPECT_PC_OK(scancel(job, {}));
  Result r = child->wait(60);
  // Slurm's KillWait (5 s here) is the grace period: the 2 s checkpoint fits in it.
  EXPECT_TRUE(contains(r.out, "checkpoint-done")) << r;
}

TEST_F(SlurmSteps, DetachedContainerEndsWithItsJob) {
  const std::string name = unique_name("jobd");
  const std::string script = store().dir() + "/job.sh";
  write_file(script, job_script({store().argv({"run", "-d", "--name", name, image(), "sleep", "300"})}, "sleep 1\n"), 0755);
  Result job = run({"sbatch", "--wait", "--job-name=" + unique_name("pc-job"), "-o", store().dir() + "/job.out", script},
                   {.timeout_s = 60});
  ASSERT_PC_OK(job);
  // The job's script has ended: the container and its monitor end with it.
  EXPECT_TRUE(poll_until([&] { return trim(pc({"inspect", "--format", "{{.State.Status}}", name}).out) == "exited"; }, 20))
      << pc({"inspect", name}) << read_file(store().dir() + "/job.out");
  // No monitor (nor anything else) names the container any more.
  const std::string id = trim(pc({"inspect", "--format", "{{.Id}}", name}).out);
  ASSERT_FALSE(id.empty());
  const auto left = processes_naming(id);
  EXPECT_TRUE(left.empty()) << left.front();
}

// A runtime dir whose user-namespace holder is started inside a job (a job-private
// XDG_RUNTIME_DIR, here a fresh --runroot): the holder ends with the job, and with it
// every pc process of that runtime dir.
TEST_F(SlurmSteps, UsernsHolderStartedInAJobEndsWithIt) {
  Store s;
  const std::string script = s.dir() + "/job.sh";
  // The script lists the runtime dir, so the test knows a holder was recorded there.
  write_file(script, job_script({s.argv({"unshare", "true"})}, "ls '" + s.runroot() + "'\nsleep 1\n"), 0755);
  const std::string out = s.dir() + "/job.out";
  Result job = run({"sbatch", "--wait", "--job-name=" + unique_name("pc-holder"), "-o", out, script}, {.timeout_s = 60});
  ASSERT_PC_OK(job);
  ASSERT_TRUE(contains(read_file_or_empty(out), "userns-")) << read_file_or_empty(out);
  EXPECT_TRUE(poll_until([&] { return processes_naming(s.runroot()).empty(); }, 20))
      << processes_naming(s.runroot()).front();
}

