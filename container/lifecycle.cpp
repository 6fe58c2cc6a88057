#include "container/lifecycle.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <optional>

#include "common/error.hpp"
#include "common/log.hpp"
#include "common/slurm_job.hpp"
#include "container/events.hpp"
#include "container/exit_hook.hpp"
#include "container/fuse_daemon.hpp"
#include "container/monitor.hpp"
#include "container/pod_guard.hpp"
#include "container/log_file.hpp"
#include "container/stdio_redirect.hpp"
#include "container/stdio_relay.hpp"

namespace pc::container {

namespace {
// The record may have been removed under us (`pc rm -f` of a running container): then
// there is nothing left to update.
void save_if_present(ContainerStore& containers, const Container& c, const ContainerState& st) {
    const std::string& id = c.config.id;
    if (::access((containers.dir(id) + "/config.json").c_str(), F_OK) == 0)
        containers.save_state(id, st, !c.config.auto_remove);
}

void remove_quietly(ContainerStore& containers, const Container& c) {
    try {
        // Deleting the tree (~1 ms per inode where the disk has online discard) is left to
        // the store's removal queue (storage/store.hpp): the record is already gone
        // (renamed into the queue), so `ps` is right at once and the shell gets its prompt
        // back sooner.
        containers.remove(c, true, true);
    } catch (const Error& e) {
        log::warn("removing container " + c.config.name + ": " + e.what());
    }
}
}  // namespace

int run_attached(ContainerStore& containers, Container& c, const AttachOptions& options) {
    const std::string& id = c.config.id;
    {
        FileLock l = containers.lock(id);
        c.state = containers.load_state(id);
        if (c.state.running()) throw Error("container " + c.config.name + " is already running");
    }
    // Released once it runs: its exit may remove its pod (run --rm --pod new:).
    auto in_pod = guard_pod_member(containers, c.config);
    start_dependencies(containers, c.config);
    log::timing("starting container " + c.config.name);
    ForwardedSignals signals;
    // Like Podman, a foreground container that is kept (no --rm) has its output in its log
    // too, so `pc logs` works afterwards; --rm runs pass our descriptors straight through,
    // except terminals, which a container without -t never gets (stdio_relay.hpp).
    const bool keep_log = !c.config.auto_remove;
    std::optional<LogWriter> log;
    AttachOptions opts = options;
    if (keep_log) {
        log.emplace(log_path(containers.storage(), id), c.config.log_max_size);
        opts.log = &*log;
    }
    Launched launched;
    RelayedStdio io;
    if (!c.config.tty) io = RelayedStdio::for_caller(c.config.interactive, keep_log);
    try {
        StdioRedirect redirect(io.out.write.get(), io.err.write.get(), io.in.read.get());
        // P1 never execs: it must not keep the pod's lock held for the container's life.
        launched = launch(containers.storage(), c.config, {io.in.write.get(), in_pod.get()});
    } catch (const Error& e) {
        if (c.config.auto_remove) {
            remove_quietly(containers, c);
        } else {
            c.state.error = e.what();
            save_if_present(containers, c, c.state);
        }
        throw;
    }
    c.state.status = Status::Running;
    c.state.pid = launched.init_pid;
    c.state.endpoints = launched.endpoints;
    c.state.monitor_pid = ::getpid();
    c.state.monitor_start = process_start_time(::getpid());
    c.state.started_ns = now_ns();
    c.state.finished_ns = 0;
    c.state.exit_code = 0;
    c.state.error.clear();
    c.state.slurm_job = slurm_job_id();
    save_if_present(containers, c, c.state);
    in_pod.reset();
    log::timing("container running");
    if (keep_log) record_event(containers.storage().root(), Event{now_ns(), "container", "start", id, c.config.name, c.config.image_name, {}});
    io.in.read.reset();
    io.out.write.reset();
    io.err.write.reset();
    opts.tee_stdout = io.out.read.get();
    opts.tee_stderr = io.err.read.get();
    StdinFeed feed(std::move(io.in.write));
    if (feed.active()) opts.stdin_feed = &feed;

    int code = attach_until_exit(launched, opts, signals);
    // The published ports are free once the exit is recorded. The tap is closed by our
    // exit, after the exit is recorded (see release_ports): this process ends next.
    if (launched.network) (void)launched.network->release_ports().release();
    launched.network.reset();
    if (keep_log)
        record_event(containers.storage().root(), Event{now_ns(), "container", "died", id, c.config.name, c.config.image_name,
                                                        {{"containerExitCode", std::to_string(code)}}});

    log::timing("container exited");
    c.state.status = Status::Exited;
    c.state.pid = 0;
    c.state.endpoints.clear();
    c.state.monitor_pid = 0;
    c.state.exit_code = code;
    c.state.finished_ns = now_ns();
    if (c.config.auto_remove) remove_quietly(containers, c);
    else save_if_present(containers, c, c.state);
    // The removal helper forked above holds the mount namespace now (Launched::mount_ns)
    // and releases it once we have exited.
    launched.mount_ns.reset();
    if (c.config.pid_mode == "host" && launched.fuse_rootfs) stop_fuse_daemons(containers.dir(id) + "/merged");
    log::timing("container recorded");
    run_exit_hook(containers, c.config);
    return code;
}

}  // namespace pc::container
