#include "container/lifecycle.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <optional>

#include "common/error.hpp"
#include "common/log.hpp"
#include "container/events.hpp"
#include "container/exit_hook.hpp"
#include "container/monitor.hpp"
#include "container/log_file.hpp"

namespace pc::container {

namespace {
// Points our stdout/stderr at the given descriptors (when >= 0) while the container is
// launched, so its processes inherit them; restores ours afterwards.
class StdioRedirect {
public:
    StdioRedirect(int out, int err) {
        if (out >= 0) swap(out, STDOUT_FILENO, saved_out_);
        if (err >= 0) swap(err, STDERR_FILENO, saved_err_);
    }
    StdioRedirect(const StdioRedirect&) = delete;
    StdioRedirect& operator=(const StdioRedirect&) = delete;
    ~StdioRedirect() {
        if (saved_out_) ::dup2(saved_out_.get(), STDOUT_FILENO);
        if (saved_err_) ::dup2(saved_err_.get(), STDERR_FILENO);
    }

private:
    static void swap(int fd, int target, UniqueFd& saved) {
        saved.reset(::fcntl(target, F_DUPFD_CLOEXEC, 3));
        if (!saved || ::dup2(fd, target) < 0) throw Error::sys("redirecting the container's output");
    }
    UniqueFd saved_out_, saved_err_;
};

// The record may have been removed under us (`pc rm -f` of a running container): then
// there is nothing left to update.
void save_if_present(ContainerStore& containers, const Container& c, const ContainerState& st) {
    const std::string& id = c.config.id;
    if (::access((containers.dir(id) + "/config.json").c_str(), F_OK) == 0)
        containers.save_state(id, st, !c.config.auto_remove);
}

void remove_quietly(ContainerStore& containers, const Container& c) {
    try {
        // Deleting the tree (~1 ms per inode where the disk has online discard) happens in a
        // detached child: the record is already gone (renamed aside), so `ps` is right at
        // once and the shell gets its prompt back sooner.
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
    start_dependencies(containers, c.config);
    log::timing("starting container " + c.config.name);
    ForwardedSignals signals;
    // Like Podman, a foreground container that is kept (no --rm) has its output in its log
    // too, so `pc logs` works afterwards; --rm runs pass our descriptors straight through.
    const bool keep_log = !c.config.auto_remove;
    std::optional<LogWriter> log;
    Pipe out, err;
    AttachOptions opts = options;
    if (keep_log) {
        log.emplace(log_path(containers.storage(), id), c.config.log_max_size);
        opts.log = &*log;
        if (!c.config.tty) {
            out = Pipe::make();
            err = Pipe::make();
        }
    }
    Launched launched;
    try {
        StdioRedirect redirect(out.write.get(), err.write.get());
        launched = launch(containers.storage(), c.config);
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
    save_if_present(containers, c, c.state);
    log::timing("container running");
    if (keep_log) record_event(containers.storage().root(), Event{now_ns(), "container", "start", id, c.config.name, c.config.image_name, {}});
    out.write.reset();
    err.write.reset();
    opts.tee_stdout = out.read.get();
    opts.tee_stderr = err.read.get();

    int code = attach_until_exit(launched, opts, signals);
    // The published ports are free once the exit is recorded. The tap is closed by our
    // exit, which the kernel makes cheap (see release_ports): this process ends next.
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
    // The detached remover forked above holds the mount namespace now (Launched::mount_ns).
    launched.mount_ns.reset();
    log::timing("container recorded");
    run_exit_hook(containers, c.config);
    return code;
}

}  // namespace pc::container
