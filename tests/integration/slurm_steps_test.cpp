// `pc run` in real Slurm job steps of the one-node cluster that scripts/slurm-setup starts
// (scripts/test does): scancel --signal=USR1 reaches a trapping payload once, the TERM of a
// cancelled step leaves the payload its checkpoint time, and Ctrl-C typed at an
// interactive `srun --pty pc run -it` reaches it once. Skipped, saying so, when no cluster
// answers.
#include <dirent.h>
#include <sys/socket.h>

#include <fstream>

#include "harness.hpp"
#include "network_sockets.hpp"

using namespace pcit;

namespace {

std::string read_file_or_empty(const std::string& path) {
  return read_file(path);
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

// Ctrl-C at the terminal of an interactive step: srun --pty passes it on as a keystroke, the
// step's terminal makes it a SIGINT of pc, and pc -it types it into the container's terminal:
// the payload gets exactly one SIGINT, and the step's exit status is the payload's.
TEST_F(SlurmSteps, CtrlCOfAnInteractiveStepReachesThePayloadOnce) {
  std::vector<std::string> argv = {"srun", "-n1", "--pty", "--job-name=" + unique_name("pc-pty")};
  for (const auto& a : store().argv({"run", "--rm", "-it", image(), "sh", "-c",
                                     "n=0; trap 'n=$((n+1)); echo got-int' INT; echo ready; i=0; "
                                     "while [ $i -lt 20 ]; do sleep 0.1; i=$((i+1)); done; echo count=$n; exit 7"}))
    argv.push_back(a);
  PtyResult r = run_on_pty(argv, {"\x03"}, "ready", 60);
  EXPECT_TRUE(contains(r.output, "got-int")) << r;
  EXPECT_TRUE(contains(r.output, "count=1")) << r;  // not killed, not twice
  EXPECT_EQ(r.exit_code, 7) << r;
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

// `pc compose up -d` in a batch script serves its published port for the job's steps; after
// scancel nothing of it is left: no pc process of its store, no running container, no
// listening port.
TEST_F(SlurmSteps, ComposeUpInABatchJobServesAndIsGoneAfterScancel) {
  const int port = net::free_port();
  const std::string dir = store().dir();
  write_file(dir + "/compose.yaml",
             "services:\n"
             "  web:\n"
             "    image: localhost/busybox\n"
             "    command: [\"sh\", \"-c\", \"mkdir -p /www && echo hello-job > /www/index.html && exec httpd -f -p 8080 -h /www\"]\n"
             "    ports: [\"" + std::to_string(port) + ":8080\"]\n"
             "  idle:\n"
             "    image: localhost/busybox\n"
             "    command: [\"sleep\", \"300\"]\n");
  const std::string served = dir + "/served";
  const std::string tail = "i=0; while [ $i -lt 100 ] && ! busybox wget -qO- http://127.0.0.1:" + std::to_string(port) +
                           "/ > '" + served + ".tmp'; do sleep 0.2; i=$((i+1)); done\nmv '" + served + ".tmp' '" + served +
                           "'\nsleep 300\n";
  write_file(dir + "/job.sh", job_script({store().argv({"compose", "-f", dir + "/compose.yaml", "-p", "jobproj", "up", "-d"})}, tail),
             0755);
  const std::string job = unique_name("pc-compose");
  ASSERT_PC_OK(run({"sbatch", "--job-name=" + job, "-o", dir + "/job.out", dir + "/job.sh"}, {.timeout_s = 30}));
  const bool up = poll_until([&] { return path_exists(served); }, 60);
  if (!up) scancel(job, {});
  ASSERT_TRUE(up) << read_file_or_empty(dir + "/job.out");
  EXPECT_EQ(read_file_or_empty(served), "hello-job\n") << read_file_or_empty(dir + "/job.out");
  EXPECT_TRUE(net::wait_http_body(port, "hello-job\n", 10)) << "the port is not served outside the job's steps";

  ASSERT_PC_OK(scancel(job, {}));
  // The store's user-namespace holder was started before the job (by the test's image
  // import): it is not the job's and stays.
  auto left = [&] {
    std::vector<std::string> out;
    for (const auto& p : processes_naming(store().runroot()))
      if (!contains(p, "__userns-holder")) out.push_back(p);
    return out;
  };
  EXPECT_TRUE(poll_until([&] { return left().empty(); }, 30)) << left().front();
  EXPECT_TRUE(poll_until([&] { return trim(pc({"ps", "-q"}).out).empty(); }, 10)) << pc({"ps", "-a"});
  EXPECT_TRUE(poll_until([&] { return net::port_free(SOCK_STREAM, "0.0.0.0", port); }, 10)) << "port " << port << " still held";
  pc({"compose", "-f", dir + "/compose.yaml", "-p", "jobproj", "down", "-t", "0"});
}
