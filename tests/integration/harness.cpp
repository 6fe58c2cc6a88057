#include "harness.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

extern char** environ;

#ifndef PC_BINARY
#define PC_BINARY "pc"
#endif
#ifndef PC_SOURCE_DIR
#define PC_SOURCE_DIR "."
#endif

namespace pcit {

namespace {

std::string shell_quote(const std::string& s) {
  if (!s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                        "0123456789-_./=:,+@%") == std::string::npos)
    return s;
  std::string q = "'";
  for (char c : s) {
    if (c == '\'')
      q += "'\\''";
    else
      q += c;
  }
  return q + "'";
}

std::string clip(const std::string& s, size_t max = 4000) {
  if (s.size() <= max) return s;
  return s.substr(0, max / 2) + "\n[... " + std::to_string(s.size() - max) + " bytes ...]\n" +
         s.substr(s.size() - max / 2);
}

void set_nonblock(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

}  // namespace

// ---------------------------------------------------------------- Result

std::string Result::describe() const {
  std::ostringstream os;
  os << "\n  command:";
  for (auto& a : argv) os << ' ' << shell_quote(a);
  os << "\n  ";
  if (timed_out)
    os << "TIMED OUT (killed) after " << seconds << " s";
  else if (term_signal)
    os << "killed by signal " << term_signal << " (" << strsignal(term_signal) << ")";
  else
    os << "exit code " << exit_code;
  os << " [" << seconds << " s]";
  os << "\n  stdout: " << (out.empty() ? "(empty)" : "\n" + clip(out));
  os << "\n  stderr: " << (err.empty() ? "(empty)" : "\n" + clip(err));
  os << "\n";
  return os.str();
}

std::ostream& operator<<(std::ostream& os, const Result& r) { return os << r.describe(); }

// ---------------------------------------------------------------- Child

Child::Child(std::vector<std::string> argv, RunOpts opts) {
  res_.argv = argv;
  int outp[2], errp[2], inp[2] = {-1, -1};
  if (pipe2(outp, O_CLOEXEC) != 0 || pipe2(errp, O_CLOEXEC) != 0)
    throw std::runtime_error("pipe: " + std::string(strerror(errno)));
  if (opts.input && pipe2(inp, O_CLOEXEC) != 0)
    throw std::runtime_error("pipe: " + std::string(strerror(errno)));

  // Build argv/envp before fork (no allocation in the child).
  std::vector<char*> cargv;
  for (auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  std::vector<std::string> envs;
  for (char** e = environ; *e; ++e) {
    std::string kv = *e;
    std::string k = kv.substr(0, kv.find('='));
    if (opts.env.count(k)) continue;
    if (std::find(opts.unset_env.begin(), opts.unset_env.end(), k) != opts.unset_env.end())
      continue;
    envs.push_back(kv);
  }
  for (auto& [k, v] : opts.env) envs.push_back(k + "=" + v);
  std::vector<char*> cenv;
  for (auto& e : envs) cenv.push_back(const_cast<char*>(e.c_str()));
  cenv.push_back(nullptr);
  std::string cwd = opts.cwd;

  start_ = std::chrono::steady_clock::now();
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork: " + std::string(strerror(errno)));
  if (pid_ == 0) {
    setpgid(0, 0);
    // default signal dispositions and an empty mask for the child
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
    int in = inp[0] >= 0 ? inp[0] : open("/dev/null", O_RDONLY);
    dup2(in, 0);
    dup2(outp[1], 1);
    dup2(errp[1], 2);
    if (!cwd.empty() && chdir(cwd.c_str()) != 0) _exit(121);
    execvpe(cargv[0], cargv.data(), cenv.data());
    const char* msg = "harness: exec failed: ";
    (void)!write(2, msg, strlen(msg));
    (void)!write(2, cargv[0], strlen(cargv[0]));
    (void)!write(2, "\n", 1);
    _exit(errno == ENOENT ? 127 : 126);
  }
  setpgid(pid_, pid_);  // also from the parent, to avoid the race
  close(outp[1]);
  close(errp[1]);
  out_fd_ = outp[0];
  err_fd_ = errp[0];
  set_nonblock(out_fd_);
  set_nonblock(err_fd_);
  if (opts.input) {
    close(inp[0]);
    in_fd_ = inp[1];
    set_nonblock(in_fd_);
    input_ = *opts.input;
    if (input_.empty()) {
      close(in_fd_);
      in_fd_ = -1;
    }
  }
}

Child::~Child() {
  if (!exited_ && pid_ > 0) {
    kill(-pid_, SIGKILL);
    kill(pid_, SIGKILL);
    try_reap(true);
  }
  for (int fd : {out_fd_, err_fd_, in_fd_})
    if (fd >= 0) close(fd);
}

void Child::pump(int timeout_ms) {
  struct pollfd fds[3];
  int n = 0;
  int idx_out = -1, idx_err = -1, idx_in = -1;
  if (out_fd_ >= 0) { idx_out = n; fds[n++] = {out_fd_, POLLIN, 0}; }
  if (err_fd_ >= 0) { idx_err = n; fds[n++] = {err_fd_, POLLIN, 0}; }
  if (in_fd_ >= 0) { idx_in = n; fds[n++] = {in_fd_, POLLOUT, 0}; }
  if (n == 0) {
    if (timeout_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(timeout_ms));
    return;
  }
  int r = poll(fds, n, timeout_ms);
  if (r <= 0) return;
  auto drain = [](int& fd, std::string& into) {
    char buf[65536];
    for (;;) {
      ssize_t k = read(fd, buf, sizeof buf);
      if (k > 0) {
        into.append(buf, k);
        continue;
      }
      if (k < 0 && (errno == EAGAIN || errno == EINTR)) return;
      close(fd);  // EOF or error
      fd = -1;
      return;
    }
  };
  if (idx_out >= 0 && fds[idx_out].revents) drain(out_fd_, res_.out);
  if (idx_err >= 0 && fds[idx_err].revents) drain(err_fd_, res_.err);
  if (idx_in >= 0 && fds[idx_in].revents) {
    if (fds[idx_in].revents & (POLLERR | POLLHUP)) {
      close(in_fd_);
      in_fd_ = -1;
    } else {
      ssize_t k = write(in_fd_, input_.data() + input_off_, input_.size() - input_off_);
      if (k > 0) input_off_ += k;
      if ((k < 0 && errno != EAGAIN && errno != EINTR) || input_off_ >= input_.size()) {
        close(in_fd_);
        in_fd_ = -1;
      }
    }
  }
}

void Child::try_reap(bool block) {
  if (exited_ || pid_ <= 0) return;
  int st = 0;
  pid_t r;
  do {
    r = waitpid(pid_, &st, block ? 0 : WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r == pid_) {
    exited_ = true;
    exit_time_ = std::chrono::steady_clock::now();
    if (WIFEXITED(st)) {
      res_.exit_code = WEXITSTATUS(st);
    } else if (WIFSIGNALED(st)) {
      res_.term_signal = WTERMSIG(st);
      res_.exit_code = 128 + WTERMSIG(st);
    }
  } else if (r < 0) {
    exited_ = true;  // ECHILD: nothing to wait for
  }
}

bool Child::wait_for_output(const std::string& needle, double timeout_s, bool in_stderr) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  for (;;) {
    const std::string& s = in_stderr ? res_.err : res_.out;
    if (s.find(needle) != std::string::npos) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    if ((in_stderr ? err_fd_ : out_fd_) < 0) {
      return false;  // EOF: it will not come any more
    }
    pump(20);
  }
}

bool Child::wait_exit(double timeout_s) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  for (;;) {
    try_reap(false);
    if (exited_) {
      // Collect what is left in the pipes; a leaked grandchild holding them open only
      // gets a short grace period.
      auto grace = std::chrono::steady_clock::now() + std::chrono::seconds(3);
      while ((out_fd_ >= 0 || err_fd_ >= 0) && std::chrono::steady_clock::now() < grace)
        pump(20);
      if (out_fd_ >= 0) { close(out_fd_); out_fd_ = -1; }
      if (err_fd_ >= 0) { close(err_fd_); err_fd_ = -1; }
      if (in_fd_ >= 0) { close(in_fd_); in_fd_ = -1; }
      res_.seconds = std::chrono::duration<double>(exit_time_ - start_).count();
      return true;
    }
    if (std::chrono::steady_clock::now() >= deadline) return false;
    pump(20);
  }
}

Result Child::wait(double timeout_s) {
  if (!wait_exit(timeout_s)) {
    kill(-pid_, SIGKILL);
    kill(pid_, SIGKILL);
    try_reap(true);
    wait_exit(1);
    res_.timed_out = true;
    res_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }
  return res_;
}

void Child::signal(int sig) {
  if (!exited_) kill(pid_, sig);
}
void Child::signal_group(int sig) {
  if (!exited_) kill(-pid_, sig);
}

Result run(const std::vector<std::string>& argv, const RunOpts& opts) {
  Child c(argv, opts);
  return c.wait(opts.timeout_s);
}

Result sh(const std::string& script, const RunOpts& opts) {
  return run({"/bin/sh", "-c", script}, opts);
}

std::ostream& operator<<(std::ostream& os, const PtyResult& r) {
  return os << "exit " << r.exit_code << (r.timed_out ? " (timed out)" : "") << ", terminal output:\n" << r.output;
}

PtyResult run_on_pty(const std::vector<std::string>& argv, const std::vector<std::string>& input,
                     const std::string& ready, int timeout_s) {
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
    ::execvp(args[0], args.data());
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

bool poll_until(const std::function<bool()>& cond, double timeout_s, int interval_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  for (;;) {
    if (cond()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(interval_ms));
  }
}

// ---------------------------------------------------------------- paths and files

std::string pc_binary() {
  if (const char* o = getenv("PC_BINARY_OVERRIDE"); o && *o) return o;
  return PC_BINARY;
}

std::string source_dir() { return PC_SOURCE_DIR; }

std::string make_temp_dir(const std::string& prefix) {
  const char* t = getenv("TMPDIR");
  std::string base = (t && *t) ? t : "/tmp";
  std::string tmpl = base + "/" + prefix + "XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (!mkdtemp(buf.data())) throw std::runtime_error("mkdtemp " + tmpl + ": " + strerror(errno));
  return buf.data();
}

void remove_tree(const std::string& path) {
  if (path.empty() || path == "/" || !path_exists(path)) return;
  // FUSE mounts made on the host (fuse-overlayfs without a userns) block removal.
  std::ifstream mi("/proc/self/mountinfo");
  std::string line;
  std::vector<std::string> mounts;
  while (std::getline(mi, line)) {
    std::istringstream is(line);
    std::string f[5];
    for (auto& x : f) is >> x;
    if (f[4].rfind(path + "/", 0) == 0) mounts.push_back(f[4]);
  }
  for (auto it = mounts.rbegin(); it != mounts.rend(); ++it)
    run({"fusermount3", "-u", "-z", *it}, {.timeout_s = 20});
  run({"rm", "-rf", path}, {.timeout_s = 120});
  if (!path_exists(path)) return;
  // Subuid-owned files: remove them as root of a user namespace with the user's ranges.
  run({"unshare", "--map-auto", "--map-root-user", "rm", "-rf", path}, {.timeout_s = 120});
  if (!path_exists(path)) return;
  run({"podman", "unshare", "rm", "-rf", path}, {.timeout_s = 120});
  if (path_exists(path))
    fprintf(stderr, "harness: warning: could not remove %s\n", path.c_str());
}

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream os;
  os << f.rdbuf();
  return os.str();
}

void write_file(const std::string& path, const std::string& data, mode_t mode) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) throw std::runtime_error("open " + path + ": " + strerror(errno));
  size_t off = 0;
  while (off < data.size()) {
    ssize_t k = write(fd, data.data() + off, data.size() - off);
    if (k < 0) {
      if (errno == EINTR) continue;
      close(fd);
      throw std::runtime_error("write " + path + ": " + strerror(errno));
    }
    off += k;
  }
  fchmod(fd, mode);
  close(fd);
}

bool path_exists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

static void list_rec(const std::string& base, const std::string& rel,
                     std::vector<std::string>& out) {
  std::string p = rel.empty() ? base : base + "/" + rel;
  DIR* d = opendir(p.c_str());
  if (!d) return;
  while (dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n == "." || n == "..") continue;
    std::string r = rel.empty() ? n : rel + "/" + n;
    out.push_back(r);
    struct stat st;
    if (lstat((base + "/" + r).c_str(), &st) == 0 && S_ISDIR(st.st_mode)) list_rec(base, r, out);
  }
  closedir(d);
}

std::vector<std::string> list_tree(const std::string& dir) {
  std::vector<std::string> out;
  list_rec(dir, "", out);
  std::sort(out.begin(), out.end());
  return out;
}

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

std::vector<std::string> lines(const std::string& s) {
  std::vector<std::string> v;
  std::istringstream is(s);
  std::string l;
  while (std::getline(is, l)) {
    if (!l.empty() && l.back() == '\r') l.pop_back();
    if (!trim(l).empty()) v.push_back(l);
  }
  return v;
}

bool contains(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

bool icontains(const std::string& hay, const std::string& needle) {
  auto lower = [](std::string s) {
    for (auto& c : s) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
    return s;
  };
  return lower(hay).find(lower(needle)) != std::string::npos;
}

std::string random_suffix() {
  static std::mt19937_64 rng(std::random_device{}() ^ (uint64_t(getpid()) << 32));
  static const char* al = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string s;
  for (int i = 0; i < 8; ++i) s += al[rng() % 36];
  return s;
}

// ---------------------------------------------------------------- busybox tarball cache

std::string busybox_tar(bool minimal) {
  const std::string fname = minimal ? "busybox-minimal-rootfs.tar" : "busybox-rootfs.tar";
  const std::string script = source_dir() + "/scripts/mkbusybox-rootfs";
  struct stat sst {};
  stat(script.c_str(), &sst);
  auto fresh = [&](const std::string& p) {
    struct stat st;
    return stat(p.c_str(), &st) == 0 && st.st_size > 0 && access(p.c_str(), R_OK) == 0 &&
           st.st_mtime >= sst.st_mtime;
  };
  // 1. made by scripts/demo or scripts/test in the build dir
  std::string bin = pc_binary();
  std::string build_dir = bin.substr(0, bin.rfind('/'));
  if (fresh(build_dir + "/" + fname)) return build_dir + "/" + fname;
  // 2. the build dir's test cache when writable, else the user's cache dir
  std::vector<std::string> dirs = {build_dir + "/tests/fixture-cache"};
  if (const char* x = getenv("XDG_CACHE_HOME"); x && *x) dirs.push_back(std::string(x) + "/pc-tests");
  if (const char* h = getenv("HOME"); h && *h) dirs.push_back(std::string(h) + "/.cache/pc-tests");
  dirs.push_back("/tmp/pc-tests-" + std::to_string(getuid()));
  for (auto& d : dirs) {
    if (fresh(d + "/" + fname)) return d + "/" + fname;
    if (run({"mkdir", "-p", d}, {.timeout_s = 10}).exit_code != 0 || access(d.c_str(), W_OK) != 0)
      continue;
    // several test processes may get here at once: serialise on a lock file
    int lk = open((d + "/.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (lk < 0) continue;
    flock(lk, LOCK_EX);
    std::string path = d + "/" + fname;
    if (!fresh(path)) {
      std::vector<std::string> argv = {script};
      if (minimal) argv.push_back("--minimal");
      argv.push_back(path);
      Result r = run(argv, {.timeout_s = 120});
      if (!r.ok()) {
        close(lk);
        throw std::runtime_error("mkbusybox-rootfs failed:" + r.describe());
      }
    }
    close(lk);
    return path;
  }
  throw std::runtime_error("no writable cache directory for the busybox tarball");
}

std::string busybox_variant_tar(const std::string& dir, const std::string& marker) {
  std::string tar = read_file(busybox_tar());
  // drop the end-of-archive zero blocks (GNU tar pads to 10 KiB records), append ours
  while (tar.size() >= 512 && tar.find_first_not_of('\0', tar.size() - 512) == std::string::npos)
    tar.resize(tar.size() - 512);
  TarWriter t;
  t.file("variant", marker + "\n");
  tar += t.finish();
  std::string path = dir + "/variant-" + marker + ".tar";
  write_file(path, tar);
  return path;
}

// ---------------------------------------------------------------- Store

Store::Store(std::vector<std::string> extra_global, std::map<std::string, std::string> env)
    : env_(std::move(env)) {
  dir_ = make_temp_dir("pc-it-");
  chmod(dir_.c_str(), 0755);
  root_ = dir_ + "/root";
  runroot_ = dir_ + "/run";
  global_ = {"--root", root_, "--runroot", runroot_};
  global_.insert(global_.end(), extra_global.begin(), extra_global.end());
}

Store::~Store() {
  if (const char* k = getenv("PC_IT_KEEP"); k && *k == '1') {
    fprintf(stderr, "harness: keeping store %s\n", dir_.c_str());
    return;
  }
  // Best effort: stop whatever is left, then delete (inside a userns if needed).
  pc({"rm", "-a", "-f"}, {.timeout_s = 30});
  remove_tree(dir_);
}

std::vector<std::string> Store::argv(const std::vector<std::string>& args) const {
  std::vector<std::string> v = {pc_binary()};
  v.insert(v.end(), global_.begin(), global_.end());
  v.insert(v.end(), args.begin(), args.end());
  return v;
}

Result Store::pc(const std::vector<std::string>& args, RunOpts opts) const {
  for (auto& [k, v] : env_) opts.env.emplace(k, v);
  return run(argv(args), opts);
}

std::unique_ptr<Child> Store::pc_async(const std::vector<std::string>& args, RunOpts opts) const {
  for (auto& [k, v] : env_) opts.env.emplace(k, v);
  return std::make_unique<Child>(argv(args), opts);
}

bool Store::import_busybox(const std::string& name, bool minimal) {
  if (imported_[name]) return true;
  std::string tar;
  try {
    tar = busybox_tar(minimal);
  } catch (const std::exception& e) {
    ADD_FAILURE() << e.what();
    return false;
  }
  Result r = pc({"import", tar, name}, {.timeout_s = 120});
  if (!r.ok()) {
    ADD_FAILURE() << "pc import of the busybox rootfs as " << name << " failed:" << r;
    return false;
  }
  imported_[name] = true;
  return true;
}

// ---------------------------------------------------------------- TarWriter

void TarWriter::header(const std::string& name, char type, unsigned mode, size_t size,
                       const std::string& link, unsigned uid, unsigned gid) {
  char h[512];
  memset(h, 0, sizeof h);
  std::string n = name, prefix;
  if (n.size() > 100) {  // split into prefix/name at a '/'
    size_t cut = n.rfind('/', 154);
    if (cut == std::string::npos || n.size() - cut - 1 > 100)
      throw std::runtime_error("tar name too long: " + name);
    prefix = n.substr(0, cut);
    n = n.substr(cut + 1);
  }
  if (link.size() > 100) throw std::runtime_error("tar link name too long: " + link);
  memcpy(h, n.data(), n.size());
  snprintf(h + 100, 8, "%07o", mode & 07777);
  snprintf(h + 108, 8, "%07o", uid);
  snprintf(h + 116, 8, "%07o", gid);
  snprintf(h + 124, 12, "%011lo", static_cast<unsigned long>(size));
  snprintf(h + 136, 12, "%011o", 1704067200u);  // 2024-01-01
  memset(h + 148, ' ', 8);
  h[156] = type;
  memcpy(h + 157, link.data(), link.size());
  memcpy(h + 257, "ustar", 6);
  memcpy(h + 263, "00", 2);
  memcpy(h + 265, "root", 4);
  memcpy(h + 297, "root", 4);
  memcpy(h + 345, prefix.data(), prefix.size());
  unsigned sum = 0;
  for (unsigned char c : h) sum += c;
  snprintf(h + 148, 8, "%06o", sum);
  h[155] = ' ';
  data_.append(h, 512);
  last_padding_ = 0;
}

void TarWriter::file(const std::string& name, const std::string& content, unsigned mode,
                     unsigned uid, unsigned gid) {
  header(name, '0', mode, content.size(), "", uid, gid);
  data_ += content;
  last_padding_ = (512 - content.size() % 512) % 512;
  data_.append(last_padding_, '\0');
}
void TarWriter::dir(const std::string& name, unsigned mode) { header(name, '5', mode, 0, "", 0, 0); }
void TarWriter::symlink(const std::string& name, const std::string& target) {
  header(name, '2', 0777, 0, target, 0, 0);
}
void TarWriter::hardlink(const std::string& name, const std::string& target) {
  header(name, '1', 0644, 0, target, 0, 0);
}
std::string TarWriter::finish() {
  std::string out = data_;
  out.append(1024, '\0');
  return out;
}
std::string TarWriter::finish_unterminated(bool pad_last) const {
  return pad_last ? data_ : data_.substr(0, data_.size() - last_padding_);
}

// ---------------------------------------------------------------- fixture

void PcTest::TearDown() {
  delete store_;
  store_ = nullptr;
}

void PcTest::SetUp() {
  store_ = new Store();
  if (getuid() == 0)
    GTEST_SKIP() << "integration tests run as an unprivileged user (ctest uses "
                    "tests/integration/run-as-test-user)";
  if (access(pc_binary().c_str(), X_OK) != 0)
    FAIL() << "pc binary not found or not executable: " << pc_binary();
  ASSERT_TRUE(store_->import_busybox()) << "cannot import the busybox test image";
}

Result PcTest::run_in(const std::vector<std::string>& flags, const std::vector<std::string>& cmd,
                      RunOpts opts) {
  std::vector<std::string> args = {"run", "--rm"};
  args.insert(args.end(), flags.begin(), flags.end());
  args.push_back(image());
  args.insert(args.end(), cmd.begin(), cmd.end());
  return store_->pc(args, std::move(opts));
}

bool PcTest::wait_running(const std::string& name, double timeout_s) {
  return poll_until(
      [&] {
        Result r = store_->pc({"inspect", "--format", "{{.State.Status}}", name}, {.timeout_s = 10});
        return r.ok() && trim(r.out) == "running";
      },
      timeout_s, 50);
}

std::string PcTest::unique_name(const std::string& base) { return base + "-" + random_suffix(); }

}  // namespace pcit
