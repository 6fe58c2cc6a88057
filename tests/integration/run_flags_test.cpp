// `pc run`/`pc create` flags of Podman's that scripts use around a container's lifetime:
// --cidfile (and rm/stop/kill --cidfile), --replace, --label-file, --unsetenv and
// --unsetenv-all, and the cgroup-only limits, refused with the reason and nothing made.
#include <nlohmann/json.hpp>

#include "harness.hpp"

using namespace pcit;
using json = nlohmann::json;

namespace {

class RunFlags : public PcTest {
 protected:
  void SetUp() override {
    PcTest::SetUp();
    ASSERT_TRUE(store().import_busybox());
  }
  std::vector<std::string> env_of(const std::vector<std::string>& flags) {
    std::vector<std::string> args = {"run", "--rm"};
    args.insert(args.end(), flags.begin(), flags.end());
    args.insert(args.end(), {"localhost/busybox", "env"});
    Result r = pc(args);
    EXPECT_PC_OK(r);
    return lines(r.out);
  }
  static bool has_var(const std::vector<std::string>& env, const std::string& name) {
    return std::any_of(env.begin(), env.end(), [&](const std::string& e) { return e.rfind(name + "=", 0) == 0; });
  }
};

}  // namespace

TEST_F(RunFlags, CidfileIsWrittenOnceAndReadByRmStopKill) {
  const std::string cid = store().dir() + "/cid";
  Result r = pc({"run", "-d", "--cidfile", cid, "localhost/busybox", "sleep", "300"});
  ASSERT_PC_OK(r);
  EXPECT_EQ(read_file(cid), trim(r.out)) << "the id alone, as Podman writes it";

  // A file that exists is refused before anything is made.
  Result again = pc({"create", "--cidfile", cid, "--name", "second", "localhost/busybox", "true"});
  EXPECT_EXIT_CODE(again, 125);
  EXPECT_TRUE(contains(again.err, "container id file exists")) << again;
  EXPECT_FALSE(pc({"container", "exists", "second"}).ok());

  ASSERT_PC_OK(pc({"kill", "--signal", "USR1", "--cidfile", cid}));
  Result stop = pc({"stop", "-t", "0", "--cidfile", cid});
  ASSERT_PC_OK(stop);
  EXPECT_EQ(trim(stop.out), read_file(cid));
  ASSERT_PC_OK(pc({"rm", "--cidfile", cid}));
  EXPECT_EQ(trim(pc({"ps", "-a", "-q"}).out), "");

  Result missing = pc({"rm", "--cidfile", store().dir() + "/nope"});
  EXPECT_EXIT_CODE(missing, 125);
  EXPECT_TRUE(contains(missing.err, "reading CIDFile")) << missing;
  EXPECT_PC_OK(pc({"rm", "-i", "--cidfile", store().dir() + "/nope"}));
  EXPECT_PC_OK(pc({"stop", "-i", "--cidfile", store().dir() + "/nope"}));
}

TEST_F(RunFlags, ReplaceRemovesTheContainerHoldingTheName) {
  // A stop timeout of 1 s: sleep as PID 1 ignores SIGTERM, --replace then kills it.
  Result first = pc({"run", "-d", "--stop-timeout", "1", "--name", "svc", "localhost/busybox", "sleep", "300"});
  ASSERT_PC_OK(first);
  Result clash = pc({"run", "-d", "--name", "svc", "localhost/busybox", "sleep", "300"});
  EXPECT_EXIT_CODE(clash, 125);  // without --replace the name is taken
  Result second = pc({"run", "-d", "--replace", "--stop-timeout", "1", "--name", "svc", "localhost/busybox", "sleep", "300"});
  ASSERT_PC_OK(second);
  EXPECT_NE(trim(second.out), trim(first.out));
  Result ps = pc({"ps", "-a", "--format", "{{.ID}} {{.Names}}", "--no-trunc"});
  ASSERT_PC_OK(ps);
  EXPECT_EQ(trim(ps.out), trim(second.out) + " svc") << ps;
  // --replace with a free name just creates it.
  ASSERT_PC_OK(pc({"create", "--replace", "--name", "fresh", "localhost/busybox", "true"}));
  ASSERT_PC_OK(pc({"rm", "-f", "-t", "0", "svc", "fresh"}));
}

TEST_F(RunFlags, LabelFileAndLabelFlagsTogether) {
  const std::string file = store().dir() + "/labels";
  write_file(file, "# a comment\nteam=infra\nshared=from-file\n\nempty=\n");
  ASSERT_PC_OK(pc({"create", "--name", "lab", "--label-file", file, "-l", "shared=from-flag", "localhost/busybox", "true"}));
  json labels = json::parse(pc({"inspect", "--format", "{{json .Config.Labels}}", "lab"}).out);
  EXPECT_EQ(labels.value("team", ""), "infra");
  EXPECT_EQ(labels.value("shared", ""), "from-flag") << "-l wins over the file";
  EXPECT_TRUE(labels.contains("empty")) << labels;
  EXPECT_FALSE(labels.contains("# a comment")) << labels;
  Result bad = pc({"create", "--label-file", store().dir() + "/none", "localhost/busybox", "true"});
  EXPECT_EXIT_CODE(bad, 125);
  EXPECT_TRUE(contains(bad.err, "--label-file")) << bad;
  ASSERT_PC_OK(pc({"rm", "lab"}));
}

TEST_F(RunFlags, UnsetenvTakesDefaultsAwayButKeepsWhatIsGiven) {
  auto plain = env_of({});
  ASSERT_TRUE(has_var(plain, "TERM") && has_var(plain, "container")) << "Podman's defaults";
  auto some = env_of({"--unsetenv", "TERM", "--unsetenv", "container", "-e", "GIVEN=1"});
  EXPECT_FALSE(has_var(some, "TERM"));
  EXPECT_FALSE(has_var(some, "container"));
  EXPECT_TRUE(has_var(some, "GIVEN"));
  auto all = env_of({"--unsetenv-all", "-e", "GIVEN=1"});
  EXPECT_FALSE(has_var(all, "TERM"));
  EXPECT_FALSE(has_var(all, "container"));
  EXPECT_TRUE(has_var(all, "GIVEN"));
}

TEST_F(RunFlags, CgroupOnlyLimitsAreRefusedLeavingNothing) {
  for (const std::vector<std::string>& flags : std::vector<std::vector<std::string>>{
           {"--cpuset-cpus", "0"}, {"--cpu-quota", "50000"}, {"--blkio-weight", "100"}, {"--memory-reservation", "10m"},
           {"--oom-kill-disable"}}) {
    std::vector<std::string> args = {"run", "--rm", "--name", "limited"};
    args.insert(args.end(), flags.begin(), flags.end());
    args.insert(args.end(), {"localhost/busybox", "true"});
    Result r = pc(args);
    EXPECT_EXIT_CODE(r, 125);
    EXPECT_TRUE(contains(r.err, flags[0] + " cannot be enforced")) << r;
  }
  EXPECT_EQ(trim(pc({"ps", "-a", "-q"}).out), "");
}
