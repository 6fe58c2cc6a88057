#include "container/launcher.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>

#include "common/error.hpp"
#include "common/log.hpp"
#include "container/spec_builder.hpp"
#include "net/loopback.hpp"
#include "rootless/idmap.hpp"
#include "rootless/sandbox.hpp"
#include "rootless/seccomp_bpf.hpp"

namespace pc::container {

namespace {

// P2, before handing over to the sandbox: its own mount namespace and the root filesystem.
[[noreturn]] void container_init(const storage::RootfsPlan& plan, const rootless::SandboxSpec& spec,
                                 bool keep_stdin, int error_fd) {
    try {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        check_sys(::unshare(CLONE_NEWNS), "creating the mount namespace");
        check_sys(::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr), "making / private");
        storage::mount_rootfs(plan);
        if (!keep_stdin) {
            // Podman gives a container without -i an empty stdin.
            int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
            if (fd >= 0) ::dup3(fd, 0, 0);
        }
    } catch (const std::exception& e) {
        rootless::report_child_error(error_fd, kExitEngine, e.what());
        ::_exit(kExitEngine);
    }
    rootless::exec_container(spec, error_fd);
}

}  // namespace

Launched launch(storage::Store& store, const ContainerConfig& cfg) {
    const auto mode = cfg.userns == "keep-id" ? rootless::UsernsMode::KeepId : rootless::UsernsMode::Default;
    const auto& mapping = rootless::caller_mapping(mode);
    if (mode == rootless::UsernsMode::KeepId) {
        std::string why = storage::keep_id_unavailable_reason();
        if (!why.empty()) throw Error("--userns=keep-id: " + why);
    }
    storage::RootfsPlan plan = storage::rootfs_plan(store, cfg.id, cfg.layers, mode);
    plan.volatile_upper = cfg.auto_remove;
    rootless::SandboxSpec spec = build_sandbox_spec(store, cfg, mapping, plan.target);
    // Compiling the default filter with libseccomp takes ~10 ms; the compiled program is
    // cached on disk and memoised in this process, so the container's init (a fork of
    // us) only loads it.
    if (spec.seccomp && !spec.privileged)
        rootless::compile_seccomp_cached(*spec.seccomp, spec.capabilities, store.runroot() + "/seccomp");

    Pipe errors = Pipe::make();
    Pipe pids = Pipe::make();
    SocketPair console;
    if (cfg.tty) {
        console = SocketPair::make();
        spec.console_socket = console.b.get();
        struct winsize ws {};
        if (::ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0 || ::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0) {
            spec.console_rows = ws.ws_row;
            spec.console_cols = ws.ws_col;
        }
    }
    const bool host_net = cfg.network_mode == "host";
    const bool keep_stdin = cfg.interactive;

    auto p1_body = [&]() -> int {
        // The monitor blocks the signals it forwards before starting us; the container
        // must not inherit that mask.
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        errors.read.reset();
        pids.read.reset();
        console.a.reset();
        // Out of the caller's session and terminal process group: the monitor forwards
        // signals, so a Ctrl-C must not reach the container twice.
        ::setsid();
        int flags = CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | (host_net ? 0 : CLONE_NEWNET);
        check_sys(::unshare(flags), "creating the container's namespaces");
        if (!host_net) net::bring_up_loopback();
        pid_t pid = ::fork();
        if (pid < 0) throw Error::sys("fork");
        if (pid == 0) container_init(plan, spec, keep_stdin, errors.write.get());
        errors.write.reset();
        console.b.reset();
        write_all(pids.write.get(), &pid, sizeof(pid));
        pids.write.reset();
        int ws = 0;
        while (::waitpid(pid, &ws, 0) < 0 && errno == EINTR) {
        }
        return ExitStatus::from_wait(ws).shell_code();
    };

    log::timing("spec built");
    Launched out{rootless::UsernsChild::start(0, p1_body), 0, {}};
    errors.write.reset();
    pids.write.reset();
    console.b.reset();
    out.p1.map_and_release(mapping);
    log::timing("user namespace mapped");

    pid_t init_pid = 0;
    if (read_full(pids.read.get(), &init_pid, sizeof(init_pid)) != sizeof(init_pid)) {
        out.p1.wait_ok();  // throws with P1's message
        throw Error("starting container " + cfg.name + ": its namespace process exited early");
    }
    out.init_pid = init_pid;
    log::timing("container init forked");
    if (cfg.tty) {
        try {
            out.pty_master = recv_fd(console.a.get());
        } catch (const Error&) {
            // P2 failed before opening the terminal: its reason is on the error pipe.
        }
    }
    if (auto err = rootless::read_child_error(errors.read.get())) {
        out.p1.wait();
        throw Error(err->message, err->code);
    }
    if (cfg.tty && !out.pty_master) {
        out.p1.wait();
        throw Error("starting container " + cfg.name + ": no terminal was received");
    }
    return out;
}

}  // namespace pc::container
