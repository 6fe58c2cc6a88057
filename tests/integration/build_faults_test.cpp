// pc build: bad input and faults (a clear message with FILE:LINE or the step, a non-zero
// exit, nothing left half-made), a build killed half-way, two builds at once, reproducible
// builds, and built images used like any other (run, save, load).
#include <signal.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "build_fixture.hpp"

using namespace pcit;
using json = nlohmann::json;

namespace {

class BuildFaults : public BuildTest {
 protected:
  // Builds `text` tagged "bad" and checks the failure: exit code, message, nothing tagged,
  // nothing left behind.
  void expect_failure(const std::string& text, int code, const std::string& message) {
    containerfile(text);
    Result r = build({"-t", "bad"});
    EXPECT_EQ(r.exit_code, code) << r;
    EXPECT_TRUE(contains(r.err, message)) << "expected \"" << message << "\" in\n" << r;
    EXPECT_TRUE(contains(r.err, "Error: ")) << r;
    EXPECT_FALSE(pc({"image", "exists", "bad"}).ok()) << "a failed build tagged its image";
    expect_no_leftovers();
  }
};

}  // namespace

TEST_F(BuildFaults, BadInputIsNamedWithFileAndLine) {
  expect_failure("FROM localhost/busybox\nFROBNICATE x\n", 125, "Containerfile:2: unknown instruction: FROBNICATE");
  expect_failure("FROM localhost/busybox\nCOPY nothere /x\n", 125,
                 "Containerfile:2: COPY: checking on sources under the build context: \"nothere\": no such file or directory");
  expect_failure("FROM localhost/busybox\nCOPY *.nothing /x\n", 125, "Containerfile:2: COPY: no source files were specified");
  expect_failure("FROM localhost/does-not-exist\n", 125, "Containerfile:1: FROM localhost/does-not-exist: image");
  expect_failure("", 125, "Containerfile: no instructions");
  expect_failure("# only a comment\n\n", 125, "no instructions");
  expect_failure("FROM localhost/busybox\nRUN <<EOF\necho never ends\n", 125, "Containerfile:2: unterminated here-document");
  expect_failure("FROM localhost/busybox\nRUN echo $V\nARG V=1\n", 125,
                 "Containerfile:2: RUN uses $V, but ARG V is declared only later, at Containerfile:3");
  expect_failure("FROM localhost/busybox\nCOPY --from=later /x /x\nFROM localhost/busybox AS later\n", 125,
                 "Containerfile:2: COPY refers to stage \"later\", which comes later");
  expect_failure("FROM localhost/busybox\nENV A=1 B\n", 125, "Containerfile:2: Syntax error - can't find = in \"B\"");
  expect_failure("FROM localhost/busybox\nSHELL /bin/bash -c\n", 125, "Containerfile:2: SHELL requires the arguments to be in JSON form");
  expect_failure("FROM localhost/busybox\nSTOPSIGNAL SIGNOPE\n", 125, "Containerfile:2: STOPSIGNAL");
  expect_failure("FROM localhost/busybox\nRUN --mount=type=ssh,required true\n", 125,
                 "Containerfile:2: RUN --mount=type=ssh: ssh key \"default\" is required but was not given (--ssh default)");
  expect_failure("FROM localhost/busybox\nRUN --mount=type=ssh,mode=0666 true\n", 125, "mode, uid and gid are not supported for ssh mounts");
  expect_failure("FROM localhost/busybox\nRUN nonexistent-command\n", 127, "Containerfile:2: building at STEP \"RUN nonexistent-command\"");
}

TEST_F(BuildFaults, FailingRunExitsWithItsCodeAndKeepsFinishedSteps) {
  containerfile("FROM localhost/busybox\nRUN echo ok > /ok\nRUN echo before; exit 3\n");
  Result r = build({"-t", "bad"});
  EXPECT_EQ(r.exit_code, 3) << r;
  EXPECT_TRUE(contains(r.out, "STEP 3/3: RUN echo before; exit 3\nbefore\n")) << r;
  EXPECT_TRUE(contains(r.err, "Error: Containerfile:3: building at STEP \"RUN echo before; exit 3\": while running runtime: exit status 3"))
      << r;
  EXPECT_FALSE(pc({"image", "exists", "bad"}).ok());
  expect_no_leftovers();
  // The finished step is a cached intermediate image: fixing the file reuses it.
  containerfile("FROM localhost/busybox\nRUN echo ok > /ok\nRUN echo fixed\n");
  Result fixed = build({"-t", "bad"});
  ASSERT_PC_OK(fixed);
  EXPECT_TRUE(contains(fixed.out, "STEP 2/3: RUN echo ok > /ok\n--> Using cache")) << fixed;
}

TEST_F(BuildFaults, KilledHalfWayLeavesTheStoreConsistent) {
  const std::string marker = store().dir() + "/started";
  file("a.txt", "a\n");
  containerfile(
      "FROM localhost/busybox\n"
      "RUN echo one > /one\n"
      "COPY a.txt /a.txt\n"
      "RUN touch /marker/started && sleep 613\n");
  {
    auto child = store().pc_async({"build", "-v", store().dir() + ":/marker", "-t", "killed", ctx()});
    ASSERT_TRUE(poll_until([&] { return path_exists(marker); }, 60)) << child->out() << child->err();
    child->signal(SIGKILL);
    child->wait(30);
  }
  // The step's processes die with the build; nothing of it is listed or mounted.
  ASSERT_TRUE(poll_until([&] { return !contains(sh("ps -u " + std::to_string(getuid()) + " -o args").out, "sleep 613"); }, 20));
  EXPECT_FALSE(pc({"image", "exists", "killed"}).ok());
  EXPECT_TRUE(trim(pc({"ps", "-a", "-q"}).out).empty());
  // The next build works, reuses what was finished and clears the leftovers.
  containerfile(
      "FROM localhost/busybox\n"
      "RUN echo one > /one\n"
      "COPY a.txt /a.txt\n"
      "RUN echo done\n");
  Result r = build({"-t", "killed"});
  ASSERT_PC_OK(r);
  EXPECT_TRUE(contains(r.out, "STEP 2/4: RUN echo one > /one\n--> Using cache")) << r;
  EXPECT_TRUE(contains(r.out, "STEP 3/4: COPY a.txt /a.txt\n--> Using cache")) << r;
  expect_no_leftovers();
  EXPECT_EQ(sh_in("killed", "cat /one /a.txt").out, "one\na\n");
}

TEST_F(BuildFaults, TwoBuildsOfOneContextAtOnce) {
  file("a.txt", "a\n");
  containerfile("FROM localhost/busybox\nRUN echo one > /one\nCOPY a.txt /a.txt\nRUN sleep 1 && echo two > /two\n");
  auto first = store().pc_async({"build", "-t", "same:1", ctx()});
  auto second = store().pc_async({"build", "-t", "same:2", ctx()});
  Result a = first->wait(180), b = second->wait(180);
  ASSERT_PC_OK(a);
  ASSERT_PC_OK(b);
  EXPECT_EQ(sh_in("same:1", "cat /one /a.txt /two").out, "one\na\ntwo\n");
  EXPECT_EQ(sh_in("same:2", "cat /one /a.txt /two").out, "one\na\ntwo\n");
  expect_no_leftovers();
  Result again = build({"-t", "same:3"});
  ASSERT_PC_OK(again);
  EXPECT_TRUE(contains(again.out, "--> Using cache")) << again;
}

TEST_F(BuildFaults, SameContextSameTimestampSameImageId) {
  file("a.txt", "a\n");
  file("dir/b.txt", "b\n");
  containerfile(
      "FROM localhost/busybox\n"
      "COPY . /src/\n"
      "RUN echo built > /built && mkdir -p /var/x && touch /var/x/y\n"
      "ENV A=1\n"
      "CMD [\"sh\"]\n");
  Result one = build({"--timestamp", "0", "-t", "r1"});
  ASSERT_PC_OK(one);
  // Another time, another store with the same base image: files touched, the same id.
  sleep(1);
  ASSERT_TRUE(sh("touch " + ctx() + "/a.txt " + ctx() + "/dir").ok());
  const std::string base = store().dir() + "/base.tar";
  ASSERT_PC_OK(pc({"save", "-o", base, "localhost/busybox"}));
  Store other;
  ASSERT_PC_OK(other.pc({"load", "-i", base}));
  std::vector<std::string> args = {"build", "-t", "r2", ctx()};
  Result two = other.pc(args, {.timeout_s = 180, .env = {{"SOURCE_DATE_EPOCH", "0"}}});
  ASSERT_PC_OK(two);
  EXPECT_EQ(built_id(one), built_id(two)) << one << two;
  json img = inspect("r1");
  EXPECT_EQ(img["Created"], "1970-01-01T00:00:00Z");
  for (const auto& h : img["History"]) {
    if (h.value("created_by", "").find("#(nop) ADD") == std::string::npos) {
      EXPECT_EQ(h["created"], "1970-01-01T00:00:00Z");
    }
  }
  // Without a timestamp, builds differ (the time is in the config).
  Result three = build({"--no-cache", "-t", "r3"});
  ASSERT_PC_OK(three);
  EXPECT_NE(built_id(three), built_id(one));
}

TEST_F(BuildFaults, BuiltImagesAreOrdinaryImages) {
  file("a.txt", "a\n");
  containerfile("FROM localhost/busybox\nCOPY a.txt /a.txt\nRUN echo x > /x\n");
  ASSERT_PC_OK(build({"-t", "plain"}));
  const std::string archive = store().dir() + "/plain.tar";
  ASSERT_PC_OK(pc({"save", "-o", archive, "plain"}));
  ASSERT_PC_OK(pc({"rmi", "plain"}));
  Result load = pc({"load", "-i", archive});
  ASSERT_PC_OK(load);
  EXPECT_EQ(sh_in("plain", "cat /a.txt /x").out, "a\nx\n");
  ASSERT_PC_OK(pc({"save", "--format", "oci-archive", "-o", store().dir() + "/plain-oci.tar", "plain"}));
}
