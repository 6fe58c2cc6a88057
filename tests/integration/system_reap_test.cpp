// `pc system reap --job ID` (pod/job_reap.hpp), a Slurm epilog's clean-up: what pc left for
// a job (containers and pods started in it, user-namespace holders started in it) is
// stopped and removed; what belongs to other jobs or to no job is left alone. The job is
// simulated by SLURM_JOB_ID without a slurmstepd: a node killed with its job looks so.
#include <unistd.h>

#include <fstream>
#include <iterator>

#include "harness.hpp"

using namespace pcit;

namespace {

// Pids of the user's holders whose command line names `text` (their runtime dir).
std::vector<pid_t> holders_naming(const std::string& text) {
  std::vector<pid_t> out;
  for (const std::string& entry : list_tree("/proc")) {
    if (entry.find('/') != std::string::npos) continue;
    const pid_t pid = static_cast<pid_t>(std::atoi(entry.c_str()));
    if (pid <= 0) continue;
    std::string cmd = read_file("/proc/" + entry + "/cmdline");
    std::string stat = read_file("/proc/" + entry + "/stat");
    if (contains(cmd, std::string("__userns-holder") + '\0') && contains(cmd, text) && !contains(stat, ") Z "))
      out.push_back(pid);
  }
  return out;
}

// Far above any real job id of the test cluster, and distinct per test process.
std::string fake_job() { return std::to_string(900000000 + ::getpid()); }

}  // namespace

TEST(SystemReap, RemovesWhatAJobLeftAndNothingElse) {
  const std::string job = fake_job(), other_job = job + "1";
  Store s({}, {{"SLURM_JOB_ID", job}});
  ASSERT_TRUE(s.import_busybox());  // the first pc of this runtime dir: its holder is the job's
  const auto holders = holders_naming(s.runroot() + "/");
  ASSERT_EQ(holders.size(), 1u);

  ASSERT_PC_OK(s.pc({"run", "-d", "--name", "in-job", "localhost/busybox", "sleep", "300"}));
  ASSERT_PC_OK(s.pc({"create", "--name", "in-job-exited", "localhost/busybox", "true"}));
  ASSERT_PC_OK(s.pc({"start", "--attach", "in-job-exited"}));
  ASSERT_PC_OK(s.pc({"create", "--name", "in-job-created", "localhost/busybox", "true"}));
  ASSERT_PC_OK(s.pc({"run", "-d", "--pod", "new:job-pod", "--name", "in-job-pod", "localhost/busybox", "sleep", "300"}));
  ASSERT_PC_OK(s.pc({"run", "-d", "--name", "other-job", "localhost/busybox", "sleep", "300"},
                    {.env = {{"SLURM_JOB_ID", other_job}}}));
  ASSERT_PC_OK(s.pc({"run", "-d", "--name", "no-job", "localhost/busybox", "sleep", "300"}, {.env = {{"SLURM_JOB_ID", ""}}}));
  auto id_of = [&](const std::string& name) { return trim(s.pc({"inspect", "--format", "{{.Id}}", name}).out); };
  const std::string in_job = id_of("in-job"), exited = id_of("in-job-exited"), created = id_of("in-job-created");
  const std::string pod = trim(s.pc({"pod", "inspect", "--format", "{{.Id}}", "job-pod"}).out);
  ASSERT_FALSE(pod.empty());

  Result r = s.pc({"system", "reap", "--job", job}, {.env = {{"SLURM_JOB_ID", ""}}});
  EXPECT_PC_OK(r);
  const auto out = lines(r.out);
  EXPECT_EQ(out.size(), 5u) << r;
  EXPECT_TRUE(contains(r.out, pod + "\n")) << r;
  EXPECT_TRUE(contains(r.out, in_job + "\n")) << r;
  EXPECT_TRUE(contains(r.out, exited + "\n")) << r;
  EXPECT_TRUE(contains(r.out, created + "\n")) << r;
  EXPECT_TRUE(contains(r.out, "user namespace holder " + std::to_string(holders[0]) + "\n")) << r;

  Result ps = s.pc({"ps", "-a", "--format", "{{.Names}} {{.Status}}"});
  EXPECT_FALSE(contains(ps.out, "in-job")) << ps;
  EXPECT_TRUE(contains(ps.out, "other-job Up")) << ps;
  EXPECT_TRUE(contains(ps.out, "no-job Up")) << ps;
  EXPECT_FALSE(s.pc({"pod", "exists", "job-pod"}).ok());
  EXPECT_TRUE(poll_until([&] { return holders_naming(s.runroot() + "/").empty(); }, 10));

  // Nothing left: nothing printed, still a success (an epilog runs it on every node).
  Result again = s.pc({"system", "reap", "--job", job});
  EXPECT_PC_OK(again);
  EXPECT_EQ(again.out, "");
  EXPECT_PC_OK(s.pc({"rm", "-f", "-t", "0", "other-job", "no-job"}));
}

TEST(SystemReap, RefusesAnInvalidJobId) {
  Store s;
  for (const std::string bad : {"", "12a", "../1", "-1"}) {
    Result r = s.pc({"system", "reap", "--job", bad});
    EXPECT_EXIT_CODE(r, 125);
    EXPECT_TRUE(contains(r.err, "job")) << r;
  }
  Result none = s.pc({"system", "reap"});
  EXPECT_EXIT_CODE(none, 125);
  EXPECT_TRUE(contains(none.err, "--job")) << none;
}
