// compose's `build:` sections: `pc compose build`, `up` building a missing image, `up --build`
// rebuilding a changed one, pull_policy: build, build args from the file and the command
// line, and a failing build that names the service and starts nothing.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <string>

#include "compose_fixture.hpp"

namespace pcit {
namespace {

class ComposeBuild : public ComposeProject {};

TEST_F(ComposeBuild, BuildNamesTheImageAfterTheProjectAndPassesArgs) {
  ::mkdir((dir_ + "/app").c_str(), 0755);
  write_file(dir_ + "/app/Dockerfile",
             "FROM localhost/busybox\nARG GREETING=unset\nARG EXTRA=none\n"
             "RUN echo \"$GREETING $EXTRA\" > /greeting\nCMD [\"cat\", \"/greeting\"]\n");
  file("services:\n"
       "  app:\n"
       "    build:\n"
       "      context: ./app\n"
       "      args:\n"
       "        GREETING: hello\n"
       "  named:\n"
       "    image: localhost/named-" + project_ + ":v1\n"
       "    build:\n"
       "      context: app\n"
       "      dockerfile_inline: |\n"
       "        FROM localhost/busybox\n"
       "        RUN echo inline > /greeting\n");
  Result b = compose({"build", "--build-arg", "EXTRA=cli"});
  ASSERT_TRUE(b.ok()) << b.out << b.err;
  EXPECT_NE(b.err.find("[app] STEP"), std::string::npos) << b.err;
  Result r = pc({"run", "--rm", project_ + "-app"});
  ASSERT_TRUE(r.ok()) << r.err;
  EXPECT_EQ(trim(r.out), "hello cli");
  Result n = pc({"run", "--rm", "localhost/named-" + project_ + ":v1", "cat", "/greeting"});
  ASSERT_TRUE(n.ok()) << n.err;
  EXPECT_EQ(trim(n.out), "inline");
  pc({"rmi", "-f", project_ + "-app", "localhost/named-" + project_ + ":v1"});
}

TEST_F(ComposeBuild, UpBuildsAMissingImageAndUpBuildRebuildsAChangedOne) {
  ::mkdir((dir_ + "/app").c_str(), 0755);
  write_file(dir_ + "/app/Dockerfile", "FROM localhost/busybox\nRUN echo one > /v\nCMD [\"sleep\", \"600\"]\n");
  file("services:\n  app:\n    build: ./app\n");
  Result up = compose({"up", "-d"});
  ASSERT_TRUE(up.ok()) << up.out << up.err;
  EXPECT_EQ(trim(pc({"exec", ctr("app"), "cat", "/v"}).out), "one");
  // Without --build the existing image is used, as Docker Compose does.
  write_file(dir_ + "/app/Dockerfile", "FROM localhost/busybox\nRUN echo two > /v\nCMD [\"sleep\", \"600\"]\n");
  ASSERT_TRUE(compose({"up", "-d"}).ok());
  EXPECT_EQ(trim(pc({"exec", ctr("app"), "cat", "/v"}).out), "one");
  Result rebuilt = compose({"up", "-d", "--build"});
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.out << rebuilt.err;
  EXPECT_EQ(trim(pc({"exec", ctr("app"), "cat", "/v"}).out), "two");
  compose({"down", "-t", "0", "--rmi", "local"});
  EXPECT_FALSE(pc({"image", "exists", project_ + "-app"}).ok());
}

TEST_F(ComposeBuild, AFailingBuildNamesTheServiceAndStartsNothing) {
  ::mkdir((dir_ + "/app").c_str(), 0755);
  write_file(dir_ + "/app/Dockerfile", "FROM localhost/busybox\nRUN exit 3\n");
  file("services:\n"
       "  db:\n"
       "    image: localhost/busybox\n"
       "    command: sleep 600\n"
       "  app:\n"
       "    build: ./app\n"
       "    depends_on: [db]\n");
  Result up = compose({"up", "-d"});
  EXPECT_EQ(up.exit_code, 1) << up.out << up.err;
  EXPECT_NE(up.err.find("app"), std::string::npos) << up.err;
  EXPECT_TRUE(trim(pc({"ps", "-a", "-q", "--filter", "label=com.docker.compose.project=" + project_}).out).empty());
  EXPECT_FALSE(pc({"image", "exists", project_ + "-app"}).ok());
  // A remote context is refused, naming the key.
  file("services:\n  app:\n    build: https://github.com/example/app.git\n");
  Result remote = compose({"build"});
  EXPECT_EQ(remote.exit_code, 1);
  EXPECT_NE(remote.err.find("services.app.build.context"), std::string::npos) << remote.err;
}

// devices: and gpus: map onto --device and --gpus (CDI), as Docker Compose's do onto Docker's.
TEST_F(ComposeBuild, DevicesAndGpusReachTheService) {
  const std::string specs = dir_ + "/cdi";
  ::mkdir(specs.c_str(), 0755);
  write_file(specs + "/nvidia.json",
             R"({"cdiVersion":"0.5.0","kind":"nvidia.com/gpu","devices":[)"
             R"({"name":"all","containerEdits":{"env":["NVIDIA_VISIBLE_DEVICES=all"],"deviceNodes":[{"path":"/dev/nvidia0","hostPath":"/dev/zero"}]}},)"
             R"({"name":"0","containerEdits":{"env":["GPU0=yes"]}},{"name":"1","containerEdits":{"env":["GPU1=yes"]}}]})");
  file("services:\n"
       "  all:\n"
       "    image: localhost/busybox\n"
       "    command: sleep 600\n"
       "    devices: [\"/dev/null:/dev/mynull\"]\n"
       "    gpus: all\n"
       "  two:\n"
       "    image: localhost/busybox\n"
       "    command: sleep 600\n"
       "    deploy:\n"
       "      resources:\n"
       "        reservations:\n"
       "          devices:\n"
       "            - driver: nvidia\n"
       "              count: 2\n"
       "              capabilities: [gpu]\n");
  RunOpts o;
  o.env["PC_CDI_SPEC_DIRS"] = specs;
  Result up = compose({"up", "-d"}, o);
  ASSERT_TRUE(up.ok()) << up.out << up.err;
  EXPECT_EQ(up.err.find("not applied"), std::string::npos) << up.err;
  Result a = pc({"exec", ctr("all"), "sh", "-c", "test -c /dev/mynull && test -c /dev/nvidia0 && echo $NVIDIA_VISIBLE_DEVICES"});
  EXPECT_EQ(trim(a.out), "all") << a.err;
  Result t = pc({"exec", ctr("two"), "sh", "-c", "echo $GPU0 $GPU1"});
  EXPECT_EQ(trim(t.out), "yes yes") << t.err;
}

}  // namespace
}  // namespace pcit
