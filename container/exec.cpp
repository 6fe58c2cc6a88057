// `pc exec`: the processes (DESIGN.md "Process model"):
//
//   pc (host user ns) ── E1: setsid; joins user, mnt, pid, uts, ipc, net of the container's
//                        │   PID 1; waits for E2 and exits with its status (128+N)
//                        └─ E2: in the container's pid ns; user, env, cwd, terminal,
//                               capabilities, no_new_privs, seccomp, execve
//
// E1 is needed because a pid namespace is entered only by children of the process that
// joined it, and because joining a user namespace is one-way: pc itself stays on the host
// to relay the terminal, forward signals and touch the store.
#include "container/exec.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <optional>

#include "common/error.hpp"
#include "common/log.hpp"
#include "container/attach.hpp"
#include "container/events.hpp"
#include "container/exec_spec.hpp"
#include "container/stdio_relay.hpp"
#include "rootless/idmap.hpp"
#include "rootless/ns_join.hpp"
#include "rootless/sandbox.hpp"
#include "rootless/seccomp_bpf.hpp"

namespace pc::container {

namespace {

const char* kNotRunning = "can only create exec sessions on running containers: container state improper";
// Podman's exit code for that refusal (its generic exec error), not the engine's 125.
constexpr int kExitExecNotRunning = 255;

// stdin/stdout/stderr of the payload: /dev/null for what is not attached.
void redirect_to_null(bool in, bool out) {
    int fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    if (fd < 0) throw Error::sys("opening /dev/null");
    if (in) ::dup3(fd, 0, 0);
    if (out) {
        ::dup3(fd, 1, 0);
        ::dup3(fd, 2, 0);
    }
    ::close(fd);
}

struct ExecPipes {
    Pipe errors = Pipe::make();  // E2's "<code> <message>"; EOF = execve succeeded
    Pipe pids = Pipe::make();    // E1 -> pc: E2's host pid (to forward signals to)
    SocketPair console;          // E2 -> pc: the pty master (with -t)
};

// E1. Never returns.
// `monitor_stdin`: pc's end of a relayed stdin, which the payload must see closed.
[[noreturn]] void exec_helper(const std::vector<rootless::NamespaceFd>& namespaces,
                              const rootless::ExecProcessSpec& spec, const ExecOptions& o, ExecPipes& p,
                              int monitor_stdin) {
    try {
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        if (monitor_stdin >= 0) ::close(monitor_stdin);
        p.errors.read.reset();
        p.pids.read.reset();
        p.console.a.reset();
        // Attached: dies with pc, like a foreground container. Detached: must outlive it.
        if (!o.detach) ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        // Out of the caller's session: pc forwards the signals (a terminal's Ctrl-C must not
        // arrive twice), and a detached exec must survive the caller's logout.
        ::setsid();
        // Detached: nothing of the caller's (its terminal, a pipe it waits on) may be held
        // open. Not interactive: an empty stdin, as Podman gives.
        if (o.detach) redirect_to_null(true, true);
        else if (!o.interactive && !o.tty) redirect_to_null(true, false);
        // Descriptors the caller gave replace ours (a healthcheck captures its output so).
        if (o.stdin_fd >= 0) ::dup2(o.stdin_fd, STDIN_FILENO);
        if (o.stdout_fd >= 0) ::dup2(o.stdout_fd, STDOUT_FILENO);
        if (o.stderr_fd >= 0) ::dup2(o.stderr_fd, STDERR_FILENO);
        rootless::join_namespaces(namespaces);
        pid_t pid = ::fork();
        if (pid < 0) throw Error::sys("fork into the container's pid namespace");
        if (pid == 0) {
            if (!o.detach) ::prctl(PR_SET_PDEATHSIG, SIGKILL);
            rootless::exec_in_joined_namespaces(spec, p.errors.write.get());
        }
        p.errors.write.reset();
        p.console.b.reset();
        write_all(p.pids.write.get(), &pid, sizeof(pid));
        p.pids.write.reset();
        int ws = 0;
        while (::waitpid(pid, &ws, 0) < 0 && errno == EINTR) {
        }
        ::_exit(ExitStatus::from_wait(ws).shell_code());
    } catch (const std::exception& e) {
        rootless::report_child_error(p.errors.write.get(), kExitEngine, e.what());
    }
    ::_exit(kExitEngine);
}

void record_exec_event(ContainerStore& containers, const Container& c, const ExecOptions& o) {
    Event e;
    e.time_ns = now_ns();
    e.status = "exec";
    e.id = c.config.id;
    e.name = c.config.name;
    e.image = c.config.image_name;
    std::string cmd;
    for (const auto& a : o.args) cmd += (cmd.empty() ? "" : " ") + a;
    e.attributes["execCommand"] = cmd;
    record_event(containers.storage().root(), e);
}

}  // namespace

int exec_in_container(ContainerStore& containers, const Container& given, const ExecOptions& options) {
    ExecOptions o = options;
    if (o.args.empty()) throw Error("must provide a non-empty command to start an exec session");
    // The state as of now (reconciled: a dead monitor means the container is not running).
    std::optional<Container> found = containers.find(given.config.id);
    if (!found || found->state.status != Status::Running || found->state.pid <= 0) throw Error(kNotRunning, kExitExecNotRunning);
    const Container& c = *found;

    std::vector<rootless::NamespaceFd> namespaces;
    try {
        namespaces = rootless::open_namespaces(c.state.pid, {"user", "mnt", "pid", "uts", "ipc", "net"});
    } catch (const Error& e) {
        log::debug("exec into " + c.config.name + ": " + e.what());
        throw Error(kNotRunning, kExitExecNotRunning);  // the init is gone (its monitor has not recorded it yet)
    }

    rootless::ExecProcessSpec spec =
        exec_process_spec(c.config, o, rootless::caller_mapping(rootless::parse_userns(c.config.userns)).single);
    // Compiled (or read from the cache) here, so the child only loads it.
    if (spec.seccomp)
        rootless::compile_seccomp_cached(*spec.seccomp, spec.seccomp_caps, containers.storage().runroot() + "/seccomp");

    ExecPipes pipes;
    // A detached session has nobody to relay a terminal to once pc exits.
    const bool tty = o.tty && !o.detach;
    spec.terminal = tty;
    if (tty) {
        pipes.console = SocketPair::make();
        spec.console_socket = pipes.console.b.get();
        struct winsize ws {};
        if (::ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0 || ::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0) {
            spec.console_rows = ws.ws_row;
            spec.console_cols = ws.ws_col;
        }
    }
    // Attached without a terminal: our descriptors that are terminals reach the payload
    // through pipes (stdio_relay.hpp); those the caller chose (a healthcheck's) are kept.
    RelayedStdio io;
    if (!tty && !o.detach) {
        io = RelayedStdio::for_caller(o.interactive && o.stdin_fd < 0, false);
        if (o.stdout_fd >= 0) io.out = {};
        if (o.stderr_fd >= 0) io.err = {};
        if (io.in.read) o.stdin_fd = io.in.read.get();
        if (io.out.write) o.stdout_fd = io.out.write.get();
        if (io.err.write) o.stderr_fd = io.err.write.get();
    }
    // Before the fork: a signal arriving while the exec starts is forwarded, not fatal.
    std::optional<ForwardedSignals> signals;
    if (!o.detach) signals.emplace();

    std::fflush(nullptr);
    pid_t helper_pid = ::fork();
    if (helper_pid < 0) throw Error::sys("fork");
    if (helper_pid == 0) exec_helper(namespaces, spec, o, pipes, io.in.write.get());
    ChildProcess helper(helper_pid);
    io.in.read.reset();
    io.out.write.reset();
    io.err.write.reset();
    pipes.errors.write.reset();
    pipes.pids.write.reset();
    pipes.console.b.reset();
    namespaces.clear();

    pid_t payload = 0;
    const bool got_pid = read_full(pipes.pids.read.get(), &payload, sizeof(payload)) == sizeof(payload);
    UniqueFd master;
    if (tty && got_pid) {
        try {
            master = recv_fd(pipes.console.a.get());
        } catch (const Error&) {
            // The payload failed before opening its terminal: the reason is on the error pipe.
        }
    }
    if (auto err = rootless::read_child_error(pipes.errors.read.get())) {
        helper.wait();
        throw Error(err->message, err->code);
    }
    if (!got_pid) {
        ExitStatus st = helper.wait();
        throw Error("exec in container " + c.config.name + ": the helper process exited early (" +
                    std::to_string(st.shell_code()) + ")");
    }
    record_exec_event(containers, c, o);
    if (o.detach) {
        // The helper reaps the payload and exits with it; it was re-parented by setsid's
        // session only, so leave it to init once pc exits.
        helper.release();
        return 0;
    }
    AttachOptions ao;
    ao.tty = tty;
    ao.stdin_open = o.interactive;
    ao.sig_proxy = true;
    ao.tee_stdout = io.out.read.get();
    ao.tee_stderr = io.err.read.get();
    StdinFeed feed(std::move(io.in.write));
    if (feed.active()) ao.stdin_feed = &feed;
    return relay_until_exit(helper, payload, master ? master.get() : -1, ao, *signals);
}

}  // namespace pc::container
