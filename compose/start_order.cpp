// depends_on as a state machine (compose/engine.hpp start_in_dependency_order). pc stays
// single-threaded: each ready service is started by a forked child (its containers one
// after the other, as Docker Compose starts a service's replicas), several services at
// once, while this process watches the dependencies' states (every 20 ms while a health or
// exit condition is waited for).
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <set>
#include <vector>

#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/process.hpp"
#include "compose/engine.hpp"
#include "container/monitor.hpp"

namespace pc::compose {

namespace {

enum class DepState { Waiting, Satisfied, Failed };

struct DepCheck {
    DepState state = DepState::Waiting;
    std::string why;          // Failed: the reason, naming the container
    std::string waiting_on;   // Waiting: the container waited for
};

DepCheck check_dependency(const std::string& dep, const ServiceDependency& d,
                          const std::vector<container::Container>& ctrs) {
    DepCheck out;
    if (ctrs.empty()) {
        out.state = DepState::Failed;
        out.why = "service \"" + dep + "\" has no container";
        return out;
    }
    out.state = DepState::Satisfied;
    for (const auto& c : ctrs) {
        const auto& st = c.state;
        const std::string& name = c.config.name;
        const bool exited = st.status == container::Status::Exited;
        if (d.condition == "service_healthy") {
            if (!c.config.has_healthcheck()) {
                out.state = DepState::Failed;
                out.why = "container " + name + " has no healthcheck configured";
                return out;
            }
            if (exited) {
                out.state = DepState::Failed;
                out.why = "container " + name + " exited (" + std::to_string(st.exit_code) + ")";
                return out;
            }
            if (st.health_status == "unhealthy") {
                out.state = DepState::Failed;
                out.why = "container " + name + " is unhealthy";
                return out;
            }
            if (st.health_status != "healthy") {
                out.state = DepState::Waiting;
                out.waiting_on = name;
            }
        } else if (d.condition == "service_completed_successfully") {
            if (exited && st.exit_code != 0) {
                out.state = DepState::Failed;
                out.why = "service \"" + dep + "\" didn't complete successfully: exit " + std::to_string(st.exit_code);
                return out;
            }
            if (!exited || st.started_ns == 0) {
                out.state = DepState::Waiting;
                out.waiting_on = name;
            }
        } else {  // service_started
            if (st.started_ns == 0 && !st.running()) {
                if (exited || !st.error.empty()) {
                    out.state = DepState::Failed;
                    out.why = "container " + name + " failed to start" + (st.error.empty() ? "" : ": " + st.error);
                    return out;
                }
                out.state = DepState::Waiting;
                out.waiting_on = name;
            }
        }
    }
    return out;
}

// A service being started by a forked child.
struct Job {
    ChildProcess child;
    UniqueFd report;
};

}  // namespace

void start_in_dependency_order(container::ContainerStore& containers, const Project& project,
                               const std::vector<std::string>& services,
                               const std::function<std::vector<container::Container>(const std::string&)>& containers_of,
                               const Progress& progress,
                               const std::function<void(const container::Container&)>& after_start) {
    const std::set<std::string> targets(services.begin(), services.end());
    std::vector<std::string> pending = services;
    std::map<std::string, Job> jobs;
    std::set<std::string> started, announced_waits;
    std::string failure;

    auto start_service = [&](const std::string& name) {
        std::vector<container::Container> ctrs = containers_of(name);
        std::vector<container::Container> to_start;
        for (auto& c : ctrs)
            if (!c.state.running()) to_start.push_back(std::move(c));
        for (const auto& c : to_start) progress.event("Container " + c.config.name, "Starting");
        if (to_start.empty()) {
            started.insert(name);
            return;
        }
        Pipe report = Pipe::make();
        std::fflush(nullptr);
        pid_t pid = ::fork();
        if (pid < 0) throw Error::sys("fork");
        if (pid == 0) {
            report.read.reset();
            std::string error;
            try {
                for (const auto& c : to_start) {
                    container::start_detached(containers, c);
                    if (after_start) after_start(c);
                }
            } catch (const std::exception& e) {
                error = e.what();
            }
            (void)write_all(report.write.get(), error.data(), error.size());
            ::_exit(0);
        }
        report.write.reset();
        jobs.emplace(name, Job{ChildProcess(pid), std::move(report.read)});
    };

    while ((!pending.empty() || !jobs.empty())) {
        bool waiting_on_condition = false;
        // Finished starts.
        for (auto it = jobs.begin(); it != jobs.end();) {
            struct pollfd p {it->second.report.get(), POLLIN, 0};
            if (::poll(&p, 1, 0) <= 0) {
                ++it;
                continue;
            }
            std::string error;
            (void)read_to_eof(it->second.report.get(), error);
            it->second.child.wait();
            for (const auto& c : containers_of(it->first)) {
                if (error.empty()) progress.event("Container " + c.config.name, "Started");
            }
            if (!error.empty() && failure.empty()) failure = error;
            started.insert(it->first);
            it = jobs.erase(it);
        }
        if (!failure.empty()) break;
        // Services whose dependencies now hold.
        for (auto it = pending.begin(); it != pending.end();) {
            const Service& s = project.services.at(*it);
            bool ready = true;
            for (const auto& [dep, d] : s.depends_on) {
                // A dependency outside this start (--no-deps, or not named) is not waited for.
                if (!targets.count(dep) || !project.services.count(dep)) continue;
                if (!started.count(dep)) {
                    ready = false;
                    break;
                }
                DepCheck check = check_dependency(dep, d, containers_of(dep));
                if (check.state == DepState::Failed) {
                    if (!d.required) {
                        if (progress.warning)
                            progress.warning("optional dependency \"" + dep + "\" of service \"" + *it + "\" failed: " + check.why);
                        continue;
                    }
                    failure = "dependency failed to start: " + check.why;
                    break;
                }
                if (check.state == DepState::Waiting) {
                    ready = false;
                    waiting_on_condition = true;
                    if (announced_waits.insert(check.waiting_on).second)
                        progress.event("Container " + check.waiting_on, "Waiting");
                    break;
                }
            }
            if (!failure.empty()) break;
            if (!ready) {
                ++it;
                continue;
            }
            // The conditions met, as Docker Compose reports them.
            for (const auto& [dep, d] : s.depends_on) {
                if (!targets.count(dep)) continue;
                for (const auto& c : containers_of(dep)) {
                    if (!announced_waits.count(c.config.name)) continue;
                    announced_waits.erase(c.config.name);
                    progress.event("Container " + c.config.name,
                                   d.condition == "service_healthy" ? "Healthy"
                                   : d.condition == "service_completed_successfully" ? "Exited" : "Started");
                }
            }
            std::string name = *it;
            it = pending.erase(it);
            start_service(name);
        }
        if (!failure.empty()) break;
        if (!pending.empty() || !jobs.empty()) {
            // Until a start finishes (its report pipe's EOF wakes us at once), or the next
            // look at the dependencies: a health or exit condition is looked at every
            // 20 ms, as the monitor records it (a healthcheck probes every start_interval,
            // 50 ms in a quick stack); anything else every 50 ms.
            std::vector<struct pollfd> fds;
            for (const auto& [name, job] : jobs) fds.push_back({job.report.get(), POLLIN, 0});
            (void)::poll(fds.data(), fds.size(), waiting_on_condition ? 20 : 50);
        }
    }
    // Starts already under way finish (their containers are then really started).
    for (auto& [name, job] : jobs) job.child.wait();
    if (!failure.empty()) throw Error(failure);
}

}  // namespace pc::compose
