#include "container/launcher.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>

#include "common/error.hpp"
#include "common/idle_memory.hpp"
#include "common/log.hpp"
#include "common/poll_loop.hpp"
#include "common/process.hpp"
#include "container/infra_pause.hpp"
#include "container/namespace_plan.hpp"
#include "container/network_attach.hpp"
#include "container/spec_builder.hpp"
#include "net/endpoint_setup.hpp"
#include "net/holder_client.hpp"
#include "net/netns_setup.hpp"
#include "net/netns_sockets.hpp"
#include "net/network_mode.hpp"
#include "net/tap.hpp"
#include "rootless/idmap.hpp"
#include "rootless/nested_userns.hpp"
#include "rootless/sandbox.hpp"
#include "rootless/seccomp_bpf.hpp"

namespace pc::container {

namespace {

// P2, before handing over to the sandbox: its own mount namespace and the root filesystem.
// It is forked before P1 makes the network namespace, creates its mount namespace at once
// and does the rest once the monitor opens the gate (the mapping is in place). With a
// network of its own it joins the namespace P1 sends on `netns_channel` right before /sys
// is mounted (so the overlay, /proc and /dev are mounted while P1 configures lo and tap0;
// the payload still finds its address and route in place, as under Podman).
[[noreturn]] void container_init(const storage::RootfsPlan& plan, rootless::SandboxSpec& spec, bool keep_stdin,
                                 int netns_channel, int error_fd, int gate_fd) {
    try {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        check_sys(::unshare(CLONE_NEWNS), "creating the mount namespace");
        check_sys(::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr), "making / private");
        // No byte: the mapping failed (the monitor reports why) or the monitor is gone.
        const bool go = wait_go(gate_fd);
        ::close(gate_fd);
        if (!go) ::_exit(kExitEngine);
        if (netns_channel >= 0) {
            spec.join_network = [netns_channel] {
                UniqueFd netns;
                try {
                    netns = recv_fd(netns_channel);
                } catch (const Error&) {
                    ::_exit(kExitEngine);  // P1 could not make it, and reports why
                }
                check_sys(::setns(netns.get(), CLONE_NEWNET), "joining the container's network namespace");
                ::close(netns_channel);
                net::allow_unprivileged_ping();  // needs the mapped group range
            };
        }
        // Not earlier: the kernel overlay refuses to mount (ENODATA) while the mounter's
        // ids are unmapped.
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

PC_IDLE_PATH int wait_status(pid_t pid) {
    int ws = 0;
    while (::waitpid(pid, &ws, 0) < 0 && errno == EINTR) {
    }
    return ExitStatus::from_wait(ws).shell_code();
}

// P1 with the default network, once P2 runs: answers the monitor's requests for sockets
// in the container's netns (its port proxy) until P2 exits.
PC_IDLE_PATH int serve_until_exit(pid_t pid, int channel) {
    UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
    if (!pidfd) return wait_status(pid);
    bool exited = false;
    FdSource payload(pidfd.get(), POLLIN, [&](short) { exited = true; });
    FdSource requests(channel, POLLIN, [&](short) {
        if (!exited && !net::serve_socket_request(channel)) requests.set_fd(-1);  // the monitor is gone
    });
    // The monitor's requests come as the container starts (its port proxy): the text they
    // paged back in after P1's first trim goes once they have stopped for 2 s.
    IdleTrimmer idle;
    PollLoop loop;
    loop.add(payload);
    loop.add(requests);
    loop.add(idle);
    (void)loop.run_until([&] { return exited; });
    return wait_status(pid);
}

}  // namespace

Launched launch(storage::Store& store, const ContainerConfig& cfg, const std::vector<int>& monitor_only) {
    // The caller becomes the container's monitor (and the container inherits the limit).
    raise_open_file_limit();
    const rootless::Userns userns = rootless::parse_userns(cfg.userns);
    const auto& mapping = rootless::caller_mapping(userns);
    if (userns.mode == rootless::UsernsMode::KeepId) {
        std::string why = storage::keep_id_unavailable_reason(store.driver());
        if (!why.empty()) throw Error("--userns=keep-id: " + why);
    }
    const net::NetworkMode network = net::parse_network_mode(cfg.network_mode);
    NamespacePlan ns = plan_namespaces(store, cfg, network);
    const bool joined = ns.joined();
    const bool slirp = network.kind == net::NetworkKind::Slirp;
    const bool own_net = ns.own_net;
    // On networks by name: the holder gives the container its addresses first (its
    // /etc/hosts names them); P1 makes the veth pairs in the namespace it creates.
    const bool bridge = network.kind == net::NetworkKind::Bridge && own_net;
    Launched out;
    int networks_netns = -1;
    // keep-id on networks by name: the container's netns (and its veth pairs) must be made
    // in the user's shared user namespace, which owns the networks' namespace; P1 then
    // moves into a keep-id namespace nested in it (mapped there by a helper that stays
    // behind), where it makes the others. The netns stays the shared namespace's, as a
    // rootless Podman's keep-id container's does.
    const bool nested = userns.mode == rootless::UsernsMode::KeepId && bridge &&
                        (!cfg.networks.empty() || !cfg.ports.empty());
    if (nested && joined)
        throw Error("--userns=keep-id on networks by name cannot be combined with another container's --pid, --ipc or "
                    "--uts namespace: the container's user namespace is made for it, nested in the user's shared one");
    const rootless::IdMapping& outer = nested ? rootless::caller_mapping() : mapping;
    const rootless::IdMapping inner = nested ? rootless::nested_mapping(mapping, outer) : rootless::IdMapping{};
    if (bridge && (!cfg.networks.empty() || !cfg.ports.empty())) {
        net::Attachment a;
        if (!cfg.networks.empty()) a = net::attach_endpoints(holder_paths(store), attach_request(store, cfg));
        out.endpoints = a.endpoints;
        // Owns the endpoints from here: any failure below gives them back.
        out.network = std::make_unique<net::ContainerNetwork>(cfg.ports, holder_paths(store), cfg.id, std::move(a));
        networks_netns = out.network->networks_netns();
        log::timing("network endpoints given");
    }
    if (network.kind == net::NetworkKind::Container) name_on_shared_networks(store, cfg, network.target);

    // P2: the container's init, which mounts the root filesystem and sets up the sandbox;
    // or, for a pod's infra container, a pause process that only holds the pod's pid
    // namespace (the infra has no payload and no root filesystem: P1 and the monitor
    // hold and run what the pod's members share).
    storage::RootfsPlan plan;
    rootless::SandboxSpec spec;
    if (cfg.infra) {
        write_infra_etc_files(store, cfg, out.endpoints);
    } else {
        plan = storage::rootfs_plan(store, cfg.id, cfg.layers, userns);
        plan.volatile_upper = cfg.auto_remove;
        out.fuse_rootfs = plan.driver == storage::Driver::FuseOverlay || !plan.fuse_uidmapping.empty();
        spec = build_sandbox_spec(store, cfg, mapping, plan.target, out.endpoints);
        // Compiling the default filter with libseccomp takes ~10 ms; the compiled program
        // is cached on disk and memoised in this process, so the container's init (a fork
        // of us) only loads it.
        if (spec.seccomp && !spec.privileged)
            rootless::compile_seccomp_cached(*spec.seccomp, spec.capabilities, store.runroot() + "/seccomp");
    }
    // The infra sets the pod's hostname in the uts namespace its P1 makes; a container's
    // init sets its own.
    const std::string infra_hostname = cfg.infra && (ns.unshare_flags & CLONE_NEWUTS) ? container_hostname(cfg) : "";

    const net::TapConfig tap = net::tap_config(network.slirp);

    Pipe errors = Pipe::make();
    Pipe pids = Pipe::make();
    // The monitor's channel to P1, for sockets in the container's namespace (its port
    // proxy); with slirp the tap comes over it first.
    SocketPair net_channel;
    if (slirp || out.network) net_channel = SocketPair::make();
    SocketPair console;
    if (cfg.tty && !cfg.infra) {
        console = SocketPair::make();
        spec.console_socket = console.b.get();
        struct winsize ws {};
        if (::ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0 || ::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0) {
            spec.console_rows = ws.ws_row;
            spec.console_cols = ws.ws_col;
        }
    }
    const bool keep_stdin = cfg.interactive;

    // P1 does all it can right after the clone, while we write the id mapping (the
    // newuidmap/newgidmap execs are the slowest step of a fresh namespace; with the shared
    // namespace there is none): it makes the container's pid, uts and ipc namespaces (those
    // it does not join) and forks P2, which makes its mount namespace and waits at the gate
    // that we open once the mapping is written (one wake-up, not two: P1 is off that path).
    // Then P1 creates and configures the network namespace (lo up, tap0: ~0.5 ms, which
    // needs only the user namespace's capabilities) while P2 mounts the root filesystem,
    // and sends it to P2. A failure is kept for P1 to report.
    UniqueFd tap_fd;
    SocketPair gate;           // monitor -> P2: the mapping is written
    if (!cfg.infra) gate = SocketPair::make();
    SocketPair netns_channel;  // P1 -> P2: the network namespace
    const bool p2_joins_net = own_net && !cfg.infra && !nested;
    if (p2_joins_net) netns_channel = SocketPair::make();
    pid_t init_pid = 0;
    std::string setup_error;
    auto before_release = [&]() noexcept {
        try {
            // The monitor blocks the signals it forwards before starting us; the container
            // must not inherit that mask.
            sigset_t none;
            sigemptyset(&none);
            ::sigprocmask(SIG_SETMASK, &none, nullptr);
            for (int fd : monitor_only)
                if (fd >= 0) ::close(fd);
            errors.read.reset();
            pids.read.reset();
            console.a.reset();
            net_channel.a.reset();
            gate.a.reset();
            // Out of the caller's session and terminal process group: the monitor forwards
            // signals, so a Ctrl-C must not reach the container twice.
            ::setsid();
            auto make_network = [&] {
                check_sys(::unshare(CLONE_NEWNET), "creating the container's network namespace");
                net::bring_up_loopback();
                if (slirp) tap_fd = net::create_tap(tap);
                if (!out.endpoints.empty()) net::set_up_endpoints(networks_netns, out.endpoints);
            };
            if (nested) {
                // P2 inherits the netns: from the nested namespace it could not join it.
                make_network();
                // Nor change its settings: they are made from here (ping for the shared
                // namespace's group 0, the caller's group that the payload runs with;
                // --sysctl net.*).
                net::allow_unprivileged_ping();
                auto net_settings = std::stable_partition(spec.sysctls.begin(), spec.sysctls.end(),
                                                          [](const auto& s) { return !s.first.starts_with("net."); });
                rootless::apply_sysctls({net_settings, spec.sysctls.end()});
                spec.sysctls.erase(net_settings, spec.sysctls.end());
                rootless::unshare_nested_userns(inner);
            }
            if (ns.unshare_flags != 0) check_sys(::unshare(ns.unshare_flags), "creating the container's namespaces");
            if (!infra_hostname.empty() && ::sethostname(infra_hostname.data(), infra_hostname.size()) < 0)
                throw Error::sys("setting the pod's hostname " + infra_hostname);
            // The infra's pause is what members join (/proc/PID/ns/*): it must be in the
            // pod's network namespace, so that is made first.
            if (own_net && cfg.infra && !nested) make_network();
            UniqueFd p1_pidfd;
            if (cfg.infra) p1_pidfd.reset(static_cast<int>(::syscall(SYS_pidfd_open, ::getpid(), 0)));
            pid_t pid = ::fork();
            if (pid < 0) throw Error::sys("fork");
            if (pid == 0) {
                if (cfg.infra) become_infra_pause(p1_pidfd.get());
                net_channel.b.reset();
                pids.write.reset();
                netns_channel.a.reset();
                container_init(plan, spec, keep_stdin, p2_joins_net ? netns_channel.b.get() : -1, errors.write.get(),
                               gate.b.release());
            }
            init_pid = pid;
            p1_pidfd.reset();
            // P1 only waits for P2 (and serves the port proxy): a signal meant for the
            // payload, which a batch system sends to every process of a step, must not end
            // P1 and with it (PDEATHSIG) the container. P2 forked first, with the defaults.
            ignore_terminating_signals();
            console.b.reset();
            gate.b.reset();
            netns_channel.b.reset();
            write_all(pids.write.get(), &init_pid, sizeof(init_pid));
            pids.write.reset();
            if (p2_joins_net) {
                make_network();
                UniqueFd netns(::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC));
                if (!netns) throw Error::sys("opening the container's network namespace");
                send_fd(netns_channel.a.get(), netns.get());
                netns_channel.a.reset();
            }
            errors.write.reset();
        } catch (const std::exception& e) {
            setup_error = e.what();
            // Where the monitor looks once P2 is running (P2 itself exits without a word).
            if (errors.write) rootless::report_child_error(errors.write.get(), kExitEngine, setup_error);
            errors.write.reset();
        }
    };

    auto p1_body = [&]() -> int {
        // The monitor reads our message. A P2 already forked finds no network namespace
        // and exits (or dies with us).
        if (!setup_error.empty()) throw Error(setup_error);
        // P1 waits for the container's whole life: keep only what it still runs.
        if (!net_channel.b) {
            trim_idle_memory();
            return wait_status(init_pid);
        }
        // A monitor that died has closed its end of the channel: EPIPE, not death. (Set
        // after the fork: the payload must not inherit an ignored SIGPIPE.)
        ::signal(SIGPIPE, SIG_IGN);
        if (slirp) send_fd(net_channel.b.get(), tap_fd.get());
        tap_fd.reset();
        trim_idle_memory();
        return serve_until_exit(init_pid, net_channel.b.get());
    };

    log::timing("spec built");
    if (joined) out.p1 = rootless::UsernsChild::join(std::move(ns.joins), before_release, p1_body);
    else out.p1 = rootless::UsernsChild::enter(outer, 0, before_release, p1_body);
    errors.write.reset();
    pids.write.reset();
    console.b.reset();
    net_channel.b.reset();
    gate.b.reset();
    if (!joined) out.p1.start_mapping(outer);
    // While the mapping helpers run: the host ports bound (one in use fails the start
    // before anything runs; P1 and P2 then die with their gates). The slirp stack is built
    // once P2 runs (ContainerNetwork::attach).
    if (slirp) out.network = std::make_unique<net::ContainerNetwork>(network.slirp, cfg.ports);
    if (joined) out.p1.release();
    else out.p1.finish_mapping_and_release();
    if (gate.a) {
        send_go(gate.a.get());  // a P2 that already failed reports through the error pipe
        gate.a.reset();
    }
    log::timing("user namespace mapped");

    if (read_full(pids.read.get(), &init_pid, sizeof(init_pid)) != sizeof(init_pid)) {
        out.p1.wait_ok();  // throws with P1's message
        throw Error("starting container " + cfg.name + ": its namespace process exited early");
    }
    out.init_pid = init_pid;
    log::timing("container init forked");
    if (slirp) {
        UniqueFd tap_fd;
        try {
            tap_fd = recv_fd(net_channel.a.get());
        } catch (const Error&) {
            out.p1.wait_ok();  // throws with P1's reason (e.g. /dev/net/tun not accessible)
            throw Error("starting container " + cfg.name + ": its network could not be set up");
        }
        out.network->attach(std::move(tap_fd), std::move(net_channel.a));
        log::timing("network attached");
    } else if (out.network) {
        out.network->attach(UniqueFd(), std::move(net_channel.a));
    }
    if (cfg.tty && console.a) {
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
    run_monitor_hooks(store, cfg, "poststart", init_pid);
    if (cfg.auto_remove)
        out.mount_ns.reset(::open(("/proc/" + std::to_string(init_pid) + "/ns/mnt").c_str(), O_RDONLY | O_CLOEXEC));
    if (cfg.tty && console.a && !out.pty_master) {
        out.p1.wait();
        throw Error("starting container " + cfg.name + ": no terminal was received");
    }
    return out;
}

}  // namespace pc::container
