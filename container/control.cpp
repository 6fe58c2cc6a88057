#include "container/control.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <time.h>

#include <cctype>
#include <cstring>

#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/strings.hpp"

namespace pc::container {

int parse_signal(const std::string& name) {
    std::string s = str::to_lower(name);
    if (auto n = str::parse_u64(s); n && *n > 0 && *n < static_cast<uint64_t>(SIGRTMAX + 1)) return static_cast<int>(*n);
    if (str::starts_with(s, "sig")) s = s.substr(3);
    for (int sig = 1; sig < NSIG; ++sig) {
        const char* abbrev = ::sigabbrev_np(sig);
        if (abbrev && str::to_lower(abbrev) == s) return sig;
    }
    if (str::starts_with(s, "rtmin")) {
        auto off = s.size() == 5 ? std::optional<uint64_t>(0) : str::parse_u64(s.substr(6));
        if (off && SIGRTMIN + static_cast<int>(*off) <= SIGRTMAX) return SIGRTMIN + static_cast<int>(*off);
    }
    throw Error("invalid signal: " + name);
}

void signal_container(const Container& c, int sig) {
    if (!c.state.running() || c.state.pid <= 0 || !process_alive(c.state.monitor_pid, c.state.monitor_start))
        throw Error("can only kill running containers. " + c.config.id + " is in state " +
                    status_name(c.state.status) + ": container state improper");
    if (::kill(c.state.pid, sig) < 0 && errno != ESRCH)
        throw Error::sys("sending signal " + std::to_string(sig) + " to container " + c.config.name);
}

bool wait_stopped(ContainerStore& containers, const std::string& id, int64_t timeout_ms) {
    struct timespec start {};
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        ContainerState st = containers.load_state(id);
        if (!st.running() || !process_alive(st.monitor_pid, st.monitor_start)) return true;
        struct timespec now {};
        clock_gettime(CLOCK_MONOTONIC, &now);
        int64_t elapsed = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
        if (elapsed >= timeout_ms) return false;
        struct timespec nap {0, 5 * 1000 * 1000};
        ::nanosleep(&nap, nullptr);
    }
}

namespace {
// Waits until `pid` has exited (a pidfd becomes readable then; no polling), or the
// timeout passes. True when it is gone. With `start_time` (process_start_time), a pid
// that now names another process counts as gone: checked after the pidfd is open, so the
// wait is on the right process.
bool wait_process_gone(pid_t pid, int64_t timeout_ms, uint64_t start_time = 0) {
    UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
    if (!pidfd) return errno == ESRCH;
    if (start_time && !process_alive(pid, start_time)) return true;
    struct pollfd p {pidfd.get(), POLLIN, 0};
    return ::poll(&p, 1, static_cast<int>(timeout_ms)) > 0;
}
}  // namespace

void stop_container(ContainerStore& containers, Container& c, unsigned timeout_s, bool removing) {
    if (!c.state.running()) {
        // Not running, but its monitor is alive: a restart policy is waiting out its backoff
        // between two runs. Stop means "do not start it again" (Podman: stop is not a
        // failure), so flag it; the monitor checks the flag every 50 ms of its backoff and
        // exits. If it was already starting the next run (and cleared the flag), that run
        // is stopped like any other.
        const std::string& id = c.config.id;
        if (c.state.monitor_pid <= 0 || !process_alive(c.state.monitor_pid, c.state.monitor_start)) return;
        containers.update_state(id, [](ContainerState& s) { s.stopped_by_user = true; });
        struct timespec start {};
        clock_gettime(CLOCK_MONOTONIC, &start);
        for (;;) {
            ContainerState st = containers.load_state(id);
            if (st.monitor_pid <= 0 || !process_alive(st.monitor_pid, st.monitor_start)) return;
            if (st.running()) {
                c.state = st;
                break;
            }
            struct timespec now {};
            clock_gettime(CLOCK_MONOTONIC, &now);
            if ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000 > 5000) return;
            struct timespec nap {0, 5 * 1000 * 1000};
            ::nanosleep(&nap, nullptr);
        }
    }
    // The monitor must not treat this exit as a failure to restart from. (Not worth an
    // fsync when the record is about to be removed.)
    containers.update_state(
        c.config.id,
        [](ContainerState& s) {
            s.stopped_by_user = true;
            if (s.status == Status::Running) s.status = Status::Stopping;
        },
        !removing);
    if (timeout_s > 0) {
        signal_container(c, parse_signal(c.config.stop_signal));
        if (wait_stopped(containers, c.config.id, static_cast<int64_t>(timeout_s) * 1000)) return;
    }
    try {
        signal_container(c, SIGKILL);
    } catch (const Error&) {
        return;  // it exited meanwhile
    }
    // For a removal the container's processes being gone is enough; its monitor records
    // the exit into a record that is going away anyway.
    if (removing && wait_process_gone(c.state.pid, 10000)) {
        // Its monitor holds the published ports until it has seen the exit: once `rm -f`
        // returns, they must be free to bind again.
        if (!c.config.ports.empty() && c.state.monitor_pid > 0 && c.state.monitor_pid != ::getpid())
            wait_process_gone(c.state.monitor_pid, 10000, c.state.monitor_start);
        return;
    }
    wait_stopped(containers, c.config.id, 10000);
}

}  // namespace pc::container
