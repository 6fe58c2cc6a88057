// pc compose up|create|start|stop|restart|kill|rm|down|pause|unpause|wait, with Docker
// Compose v2's flags, progress lines and exit codes.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <iostream>
#include <map>
#include <set>
#include <thread>

#include "cli/compose_runtime.hpp"
#include "cli/time_input.hpp"
#include "common/error.hpp"
#include "common/process.hpp"
#include "common/strings.hpp"
#include "compose/labels.hpp"
#include "container/cgroups.hpp"
#include "container/control.hpp"

namespace pc::cli {

namespace {

std::map<std::string, int> parse_scale(const std::vector<std::string>& values) {
    std::map<std::string, int> out;
    for (const auto& v : values) {
        auto [service, n] = str::split_once(v, '=');
        auto count = n ? str::parse_u64(*n) : std::nullopt;
        if (service.empty() || !count) throw Error("invalid --scale \"" + v + "\": must be SERVICE=NUM", kExitCompose);
        out[service] = static_cast<int>(*count);
    }
    return out;
}

struct UpFlags {
    compose::UpOptions o;
    bool detach = false, no_color = false, no_log_prefix = false, timestamps = false;
    bool abort_on_container_exit = false, quiet_pull = false, menu = false, no_attach_deps = false;
    std::string exit_code_from;
    std::vector<std::string> scale, attach, no_attach, services;
    std::optional<int64_t> wait_timeout;
    std::optional<unsigned> timeout;
    std::string pull;
    bool build = false, no_build = false;
};

// Stops (or, after a second interrupt, kills) the project in a child, so that this
// process keeps watching for interrupts and printing the logs meanwhile.
ChildProcess stop_in_child(compose::Engine& engine, const std::vector<std::string>& services, std::optional<unsigned> timeout,
                           bool kill) {
    pid_t pid = ::fork();
    if (pid < 0) throw Error::sys("fork");
    if (pid == 0) {
        try {
            if (kill) engine.kill(services, SIGKILL);
            else engine.stop(services, timeout);
        } catch (const std::exception& e) {
            write_line(STDERR_FILENO, std::string("Error: ") + e.what() + "\n");
        }
        ::_exit(0);
    }
    return ChildProcess(pid);
}

// Attached `up`: the services' output with prefixes until every attached container has
// exited; Ctrl-C stops the project gracefully, a second one kills it.
int attach_until_done(Context& ctx, compose::Engine& engine, const UpFlags& f, const std::vector<std::string>& services) {
    std::vector<std::string> attached;
    for (const auto& s : services) {
        const auto& svc = engine.project().services.at(s);
        if (!f.attach.empty()) {
            if (std::find(f.attach.begin(), f.attach.end(), s) == f.attach.end()) continue;
        } else if (std::find(f.no_attach.begin(), f.no_attach.end(), s) != f.no_attach.end() ||
                   (svc.attach && !*svc.attach)) {
            continue;
        }
        attached.push_back(s);
    }
    std::vector<container::Container> ctrs;
    for (const auto& s : attached)
        for (auto& c : engine.service_containers(s)) ctrs.push_back(std::move(c));
    std::vector<std::string> names;
    for (const auto& c : ctrs) names.push_back(short_name(c));
    write_line(STDOUT_FILENO, "Attaching to " + str::join(names, ", ") + "\n");

    // Interrupts are taken here (sigtimedwait), never by the log threads.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigset_t old;
    ::pthread_sigmask(SIG_BLOCK, &set, &old);
    std::atomic<bool> following{true};
    LogStreamOptions lo;
    lo.prefix = !f.no_log_prefix;
    lo.color = !f.no_color && ::isatty(STDOUT_FILENO);
    lo.timestamps = f.timestamps;
    std::thread logs([&] { stream_compose_logs(ctx, ctrs, lo, [&] { return following.load(); }); });

    int interrupts = 0;
    std::optional<ChildProcess> stopper;
    std::set<std::string> reported;
    std::optional<int> abort_code, from_code;
    bool aborting = false;
    for (;;) {
        struct timespec tick {0, 200 * 1000 * 1000};
        const int sig = ::sigtimedwait(&set, nullptr, &tick);
        if (sig == SIGINT || sig == SIGTERM) {
            ++interrupts;
            if (interrupts == 1) {
                write_line(STDERR_FILENO, "Gracefully stopping... (press Ctrl+C again to force)\n");
                stopper = stop_in_child(engine, services, f.timeout, false);
            } else {
                if (stopper) stopper->kill(SIGKILL);
                stopper = stop_in_child(engine, services, f.timeout, true);
            }
        }
        if (stopper && stopper->try_wait()) stopper.reset();
        bool all_done = true;
        for (const auto& c : ctrs) {
            auto now = ctx.containers().find(c.config.id);
            const bool gone = !now || (now->state.status == container::Status::Exited &&
                                       !container::process_alive(now->state.monitor_pid, now->state.monitor_start));
            if (!gone) {
                all_done = false;
                continue;
            }
            if (!reported.insert(c.config.id).second) continue;
            const int code = now ? now->state.exit_code : 0;
            write_line(STDOUT_FILENO, short_name(c) + " exited with code " + std::to_string(code) + "\n");
            if (!f.exit_code_from.empty() && service_of(c) == f.exit_code_from) from_code = code;
            if (f.abort_on_container_exit && !aborting) {
                aborting = true;
                abort_code = code;
                write_line(STDOUT_FILENO, "Aborting on container exit...\n");
                if (!stopper) stopper = stop_in_child(engine, services, f.timeout, false);
            }
        }
        if (all_done && !stopper) break;
    }
    following = false;
    logs.join();
    ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
    if (!f.exit_code_from.empty()) return from_code.value_or(0);
    if (abort_code) return *abort_code;
    return interrupts > 0 ? 130 : 0;
}

void add_up(CLI::App& compose, Context& ctx, const std::shared_ptr<ComposeFlags>& flags, bool create_only) {
    auto f = std::make_shared<UpFlags>();
    CLI::App* cmd = compose.add_subcommand(create_only ? "create" : "up",
                                           create_only ? "Creates containers for a service" : "Create and start containers");
    if (!create_only) {
        cmd->add_flag("-d,--detach", f->detach, "Detached mode: Run containers in the background");
        cmd->add_flag("--wait", f->o.wait, "Wait for services to be running|healthy. Implies detached mode");
        cmd->add_option("--wait-timeout", f->wait_timeout, "Maximum duration in seconds to wait for the project to be running|healthy");
        cmd->add_flag("--no-start", f->o.no_start, "Don't start the services after creating them");
        cmd->add_flag("--abort-on-container-exit", f->abort_on_container_exit, "Stops all containers if any container was stopped");
        cmd->add_option("--exit-code-from", f->exit_code_from, "Return the exit code of the selected service container");
        cmd->add_option("--attach", f->attach, "Restrict attaching to the specified services")->allow_extra_args(false);
        cmd->add_option("--no-attach", f->no_attach, "Do not attach (stream logs) to the specified services")->allow_extra_args(false);
        cmd->add_flag("--attach-dependencies", f->no_attach_deps, "Automatically attach to log output of dependent services");
        cmd->add_flag("--no-color", f->no_color, "Produce monochrome output");
        cmd->add_flag("--no-log-prefix", f->no_log_prefix, "Don't print prefix in logs");
        cmd->add_flag("--timestamps", f->timestamps, "Show timestamps");
        cmd->add_option("-t,--timeout", f->timeout, "Use this timeout in seconds for container shutdown");
        cmd->add_flag("--menu", f->menu, "Enable interactive shortcuts when running attached (ignored: no menu)");
    }
    cmd->add_flag("--force-recreate", f->o.force_recreate, "Recreate containers even if their configuration and image haven't changed");
    cmd->add_flag("--no-recreate", f->o.no_recreate, "If containers already exist, don't recreate them");
    cmd->add_flag("--always-recreate-deps", f->o.always_recreate_deps, "Recreate dependent containers");
    cmd->add_flag("--no-deps", f->o.no_deps, "Don't start linked services");
    cmd->add_flag("--remove-orphans", f->o.remove_orphans, "Remove containers for services not defined in the Compose file");
    cmd->add_option("--scale", f->scale, "Scale SERVICE to NUM instances (SERVICE=NUM)")->allow_extra_args(false);
    cmd->add_option("--pull", f->pull, "Pull image before running (\"always\"|\"missing\"|\"never\"|\"build\")");
    cmd->add_flag("--quiet-pull", f->quiet_pull, "Pull without printing progress information");
    cmd->add_flag("--build", f->build, "Build images before starting containers");
    cmd->add_flag("--no-build", f->no_build, "Don't build an image, even if it's policy");
    cmd->add_option("services", f->services, "Services");
    cmd->callback([&ctx, flags, f, create_only] {
        if (f->o.force_recreate && f->o.no_recreate) throw Error("--force-recreate and --no-recreate are incompatible", kExitCompose);
        if (f->build && f->no_build) throw Error("--build and --no-build are incompatible", kExitCompose);
        if (f->detach && (f->abort_on_container_exit || !f->exit_code_from.empty()))
            throw Error("--abort-on-container-exit and --exit-code-from cannot be combined with --detach", kExitCompose);
        if (!f->exit_code_from.empty()) f->abort_on_container_exit = true;
        compose::Project project = load_runtime_project(*flags, f->services);
        auto engine = make_engine(ctx, project);
        f->o.services = f->services;
        f->o.scale = parse_scale(f->scale);
        f->o.wait_timeout_s = f->wait_timeout;
        f->o.timeout = f->timeout;
        f->o.pull = f->pull;
        f->o.build = f->build;
        f->o.no_build = f->no_build;
        if (create_only) f->o.no_start = true;
        if (!f->exit_code_from.empty() && !project.services.count(f->exit_code_from))
            throw Error("no such service: " + f->exit_code_from, kExitCompose);
        try {
            engine->up(f->o);
        } catch (const Error& e) {
            throw Error(e.what(), kExitCompose);
        }
        if (create_only || f->detach || f->o.wait || f->o.no_start) return;
        ctx.exit_code = attach_until_done(ctx, *engine, *f, engine->resolve_services(f->services));
    });
}

// start, stop, restart, kill, pause, unpause: SERVICE... (all when none).
void add_service_verbs(CLI::App& compose, Context& ctx, const std::shared_ptr<ComposeFlags>& flags) {
    {
        auto services = std::make_shared<std::vector<std::string>>();
        CLI::App* cmd = compose.add_subcommand("start", "Start services");
        cmd->add_option("services", *services, "Services");
        cmd->callback([&ctx, flags, services] {
            auto project = load_runtime_project(*flags, *services);
            try {
                make_engine(ctx, project)->start(*services);
            } catch (const Error& e) {
                throw Error(e.what(), kExitCompose);
            }
        });
    }
    for (const char* verb : {"stop", "restart"}) {
        auto services = std::make_shared<std::vector<std::string>>();
        auto timeout = std::make_shared<std::optional<unsigned>>();
        auto no_deps = std::make_shared<bool>(false);
        const bool restart = std::string(verb) == "restart";
        CLI::App* cmd = compose.add_subcommand(verb, restart ? "Restart service containers" : "Stop services");
        cmd->add_option("-t,--timeout", *timeout, "Specify a shutdown timeout in seconds");
        if (restart) cmd->add_flag("--no-deps", *no_deps, "Don't restart dependent services");
        cmd->add_option("services", *services, "Services");
        cmd->callback([&ctx, flags, services, timeout, restart] {
            auto project = load_runtime_project(*flags, *services, !restart);
            auto engine = make_engine(ctx, project);
            try {
                if (restart) engine->restart(*services, *timeout);
                else if (project.services.empty()) {
                    // Only a project name: its containers, found by their labels.
                    engine->down({.volumes = false, .remove_orphans = false, .rmi = "", .timeout = *timeout, .services = {}});
                } else engine->stop(*services, *timeout);
            } catch (const Error& e) {
                throw Error(e.what(), kExitCompose);
            }
        });
    }
    {
        auto services = std::make_shared<std::vector<std::string>>();
        auto signal = std::make_shared<std::string>("SIGKILL");
        auto remove_orphans = std::make_shared<bool>(false);
        CLI::App* cmd = compose.add_subcommand("kill", "Force stop service containers");
        cmd->add_option("-s,--signal", *signal, "SIGNAL to send to the container");
        cmd->add_flag("--remove-orphans", *remove_orphans, "Remove containers for services not defined in the Compose file");
        cmd->add_option("services", *services, "Services");
        cmd->callback([&ctx, flags, services, signal] {
            const int sig = container::parse_signal(*signal);
            auto project = load_runtime_project(*flags, *services);
            try {
                make_engine(ctx, project)->kill(*services, sig);
            } catch (const Error& e) {
                throw Error(e.what(), kExitCompose);
            }
        });
    }
    for (const char* verb : {"pause", "unpause"}) {
        auto services = std::make_shared<std::vector<std::string>>();
        const std::string v = verb;
        CLI::App* cmd = compose.add_subcommand(verb, v == "pause" ? "Pause services" : "Unpause services");
        cmd->add_option("services", *services, "Services");
        cmd->callback([flags, services, v] {
            (void)load_runtime_project(*flags, *services);
            throw Error(v + " is not available for rootless containers on this host: it needs the cgroup freezer; " +
                            container::cgroup_limits_unavailable_reason(),
                        kExitCompose);
        });
    }
}

void add_rm_down(CLI::App& compose, Context& ctx, const std::shared_ptr<ComposeFlags>& flags) {
    {
        struct RmFlags {
            bool force = false, stop = false, volumes = false;
            std::vector<std::string> services;
        };
        auto f = std::make_shared<RmFlags>();
        CLI::App* cmd = compose.add_subcommand("rm", "Removes stopped service containers");
        cmd->add_flag("-f,--force", f->force, "Don't ask to confirm removal");
        cmd->add_flag("-s,--stop", f->stop, "Stop the containers, if required, before removing");
        cmd->add_flag("-v,--volumes", f->volumes, "Remove any anonymous volumes attached to containers");
        cmd->add_option("services", f->services, "Services");
        cmd->callback([&ctx, flags, f] {
            auto project = load_runtime_project(*flags, f->services);
            auto engine = make_engine(ctx, project);
            std::vector<std::string> candidates;
            for (const auto& s : engine->resolve_services(f->services))
                for (const auto& c : engine->service_containers(s, true))
                    if (f->stop || !c.state.running()) candidates.push_back(c.config.name);
            if (candidates.empty()) {
                write_line(STDOUT_FILENO, "No stopped containers\n");
                return;
            }
            if (!f->force && ::isatty(STDIN_FILENO)) {
                std::cout << "Going to remove " << str::join(candidates, ", ") << "\n? Are you sure? [yN] " << std::flush;
                std::string answer;
                std::getline(std::cin, answer);
                if (answer != "y" && answer != "Y") return;
            }
            try {
                engine->remove(f->services, f->stop, f->volumes);
            } catch (const Error& e) {
                throw Error(e.what(), kExitCompose);
            }
        });
    }
    {
        auto o = std::make_shared<compose::DownOptions>();
        auto timeout = std::make_shared<std::optional<unsigned>>();
        CLI::App* cmd = compose.add_subcommand("down", "Stop and remove containers, networks");
        cmd->add_flag("-v,--volumes", o->volumes, "Remove named volumes declared in the \"volumes\" section of the Compose file and anonymous volumes attached to containers");
        cmd->add_flag("--remove-orphans", o->remove_orphans, "Remove containers for services not defined in the Compose file");
        cmd->add_option("--rmi", o->rmi, "Remove images used by services. \"local\" remove only images that don't have a custom tag (\"local\"|\"all\")");
        cmd->add_option("-t,--timeout", *timeout, "Specify a shutdown timeout in seconds");
        cmd->add_option("services", o->services, "Services");
        cmd->callback([&ctx, flags, o, timeout] {
            auto project = load_runtime_project(*flags, o->services, true);
            o->timeout = *timeout;
            try {
                make_engine(ctx, project)->down(*o);
            } catch (const Error& e) {
                throw Error(e.what(), kExitCompose);
            }
        });
    }
    {
        struct WaitFlags {
            bool down_project = false;
            std::vector<std::string> services;
        };
        auto f = std::make_shared<WaitFlags>();
        CLI::App* cmd = compose.add_subcommand("wait", "Block until containers of all (or specified) services stop");
        cmd->add_flag("--down-project", f->down_project, "Drops project when the first container stops");
        cmd->add_option("services", f->services, "Services")->required();
        cmd->callback([&ctx, flags, f] {
            auto project = load_runtime_project(*flags, f->services);
            auto engine = make_engine(ctx, project);
            std::vector<container::Container> ctrs;
            for (const auto& s : engine->resolve_services(f->services))
                for (auto& c : engine->service_containers(s)) ctrs.push_back(std::move(c));
            std::set<std::string> done;
            std::optional<int> first;
            while (done.size() < ctrs.size()) {
                for (const auto& c : ctrs) {
                    if (done.count(c.config.id)) continue;
                    auto now = ctx.containers().find(c.config.id);
                    if (now && now->state.running()) continue;
                    done.insert(c.config.id);
                    const int code = now ? now->state.exit_code : 0;
                    write_line(STDOUT_FILENO, std::to_string(code) + "\n");
                    if (!first) first = code;
                    if (f->down_project) {
                        engine->down({});
                        ctx.exit_code = code;
                        return;
                    }
                }
                struct timespec nap {0, 100 * 1000 * 1000};
                ::nanosleep(&nap, nullptr);
            }
            ctx.exit_code = first.value_or(0);
        });
    }
}

}  // namespace

void add_compose_lifecycle(CLI::App& compose, Context& ctx, const std::shared_ptr<ComposeFlags>& flags) {
    add_up(compose, ctx, flags, false);
    add_up(compose, ctx, flags, true);
    add_service_verbs(compose, ctx, flags);
    add_rm_down(compose, ctx, flags);
}

}  // namespace pc::cli
