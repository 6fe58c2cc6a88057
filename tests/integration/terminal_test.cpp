// A container (or exec session) without -t never gets the caller's terminal: pc run from an
// interactive shell, whose stdin, stdout and stderr are one terminal, relays them through
// pipes (stdin only with -i), as Podman's conmon does. The tests run pc on a real pty
// (the harness's run_on_pty), as a shell would.
#include "harness.hpp"

using namespace pcit;

namespace {

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
