// The shared user namespace (rootless/userns_holder.hpp): containers join one held,
// once-mapped namespace; its holder keeps nothing of the caller; a record that names any
// other process is neither trusted nor signalled; `system migrate` stops the holder.
// Holders are recorded in the runtime dir in use (--runroot): each test's store has one of
// its own, hence a holder of its own.
#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>

#include "harness.hpp"

using namespace pcit;

namespace {

std::string readlink_str(const std::string& path) {
  char buf[4096];
  ssize_t n = ::readlink(path.c_str(), buf, sizeof(buf) - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

bool alive(pid_t pid) {
  if (::kill(pid, 0) != 0) return false;
  // A zombie (not reaped yet by init) has exited.
  std::string all = read_file("/proc/" + std::to_string(pid) + "/stat");
  return all.find(") Z ") == std::string::npos;
}

// The user's holder processes whose command line names `text` (their runtime dir).
std::vector<pid_t> holders_naming(const std::string& text) {
  std::vector<pid_t> out;
  if (DIR* d = ::opendir("/proc")) {
    while (struct dirent* e = ::readdir(d)) {
      char* end = nullptr;
      long pid = std::strtol(e->d_name, &end, 10);
      if (pid <= 0 || *end) continue;
      std::string cmd = read_file("/proc/" + std::to_string(pid) + "/cmdline");
      if (cmd.find(std::string("__userns-holder") + '\0') != std::string::npos && cmd.find(text) != std::string::npos &&
          alive(static_cast<pid_t>(pid)))
        out.push_back(static_cast<pid_t>(pid));
    }
    ::closedir(d);
  }
  return out;
}

// /proc/PID/stat field 22.
std::string start_time(pid_t pid) {
  std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  std::istringstream rest(stat.substr(stat.rfind(')') + 1));
  std::string field;
  for (int i = 3; i <= 22; ++i) rest >> field;
  return field;
}

class UsernsHolder : public PcTest {
 protected:
  void SetUp() override {
    PcTest::SetUp();
    runtime_ = store().runroot();
  }
  void TearDown() override {
    ::mkdir(runtime_.c_str(), 0700);  // a test removed it
    pc({"system", "migrate"});
    // Holders whose record a test overwrote are not reachable by migrate any more.
    for (pid_t pid : seen_) ::kill(pid, SIGKILL);
    PcTest::TearDown();
  }
  Result run_here(const std::vector<std::string>& args) { return pc(args); }

  // The holder's record (one per mapping; this user has one mapping here).
  std::string record() const {
    const std::string dir = runtime_;
    std::string found;
    if (DIR* d = ::opendir(dir.c_str())) {
      while (struct dirent* e = ::readdir(d)) {
        std::string n = e->d_name;
        if (n.rfind("userns-", 0) == 0 && n.size() > 4 && n.substr(n.size() - 4) == ".pid") found = dir + "/" + n;
      }
      ::closedir(d);
    }
    return found;
  }
  pid_t holder_pid() const {
    const std::string r = record();
    if (r.empty() || !path_exists(r)) return -1;
    std::istringstream in(read_file(r));
    long pid = -1;
    in >> pid;
    if (pid > 0) seen_.push_back(static_cast<pid_t>(pid));
    return static_cast<pid_t>(pid);
  }
  std::string container_userns() {
    Result r = run_here({"run", "--rm", image(), "readlink", "/proc/self/ns/user"});
    EXPECT_PC_OK(r);
    return trim(r.out);
  }

  std::string runtime_;
  mutable std::vector<pid_t> seen_;
};

}  // namespace

TEST_F(UsernsHolder, ContainersShareTheNamespaceOfAHolderThatKeepsNothingOfTheCaller) {
  // The first run starts the holder; that its output is complete and it ends shows that
  // the holder did not keep the run's stdout/stderr pipes open.
  const std::string first = container_userns();
  const std::string second = container_userns();
  ASSERT_FALSE(first.empty());
  EXPECT_EQ(first, second) << "two containers should share the held user namespace";

  const pid_t holder = holder_pid();
  ASSERT_GT(holder, 0) << "no holder record in " << runtime_;
  ASSERT_TRUE(alive(holder));
  const std::string proc = "/proc/" + std::to_string(holder);
  EXPECT_EQ(readlink_str(proc + "/ns/user"), first);
  EXPECT_EQ(readlink_str(proc + "/cwd"), "/") << "the holder must not keep a directory busy";
  EXPECT_EQ(::getsid(holder), holder) << "the holder must be in a session of its own";
  EXPECT_NE(::getpgid(holder), ::getpgid(0));
  // stdin/stdout/stderr on /dev/null and the inotify instance that watches its record:
  // nothing of the caller's.
  std::vector<std::string> fds = list_tree(proc + "/fd");
  EXPECT_EQ(fds.size(), 4u) << "the holder keeps stdin/stdout/stderr and its watch";
  const std::string fd_dir = proc + "/fd/";
  for (const std::string& fd : fds) {
    const std::string target = readlink_str(fd_dir + fd);
    if (fd == "0" || fd == "1" || fd == "2") EXPECT_EQ(target, "/dev/null") << fd;
    else EXPECT_EQ(target, "anon_inode:inotify") << fd;
  }
  // Mapped like every container: root inside is this user outside.
  std::string uid_map = read_file(proc + "/uid_map");
  std::istringstream in(uid_map);
  unsigned inside = 1, outside = 0;
  in >> inside >> outside;
  EXPECT_EQ(inside, 0u);
  EXPECT_EQ(outside, ::getuid());

  // Layer extraction and removal use it too: an import and an rm work through it.
  ASSERT_PC_OK(run_here({"run", "--name", "holder-rm", image(), "sh", "-c", "touch /f; chown 5:5 /f"}));
  EXPECT_PC_OK(run_here({"rm", "holder-rm"}));
  EXPECT_TRUE(alive(holder));
  EXPECT_EQ(holder_pid(), holder) << "one holder serves every run";
}

TEST_F(UsernsHolder, AKilledHolderIsReplaced) {
  container_userns();
  const pid_t old = holder_pid();
  ASSERT_GT(old, 0);
  ASSERT_EQ(::kill(old, SIGKILL), 0);
  ASSERT_TRUE(poll_until([&] { return !alive(old) || trim(read_file("/proc/" + std::to_string(old) + "/stat")).find(") Z") != std::string::npos; }, 10));
  Result r = run_here({"run", "--rm", image(), "echo", "after"});
  EXPECT_PC_OK(r);
  EXPECT_EQ(r.out, "after\n");
  const pid_t now = holder_pid();
  EXPECT_GT(now, 0);
  EXPECT_NE(now, old);
  EXPECT_TRUE(alive(now));
}

TEST_F(UsernsHolder, ARecordNamingAnotherProcessIsNeitherTrustedNorSignalled) {
  container_userns();
  const std::string path = record();
  ASSERT_FALSE(path.empty());
  holder_pid();  // remembered for TearDown: the forged record below hides it
  // A process of ours that is not a holder (e.g. a recycled pid), with its real start time.
  Child sleeper({"sleep", "60"});
  ASSERT_TRUE(poll_until([&] { return path_exists("/proc/" + std::to_string(sleeper.pid()) + "/stat"); }, 5));
  const std::string forged = std::to_string(sleeper.pid()) + " " + start_time(sleeper.pid()) + "\n";
  write_file(path, forged, 0600);

  const std::string userns = container_userns();
  EXPECT_NE(userns, readlink_str("/proc/" + std::to_string(sleeper.pid()) + "/ns/user"));
  EXPECT_NE(holder_pid(), sleeper.pid()) << "a new holder should have replaced the record";


  write_file(path, forged, 0600);
  EXPECT_PC_OK(run_here({"system", "migrate"}));
  EXPECT_TRUE(alive(sleeper.pid())) << "system migrate signalled a process that is not a holder";
  EXPECT_FALSE(path_exists(path));
}

TEST_F(UsernsHolder, SystemMigrateStopsItAndRunningContainersKeepTheirNamespace) {
  const std::string name = unique_name("migrate");
  ASSERT_PC_OK(run_here({"run", "-d", "--name", name, image(), "sleep", "300"}));
  ASSERT_TRUE(wait_running(name));
  const pid_t holder = holder_pid();
  ASSERT_GT(holder, 0);

  Result m = run_here({"system", "migrate"});
  EXPECT_PC_OK(m);
  EXPECT_EQ(m.out, "");
  EXPECT_TRUE(poll_until([&] { return !alive(holder); }, 10)) << "the holder is still running";
  EXPECT_EQ(holder_pid(), -1) << "the record should be gone";

  Result e = run_here({"exec", name, "echo", "still here"});
  EXPECT_PC_OK(e);
  EXPECT_EQ(e.out, "still here\n");
  // The next run starts a new holder.
  EXPECT_FALSE(container_userns().empty());
  EXPECT_GT(holder_pid(), 0);
  EXPECT_NE(holder_pid(), holder);
  EXPECT_PC_OK(run_here({"rm", "-f", "-t", "0", name}));
}

// A login session ends, a job's tmpdir is cleaned: the runtime dir goes, and the holder
// recorded there goes with it; the next pc starts one holder, not one more.
TEST_F(UsernsHolder, AHolderWhoseRuntimeDirIsRemovedExits) {
  container_userns();
  const pid_t first = holder_pid();
  ASSERT_GT(first, 0);
  ASSERT_EQ(holders_naming(runtime_ + "/").size(), 1u);
  remove_tree(runtime_);
  EXPECT_TRUE(poll_until([&] { return !alive(first); }, 10)) << "the holder outlived its runtime dir";
  ASSERT_EQ(::mkdir(runtime_.c_str(), 0700), 0);
  EXPECT_FALSE(container_userns().empty());
  const pid_t second = holder_pid();
  EXPECT_GT(second, 0);
  EXPECT_NE(second, first);
  EXPECT_EQ(holders_naming(runtime_ + "/"), std::vector<pid_t>{second});

  // Its record removed (the runtime dir kept), it exits too.
  ASSERT_EQ(::unlink(record().c_str()), 0);
  EXPECT_TRUE(poll_until([&] { return !alive(second); }, 10)) << "the holder outlived its record";
  EXPECT_TRUE(holders_naming(runtime_ + "/").empty());
}

// A holder that could not notice (here: stopped) is found by `system migrate` once its
// record is lost, from any runtime dir; one recorded in another, existing runtime dir
// serves another session and is left alone.
TEST_F(UsernsHolder, SystemMigrateStopsHoldersWhoseRecordIsLost) {
  container_userns();
  const pid_t lost = holder_pid();
  ASSERT_GT(lost, 0);
  ASSERT_EQ(::kill(lost, SIGSTOP), 0);
  ASSERT_EQ(::unlink(record().c_str()), 0);

  Store other;
  ASSERT_PC_OK(other.pc({"unshare", "true"}));
  const auto kept = holders_naming(other.runroot() + "/");
  ASSERT_EQ(kept.size(), 1u);
  seen_.push_back(kept[0]);

  Store third;
  Result m = third.pc({"system", "migrate"});
  EXPECT_PC_OK(m);
  EXPECT_TRUE(poll_until([&] { return !alive(lost); }, 10)) << "migrate left a holder whose record is lost";
  EXPECT_TRUE(alive(kept[0])) << "migrate stopped the holder of another session";

  EXPECT_PC_OK(other.pc({"system", "migrate"}));
  EXPECT_TRUE(poll_until([&] { return !alive(kept[0]); }, 10));
}

// `system migrate --runroot DIR` stops DIR's holders only: another runtime dir's serve
// another store (a job, a session) that keeps working.
TEST_F(UsernsHolder, SystemMigrateStopsOnlyTheHoldersOfItsRuntimeDir) {
  ASSERT_PC_OK(run_here({"unshare", "true"}));
  const pid_t mine = holder_pid();
  ASSERT_GT(mine, 0);
  Store other;
  ASSERT_PC_OK(other.pc({"unshare", "true"}));
  const auto theirs = holders_naming(other.runroot() + "/");
  ASSERT_EQ(theirs.size(), 1u) << "a second runtime dir should have a holder of its own";
  ASSERT_NE(theirs[0], mine);
  seen_.push_back(theirs[0]);

  EXPECT_PC_OK(other.pc({"system", "migrate"}));
  EXPECT_TRUE(poll_until([&] { return !alive(theirs[0]); }, 10)) << "migrate --runroot left its own holder";
  EXPECT_TRUE(alive(mine)) << "migrate --runroot stopped another runtime dir's holder";
  EXPECT_EQ(holder_pid(), mine);
}
