// pc exec [options] CONTAINER COMMAND [ARG...]
#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "cli/context.hpp"
#include "container/env_options.hpp"
#include "common/error.hpp"
#include "common/strings.hpp"
#include "container/exec.hpp"

extern char** environ;

namespace pc::cli {

namespace {

struct ExecFlags {
    bool interactive = false, tty = false, detach = false, privileged = false, latest = false;
    std::vector<std::string> env, env_file;
    std::string user, workdir;
};

}  // namespace

CLI::App* add_exec(CLI::App& parent, Context& ctx, const std::string& name) {
    auto f = std::make_shared<ExecFlags>();
    CLI::App* cmd = parent.add_subcommand(name, "Run a process in a running container");
    cmd->footer("Usage: pc exec [options] CONTAINER COMMAND [ARG...]");
    cmd->add_flag("-i,--interactive", f->interactive, "Make STDIN available to the contained process");
    cmd->add_flag("-t,--tty", f->tty, "Allocate a pseudo-TTY");
    cmd->add_flag("-d,--detach", f->detach, "Run the exec session in detached mode (backgrounded)");
    cmd->add_flag("--privileged", f->privileged, "Give the process extended privileges (all capabilities of the container's user namespace)");
    cmd->add_flag("-l,--latest", f->latest, "Act on the latest container pc is aware of");
    // One value per occurrence, so that `-e A=1 ctr` does not swallow the container name.
    cmd->add_option("-e,--env", f->env, "Set environment variables")->allow_extra_args(false);
    cmd->add_option("--env-file", f->env_file, "Read in a file of environment variables")->allow_extra_args(false);
    cmd->add_option("-u,--user", f->user, "Sets the username or UID used and optionally the groupname or GID for the specified command");
    cmd->add_option("-w,--workdir", f->workdir, "Working directory inside the container");
    // Everything from the container name on is ours, flags included (`exec c ls -l`).
    cmd->prefix_command();
    cmd->callback([&ctx, cmd, f] {
        std::vector<std::string> rest = cmd->remaining();
        if (!rest.empty() && rest[0].size() > 1 && rest[0][0] == '-')
            usage_error("unknown flag: " + rest[0] + "\nSee 'pc exec --help'");
        std::string target;
        if (f->latest) {
            auto all = ctx.containers().list();
            if (all.empty()) throw Error("no containers to exec into: no such container");
            target = all.front().config.id;
        } else {
            if (rest.empty()) usage_error("exec requires the name or ID of a container or the --latest flag");
            target = rest.front();
            rest.erase(rest.begin());
        }
        if (rest.empty()) usage_error("must provide a non-empty command to start an exec session");
        if (!f->workdir.empty() && f->workdir[0] != '/')
            usage_error("invalid --workdir \"" + f->workdir + "\": must be an absolute path");

        container::ExecOptions o;
        o.args = rest;
        std::vector<std::string> environment;
        for (char** e = environ; *e; ++e) environment.emplace_back(*e);
        o.env = container::env_from_flags(f->env_file, f->env, environment);
        o.user = f->user;
        o.workdir = f->workdir;
        o.tty = f->tty;
        o.interactive = f->interactive;
        o.detach = f->detach;
        o.privileged = f->privileged;
        container::Container c = ctx.containers().get(target);
        std::cout.flush();
        ctx.exit_code = container::exec_in_container(ctx.containers(), c, o);
        // Podman prints the exec session's id for a detached exec; pc keeps no exec
        // sessions, so the id only keeps scripts that read a line working.
        if (f->detach) std::cout << str::random_hex_id() << "\n";
    });
    return cmd;
}

void register_exec(CLI::App& app, Context& ctx) { add_exec(app, ctx, "exec"); }

}  // namespace pc::cli
