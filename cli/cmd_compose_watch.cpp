// pc compose watch [--no-up] [--prune] [--quiet] [SERVICE...]: brings the project up, then
// applies the services' develop.watch triggers as files change (compose/watch.hpp), until
// Ctrl-C, which leaves the project running, as Docker Compose does (exit 130).
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "cli/compose_runtime.hpp"
#include "common/error.hpp"
#include "common/fd.hpp"
#include "compose/watch.hpp"

namespace pc::cli {

namespace {

struct WatchFlags {
    bool no_up = false, prune = true, quiet = false;
    std::vector<std::string> services;
};

// Interrupts become readable on a signalfd (the watch loop's stop_fd) from here on.
UniqueFd interrupts_fd() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    if (::sigprocmask(SIG_BLOCK, &set, nullptr) < 0) throw Error::sys("sigprocmask", errno);
    UniqueFd fd(::signalfd(-1, &set, SFD_CLOEXEC));
    if (!fd) throw Error::sys("signalfd", errno);
    return fd;
}

void run_watch(Context& ctx, const ComposeFlags& flags, const WatchFlags& f) {
    compose::Project project = load_runtime_project(flags, f.services);
    compose::Progress progress;
    const bool quiet = f.quiet;
    progress.event = [quiet](const std::string& resource, const std::string& status) {
        // --quiet: no pull or build progress (the containers' still shows).
        if (quiet && (resource.rfind("Image ", 0) == 0 || resource.rfind("Service ", 0) == 0)) return;
        write_line(STDERR_FILENO, " " + resource + "  " + status + "\n");
    };
    auto warn = [](const std::string& message) { write_line(STDERR_FILENO, "WARN[0000] " + message + "\n"); };
    progress.warning = warn;
    compose::Engine engine(ctx.containers(), project, progress);

    compose::WatchOptions o;
    o.services = f.services;
    o.prune = f.prune;
    compose::WatchCallbacks cb;
    cb.log = [](const std::string& line) { write_line(STDOUT_FILENO, line + "\n"); };
    cb.warning = warn;
    cb.error = warn;  // Docker Compose reports a failed batch as a warning and goes on
    try {
        // Every trigger is checked before anything starts.
        compose::ProjectWatch watch(ctx.containers(), engine, o, cb);
        if (!f.no_up) {
            compose::UpOptions up;
            up.services = f.services;
            // Docker Compose builds the watched services that have a build section first.
            for (const auto& name : engine.resolve_services(f.services)) {
                const auto& s = project.services.at(name);
                up.build |= engine.can_build() && s.build && s.develop;
            }
            engine.up(up);
        }
        UniqueFd stop = interrupts_fd();
        watch.run(stop.get());
    } catch (const Error& e) {
        throw Error(e.what(), kExitCompose);
    }
    ctx.exit_code = 130;
}

}  // namespace

void add_compose_watch(CLI::App& compose, Context& ctx, const std::shared_ptr<ComposeFlags>& flags) {
    auto f = std::make_shared<WatchFlags>();
    CLI::App* cmd = compose.add_subcommand(
        "watch", "Watch build context for service and rebuild/refresh containers when files are updated");
    cmd->add_flag("--no-up", f->no_up, "Do not build & start services before watching");
    cmd->add_flag("--prune", f->prune, "Prune dangling images on rebuild (default true; --prune=false to keep them)");
    cmd->add_flag("--quiet", f->quiet, "hide build output");
    cmd->add_option("services", f->services, "Services");
    cmd->callback([&ctx, flags, f] { run_watch(ctx, *flags, *f); });
}

}  // namespace pc::cli
