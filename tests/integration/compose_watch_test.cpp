// pc compose watch as a developer runs it: the project brought up, files edited, created,
// moved and removed on the host, and each develop.watch action seen inside the running
// containers (sync, sync+restart, sync+exec, restart; rebuild without a builder reported
// as an error while the other triggers go on), ignore/include patterns, the build
// context's .dockerignore, initial_sync, Ctrl-C leaving the project running, and bad
// triggers refused before anything starts.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>

#include "compose_fixture.hpp"

namespace pcit {
namespace {

class ComposeWatch : public ComposeProject {
 protected:
  void TearDown() override {
    if (watch_ && !watch_->exited()) {
      watch_->signal(SIGINT);
      watch_->wait(30);
    }
    watch_.reset();
    ComposeProject::TearDown();
  }
  // Starts `pc compose watch ARGS` and waits for "Watch enabled".
  ::testing::AssertionResult start_watch(const std::vector<std::string>& args = {}) {
    std::vector<std::string> all = {"compose", "-p", project_, "watch"};
    all.insert(all.end(), args.begin(), args.end());
    watch_ = store().pc_async(all, {.cwd = dir_});
    if (watch_->wait_for_output("Watch enabled", 90)) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "no \"Watch enabled\":\nstdout: " << watch_->out() << "\nstderr: " << watch_->err();
  }
  // Ctrl-C: the watch ends (130, as Docker Compose) and leaves the project running.
  Result stop_watch() {
    watch_->signal(SIGINT);
    return watch_->wait(30);
  }
  void host_file(const std::string& rel, const std::string& content) {
    sh("mkdir -p \"$(dirname '" + dir_ + "/" + rel + "')\"");
    write_file(dir_ + "/" + rel, content);
  }
  // The file's content in the service's container ("<missing>" when it is not there).
  std::string in_ctr(const std::string& path, const std::string& service = "web") {
    Result r = compose({"exec", "-T", service, "sh", "-c", "cat " + path + " 2>/dev/null || echo '<missing>'"});
    return trim(r.out);
  }
  bool becomes(const std::string& path, const std::string& content, const std::string& service = "web") {
    return poll_until([&] { return in_ctr(path, service) == content; }, 30, 100);
  }
  std::string tree_in_ctr(const std::string& dir, const std::string& service = "web") {
    return trim(compose({"exec", "-T", service, "sh", "-c", "cd " + dir + " && find . | sort"}).out);
  }
  std::unique_ptr<Child> watch_;
};

const char* kSleeper = "    image: localhost/busybox\n    init: true\n    command: [sleep, \"300\"]\n";

TEST_F(ComposeWatch, SyncCopiesInitialChangedAndNestedFilesAndDeletesRemovedOnes) {
  host_file("src/a.txt", "one");
  host_file("src/sub/b.txt", "bee");
  file(std::string("services:\n  web:\n") + kSleeper +
       "    develop:\n"
       "      watch:\n"
       "        - {path: ./src, action: sync, target: /app, initial_sync: true}\n");
  ASSERT_TRUE(start_watch());
  // initial_sync: what was there before, without a change.
  EXPECT_EQ(in_ctr("/app/a.txt"), "one");
  EXPECT_EQ(in_ctr("/app/sub/b.txt"), "bee");
  host_file("src/a.txt", "two");
  host_file("src/new/deeper/c.txt", "sea");
  EXPECT_TRUE(becomes("/app/a.txt", "two"));
  EXPECT_TRUE(becomes("/app/new/deeper/c.txt", "sea"));
  EXPECT_TRUE(watch_->wait_for_output("Syncing service \"web\" after ", 10)) << watch_->out();
  // Moved within the tree: gone from the old place, there in the new one.
  ASSERT_EQ(::rename((dir_ + "/src/sub/b.txt").c_str(), (dir_ + "/src/moved.txt").c_str()), 0);
  EXPECT_TRUE(becomes("/app/moved.txt", "bee"));
  EXPECT_TRUE(becomes("/app/sub/b.txt", "<missing>"));
  // Removed: deleted in the container, a file and a whole directory.
  ASSERT_EQ(::unlink((dir_ + "/src/a.txt").c_str()), 0);
  remove_tree(dir_ + "/src/new");
  EXPECT_TRUE(becomes("/app/a.txt", "<missing>"));
  EXPECT_TRUE(poll_until([&] { return tree_in_ctr("/app") == ".\n./moved.txt\n./sub"; }, 30, 100))
      << tree_in_ctr("/app");
  Result r = stop_watch();
  EXPECT_EQ(r.exit_code, 130) << r;
  EXPECT_FALSE(contains(r.err, "Error")) << r;
  EXPECT_EQ(state_of(ctr("web")), "running");
}

TEST_F(ComposeWatch, IgnoreIncludeDockerignoreAndEditorFilesAreNotSynced) {
  host_file(".dockerignore", "# the build context's\nsrc/secret.txt\n");
  file(std::string("services:\n  web:\n") + kSleeper +
       "    build: .\n"  // the image is there: nothing is built; its .dockerignore applies
       "    develop:\n"
       "      watch:\n"
       "        - path: ./src\n"
       "          action: sync\n"
       "          target: /app\n"
       "          ignore: [node_modules/, \"*.tmp\", \"!keep.tmp\", \"**/*.log\"]\n"
       "        - path: ./lib\n"
       "          action: sync\n"
       "          target: /lib2\n"
       "          include: [\"*.js\"]\n");
  ASSERT_TRUE(start_watch());
  for (const char* ignored : {"src/node_modules/dep/index.js", "src/a.tmp", "src/deep/x.log", "src/secret.txt",
                              "src/.main.js.swp", "src/main.js~", "src/.git/HEAD", "lib/style.css"})
    host_file(ignored, "no");
  host_file("src/keep.tmp", "kept");
  host_file("src/main.js", "main");
  host_file("lib/util.js", "util");
  ASSERT_TRUE(becomes("/app/main.js", "main"));
  ASSERT_TRUE(becomes("/lib2/util.js", "util"));
  EXPECT_TRUE(becomes("/app/keep.tmp", "kept"));
  // The directory an ignored file was made in is synced (empty), the file not.
  EXPECT_EQ(tree_in_ctr("/app"), ".\n./deep\n./keep.tmp\n./main.js");
  EXPECT_EQ(tree_in_ctr("/lib2"), ".\n./util.js");
}

TEST_F(ComposeWatch, RestartAndSyncRestartRestartTheContainers) {
  host_file("conf/v", "v1");
  host_file("assets/logo", "x");
  file("services:\n"
       "  web:\n"
       "    image: localhost/busybox\n"
       "    init: true\n"
       "    command: [sh, -c, \"echo boot:$$(cat /etc/app/v 2>/dev/null); exec sleep 300\"]\n"
       "    develop:\n"
       "      watch:\n"
       "        - {path: ./conf, action: sync+restart, target: /etc/app}\n"
       "  other:\n"
       "    image: localhost/busybox\n"
       "    init: true\n"
       "    command: [sh, -c, \"echo other-boot; exec sleep 300\"]\n"
       "    develop:\n"
       "      watch:\n"
       "        - {path: ./assets, action: restart}\n");
  ASSERT_TRUE(start_watch());
  const std::string other_started = inspect(ctr("other"), "{{.State.StartedAt}}");
  host_file("conf/v", "v2");
  ASSERT_TRUE(watch_->wait_for_output("service(s) [\"web\"] restarted", 60)) << watch_->out() << watch_->err();
  // Synced before the restart: the new container process read it at its start.
  EXPECT_TRUE(poll_until([&] { return contains(compose({"logs", "web"}).out, "boot:v2"); }, 20));
  EXPECT_EQ(state_of(ctr("web")), "running");
  EXPECT_EQ(inspect(ctr("other"), "{{.State.StartedAt}}"), other_started);  // not its trigger
  host_file("assets/logo", "y");
  ASSERT_TRUE(watch_->wait_for_output("service(s) [\"other\"] restarted", 60)) << watch_->out() << watch_->err();
  EXPECT_NE(inspect(ctr("other"), "{{.State.StartedAt}}"), other_started);
  EXPECT_EQ(lines(compose({"logs", "--no-log-prefix", "other"}).out), (std::vector<std::string>{"other-boot", "other-boot"}));
  EXPECT_EQ(in_ctr("/assets/logo", "other"), "<missing>");  // restart copies nothing
}

TEST_F(ComposeWatch, SyncExecRunsTheCommandInTheContainerAfterTheSync) {
  file(std::string("services:\n  web:\n") + kSleeper +
       "    develop:\n"
       "      watch:\n"
       "        - path: ./src\n"
       "          action: sync+exec\n"
       "          target: /app\n"
       "          exec:\n"
       "            command: [sh, -c, 'test \"$$(cat /app/v)\" != bad && echo hook:$$GREETING:$$(cat /app/v):$$(id -u)']\n"
       "            environment: {GREETING: hi}\n"
       "            user: \"1000\"\n");
  ASSERT_TRUE(start_watch());
  host_file("src/v", "v2");
  EXPECT_TRUE(watch_->wait_for_output("hook:hi:v2:1000", 60)) << watch_->out() << watch_->err();
  // A failing command is reported, and watching goes on.
  host_file("src/v", "bad");
  EXPECT_TRUE(watch_->wait_for_output("Error handling changed files: container " + ctr("web"), 60, true)) << watch_->err();
  EXPECT_TRUE(contains(watch_->err(), "exited with 1")) << watch_->err();
  host_file("src/v", "v3");
  EXPECT_TRUE(watch_->wait_for_output("hook:hi:v3:1000", 60)) << watch_->out();
  Result r = stop_watch();  // at once, even right after a command ran
  EXPECT_EQ(r.exit_code, 130) << r;
}

TEST_F(ComposeWatch, RebuildWithoutABuilderIsAnErrorForThatTriggerOnly) {
  file(std::string("services:\n  web:\n") + kSleeper +
       "    build: .\n"
       "    develop:\n"
       "      watch:\n"
       "        - {path: ./app, action: rebuild}\n"
       "        - {path: ./conf, action: sync, target: /conf}\n");
  host_file("app/main.c", "int main;");
  ASSERT_TRUE(start_watch());
  EXPECT_TRUE(contains(watch_->err(), "no image builder")) << watch_->err();
  const std::string id = inspect(ctr("web"), "{{.Id}}");
  host_file("app/main.c", "int main(void);");
  ASSERT_TRUE(watch_->wait_for_output("Error handling changed files: service(s) [\"web\"] cannot be rebuilt", 60, true))
      << watch_->err();
  host_file("conf/c", "still syncing");
  EXPECT_TRUE(becomes("/conf/c", "still syncing"));
  EXPECT_EQ(inspect(ctr("web"), "{{.Id}}"), id);
  EXPECT_FALSE(watch_->exited());
}

TEST_F(ComposeWatch, NoUpWatchesTheRunningProjectAndOnlyTheNamedServices) {
  file("services:\n"
       "  a:\n" + std::string(kSleeper) +
       "    develop: {watch: [{path: ./a, action: sync, target: /data}]}\n"
       "  b:\n" + std::string(kSleeper) +
       "    develop: {watch: [{path: ./b, action: sync, target: /data}]}\n");
  // --no-up with nothing running: nothing is created.
  host_file("a/f", "1");
  ASSERT_TRUE(start_watch({"--no-up", "a"}));
  EXPECT_EQ(trim(pc({"ps", "-a", "-q"}).out), "");
  Result idle = stop_watch();
  EXPECT_EQ(idle.exit_code, 130) << idle;
  ASSERT_PC_OK(compose({"up", "-d"}));
  ASSERT_TRUE(start_watch({"--no-up", "a"}));
  host_file("b/f", "b-changed");
  host_file("a/f", "a-changed");
  EXPECT_TRUE(becomes("/data/f", "a-changed", "a"));
  EXPECT_EQ(in_ctr("/data/f", "b"), "<missing>");
  EXPECT_FALSE(contains(watch_->out(), "Syncing service \"b\"")) << watch_->out();
}

TEST_F(ComposeWatch, BadTriggersAreRefusedWithNothingStarted) {
  const std::string outside = make_temp_dir("pc-outside-");
  struct Case {
    std::string develop, message;
  };
  const std::vector<Case> cases = {
      {"{watch: [{path: ../elsewhere, action: sync, target: /x}]}", "is outside the project directory"},
      {"{watch: [{path: ./escape/sub, action: sync, target: /x}]}", "is outside the project directory"},  // a symlink
      {"{watch: [{path: ./src, action: rebuild}]}", "with action rebuild without a build context"},
      {"{watch: [{path: ./src, action: sync, target: /x, ignore: [\"src/[a-\"]}]}", "ignore"},
  };
  ASSERT_EQ(::symlink(outside.c_str(), (dir_ + "/escape").c_str()), 0);
  for (const auto& c : cases) {
    file(std::string("services:\n  web:\n") + kSleeper + "    develop: " + c.develop + "\n");
    Result r = compose({"watch"});
    EXPECT_EXIT_CODE(r, 1);
    EXPECT_TRUE(contains(r.err, c.message)) << r;
    EXPECT_TRUE(contains(r.err, "compose.yaml:")) << r;  // where, in the file
    EXPECT_TRUE(contains(r.err, "services.web.develop.watch[0]")) << r;
  }
  // No service with develop.watch, or only bind-mounted paths: nothing to watch.
  file(std::string("services:\n  web:\n") + kSleeper);
  Result none = compose({"watch"});
  EXPECT_EXIT_CODE(none, 1);
  EXPECT_TRUE(contains(none.err, "none of the selected services is configured for watch")) << none;
  file(std::string("services:\n  web:\n") + kSleeper + "    volumes: [./src:/x]\n" +
       "    develop: {watch: [{path: ./src/app, action: sync, target: /x/app}]}\n");
  Result mounted = compose({"watch"});
  EXPECT_EXIT_CODE(mounted, 1);
  EXPECT_TRUE(contains(mounted.err, "also declared by a bind mount volume, this path won't be monitored!")) << mounted;
  EXPECT_EQ(trim(pc({"ps", "-a", "-q"}).out), "");
  EXPECT_EQ(trim(pc({"pod", "ps", "-q"}).out), "");
  remove_tree(outside);
}

}  // namespace
}  // namespace pcit
