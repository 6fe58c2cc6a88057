// `run --rm` returns before its container's files are deleted: they go to the store's
// removal queue (ROOT/containers/.removing), drained by one reaper. A loop of runs must not
// pile up removal processes or disk space, and `ps -a`, `rm` and `system df` must be right
// while removals are pending.
#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iterator>

#include "harness.hpp"

using namespace pcit;

namespace {

class RemovalQueue : public PcTest {
 protected:
  std::string queue() const { return store().root() + "/containers/.removing"; }
  static std::vector<std::string> entries(const std::string& dir) {
    std::vector<std::string> out;
    if (DIR* d = ::opendir(dir.c_str())) {
      while (struct dirent* e = ::readdir(d))
        if (std::string(e->d_name) != "." && std::string(e->d_name) != "..") out.emplace_back(e->d_name);
      ::closedir(d);
    }
    return out;
  }
  size_t queued() const { return entries(queue()).size(); }
  // Containers whose files wait for deletion: in the queue, or renamed aside (.trash-*) by
  // a remover of their own.
  size_t pending() const {
    size_t n = 0;
    for (const auto& e : entries(queue())) n += e.size() < 5 || e.substr(e.size() - 5) != ".name";
    for (const auto& e : entries(store().root() + "/containers")) n += e.rfind(".trash-", 0) == 0;
    return n;
  }
  // Processes of ours whose command line names this store (zombies have none): once a
  // `pc run --rm` has returned, only removal helpers and reapers (forks of pc) are left.
  std::vector<pid_t> store_processes() const {
    std::vector<pid_t> out;
    for (const auto& e : entries("/proc")) {
      char* end = nullptr;
      long pid = std::strtol(e.c_str(), &end, 10);
      if (pid <= 0 || *end) continue;
      std::string cmd = read_file("/proc/" + e + "/cmdline");
      if (cmd.find(std::string("\0", 1) + store().root() + std::string("\0", 1)) != std::string::npos)
        out.push_back(static_cast<pid_t>(pid));
    }
    return out;
  }
  bool drained() const { return pending() == 0 && queued() == 0 && store_processes().empty(); }
  // Those of them deleting right now: with a directory of the containers dir open.
  std::vector<pid_t> deleting() const {
    std::vector<pid_t> out;
    const std::string inside = store().root() + "/containers/";
    for (pid_t p : store_processes()) {
      const std::string fds = "/proc/" + std::to_string(p) + "/fd/";
      for (const auto& fd : entries(fds)) {
        char target[4096];
        ssize_t n = ::readlink((fds + fd).c_str(), target, sizeof(target));
        if (n > 0 && std::string(target, static_cast<size_t>(n)).rfind(inside, 0) == 0) {
          out.push_back(p);
          break;
        }
      }
    }
    return out;
  }
  // Emulates deletion slower than running (a slow or busy disk): stops whatever starts
  // deleting in the 200 ms after a run has returned, so that no deletion finishes until
  // resume_deletion().
  void stall_deletion() {
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(200);
    while (std::chrono::steady_clock::now() < until) {
      for (pid_t p : deleting())
        if (std::find(stopped_.begin(), stopped_.end(), p) == stopped_.end() && ::kill(p, SIGSTOP) == 0)
          stopped_.push_back(p);
      if (store_processes().size() <= stopped_.size()) break;
      ::usleep(1000);
    }
  }
  void resume_deletion() {
    for (pid_t p : stopped_) ::kill(p, SIGCONT);
    stopped_.clear();
  }
  void TearDown() override {
    resume_deletion();
    PcTest::TearDown();
  }
  std::vector<pid_t> stopped_;
};

// A container leaving a few thousand files, so that deleting it takes a while.
const char* kLeaveFiles = "for i in 1 2 3 4 5 6 7 8; do cp -a /bin /copy$i; done";

}  // namespace

// Deleting slower than running, as on a slow or busy disk: whatever deletes after a run
// has returned is stopped, so no deletion finishes during the loop. Removal processes must
// not pile up with the runs (one reaper at most), nor the containers waiting for deletion
// beyond the queue's bound (past it, runs delete their own files); once deletion resumes,
// everything goes.
TEST_F(RemovalQueue, ALoopOfRunRmKeepsRemovalWorkBoundedWhenDeletionIsSlow) {
  size_t most_processes = 0, most_pending = 0, caught = 0;
  auto step = [&](const std::vector<std::string>& cmd) {
    Result r = run_in({}, cmd);
    EXPECT_PC_OK(r);
    stall_deletion();
    caught = std::max(caught, stopped_.size());
    most_processes = std::max(most_processes, store_processes().size());
    most_pending = std::max(most_pending, pending());
  };
  for (int i = 0; i < 6; ++i) step({"sh", "-c", kLeaveFiles});
  // Past the bound (32 waiting containers), each run deletes its own files.
  for (int i = 0; i < 30; ++i) step({"true"});
  resume_deletion();
  EXPECT_LE(most_processes, 2u) << "removal processes piled up (" << caught << " caught deleting)";
  EXPECT_LE(most_pending, 33u) << "containers waiting for deletion piled up";
  EXPECT_TRUE(poll_until([&] { return drained(); }, 120)) << pending() << " containers, " << store_processes().size()
                                                          << " processes left";
  std::vector<std::string> left;
  for (const auto& e : entries(store().root() + "/containers"))
    if (e != ".removing" && e != ".removing.lock") left.push_back(e);
  EXPECT_TRUE(left.empty()) << left.front();
}

TEST_F(RemovalQueue, PsRmAndSystemDfAreRightWhileRemovalsArePending) {
  const std::string kept = unique_name("kept");
  ASSERT_PC_OK(pc({"create", "--name", kept, image(), "true"}));
  const std::string name = unique_name("rm-pending");
  for (int i = 0; i < 3; ++i) {
    // The same name at once: the name of a removed container is free before its files go.
    ASSERT_PC_OK(run_in({"--name", name}, {"sh", "-c", "cp -a /bin /copy"}));
    stall_deletion();
  }
  ASSERT_GT(pending(), 0u) << "nothing pending: the test proves nothing";
  // Listed, inspected, removed, counted: only the kept container, whatever is pending.
  Result ps = pc({"ps", "-a", "--format", "{{.Names}}"});
  ASSERT_PC_OK(ps);
  EXPECT_EQ(trim(ps.out), kept) << ps;
  Result gone = pc({"rm", name});
  EXPECT_EXIT_CODE(gone, 1);
  EXPECT_TRUE(contains(gone.err, "no such container")) << gone;
  EXPECT_EXIT_CODE(pc({"inspect", name}), 125);
  Result df = pc({"system", "df", "--format", "{{.Type}} {{.Total}}"});
  ASSERT_PC_OK(df);
  EXPECT_TRUE(contains(df.out, "Containers 1")) << df;
  // `rm -a` removes what is listed and leaves the queue to the reaper.
  Result all = pc({"rm", "-a"});
  EXPECT_PC_OK(all);
  EXPECT_EQ(trim(pc({"ps", "-aq"}).out), "");
  resume_deletion();
  EXPECT_TRUE(poll_until([&] { return drained(); }, 120));
}

// A queue that no reaper drains any more (a reaper killed, a reboot) is picked up by the
// next listing.
TEST_F(RemovalQueue, AnAbandonedQueueIsResumed) {
  ASSERT_EQ(::mkdir((store().root() + "/containers").c_str(), 0700) == 0 || errno == EEXIST, true);
  ::mkdir(queue().c_str(), 0700);
  const std::string entry = queue() + "/0123456789abcdef";
  ASSERT_EQ(::mkdir(entry.c_str(), 0700), 0);
  write_file(entry + "/config.json", "{}");
  EXPECT_PC_OK(pc({"ps", "-a"}));
  EXPECT_TRUE(poll_until([&] { return drained(); }, 60)) << queued() << " entries left";
}
