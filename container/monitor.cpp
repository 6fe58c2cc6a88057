#include "container/monitor.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <optional>

#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/idle_memory.hpp"
#include "common/log.hpp"
#include "common/poll_loop.hpp"
#include "common/slurm_job.hpp"
#include "container/attach.hpp"
#include "container/attach_server.hpp"
#include "container/attach_socket.hpp"
#include "container/control.hpp"
#include "container/events.hpp"
#include "container/exit_hook.hpp"
#include "container/fuse_daemon.hpp"
#include "container/healthcheck.hpp"
#include "container/pod_guard.hpp"
#include "container/launcher.hpp"
#include "container/log_file.hpp"
#include "rootless/sandbox.hpp"
#include "storage/store.hpp"

namespace pc::container {

namespace {

constexpr int kReportFd = 3;
constexpr int64_t kFirstBackoffMs = 100;
constexpr int64_t kMaxBackoffMs = 30000;

void emit(ContainerStore& containers, const ContainerConfig& cfg, const std::string& status,
          std::map<std::string, std::string> attributes = {}) {
    Event e;
    e.status = status;
    e.id = cfg.id;
    e.name = cfg.name;
    e.image = cfg.image_name;
    e.attributes = std::move(attributes);
    record_event(containers.storage().root(), e);
}

// The monitor program: pc-monitor next to pc (small, see CMakeLists.txt), else pc itself
// with its hidden `__monitor` command.
std::vector<std::string> monitor_command() {
    const std::string sibling = sibling_program("pc-monitor");
    if (!sibling.empty()) return {sibling};
    return {self_exe(), "__monitor"};
}

void redirect(int fd, int target) {
    if (::dup2(fd, target) < 0) throw Error::sys("redirecting the container's output");
}

bool should_restart(const ContainerConfig& cfg, const ContainerState& st, int code) {
    if (st.stopped_by_user || st.status == Status::Removing) return false;
    const std::string& p = cfg.restart_policy;
    if (p == "always" || p == "unless-stopped") return true;
    if (p == "on-failure") return code != 0 && (cfg.restart_max == 0 || st.restart_count < cfg.restart_max);
    return false;
}

// One container run under the monitor: its output pipes (or terminal), the health timer,
// and the wait for its exit.
class MonitoredRun : private PollSource {
public:
    MonitoredRun(ContainerStore& containers, const ContainerConfig& cfg, LogWriter& log, ForwardedSignals& signals,
                 AttachServer* attach)
        : containers_(containers), cfg_(cfg), log_(log), signals_(signals), attach_(attach) {}
    ~MonitoredRun() override {
        if (attach_) attach_->set_targets(-1, -1);
    }

    // Starts the container; throws its start error.
    void start() {
        UniqueFd null(::open("/dev/null", O_RDWR | O_CLOEXEC));
        if (!cfg_.tty) {
            out_ = Pipe::make();
            err_ = Pipe::make();
            redirect(out_.write.get(), STDOUT_FILENO);
            redirect(err_.write.get(), STDERR_FILENO);
            // -i: the container's stdin is a pipe the monitor keeps, so `pc attach` can
            // type into it (the launcher keeps stdin as it is for -i). With -t, input
            // goes to the terminal instead.
            if (cfg_.interactive) {
                in_ = Pipe::make();
                redirect(in_.read.get(), STDIN_FILENO);
            }
        }
        try {
            launched_ = launch(containers_.storage(), cfg_);
        } catch (...) {
            for (int fd : {STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO}) redirect(null.get(), fd);
            throw;
        }
        // Only the container keeps the write ends: EOF then means it is gone.
        for (int fd : {STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO}) redirect(null.get(), fd);
        out_.write.reset();
        err_.write.reset();
        in_.read.reset();
        if (attach_) attach_->set_targets(in_.write.get(), launched_.pty_master.get());
        if (cfg_.has_healthcheck() && cfg_.health_interval_ns > 0) {
            health_timer_.reset(::timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK));
            started_ns_ = now_ns();
            // During the start period, every start_interval when one is set.
            in_start_interval_ = cfg_.health_start_interval_ns > 0 && cfg_.health_start_period_ns > 0;
            arm_health_timer(in_start_interval_ ? cfg_.health_start_interval_ns : cfg_.health_interval_ns);
        }
    }

    pid_t init_pid() const { return launched_.init_pid; }
    const std::vector<net::Endpoint>& endpoints() const { return launched_.endpoints; }

    // Relays output and runs healthchecks until the container's P1 exits; returns its code.
    PC_IDLE_PATH int wait() {
        const int master = launched_.pty_master.get();
        out_fd_ = cfg_.tty ? master : out_.read.get();
        err_fd_ = cfg_.tty ? -1 : err_.read.get();
        PollLoop loop;
        loop_ = &loop;
        // The container's network (slirp, port proxy) runs while the container does; it
        // sees each round before the exit handling below may release it.
        if (launched_.network) loop.add(*launched_.network);
        loop.add(*this);
        loop.add(idle_);  // last: trims right before the sleep
        while (!status_ || out_fd_ >= 0 || err_fd_ >= 0) {
            const int n = loop.poll_once(status_ ? 100 : -1);
            if (n < 0 && errno != EINTR) throw Error::sys("monitoring the container");
            if (n == 0 && status_) break;  // drained: nothing more within 100 ms
        }
        loop_ = nullptr;
        log_.flush();
        reap_health_check(true);
        return status_->signaled ? 128 + status_->signal : status_->code;
    }

private:
    // The monitor's own descriptors in its PollLoop: signals, the container's output, the
    // health timer, the job, and attach clients while the container runs.
    PC_IDLE_PATH void fill(std::vector<struct pollfd>& fds, int& /*timeout_ms*/) override {
        first_fd_ = fds.size();
        fds.insert(fds.end(), {{signals_.fd(), POLLIN, 0},
                               {out_fd_, POLLIN, 0},
                               {err_fd_, POLLIN, 0},
                               {health_timer_ ? health_timer_.get() : -1, POLLIN, 0},
                               {status_ ? -1 : job_fd_, POLLIN, 0}});
        // Attach clients only while the container runs: after the exit, only drain.
        serve_clients_ = attach_ && !status_;
        if (serve_clients_) attach_->poll_fds(fds);
    }

    PC_IDLE_PATH void dispatch(const std::vector<struct pollfd>& all) override {
        const struct pollfd* fds = all.data() + first_fd_;
        if (fds[0].revents & POLLIN) handle_signals();
        if (out_fd_ >= 0 && (fds[1].revents & (POLLIN | POLLHUP | POLLERR)))
            if (!pump(out_fd_, LogStream::Stdout)) out_fd_ = -1;
        if (err_fd_ >= 0 && (fds[2].revents & (POLLIN | POLLHUP | POLLERR)))
            if (!pump(err_fd_, LogStream::Stderr)) err_fd_ = -1;
        if (health_timer_ && (fds[3].revents & POLLIN)) on_health_timer();
        if (!status_ && (fds[4].revents & POLLIN)) on_job_end();
        if (serve_clients_) attach_->handle(&fds[5]);
        // Only a SIGCHLD can mean P1 ended: no waitpid per wakeup of a busy network.
        if (!status_ && child_changed_) {
            child_changed_ = false;
            status_ = launched_.p1.process().try_wait();
            if (status_) {
                loop_->remove(idle_);  // the drain that follows ends within 100 ms
                // Published ports are released before the exit is recorded: whoever sees
                // the container stopped can bind them again.
                if (launched_.network) {
                    loop_->remove(*launched_.network);
                    retired_tap_ = launched_.network->release_ports();
                    launched_.network.reset();
                }
            }
        }
    }

    bool pump(int fd, LogStream stream) {
        char buf[65536];
        ssize_t n = ::read(fd, buf, sizeof(buf));
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
        if (n <= 0) return false;
        log_.write(stream, buf, static_cast<size_t>(n));
        if (attach_) attach_->broadcast(stream, buf, static_cast<size_t>(n));
        return true;
    }

    void handle_signals() {
        struct signalfd_siginfo si {};
        while (::read(signals_.fd(), &si, sizeof(si)) == sizeof(si)) {
            int sig = static_cast<int>(si.ssi_signo);
            if (sig == SIGCHLD) {
                child_changed_ = true;
                reap_health_check(false);
                if (stopper_pid_ > 0 && ::waitpid(stopper_pid_, nullptr, WNOHANG) == stopper_pid_) stopper_pid_ = -1;
                continue;
            }
            if (sig == SIGWINCH) continue;
            // The monitor itself being told to stop (shutdown) stops the container.
            if (launched_.init_pid > 0) ::kill(launched_.init_pid, sig);
        }
    }

    // The job is over (its slurmstepd is gone): so is the container, as Slurm would have
    // killed it had it stayed in the step's process tree. No restart follows.
    void on_job_end() {
        job_ended_ = true;
        job_fd_ = -1;
        if (launched_.init_pid > 0) ::kill(launched_.init_pid, SIGKILL);
    }

    void arm_health_timer(int64_t every_ns) {
        struct itimerspec its {};
        its.it_value.tv_sec = static_cast<time_t>(every_ns / 1000000000);
        its.it_value.tv_nsec = static_cast<long>(every_ns % 1000000000);
        its.it_interval = its.it_value;
        ::timerfd_settime(health_timer_.get(), 0, &its, nullptr);
    }

    void on_health_timer() {
        uint64_t expirations = 0;
        (void)!::read(health_timer_.get(), &expirations, sizeof(expirations));
        if (in_start_interval_ && now_ns() - started_ns_ >= cfg_.health_start_period_ns) {
            in_start_interval_ = false;  // the start period is over: the regular interval
            arm_health_timer(cfg_.health_interval_ns);
        }
        if (health_pid_ > 0) return;  // the previous check is still running
        auto c = containers_.find(cfg_.id);
        if (!c || !c->state.running()) return;
        // A child runs the check so the monitor keeps draining logs meanwhile.
        pid_t pid = ::fork();
        if (pid == 0) {
            int code = 1;
            try {
                HealthResult r = run_healthcheck(containers_, *c);
                code = record_health(containers_, *c, r) == "unhealthy" ? 2 : 0;
            } catch (...) {
            }
            ::_exit(code);
        }
        if (pid > 0) health_pid_ = pid;
    }

    void reap_health_check(bool block) {
        if (health_pid_ <= 0) return;
        int ws = 0;
        pid_t r = ::waitpid(health_pid_, &ws, block ? 0 : WNOHANG);
        if (r == 0) return;
        health_pid_ = -1;
        if (r < 0 || block) return;
        if (WIFEXITED(ws) && WEXITSTATUS(ws) == 2) on_unhealthy();
    }

    void on_unhealthy() {
        const std::string& action = cfg_.health_on_failure;
        if (action == "kill") {
            containers_.update_state(cfg_.id, [](ContainerState& s) { s.stopped_by_user = true; });
            ::kill(launched_.init_pid, SIGKILL);
        } else if (action == "stop") {
            // A stop as `pc stop` does it (stop signal, SIGKILL after the timeout), in a
            // child: the monitor must keep draining the container's output meanwhile.
            if (stopper_pid_ > 0) return;
            pid_t pid = ::fork();
            if (pid == 0) {
                try {
                    Container c = containers_.get(cfg_.id);
                    stop_container(containers_, c, cfg_.stop_timeout);
                } catch (...) {
                }
                ::_exit(0);
            }
            if (pid > 0) stopper_pid_ = pid;
        } else if (action == "restart") {
            force_restart_ = true;
            ::kill(launched_.init_pid, SIGKILL);
        }
    }

public:
    bool force_restart() const { return force_restart_; }
    bool job_ended() const { return job_ended_; }
    // The Slurm job this container was started in (common/slurm_job.hpp); -1 outside a job.
    void watch_job(int fd) { job_fd_ = fd; }
    // The exited run's tap device, still open (see ContainerNetwork::release_ports).
    UniqueFd take_retired_tap() { return std::move(retired_tap_); }
    bool fuse_rootfs() const { return launched_.fuse_rootfs; }

private:
    ContainerStore& containers_;
    const ContainerConfig& cfg_;
    LogWriter& log_;
    ForwardedSignals& signals_;
    AttachServer* attach_;
    Pipe out_, err_, in_;
    Launched launched_;
    UniqueFd health_timer_;
    int64_t started_ns_ = 0;
    bool in_start_interval_ = false;
    pid_t health_pid_ = -1;
    pid_t stopper_pid_ = -1;
    int job_fd_ = -1;
    bool job_ended_ = false;
    bool force_restart_ = false;
    bool child_changed_ = true;  // check once at the start: P1 may have exited already
    IdleTrimmer idle_;  // the monitor idles for the container's life: its memory is a product feature
    PollLoop* loop_ = nullptr;  // while wait() runs
    size_t first_fd_ = 0;       // the monitor's own entries in the round's descriptors
    bool serve_clients_ = false;
    int out_fd_ = -1, err_fd_ = -1;
    std::optional<ExitStatus> status_;
    UniqueFd retired_tap_;
};

// Sleeps `ms` unless the container is stopped or removed meanwhile; signals to the
// monitor during the wait are dropped (there is no container to forward them to).
bool backoff(ContainerStore& containers, const std::string& id, ForwardedSignals& signals, int64_t ms) {
    int64_t start = now_ns();
    while ((now_ns() - start) / 1000000 < ms) {
        struct pollfd p {signals.fd(), POLLIN, 0};
        int left = static_cast<int>(ms - (now_ns() - start) / 1000000);
        if (::poll(&p, 1, std::min(left, 50)) > 0) {
            struct signalfd_siginfo si {};
            while (::read(signals.fd(), &si, sizeof(si)) == sizeof(si)) {
                if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) return false;
            }
        }
        auto st = containers.load_state(id);
        if (st.stopped_by_user || st.status == Status::Removing) return false;
        if (::access((containers.dir(id) + "/config.json").c_str(), F_OK) != 0) return false;
    }
    return true;
}

// The monitor's one-line answer to start_detached: "<code> <message>\n". The caller
// reads a single line rather than waiting for EOF, because the container's processes
// inherit the descriptor (a clone keeps every fd) and hold it open for their lifetime.
void report(int fd, int code, const std::string& message) {
    if (fd < 0) return;
    std::string line = std::to_string(code) + " " + message;
    for (char& ch : line)
        if (ch == '\n') ch = ' ';
    line += '\n';
    (void)write_all(fd, line.data(), line.size());
}

std::optional<rootless::ChildError> read_report(int fd) {
    std::string text;
    char ch = 0;
    for (;;) {
        ssize_t n = ::read(fd, &ch, 1);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0 || ch == '\n') break;
        text += ch;
    }
    if (text.empty()) return std::nullopt;
    auto sp = text.find(' ');
    int code = std::atoi(text.substr(0, sp).c_str());
    return rootless::ChildError{code, sp == std::string::npos ? "" : text.substr(sp + 1)};
}

int run_monitor(ContainerStore& containers, const std::string& id, int report_fd) {
    Container c = containers.get(id);
    const ContainerConfig& cfg = c.config;
    LogWriter log(log_path(containers.storage(), id), cfg.log_max_size);
    ForwardedSignals signals;
    // Without its socket the container still runs; it just cannot be attached to.
    std::optional<AttachServer> attach;
    try {
        attach.emplace(container_runtime_dir(containers.storage().runroot(), id));
    } catch (const Error& e) {
        log::warn("container " + cfg.name + " cannot be attached to: " + e.what());
    }
    AttachServer* attach_ptr = attach ? &*attach : nullptr;
    UniqueFd job;
    if (const char* anchor = std::getenv("PC_JOB_ANCHOR"); anchor && *anchor) {
        job.reset(open_job_anchor(anchor));
        ::unsetenv("PC_JOB_ANCHOR");  // not for the container's processes
        if (!job) {
            containers.update_state(id, [](ContainerState& s) { s.error = "the Slurm job it was started in has ended"; });
            report(report_fd, kExitEngine, "container " + cfg.name + ": the Slurm job it was started in has ended");
            if (cfg.auto_remove) containers.remove(c, true);
            return kExitEngine;
        }
    }
    int64_t delay_ms = kFirstBackoffMs;
    bool first = true;
    // The last run's tap: closed by the next run or by the monitor's exit, after the exit
    // is recorded (see ContainerNetwork::release_ports).
    struct LeftForExit {
        UniqueFd fd;
        ~LeftForExit() { (void)fd.release(); }
    } retired_tap;
    for (;;) {
        MonitoredRun run(containers, cfg, log, signals, attach_ptr);
        run.watch_job(job.get());
        try {
            run.start();
        } catch (const Error& e) {
            containers.update_state(id, [&](ContainerState& s) {
                s.error = e.what();
                if (!first) {
                    s.status = Status::Exited;
                    s.exit_code = e.exit_code();
                    s.finished_ns = now_ns();
                }
                s.monitor_pid = 0;
                s.pid = 0;
            });
            if (first) report(report_fd, e.exit_code(), e.what());
            else log::warn("restarting container " + cfg.name + ": " + e.what());
            if (cfg.auto_remove) containers.remove(c, true);
            return e.exit_code();
        }
        const uint64_t monitor_start = process_start_time(::getpid());
        // Not fsynced: after a power loss "running" is wrong anyway (reconcile reports the
        // container exited); the exit record below is the one that must last.
        containers.update_state(id, [&](ContainerState& s) {
            s.status = Status::Running;
            s.pid = run.init_pid();
            s.endpoints = run.endpoints();
            s.monitor_pid = ::getpid();
            s.monitor_start = monitor_start;
            s.started_ns = now_ns();
            s.finished_ns = 0;
            s.exit_code = 0;
            s.error.clear();
            s.stopped_by_user = false;
            s.slurm_job = slurm_job_id();
            if (cfg.has_healthcheck()) {
                s.health_status = "starting";
                s.health_failing_streak = 0;
            }
        }, false);
        emit(containers, cfg, first ? "start" : "restart");
        if (first) {
            report(report_fd, 0, "started");
            if (report_fd >= 0) ::close(report_fd);
            report_fd = -1;
            first = false;
        }
        // Starting parsed JSON, built the sandbox spec and more; the monitor then idles
        // for the container's life (its memory is a product feature, DESIGN.md).
        trim_idle_memory();

        const int64_t started = now_ns();
        int code = run.wait();
        if (cfg.pid_mode == "host" && run.fuse_rootfs()) stop_fuse_daemons(containers.dir(id) + "/merged");
        retired_tap.fd = run.take_retired_tap();
        // The event first: whoever sees the state exited may remove the container at
        // once, and its "remove" must come after this "died" in the events log.
        emit(containers, cfg, "died", {{"containerExitCode", std::to_string(code)}});
        ContainerState st = containers.update_state(id, [&](ContainerState& s) {
            if (s.status != Status::Removing) s.status = Status::Exited;
            s.exit_code = code;
            s.finished_ns = now_ns();
            s.pid = 0;
            s.endpoints.clear();
        });
        // After the state is recorded: an attached client may read it once told.
        if (attach) attach->finish(code);

        if (::access((containers.dir(id) + "/config.json").c_str(), F_OK) != 0) {  // removed under us
            run_exit_hook(containers, cfg);
            return code;
        }
        if (run.job_ended()) break;
        if (!run.force_restart() && !should_restart(cfg, st, code)) break;
        // A run that lasted a while resets the backoff: only crash loops slow down.
        if ((now_ns() - started) / 1000000 > 10000) delay_ms = kFirstBackoffMs;
        if (!backoff(containers, id, signals, delay_ms)) break;
        delay_ms = std::min(delay_ms * 2, kMaxBackoffMs);
        containers.update_state(id, [](ContainerState& s) { ++s.restart_count; });
    }
    // Only if the record is still ours: a `pc restart` may already have started the
    // container again under a new monitor.
    const pid_t self = ::getpid();
    containers.update_state(id, [self](ContainerState& s) {
        if (s.monitor_pid != self) return;
        s.monitor_pid = 0;
        s.monitor_start = 0;
    });
    if (cfg.auto_remove) {
        auto now = containers.find(id);
        if (now) {
            containers.remove(*now, true);
        }
    }
    run_exit_hook(containers, cfg);
    return 0;
}

}  // namespace

void start_detached(ContainerStore& containers, const Container& c) {
    // Until the monitor reports: a `pod rm -f` meanwhile waits, then finds it running.
    auto in_pod = guard_pod_member(containers, c.config);
    start_dependencies(containers, c.config);
    // One start at a time: two `pc start` (or two pod members starting their infra) must
    // not both find it stopped and start two monitors.
    FileLock starting = containers.start_lock(c.config.id);
    {
        FileLock l = containers.lock(c.config.id);
        if (containers.load_state(c.config.id).running())
            throw Error("container " + c.config.name + " is already running: container state improper");
    }
    const auto& store = containers.storage();
    std::vector<std::string> args = monitor_command();
    for (const auto& a : {std::string("--root"), store.root(), std::string("--runroot"), store.runroot(),
                          std::string("--storage-driver"), storage::driver_name(containers.storage().driver()), c.config.id})
        args.push_back(a);
    const std::string exe = args.front();
    Pipe reply = Pipe::make();
    const std::string anchor = job_anchor();
    pid_t pid = ::fork();
    if (pid < 0) throw Error::sys("starting the container monitor");
    if (pid == 0) {
        // New session, no terminal; the intermediate process exits at once so the monitor
        // is adopted by init and survives the caller.
        ::setsid();
        if (::fork() != 0) ::_exit(0);
        int null = ::open("/dev/null", O_RDWR);
        ::dup2(null, 0);
        ::dup2(null, 1);
        ::dup2(null, 2);
        ::dup2(reply.write.get(), kReportFd);  // dup2 clears CLOEXEC on the copy
        // Inside a Slurm job the container lives no longer than the job (common/slurm_job.hpp).
        if (!anchor.empty()) ::setenv("PC_JOB_ANCHOR", anchor.c_str(), 1);
        ::close_range(kReportFd + 1, ~0U, 0);
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        ::execv(exe.c_str(), argv.data());
        ::_exit(127);
    }
    reply.write.reset();
    int ws = 0;
    while (::waitpid(pid, &ws, 0) < 0 && errno == EINTR) {
    }
    auto err = read_report(reply.read.get());
    if (!err) throw Error("the monitor of container " + c.config.name + " exited before starting it");
    if (err->code != 0) throw Error(err->message, err->code);
}

void start_dependencies(ContainerStore& containers, const ContainerConfig& cfg) {
    for (const auto& id : cfg.dependencies) {
        auto dep = containers.find(id);
        if (!dep) throw Error("container " + cfg.name + " depends on container " + id + ", which no longer exists");
        if (dep->state.running()) continue;
        try {
            start_detached(containers, *dep);
        } catch (const Error&) {
            // Started meanwhile by someone else (another member of the same pod): fine.
            auto now = containers.find(id);
            if (!now || !now->state.running()) throw;
        }
    }
}

int monitor_main(const std::vector<std::string>& args) {
    storage::StoreOptions o;
    std::string id;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--root" && i + 1 < args.size()) o.root = args[++i];
        else if (a == "--runroot" && i + 1 < args.size()) o.runroot = args[++i];
        else if (a == "--storage-driver" && i + 1 < args.size()) o.driver = storage::driver_from_name(args[++i]);
        else id = a;
    }
    ::fcntl(kReportFd, F_SETFD, FD_CLOEXEC);
    // Writing to a container's stdin after it closed it, or to a client that left, must
    // fail with EPIPE, not kill the monitor. Blocked rather than ignored: an ignored
    // disposition would be inherited by the container's processes, a blocked signal is
    // unblocked by the launcher.
    sigset_t pipe_set;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    ::sigprocmask(SIG_BLOCK, &pipe_set, nullptr);
    try {
        storage::Store store(o);
        ContainerStore containers(store);
        return run_monitor(containers, id, kReportFd);
    } catch (const std::exception& e) {
        report(kReportFd, kExitEngine, e.what());
        return kExitEngine;
    }
}

}  // namespace pc::container
