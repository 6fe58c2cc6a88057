#include "common/process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/strings.hpp"

extern char** environ;

namespace pc {

ExitStatus ExitStatus::from_wait(int ws) {
    ExitStatus s;
    if (WIFSIGNALED(ws)) {
        s.signaled = true;
        s.signal = WTERMSIG(ws);
    } else if (WIFEXITED(ws)) {
        s.code = WEXITSTATUS(ws);
    }
    return s;
}

ChildProcess::ChildProcess(ChildProcess&& o) noexcept : pid_(std::exchange(o.pid_, -1)) {}
ChildProcess& ChildProcess::operator=(ChildProcess&& o) noexcept {
    if (this != &o) {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            wait();
        }
        pid_ = std::exchange(o.pid_, -1);
    }
    return *this;
}
ChildProcess::~ChildProcess() {
    if (pid_ > 0) {
        ::kill(pid_, SIGKILL);
        wait();
    }
}

ExitStatus ChildProcess::wait() {
    int ws = 0;
    while (::waitpid(pid_, &ws, 0) < 0) {
        if (errno != EINTR) {
            pid_ = -1;
            throw Error::sys("waiting for process");
        }
    }
    pid_ = -1;
    return ExitStatus::from_wait(ws);
}

std::optional<ExitStatus> ChildProcess::try_wait() {
    int ws = 0;
    pid_t r = ::waitpid(pid_, &ws, WNOHANG);
    if (r == 0) return std::nullopt;
    if (r < 0) throw Error::sys("waiting for process");
    pid_ = -1;
    return ExitStatus::from_wait(ws);
}

void ChildProcess::kill(int sig) {
    if (pid_ > 0) ::kill(pid_, sig);
}

pid_t ChildProcess::release() { return std::exchange(pid_, -1); }

std::string find_program(const std::string& name) {
    if (name.find('/') != std::string::npos) return ::access(name.c_str(), X_OK) == 0 ? name : "";
    const char* path = std::getenv("PATH");
    std::string p = path ? path : "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin";
    for (const auto& dir : str::split(p, ':')) {
        std::string cand = (dir.empty() ? "." : dir) + "/" + name;
        struct stat st {};
        if (::stat(cand.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(cand.c_str(), X_OK) == 0) return cand;
    }
    // Helper programs such as newuidmap live in sbin-less PATHs on some setups.
    for (const char* dir : {"/usr/bin", "/usr/sbin", "/bin", "/sbin"}) {
        std::string cand = std::string(dir) + "/" + name;
        if (::access(cand.c_str(), X_OK) == 0) return cand;
    }
    return "";
}

namespace {

// A command line resolved for execve(): the program's path and a null-terminated argv.
struct Command {
    std::string program;
    std::vector<char*> args;

    explicit Command(const std::vector<std::string>& argv) : program(find_program(argv.at(0))) {
        if (program.empty()) throw Error(argv[0] + ": executable not found in PATH");
        for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
    }
};

}  // namespace

ChildProcess spawn(const std::vector<std::string>& argv, int in, int out, int err) {
    const Command command(argv);
    const std::string& prog = command.program;
    char* const* args = command.args.data();
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    if (in >= 0) posix_spawn_file_actions_adddup2(&fa, in, 0);
    if (out >= 0) posix_spawn_file_actions_adddup2(&fa, out, 1);
    if (err >= 0) posix_spawn_file_actions_adddup2(&fa, err, 2);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    // Children must not inherit a blocked signal mask from a monitor.
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
    pid_t pid = -1;
    int rc = ::posix_spawn(&pid, prog.c_str(), &fa, &attr, args, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) throw Error::sys("running " + prog, rc);
    return ChildProcess(pid);
}

ChildProcess spawn_concurrent(const std::vector<std::string>& argv, int in, int out, int err) {
    const Command command(argv);
    const std::string& prog = command.program;
    char* const* args = command.args.data();
    pid_t pid = ::fork();
    if (pid < 0) throw Error::sys("running " + prog);
    if (pid == 0) {
        // Only async-signal-safe calls from here.
        if (in >= 0) ::dup2(in, 0);
        if (out >= 0) ::dup2(out, 1);
        if (err >= 0) ::dup2(err, 2);
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        ::execve(prog.c_str(), args, environ);
        const char* why = "exec failed: ";
        (void)!::write(2, why, std::strlen(why));
        (void)!::write(2, prog.data(), prog.size());
        ::_exit(127);
    }
    return ChildProcess(pid);
}

RunResult run_capture(const std::vector<std::string>& argv) {
    Pipe p = Pipe::make();
    ChildProcess child = spawn(argv, -1, p.write.get(), p.write.get());
    p.write.reset();
    std::string out;
    (void)read_to_eof(p.read.get(), out);
    return RunResult{child.wait(), out};
}

}  // namespace pc

namespace pc {

void raise_open_file_limit() {
    struct rlimit rl {};
    if (::getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= rl.rlim_max) return;
    rl.rlim_cur = rl.rlim_max;
    (void)::setrlimit(RLIMIT_NOFILE, &rl);
}

std::optional<uint64_t> stat_start_time(std::string_view stat) {
    // The command name (field 2) may contain spaces and parentheses: parse after the last ')'.
    auto close = stat.rfind(')');
    if (close == std::string_view::npos || close + 2 > stat.size()) return std::nullopt;
    auto fields = str::split(stat.substr(close + 2), ' ');
    // fields[0] is field 3 (state); starttime is field 22.
    if (fields.size() < 20) return std::nullopt;
    if (fields[0] == "Z" || fields[0] == "X") return std::nullopt;
    return str::parse_u64(fields[19]);
}

std::string self_exe() {
    char buf[4096];
    ssize_t n = ::readlink("/proc/self/exe", buf, sizeof(buf) - 1);
    if (n <= 0) throw Error::sys("finding the pc executable (/proc/self/exe)");
    return std::string(buf, static_cast<size_t>(n));
}

std::string sibling_program(const std::string& name) {
    const std::string exe = self_exe();
    std::string sibling = exe.substr(0, exe.rfind('/') + 1) + name;
    return ::access(sibling.c_str(), X_OK) == 0 ? sibling : std::string();
}

void ignore_terminating_signals() {
    for (int sig : {SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGPIPE, SIGALRM, SIGTERM, SIGSTKFLT, SIGVTALRM, SIGPROF,
                    SIGXCPU, SIGXFSZ, SIGIO, SIGPWR, SIGTSTP, SIGTTIN, SIGTTOU})
        ::signal(sig, SIG_IGN);
    for (int sig = SIGRTMIN; sig <= SIGRTMAX; ++sig) ::signal(sig, SIG_IGN);
}

}  // namespace pc
