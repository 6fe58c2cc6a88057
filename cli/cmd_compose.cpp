// pc compose: Docker Compose's command group, built into pc.
#include <iostream>

#include "cli/compose_commands.hpp"
#include "cli/compose_runtime.hpp"
#include "common/error.hpp"

namespace pc::cli {

compose::LoadOptions ComposeFlags::load_options() const {
    compose::LoadOptions o = compose::process_load_options();
    o.files = files;
    o.project_name = project_name;
    o.project_directory = project_directory;
    o.profiles = profiles;
    o.env_files = env_files;
    o.all_resources = all_resources;
    o.compatibility = compatibility;
    return o;
}

const std::vector<ComposeSubcommandEntry>& compose_subcommands() {
    static const std::vector<ComposeSubcommandEntry> table = {
        {"config", add_compose_config},
        {"version", add_compose_version},
        {"up", add_compose_lifecycle},  // up, create, start, stop, restart, kill, pause, unpause, rm, down, wait
        {"ps", add_compose_listing},    // ps, ls, top, port
        {"logs", add_compose_logs},
        {"exec", add_compose_exec_run},  // exec, run
        {"images", add_compose_images},  // images, pull, push, cp, events
        {"watch", add_compose_watch},
        {"build", add_compose_build},
    };
    return table;
}

std::string compose_version_line() {
    return std::string("Docker Compose version v") + kComposeCompatVersion + " (pc " + PC_VERSION + ")";
}

void register_compose(CLI::App& app, Context& ctx) {
    CLI::App* compose = app.add_subcommand("compose", "Define and run multi-container applications (Docker Compose)");
    auto flags = std::make_shared<ComposeFlags>();
    compose->add_option("-f,--file", flags->files, "Compose configuration files")->allow_extra_args(false);
    compose->add_option("-p,--project-name", flags->project_name, "Project name");
    compose->add_option("--project-directory", flags->project_directory,
                        "Specify an alternate working directory\n(default: the path of the, first specified, Compose file)");
    compose->add_option("--profile", flags->profiles, "Specify a profile to enable")->allow_extra_args(false);
    compose->add_option("--env-file", flags->env_files, "Specify an alternate environment file")->allow_extra_args(false);
    compose->add_flag("--all-resources", flags->all_resources, "Include all resources, even those not used by services");
    compose->add_flag("--compatibility", flags->compatibility, "Run compose in backward compatibility mode");
    compose->add_option("--in-pod", flags->in_pod, "One pod for the project (true, default), or each service on its networks (false)")
        ->type_name("BOOL")
        ->expected(1);
    auto show_version = std::make_shared<bool>(false);
    compose->add_flag("-v,--version", *show_version, "Show the Docker Compose version information");
    compose->require_subcommand(0, 1);
    for (const auto& entry : compose_subcommands()) entry.add(*compose, ctx, flags);
    compose->callback([compose, show_version] {
        if (!compose->get_subcommands().empty()) return;
        if (*show_version) {
            std::cout << compose_version_line() << std::endl;
            return;
        }
        std::cout << compose->help();
        throw Error("missing command 'pc compose COMMAND'");
    });
}

}  // namespace pc::cli
