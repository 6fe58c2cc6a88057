// Integration-test harness: runs the built `pc` binary (and other commands) as the current,
// unprivileged user with captured stdout/stderr, optional stdin and a hard timeout (the whole
// process group is SIGKILLed at the deadline: a misbehaving pc fails a test, never hangs
// ctest). Each Store is a private pc store (--root/--runroot in a fresh temp dir) removed at
// the end, inside a user namespace when subuid-owned files make that necessary.
#pragma once

#include <gtest/gtest.h>

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace pcit {

// ---------------------------------------------------------------- processes

struct Result {
  std::vector<std::string> argv;
  int exit_code = -1;    // exit status, or 128+N when killed by signal N (like a shell)
  int term_signal = 0;   // N when killed by a signal
  bool timed_out = false;
  std::string out, err;
  double seconds = 0;

  bool ok() const { return !timed_out && term_signal == 0 && exit_code == 0; }
  // Everything needed to understand a failure, for gtest messages.
  std::string describe() const;
};
std::ostream& operator<<(std::ostream& os, const Result& r);

struct RunOpts {
  std::optional<std::string> input;              // stdin data (closed after); else /dev/null
  int timeout_s = 60;                            // kill -9 of the process group after this
  std::map<std::string, std::string> env;        // set/override in the child's environment
  std::vector<std::string> unset_env;            // removed from the child's environment
  std::string cwd;                               // working directory (default: inherited)
};

// A process started in its own process group; output is collected while polling.
class Child {
 public:
  Child(std::vector<std::string> argv, RunOpts opts = {});
  ~Child();  // kills the process group and reaps, if still running
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  pid_t pid() const { return pid_; }
  // Waits until stdout (or stderr) contains `needle`; false on timeout or exit without it.
  bool wait_for_output(const std::string& needle, double timeout_s, bool in_stderr = false);
  // Waits up to timeout_s for exit; returns true if it exited (then result() is final).
  bool wait_exit(double timeout_s);
  // Waits for exit; at timeout SIGKILLs the group and marks the result timed_out.
  Result wait(double timeout_s);
  void signal(int sig);        // to the process itself
  void signal_group(int sig);  // to its whole process group
  bool exited() const { return exited_; }
  const std::string& out() const { return res_.out; }
  const std::string& err() const { return res_.err; }

 private:
  void pump(int timeout_ms);
  void try_reap(bool block);

  pid_t pid_ = -1;
  int out_fd_ = -1, err_fd_ = -1, in_fd_ = -1;
  std::string input_;
  size_t input_off_ = 0;
  bool exited_ = false;
  std::chrono::steady_clock::time_point start_, exit_time_;
  Result res_;
};

Result run(const std::vector<std::string>& argv, const RunOpts& opts = {});
// `sh -c SCRIPT` on the host.
Result sh(const std::string& script, const RunOpts& opts = {});

// What a command run on a terminal wrote to it, and how it ended.
struct PtyResult {
  std::string output;  // everything written to the terminal (with its echo of the input)
  int exit_code = -1;
  bool timed_out = false;
};
std::ostream& operator<<(std::ostream& os, const PtyResult& r);
// Runs argv (PATH searched) with a new pty as controlling terminal and stdin, stdout and
// stderr, as an interactive shell would; writes each of `input` to the terminal once `ready`
// (if not empty) has appeared in its output.
PtyResult run_on_pty(const std::vector<std::string>& argv, const std::vector<std::string>& input = {},
                     const std::string& ready = "", int timeout_s = 60);

// Polls `cond` every interval until true or timeout; returns the last value.
bool poll_until(const std::function<bool()>& cond, double timeout_s, int interval_ms = 20);

// ---------------------------------------------------------------- paths and fixtures

std::string pc_binary();      // $PC_BINARY_OVERRIDE or the compiled-in PC_BINARY
std::string source_dir();     // PC_SOURCE_DIR
std::string make_temp_dir(const std::string& prefix);  // under $TMPDIR or /tmp
// Removes a tree that may contain subuid-owned files (plain rm, then inside a userns).
void remove_tree(const std::string& path);
// Path of a cached busybox rootfs tarball (scripts/mkbusybox-rootfs), made once.
// minimal=true: /etc/passwd and /etc/group contain root only.
std::string busybox_tar(bool minimal = false);
// The busybox tarball plus one file /variant containing `marker`: a distinct image id.
// Written into `dir`; returns its path.
std::string busybox_variant_tar(const std::string& dir, const std::string& marker);

// The whole file; "" or what was read when it cannot be read. Never throws: reading a /proc
// file of a process that exits meanwhile fails with ESRCH, which an istreambuf_iterator
// over an ifstream turns into an exception (libstdc++'s filebuf::underflow).
std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& data, mode_t mode = 0644);
bool path_exists(const std::string& path);  // lstat
std::vector<std::string> list_tree(const std::string& dir);  // relative paths, sorted
std::string trim(const std::string& s);
std::vector<std::string> lines(const std::string& s);  // non-empty lines
bool contains(const std::string& hay, const std::string& needle);
bool icontains(const std::string& hay, const std::string& needle);
std::string random_suffix();

// ---------------------------------------------------------------- a pc store

class Store {
 public:
  // extra_global: more global flags, e.g. {"--storage-driver", "vfs"}.
  // env: environment for every pc invocation of this store.
  explicit Store(std::vector<std::string> extra_global = {},
                 std::map<std::string, std::string> env = {});
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  const std::string& dir() const { return dir_; }
  const std::string& root() const { return root_; }
  const std::string& runroot() const { return runroot_; }

  std::vector<std::string> argv(const std::vector<std::string>& args) const;
  Result pc(const std::vector<std::string>& args, RunOpts opts = {}) const;
  std::unique_ptr<Child> pc_async(const std::vector<std::string>& args, RunOpts opts = {}) const;

  // Imports the busybox tarball as `name` once per store (idempotent); fails the current
  // test (ADD_FAILURE) and returns false if the import does not work.
  bool import_busybox(const std::string& name = "localhost/busybox", bool minimal = false);

 private:
  std::string dir_, root_, runroot_;
  std::vector<std::string> global_;
  std::map<std::string, std::string> env_;
  std::map<std::string, bool> imported_;
};

// ---------------------------------------------------------------- tar files

// Minimal ustar writer for hostile and synthetic import tarballs (no libarchive needed).
class TarWriter {
 public:
  void file(const std::string& name, const std::string& content, unsigned mode = 0644,
            unsigned uid = 0, unsigned gid = 0);
  void dir(const std::string& name, unsigned mode = 0755);
  void symlink(const std::string& name, const std::string& target);
  void hardlink(const std::string& name, const std::string& target);
  std::string finish();  // appends the two zero blocks and returns the archive
  // As Go's archive/tar writes an archive when Close() is not called: no end-of-archive
  // blocks and, with pad_last=false, not even the padding of the last member's data.
  std::string finish_unterminated(bool pad_last = true) const;

 private:
  void header(const std::string& name, char type, unsigned mode, size_t size,
              const std::string& link, unsigned uid, unsigned gid);
  std::string data_;
  size_t last_padding_ = 0;
};

// ---------------------------------------------------------------- fixture

// Base fixture: every test gets a fresh store with the busybox image imported, so tests
// are independent whether ctest runs them one per process or the binary runs them all.
class PcTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  static Store& store() { return *store_; }
  static const char* image() { return "localhost/busybox"; }
  // pc run --rm IMAGE ARGS... convenience (flags before the image go in `flags`).
  static Result run_in(const std::vector<std::string>& flags, const std::vector<std::string>& cmd,
                       RunOpts opts = {});
  static Result pc(const std::vector<std::string>& args, RunOpts opts = {}) {
    return store_->pc(args, std::move(opts));
  }
  static std::string unique_name(const std::string& base);
  // Polls `pc inspect` until the container's .State.Status is "running" (the payload may
  // print before the engine has recorded the state); false after timeout_s.
  static bool wait_running(const std::string& name, double timeout_s = 20);

  static inline Store* store_ = nullptr;
};

}  // namespace pcit

// Assertion helpers that print the whole command result on failure. Each evaluates its
// argument exactly once (it may be a pc invocation).
#define EXPECT_PC_OK(r)                                            \
  do {                                                             \
    const ::pcit::Result& pcit_r_ = (r);                           \
    EXPECT_TRUE(pcit_r_.ok()) << pcit_r_;                          \
  } while (0)
#define ASSERT_PC_OK(r)                                            \
  do {                                                             \
    const ::pcit::Result& pcit_r_ = (r);                           \
    ASSERT_TRUE(pcit_r_.ok()) << pcit_r_;                          \
  } while (0)
#define EXPECT_EXIT_CODE(r, code)                                  \
  do {                                                             \
    const ::pcit::Result& pcit_r_ = (r);                           \
    EXPECT_FALSE(pcit_r_.timed_out) << pcit_r_;                    \
    EXPECT_EQ(pcit_r_.exit_code, (code)) << pcit_r_;               \
  } while (0)
#define ASSERT_EXIT_CODE(r, code)                                  \
  do {                                                             \
    const ::pcit::Result& pcit_r_ = (r);                           \
    ASSERT_FALSE(pcit_r_.timed_out) << pcit_r_;                    \
    ASSERT_EQ(pcit_r_.exit_code, (code)) << pcit_r_;               \
  } while (0)
