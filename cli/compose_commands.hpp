// pc compose: the command group, the project flags it shares with every subcommand, and the
// table of its subcommands. A subcommand (config, version; up, down, ps, ... of the compose
// runtime) is one add_compose_* function in its own cli/cmd_compose_*.cpp and one line in
// compose_subcommands(); it builds its project with load_options() + compose::load_project().
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "cli/context.hpp"
#include "compose/loader.hpp"

namespace pc::cli {

// `pc compose [OPTIONS] COMMAND`: Docker Compose's project flags.
struct ComposeFlags {
    std::vector<std::string> files;       // -f/--file, several; "-" is stdin
    std::string project_name;             // -p/--project-name
    std::string project_directory;        // --project-directory
    std::vector<std::string> profiles;    // --profile, several
    std::vector<std::string> env_files;   // --env-file, several
    bool all_resources = false;           // --all-resources
    bool compatibility = false;           // --compatibility
    std::string in_pod;                   // --in-pod (podman-compose's): "" = the file's x-podman.in_pod, else true

    // What load_project needs, from these flags and this process (environment, working
    // directory, stdin). COMPOSE_FILE, COMPOSE_PROJECT_NAME, COMPOSE_PROFILES and
    // COMPOSE_ENV_FILES apply where the flags are not given (in the loader).
    compose::LoadOptions load_options() const;
};

using ComposeSubcommand = void (*)(CLI::App& compose, Context& ctx, const std::shared_ptr<ComposeFlags>& flags);

struct ComposeSubcommandEntry {
    const char* name;
    ComposeSubcommand add;
};
// Every `pc compose` subcommand; the group builds them all (they are few and cheap).
const std::vector<ComposeSubcommandEntry>& compose_subcommands();

void add_compose_config(CLI::App& compose, Context& ctx, const std::shared_ptr<ComposeFlags>& flags);
void add_compose_version(CLI::App& compose, Context& ctx, const std::shared_ptr<ComposeFlags>& flags);

// The Docker Compose release whose behaviour pc compose follows (what `pc compose version`
// reports, so that tools that check for a Docker Compose v2 feature level accept it).
inline constexpr const char* kComposeCompatVersion = "2.40.3";
// "Docker Compose version v2.40.3 (pc 0.1.0)"
std::string compose_version_line();

}  // namespace pc::cli
