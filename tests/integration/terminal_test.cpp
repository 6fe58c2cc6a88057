// A container (or exec session) without -t never gets the caller's terminal: pc run from an
// interactive shell, whose stdin, stdout and stderr are one terminal, relays them through
// pipes (stdin only with -i), as Podman's conmon does. The tests run pc on a real pty
// (posix_openpt), as a shell would.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>

#include "harness.hpp"

using namespace pcit;

namespace {

struct PtyResult {
  std::string output;  // everything written to the terminal (with its echo of the input)
  int exit_code = -1;
  bool timed_out = false;
};
std::ostream& operator<<(std::ostream& os, const PtyResult& r) {
  return os << "exit " << r.exit_code << (r.timed_out ? " (timed out)" : "") << ", terminal output:\n" << r.output;
}

// Runs argv with a new pty as controlling terminal and stdin, stdout and stderr; writes
// each of `input` to the terminal once `ready` (if not empty) has appeared in its output.
PtyResult run_on_pty(const std::vector<std::string>& argv, const std::vector<std::string>& input = {},
                     const std::string& ready = "", int timeout_s = 60) {
  PtyResult r;
  int master = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0 || ::grantpt(master) < 0 || ::unlockpt(master) < 0) {
    ADD_FAILURE() << "no pty: " << std::strerror(errno);
    return r;
  }
  const std::string slave = ::ptsname(master);
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::setsid();
    int fd = ::open(slave.c_str(), O_RDWR);  // the session's controlling terminal
    if (fd < 0) ::_exit(126);
    for (int i = 0; i < 3; ++i) ::dup2(fd, i);
    if (fd > 2) ::close(fd);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  size_t next_input = 0;
  bool exited = false;
  int status = 0;
  for (;;) {
    if (next_input < input.size() && (ready.empty() || r.output.find(ready) != std::string::npos)) {
      (void)!::write(master, input[next_input].data(), input[next_input].size());
      ++next_input;
    }
    struct pollfd p {master, POLLIN, 0};
    int n = ::poll(&p, 1, 50);
    if (n > 0) {
      char buf[4096];
      ssize_t got = ::read(master, buf, sizeof(buf));
      if (got > 0) r.output.append(buf, static_cast<size_t>(got));
      else if (exited) break;  // EIO: nothing holds the terminal any more
    } else if (exited) {
      break;
    }
    if (!exited && ::waitpid(pid, &status, WNOHANG) == pid) exited = true;
    if (std::chrono::steady_clock::now() > deadline) {
      r.timed_out = true;
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      break;
    }
  }
  ::close(master);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

class Terminal : public PcTest {
 protected:
  std::vector<std::string> pc_argv(const std::vector<std::string>& args) const { return store().argv(args); }
};

// What the payload's descriptors are: "tty" or "notty" for 0, 1 and 2 (an ioctl each), and
// what 1 and 2 are open on.
const char* kProbe =
    "for fd in 0 1 2; do if [ -t $fd ]; then echo fd$fd=tty; else echo fd$fd=notty; fi; done; "
    "echo out=$(readlink /proc/self/fd/1 | cut -c1-5); echo err=$(readlink /proc/self/fd/2 | cut -c1-5)";

}  // namespace

TEST_F(Terminal, WithoutTTheContainerCannotReadOrIoctlTheCallersTerminal) {
  // stdout and stderr of the run are the terminal: the payload must get pipes, so it can
  // neither query the terminal nor read what the user types next (from stderr, which the
  // terminal opened read-write).
  PtyResult r = run_on_pty(pc_argv({"run", "--rm", image(), "sh", "-c", kProbe}));
  ASSERT_FALSE(r.timed_out) << r;
  EXPECT_EQ(r.exit_code, 0) << r;
  for (const char* want : {"fd0=notty", "fd1=notty", "fd2=notty", "out=pipe:", "err=pipe:"})
    EXPECT_TRUE(contains(r.output, want)) << want << "\n" << r;

  // Typed at the shell while the container runs: never read by the container.
  PtyResult typed = run_on_pty(pc_argv({"run", "--rm", image(), "sh", "-c",
                                        "echo ready; read -t 3 x <&2; echo got=$x; read -t 1 y <&1; echo got2=$y"}),
                               {"secret-typed-input\n"}, "ready");
  ASSERT_FALSE(typed.timed_out) << typed;
  EXPECT_EQ(typed.exit_code, 0) << typed;
  EXPECT_FALSE(contains(typed.output, "got=secret")) << typed;
  EXPECT_FALSE(contains(typed.output, "got2=secret")) << typed;
}

TEST_F(Terminal, OutputAndExitCodesAreUnchanged) {
  PtyResult r = run_on_pty(pc_argv({"run", "--rm", image(), "sh", "-c", "echo to-stdout; echo to-stderr >&2; exit 3"}));
  ASSERT_FALSE(r.timed_out) << r;
  EXPECT_EQ(r.exit_code, 3) << r;
  EXPECT_TRUE(contains(r.output, "to-stdout")) << r;
  EXPECT_TRUE(contains(r.output, "to-stderr")) << r;

  // A kept container (its output is also logged) and a large output.
  const std::string name = unique_name("tty-keep");
  PtyResult kept = run_on_pty(pc_argv({"run", "--name", name, image(), "sh", "-c",
                                       std::string(kProbe) + "; seq 1 20000 | tail -1; exit 7"}));
  ASSERT_FALSE(kept.timed_out) << kept;
  EXPECT_EQ(kept.exit_code, 7) << kept;
  for (const char* want : {"fd0=notty", "fd1=notty", "fd2=notty", "20000"})
    EXPECT_TRUE(contains(kept.output, want)) << want << "\n" << kept;
  Result logs = pc({"logs", name});
  EXPECT_TRUE(contains(logs.out, "20000")) << logs;
  EXPECT_PC_OK(pc({"rm", name}));
}

TEST_F(Terminal, InteractiveWithoutTRelaysStdinThroughAPipeUntilEndOfInput) {
  // -i: what the user types reaches the payload through a pipe, and ^D (end of input at
  // the terminal) closes it, so `cat` ends.
  PtyResult r = run_on_pty(pc_argv({"run", "--rm", "-i", image(), "sh", "-c",
                                    std::string(kProbe) + "; echo ready; cat; echo cat-done"}),
                           {"hello-through-pipe\n", "\x04"}, "ready");
  ASSERT_FALSE(r.timed_out) << r;
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_TRUE(contains(r.output, "fd0=notty")) << r;
  EXPECT_TRUE(contains(r.output, "fd1=notty")) << r;
  EXPECT_TRUE(contains(r.output, "cat-done")) << r;
  // Once echoed by the terminal, once by cat.
  const std::string& o = r.output;
  size_t first = o.find("hello-through-pipe");
  ASSERT_NE(first, std::string::npos) << r;
  EXPECT_NE(o.find("hello-through-pipe", first + 1), std::string::npos) << r;
}

TEST_F(Terminal, PipesAndFilesArePassedStraightThrough) {
  // Not a terminal: the payload gets our descriptor itself (no relay on the fast path).
  Result r = run_in({}, {"sh", "-c", "readlink /proc/self/fd/1; readlink /proc/self/fd/2"});
  ASSERT_PC_OK(r);
  EXPECT_TRUE(contains(r.out, "pipe:")) << r;
}

TEST_F(Terminal, ExecWithoutTDoesNotGetTheCallersTerminal) {
  const std::string name = unique_name("tty-exec");
  ASSERT_PC_OK(pc({"run", "-d", "--name", name, image(), "sleep", "300"}));
  ASSERT_TRUE(wait_running(name));
  PtyResult r = run_on_pty(pc_argv({"exec", name, "sh", "-c", std::string(kProbe) + "; exit 4"}));
  EXPECT_FALSE(r.timed_out) << r;
  EXPECT_EQ(r.exit_code, 4) << r;
  for (const char* want : {"fd0=notty", "fd1=notty", "fd2=notty", "out=pipe:"})
    EXPECT_TRUE(contains(r.output, want)) << want << "\n" << r;
  PtyResult i = run_on_pty(pc_argv({"exec", "-i", name, "sh", "-c", "[ -t 0 ] && echo in=tty; echo ready; cat; echo cat-done"}),
                           {"typed-for-exec\n", "\x04"}, "ready");
  EXPECT_FALSE(i.timed_out) << i;
  EXPECT_EQ(i.exit_code, 0) << i;
  EXPECT_FALSE(contains(i.output, "in=tty")) << i;
  EXPECT_TRUE(contains(i.output, "cat-done")) << i;
  EXPECT_PC_OK(pc({"rm", "-f", "-t", "0", name}));
}
