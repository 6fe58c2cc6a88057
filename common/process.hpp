// Child processes: RAII ownership (a ChildProcess that is never waited for is killed and
// reaped on destruction, so no zombie or orphan outlives an error path) and a small
// posix_spawn wrapper for running helper programs (newuidmap, fuse-overlayfs, ...).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pc {

// Decoded wait status: exit code, or the signal that killed the process.
struct ExitStatus {
    int code = 0;         // exit code when !signaled
    int signal = 0;       // terminating signal when signaled
    bool signaled = false;
    // Podman's convention for a container's exit code: code, or 128+signal.
    int shell_code() const { return signaled ? 128 + signal : code; }
    static ExitStatus from_wait(int wstatus);
};

class ChildProcess {
public:
    ChildProcess() = default;
    explicit ChildProcess(pid_t pid) : pid_(pid) {}
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;
    ChildProcess(ChildProcess&& o) noexcept;
    ChildProcess& operator=(ChildProcess&& o) noexcept;
    ~ChildProcess();

    pid_t pid() const { return pid_; }
    bool running() const { return pid_ > 0; }
    // Blocks until the child exits (retrying EINTR).
    ExitStatus wait();
    // Non-blocking; nullopt while still running.
    std::optional<ExitStatus> try_wait();
    void kill(int sig);
    // Forget the child without waiting (e.g. it was handed to a subreaper).
    pid_t release();

private:
    pid_t pid_ = -1;
};

// Spawns `argv` (argv[0] looked up in PATH when it has no '/'); stdin/out/err inherited
// unless fds are given. Throws on spawn failure naming the program.
ChildProcess spawn(const std::vector<std::string>& argv, int stdin_fd = -1, int stdout_fd = -1,
                   int stderr_fd = -1);

// The same with fork() + exec: posix_spawn() holds the caller until the child has exec'd,
// which for a setuid helper takes most of a millisecond; this returns at once. An exec
// failure is written to the child's stderr and ends it with status 127.
ChildProcess spawn_concurrent(const std::vector<std::string>& argv, int stdin_fd = -1, int stdout_fd = -1,
                              int stderr_fd = -1);

// Runs a program to completion, capturing stderr+stdout; returns {status, output}.
struct RunResult {
    ExitStatus status;
    std::string output;
};
RunResult run_capture(const std::vector<std::string>& argv);

// Finds an executable in PATH (or checks an absolute path); empty when not found.
std::string find_program(const std::string& name);

// The running executable's path (/proc/self/exe), and an executable `name` in the same
// directory (empty when there is none): pc's helpers are installed next to it.
std::string self_exe();
std::string sibling_program(const std::string& name);

// The start time (field 22, clock ticks since boot) in the content of a /proc/PID/stat;
// nullopt when it cannot be parsed or the process has exited (a zombie: not alive, even
// if its entry and namespaces can still be opened). With the pid, it names a process
// across pid reuse.
std::optional<uint64_t> stat_start_time(std::string_view stat);

}  // namespace pc

namespace pc {

// Raises the soft limit on open files to the hard one, as Podman does at start: a
// monitor's slirp stack holds a host socket per container connection (and keeps closed
// ones for TIME_WAIT), and the container inherits the limit.
void raise_open_file_limit();

// Sets every signal whose default action ends or stops a process, other than the
// synchronous faults (SEGV, BUS, ...), SIGKILL and SIGSTOP, to be ignored. For pc's helper
// processes of a container (its namespace process P1): a batch system signals every
// process of a job step (Slurm: scancel --signal, the TERM before KillWait), and only the
// payload may act on that; a helper that died would take the container with it.
void ignore_terminating_signals();

}  // namespace pc
