#include "container/healthcheck.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/time_format.hpp"
#include "container/events.hpp"
#include "container/exec.hpp"

namespace pc::container {

namespace {
constexpr size_t kMaxOutput = 4096;
constexpr size_t kKeptResults = 5;

int64_t elapsed_ms_since(int64_t start_ns) { return (now_ns() - start_ns) / 1000000; }
}  // namespace

std::vector<std::string> parse_health_cmd(const std::string& value) {
    if (!value.empty() && value[0] == '[') {
        try {
            auto j = nlohmann::json::parse(value);
            auto v = j.get<std::vector<std::string>>();
            if (!v.empty()) return v;
        } catch (const std::exception&) {
            // Not JSON: a shell command that happens to start with '['.
        }
    }
    return {"CMD-SHELL", value};
}

HealthResult run_healthcheck(ContainerStore& containers, const Container& c) {
    if (!c.state.running()) throw Error("container " + c.config.name + " is not running: container state improper");
    ExecOptions opts;
    const auto& cmd = c.config.health_cmd;
    if (cmd.empty() || cmd[0] == "NONE") throw Error("container " + c.config.name + " has no defined healthcheck");
    if (cmd[0] == "CMD-SHELL") opts.args = {"/bin/sh", "-c", cmd.size() > 1 ? cmd[1] : ""};
    else if (cmd[0] == "CMD") opts.args.assign(cmd.begin() + 1, cmd.end());
    else opts.args = cmd;

    HealthResult r;
    r.start_ns = now_ns();
    Pipe out = Pipe::make();
    // The check runs in a child so that a hung check can be killed at its timeout.
    pid_t pid = ::fork();
    if (pid < 0) throw Error::sys("starting the healthcheck");
    if (pid == 0) {
        out.read.reset();
        ::setpgid(0, 0);
        int code = 1;
        try {
            int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
            opts.stdin_fd = null;
            opts.stdout_fd = out.write.get();
            opts.stderr_fd = out.write.get();
            code = exec_in_container(containers, c, opts);
        } catch (const std::exception& e) {
            std::string msg = std::string(e.what()) + "\n";
            write_all(out.write.get(), msg.data(), msg.size());
            code = 1;
        }
        ::_exit(code);
    }
    out.write.reset();
    ChildProcess child(pid);
    const int64_t timeout_ms = c.config.health_timeout_ns / 1000000;
    bool timed_out = false;
    char buf[4096];
    for (;;) {
        int64_t left = timeout_ms - elapsed_ms_since(r.start_ns);
        if (left <= 0) {
            timed_out = true;
            ::kill(-pid, SIGKILL);
            break;
        }
        struct pollfd p {out.read.get(), POLLIN, 0};
        int n = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left, 1000)));
        if (n < 0 && errno != EINTR) break;
        if (n <= 0) continue;
        ssize_t got = ::read(out.read.get(), buf, sizeof(buf));
        if (got <= 0) break;
        if (r.output.size() < kMaxOutput) r.output.append(buf, std::min<size_t>(static_cast<size_t>(got), kMaxOutput - r.output.size()));
    }
    ExitStatus st = child.wait();
    r.end_ns = now_ns();
    if (timed_out) {
        r.exit_code = 1;
        r.output += "Healthcheck command timed out\n";
    } else {
        r.exit_code = st.signaled || st.code != 0 ? 1 : 0;
    }
    return r;
}

std::string record_health(ContainerStore& containers, const Container& c, const HealthResult& r) {
    std::string before, after;
    const bool in_start_period = (r.start_ns - c.state.started_ns) < c.config.health_start_period_ns;
    containers.update_state(c.config.id, [&](ContainerState& s) {
        before = s.health_status;
        if (r.exit_code == 0) {
            s.health_status = "healthy";
            s.health_failing_streak = 0;
        } else if (!(in_start_period && s.health_status != "healthy")) {
            ++s.health_failing_streak;
            if (s.health_failing_streak >= std::max(1u, c.config.health_retries)) s.health_status = "unhealthy";
        }
        if (s.health_status.empty()) s.health_status = "starting";
        nlohmann::json entry = {{"Start", pc::rfc3339_nano(r.start_ns, false)},
                                {"End", pc::rfc3339_nano(r.end_ns, false)},
                                {"ExitCode", r.exit_code},
                                {"Output", r.output}};
        if (!s.health_log.is_array()) s.health_log = nlohmann::json::array();
        s.health_log.push_back(entry);
        while (s.health_log.size() > kKeptResults) s.health_log.erase(s.health_log.begin());
        after = s.health_status;
    });
    if (after != before) {
        Event e;
        e.status = "health_status";
        e.id = c.config.id;
        e.name = c.config.name;
        e.image = c.config.image_name;
        e.attributes["health_status"] = after;
        record_event(containers.storage().root(), e);
    }
    return after;
}

}  // namespace pc::container
