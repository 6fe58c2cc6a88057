// pc start, stop, kill, restart, wait, pause, unpause, rename, port, healthcheck run
#include <signal.h>
#include <time.h>

#include <iostream>
#include <memory>

#include "cli/cidfile.hpp"
#include "cli/commands.hpp"
#include "cli/human_units.hpp"
#include "common/error.hpp"
#include "common/strings.hpp"
#include "container/cgroups.hpp"
#include "container/control.hpp"
#include "container/events.hpp"
#include "container/healthcheck.hpp"
#include "container/lifecycle.hpp"
#include "container/monitor.hpp"
#include "net/port_spec.hpp"

namespace pc::cli {

namespace {

struct Targets {
    bool all = false, latest = false;
    std::vector<std::string> names;
    std::vector<std::string> cidfiles;  // --cidfile (stop, kill): ids written by run/create --cidfile
};

// `all_flag`: "-a,--all", "--all" (when -a means something else, as for start), or "".
void add_targets(CLI::App* cmd, Targets& t, const std::string& all_flag = "-a,--all", bool cidfile = false) {
    if (!all_flag.empty()) cmd->add_flag(all_flag, t.all, "Act on all containers");
    cmd->add_flag("-l,--latest", t.latest, "Act on the latest container pc is aware of");
    if (cidfile) cmd->add_option("--cidfile", t.cidfiles, "Read the container ID from the file")->allow_extra_args(false);
    cmd->add_option("containers", t.names, "Containers");
}

// The ids of --cidfile files join the names; `ignore_missing` (stop -i) skips absent files.
void add_cidfile_targets(Targets& t, bool ignore_missing) {
    for (const auto& file : t.cidfiles) {
        auto id = read_cidfile(file, ignore_missing);
        if (id) t.names.push_back(*id);
    }
    t.cidfiles.clear();
}

std::vector<container::Container> resolve(Context& ctx, const Targets& t, const std::string& cmd,
                                          bool only_running = false) {
    std::vector<container::Container> out;
    if (t.all) {
        for (auto& c : ctx.containers().list())
            if (!only_running || c.state.running()) out.push_back(c);
        return out;
    }
    if (t.latest) {
        auto all = ctx.containers().list();
        if (all.empty()) throw Error("no containers to " + cmd + ": no such container");
        out.push_back(all.front());
        return out;
    }
    if (t.names.empty()) usage_error(cmd + " requires at least one container name or ID (or --all/--latest)");
    for (const auto& n : t.names) out.push_back(ctx.containers().get(n));
    return out;
}

void emit(Context& ctx, const container::Container& c, const std::string& status) {
    container::Event e;
    e.status = status;
    e.id = c.config.id;
    e.name = c.config.name;
    e.image = c.config.image_name;
    container::record_event(ctx.store().root(), e);
}

// Runs `fn` for each target, printing what the user typed (or the id) on success; the
// last error is returned as the command's, earlier ones printed, as Podman does.
template <typename Fn>
void for_each_target(Context& ctx, const Targets& t, const std::string& cmd, Fn fn, bool only_running = false) {
    std::string last;
    int code = 0;
    std::vector<std::pair<std::string, std::string>> todo;  // (label, name-or-id)
    if (t.all || t.latest) {
        for (auto& c : resolve(ctx, t, cmd, only_running)) todo.emplace_back(c.config.id, c.config.id);
    } else {
        if (t.names.empty()) usage_error(cmd + " requires at least one container name or ID (or --all/--latest)");
        for (const auto& n : t.names) todo.emplace_back(n, n);
    }
    for (const auto& [label, ref] : todo) {
        try {
            auto c = ctx.containers().get(ref);
            fn(c);
            std::cout << label << std::endl;
        } catch (const Error& e) {
            if (!last.empty()) std::cerr << "Error: " << last << std::endl;
            last = e.what();
            code = e.exit_code();
        }
    }
    if (!last.empty()) throw Error(last, code);
}

}  // namespace

void register_lifecycle(CLI::App& app, Context& ctx) {
    // start
    struct StartFlags {
        Targets t;
        bool attach = false, interactive = false;
        std::string detach_keys;
    };
    auto sf = std::make_shared<StartFlags>();
    CLI::App* start = app.add_subcommand("start", "Start one or more containers");
    add_targets(start, sf->t, "--all");
    start->add_flag("-a,--attach", sf->attach, "Attach container's STDOUT and STDERR");
    start->add_flag("-i,--interactive", sf->interactive, "Make STDIN available to the contained process");
    start->add_option("--detach-keys", sf->detach_keys, "Override the key sequence for detaching a container");
    start->callback([&ctx, sf] {
        if (sf->attach) {
            auto targets = resolve(ctx, sf->t, "start");
            if (targets.size() != 1) usage_error("you cannot start and attach multiple containers at once");
            auto& c = targets.front();
            container::AttachOptions o;
            o.tty = c.config.tty;
            o.stdin_open = sf->interactive || c.config.interactive;
            ctx.exit_code = container::run_attached(ctx.containers(), c, o);
            return;
        }
        for_each_target(ctx, sf->t, "start", [&](container::Container& c) {
            if (c.state.running()) return;  // Podman: starting a running container is a no-op
            container::start_detached(ctx.containers(), c);
        });
    });

    // stop
    struct StopFlags {
        Targets t;
        std::optional<unsigned> time;
        bool ignore = false;
    };
    auto stf = std::make_shared<StopFlags>();
    CLI::App* stop = app.add_subcommand("stop", "Stop one or more containers");
    add_targets(stop, stf->t, "-a,--all", true);
    stop->add_option("-t,--time", stf->time, "Seconds to wait for stop before killing the container");
    stop->add_flag("-i,--ignore", stf->ignore, "Ignore errors when a specified container is missing");
    stop->callback([&ctx, stf] {
        add_cidfile_targets(stf->t, stf->ignore);
        if (stf->ignore) {
            std::vector<std::string> present;
            for (const auto& n : stf->t.names)
                if (ctx.containers().find(n)) present.push_back(n);
            stf->t.names = present;
            if (present.empty() && !stf->t.all && !stf->t.latest) return;
        }
        for_each_target(ctx, stf->t, "stop", [&](container::Container& c) {
            // Also for a container that is not running: it may be between two runs of its
            // restart policy, which the stop cancels.
            const bool was_running = c.state.running();
            container::stop_container(ctx.containers(), c, stf->time.value_or(c.config.stop_timeout));
            if (was_running || c.state.running()) emit(ctx, c, "stop");
        });
    });

    // kill
    struct KillFlags {
        Targets t;
        std::string signal = "KILL";
    };
    auto kf = std::make_shared<KillFlags>();
    CLI::App* kill = app.add_subcommand("kill", "Kill one or more running containers with a specific signal");
    add_targets(kill, kf->t, "-a,--all", true);
    kill->add_option("-s,--signal", kf->signal, "Signal to send to the container");
    kill->callback([&ctx, kf] {
        add_cidfile_targets(kf->t, false);
        int sig = container::parse_signal(kf->signal);
        for_each_target(
            ctx, kf->t, "kill",
            [&](container::Container& c) {
                if (sig == SIGKILL || sig == SIGTERM || sig == SIGINT || sig == SIGQUIT)
                    ctx.containers().update_state(c.config.id, [](container::ContainerState& s) { s.stopped_by_user = true; });
                container::signal_container(c, sig);
                emit(ctx, c, "kill");
            },
            true);
    });

    // restart
    struct RestartFlags {
        Targets t;
        std::optional<unsigned> time;
        bool running = false;
    };
    auto rf = std::make_shared<RestartFlags>();
    CLI::App* restart = app.add_subcommand("restart", "Restart one or more containers");
    add_targets(restart, rf->t);
    restart->add_option("-t,--time", rf->time, "Seconds to wait for stop before killing the container");
    restart->add_flag("--running", rf->running, "Restart only running containers");
    restart->callback([&ctx, rf] {
        for_each_target(ctx, rf->t, "restart", [&](container::Container& c) {
            if (rf->running && !c.state.running()) return;
            container::stop_container(ctx.containers(), c, rf->time.value_or(c.config.stop_timeout));
            container::wait_stopped(ctx.containers(), c.config.id, 10000);
            c = ctx.containers().get(c.config.id);
            container::start_detached(ctx.containers(), c);
        });
    });

    // wait
    struct WaitFlags {
        Targets t;
        std::vector<std::string> conditions;
        std::string interval = "250ms";
        CLI::Option* interval_option = nullptr;
        bool ignore = false;
    };
    auto wf = std::make_shared<WaitFlags>();
    CLI::App* wait = app.add_subcommand("wait", "Block on one or more containers");
    add_targets(wait, wf->t, "");
    wait->add_option("--condition", wf->conditions, "Condition to wait on (stopped, exited, running, created, healthy, unhealthy)")
        ->allow_extra_args(false);
    wf->interval_option = wait->add_option("-i,--interval", wf->interval, "Time interval to wait before polling for completion");
    wait->add_flag("--ignore", wf->ignore, "Ignore if a container does not exist");
    wait->callback([&ctx, wf] {
        std::vector<std::string> conds = wf->conditions;
        if (conds.empty()) conds = {"stopped"};
        for (const auto& c : conds) {
            static const char* valid[] = {"stopped", "exited", "running", "created", "paused", "healthy", "unhealthy", "configured", "stopping"};
            bool ok = false;
            for (const char* v : valid) ok |= c == v;
            if (!ok) throw Error("invalid condition \"" + c + "\"");
        }
        // Podman polls every 250 ms by default; without the flag we poll faster, so that a
        // script waiting for an exit gets on at once.
        int64_t interval_ns = 20'000'000;
        if (wf->interval_option->count() > 0) {
            try {
                interval_ns = parse_duration_ns(wf->interval);
            } catch (const Error& e) {
                throw Error("invalid argument \"" + wf->interval + "\" for \"-i, --interval\" flag: " + e.what());
            }
        }
        auto targets = resolve(ctx, wf->t, "wait");
        for (auto& c : targets) {
            for (;;) {
                auto now = ctx.containers().find(c.config.id);
                if (!now) {
                    if (wf->ignore) { std::cout << -1 << std::endl; break; }
                    throw Error("no container with name or ID \"" + c.config.name + "\" found: no such container");
                }
                const auto& st = now->state;
                bool met = false, exited = false;
                for (const auto& cond : conds) {
                    if ((cond == "stopped" || cond == "exited") && !st.running() && st.status != container::Status::Created)
                        met = exited = true;
                    if (cond == "running" && st.status == container::Status::Running) met = true;
                    if (cond == "created" && st.status == container::Status::Created) met = true;
                    if (cond == "stopping" && st.status == container::Status::Stopping) met = true;
                    if ((cond == "healthy" || cond == "unhealthy") && st.health_status == cond) met = true;
                }
                if (met) {
                    // Like Podman: an exit code only when the container exited, else -1.
                    std::cout << (exited ? st.exit_code : -1) << std::endl;
                    break;
                }
                struct timespec nap {static_cast<time_t>(interval_ns / 1'000'000'000), static_cast<long>(interval_ns % 1'000'000'000)};
                ::nanosleep(&nap, nullptr);
            }
        }
    });

    // pause / unpause: the cgroup freezer is the only way to freeze a whole container
    // atomically; without a delegated cgroup there is none (PLATFORM §6).
    for (const char* name : {"pause", "unpause"}) {
        auto t = std::make_shared<Targets>();
        CLI::App* cmd = app.add_subcommand(name, std::string(name) == std::string("pause") ? "Pause all the processes in one or more containers"
                                                                                         : "Unpause the processes in one or more containers");
        add_targets(cmd, *t);
        std::string verb = name;
        cmd->callback([&ctx, t, verb] {
            for_each_target(ctx, *t, verb, [&](container::Container& c) {
                if (!c.state.running()) throw Error("\"" + c.config.name + "\" is not running, can't " + verb + ": container state improper");
                throw Error(verb + " is not available for rootless containers on this host: it needs the cgroup freezer; " +
                            container::cgroup_limits_unavailable_reason());
            });
        });
    }

    // rename
    auto names = std::make_shared<std::vector<std::string>>();
    CLI::App* rename = app.add_subcommand("rename", "Rename an existing container");
    rename->add_option("container-and-name", *names, "CONTAINER NEW_NAME");
    rename->callback([&ctx, names] {
        if (names->size() != 2) usage_error("rename requires exactly 2 arguments: CONTAINER NEW_NAME");
        auto c = ctx.containers().get((*names)[0]);
        ctx.containers().rename(c, (*names)[1]);
        emit(ctx, c, "rename");
    });

    // port: the published ports of running containers, in Podman's shape.
    auto port_args = std::make_shared<std::vector<std::string>>();
    auto port_all = std::make_shared<bool>(false);
    CLI::App* port = app.add_subcommand("port", "List port mappings or a specific mapping for the container");
    port->add_flag("-a,--all", *port_all, "Display port information for all containers");
    port->add_option("container-and-port", *port_args, "CONTAINER [PRIVATE_PORT[/PROTO]]");
    port->callback([&ctx, port_args, port_all] {
        if (!*port_all && port_args->empty()) usage_error("port requires a container name or ID (or --all)");
        std::vector<container::Container> targets;
        std::string filter;
        if (*port_all) {
            if (port_args->size() > 1) usage_error("the --all option does not take a container; give at most a port");
            if (!port_args->empty()) filter = (*port_args)[0];
            targets = ctx.containers().list();
        } else {
            if (port_args->size() > 2) usage_error("port accepts at most 2 arguments: CONTAINER [PRIVATE_PORT[/PROTO]]");
            targets.push_back(ctx.containers().get((*port_args)[0]));
            if (port_args->size() == 2) filter = (*port_args)[1];
        }
        if (!filter.empty()) net::parse_port_proto(filter);  // a malformed port is an error, not "not found"
        bool found = false;
        for (const auto& c : targets) {
            // As Podman: only running containers have their ports bound.
            if (!c.state.running()) continue;
            const std::string prefix = *port_all ? c.config.short_id() + "\t" : "";
            for (const auto& line : net::format_port_lines(c.config.ports, filter)) {
                std::cout << prefix << line << '\n';
                found = true;
            }
        }
        if (!filter.empty() && !found) throw Error("failed to find published port \"" + filter + "\"");
    });

    // healthcheck run
    CLI::App* hc = app.add_subcommand("healthcheck", "Manage health checks on containers");
    hc->require_subcommand(1);
    auto hc_name = std::make_shared<std::string>();
    CLI::App* hc_run = hc->add_subcommand("run", "Run the health check of a container");
    hc_run->add_option("container", *hc_name, "Container")->required();
    hc_run->callback([&ctx, hc_name] {
        auto c = ctx.containers().get(*hc_name);
        if (!c.config.has_healthcheck()) throw Error("container " + c.config.name + " has no defined healthcheck");
        if (!c.state.running()) throw Error("container " + c.config.name + " is not running: container state improper");
        auto r = container::run_healthcheck(ctx.containers(), c);
        std::string status = container::record_health(ctx.containers(), c, r);
        if (r.exit_code == 0) {
            std::cout << "healthy" << std::endl;
        } else {
            std::cout << "unhealthy" << std::endl;
            ctx.exit_code = 1;
        }
    });
}

}  // namespace pc::cli
