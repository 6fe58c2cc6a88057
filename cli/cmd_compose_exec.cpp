// pc compose exec and pc compose run, with Docker Compose's flags and exit codes (the
// command's own).
#include <unistd.h>

#include <algorithm>

#include "cli/compose_runtime.hpp"
#include "common/error.hpp"
#include "common/strings.hpp"
#include "compose/labels.hpp"
#include "container/exec.hpp"
#include "container/lifecycle.hpp"
#include "container/monitor.hpp"

namespace pc::cli {

namespace {

void add_exec(CLI::App& compose, Context& ctx, const std::shared_ptr<ComposeFlags>& flags) {
    struct ExecFlags {
        bool no_tty = false, detach = false, privileged = false, interactive = true;
        std::vector<std::string> env;
        std::string user, workdir;
        int index = 1;
    };
    auto f = std::make_shared<ExecFlags>();
    CLI::App* cmd = compose.add_subcommand("exec", "Execute a command in a running container");
    cmd->add_flag("-T,--no-TTY", f->no_tty, "Disable pseudo-TTY allocation. By default `docker compose exec` allocates a TTY");
    cmd->add_flag("-d,--detach", f->detach, "Detached mode: Run command in the background");
    cmd->add_flag("--privileged", f->privileged, "Give extended privileges to the process");
    cmd->add_option("-e,--env", f->env, "Set environment variables")->allow_extra_args(false);
    cmd->add_option("-u,--user", f->user, "Run the command as this user");
    cmd->add_option("-w,--workdir", f->workdir, "Path to workdir directory for this command");
    cmd->add_option("--index", f->index, "Index of the container if service has multiple replicas");
    cmd->add_option("-i,--interactive", f->interactive, "Keep STDIN open even if not attached");
    cmd->prefix_command();
    cmd->callback([&ctx, flags, f, cmd] {
        std::vector<std::string> rest = cmd->remaining();
        if (rest.size() < 2) throw Error("exec requires a SERVICE and a COMMAND", kExitCompose);
        const std::string service = rest.front();
        rest.erase(rest.begin());
        auto project = load_runtime_project(*flags, {}, true);
        if (!project.services.empty() && !project.services.count(service))
            throw Error("no such service: " + service, kExitCompose);
        auto engine = make_engine(ctx, project);
        std::optional<container::Container> target;
        for (auto& c : engine->service_containers(service))
            if (c.config.labels.count(compose::kLabelNumber) && c.config.labels.at(compose::kLabelNumber) == std::to_string(f->index))
                target = std::move(c);
        if (!target || !target->state.running())
            throw Error("service \"" + service + "\" is not running", kExitCompose);
        container::ExecOptions o;
        o.args = rest;
        o.env = f->env;
        o.user = f->user;
        o.workdir = f->workdir;
        o.privileged = f->privileged;
        o.detach = f->detach;
        // A terminal when we have one and -T was not given, as Docker Compose.
        o.tty = !f->no_tty && !f->detach && ::isatty(STDIN_FILENO);
        o.interactive = f->interactive && !f->detach;
        ctx.exit_code = container::exec_in_container(ctx.containers(), *target, o);
    });
}

void add_run(CLI::App& compose, Context& ctx, const std::shared_ptr<ComposeFlags>& flags) {
    struct RunFlags {
        compose::RunOptions o;
        bool no_tty = false, quiet_pull = false, build = false, remove_orphans = false;
        std::string entrypoint;
        bool interactive = true;
    };
    auto f = std::make_shared<RunFlags>();
    CLI::App* cmd = compose.add_subcommand("run", "Run a one-off command on a service");
    cmd->add_flag("-d,--detach", f->o.detach, "Run container in background and print container ID");
    cmd->add_flag("--rm", f->o.remove, "Automatically remove the container when it exits");
    cmd->add_option("--name", f->o.name, "Assign a name to the container");
    cmd->add_option("-e,--env", f->o.env, "Set environment variables")->allow_extra_args(false);
    cmd->add_option("-l,--label", f->o.labels, "Add or override a label")->allow_extra_args(false);
    cmd->add_option("-v,--volume", f->o.volumes, "Bind mount a volume")->allow_extra_args(false);
    cmd->add_option("-p,--publish", f->o.publish, "Publish a container's port(s) to the host")->allow_extra_args(false);
    cmd->add_option("--entrypoint", f->entrypoint, "Override the entrypoint of the image");
    cmd->add_flag("--no-deps", f->o.no_deps, "Don't start linked services");
    cmd->add_flag("-T,--no-TTY", f->no_tty, "Disable pseudo-TTY allocation (default: auto-detected)");
    cmd->add_option("-i,--interactive", f->interactive, "Keep STDIN open even if not attached");
    cmd->add_option("-u,--user", f->o.user, "Run as specified username or uid");
    cmd->add_option("-w,--workdir", f->o.workdir, "Working directory inside the container");
    cmd->add_flag("-P,--service-ports", f->o.service_ports, "Run command with all service's ports enabled and mapped to the host");
    cmd->add_flag("--use-aliases", f->o.use_aliases, "Use the service's network useAliases in the network(s) the container connects to");
    cmd->add_flag("--quiet-pull", f->quiet_pull, "Pull without printing progress information");
    cmd->add_flag("--build", f->build, "Build image before starting container");
    cmd->add_flag("--remove-orphans", f->remove_orphans, "Remove containers for services not defined in the Compose file");
    cmd->prefix_command();
    cmd->callback([&ctx, flags, f, cmd] {
        std::vector<std::string> rest = cmd->remaining();
        if (rest.empty()) throw Error("run requires a SERVICE", kExitCompose);
        f->o.service = rest.front();
        rest.erase(rest.begin());
        if (!rest.empty()) f->o.command = rest;
        if (cmd->count("--entrypoint") > 0) f->o.entrypoint = f->entrypoint;
        auto project = load_runtime_project(*flags, {f->o.service});
        if (!project.services.count(f->o.service)) throw Error("no such service: " + f->o.service, kExitCompose);
        f->o.tty = !f->no_tty && !f->o.detach && ::isatty(STDIN_FILENO);
        f->o.interactive = f->interactive && !f->o.detach;
        auto engine = make_engine(ctx, project);
        container::Container c = [&] {
            try {
                return engine->create_oneoff(f->o);
            } catch (const Error& e) {
                throw Error(e.what(), kExitCompose);
            }
        }();
        if (f->o.detach) {
            container::start_detached(ctx.containers(), c);
            write_line(STDOUT_FILENO, c.config.name + "\n");
            return;
        }
        container::AttachOptions a;
        a.tty = f->o.tty;
        a.stdin_open = f->o.interactive;
        ctx.exit_code = container::run_attached(ctx.containers(), c, a);
    });
}

}  // namespace

void add_compose_exec_run(CLI::App& compose, Context& ctx, const std::shared_ptr<ComposeFlags>& flags) {
    add_exec(compose, ctx, flags);
    add_run(compose, ctx, flags);
}

}  // namespace pc::cli
