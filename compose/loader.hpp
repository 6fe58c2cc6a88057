// Loading a compose project as Docker Compose v2 does, stage by stage (compose-go's loader):
//
//   discover   -f files, else COMPOSE_FILE, else compose.yaml / compose.yml /
//              docker-compose.yml / docker-compose.yaml in the project directory or a parent
//              (+ the matching compose.override.* file); `-` is stdin
//   environment  the process environment, then .env (or --env-file / COMPOSE_ENV_FILES)
//              in the project directory for what it does not set
//   name       -p, COMPOSE_PROJECT_NAME, the files' `name:`, the directory name (normalized)
//   per file, per YAML document:
//     parse       yaml_reader (positions, merge keys, !reset / !override, limits)
//     interpolate ${...} with the environment, typed casts
//     include     included files loaded as their own projects and imported
//     extends     base services (same file or another) merged under the service
//     merge       over what earlier files/documents gave, then keyed-list de-duplication
//     validate    JSON schema (compose-spec.json)
//     canonical   short syntax -> long syntax
//   then: defaults, semantic checks, relative paths, environment lists, normalization
//   decode     typed model; profiles; services named on the command line; consistency
//              checks; env_file / label_file contents; unused resources dropped
//
// The compose runtime calls load_project() with the options of `pc compose` and gets the
// Project it runs; `config` prints it.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "compose/dotenv.hpp"
#include "compose/model.hpp"
#include "compose/node.hpp"

namespace pc::compose {

struct LoadOptions {
    // pc compose's global flags.
    std::vector<std::string> files;      // -f/--file ("-" for stdin); empty: COMPOSE_FILE or discovery
    std::string project_name;            // -p/--project-name
    std::string project_directory;       // --project-directory
    std::vector<std::string> profiles;   // --profile; empty: COMPOSE_PROFILES
    std::vector<std::string> env_files;  // --env-file; empty: COMPOSE_ENV_FILES, else ./.env
    bool all_resources = false;          // --all-resources: keep unused networks, volumes, ...
    bool compatibility = false;          // --compatibility (v1 naming "_"; config: no normalization)

    // Services named on the command line (pulled in with their dependencies; the rest are
    // left out). Empty: all services of the active profiles.
    std::vector<std::string> services;

    // Stages (config's --no-interpolate, --no-normalize, ...).
    bool validate = true;  // schema and semantic checks (off for config --variables)
    bool interpolate = true;
    bool normalize = true;
    bool resolve_paths = true;
    bool consistency = true;
    bool resolve_environment = true;  // merge env_file contents into environment
    bool discard_env_files = true;    // then drop env_file / label_file (as containers get it)

    // The caller's world, injected so that tests need not touch the real one.
    EnvMap os_environment;              // the process environment
    std::string current_directory;      // absolute
    std::function<std::string()> read_stdin;  // for "-"
};

// LoadOptions with os_environment, current_directory and read_stdin taken from this process.
LoadOptions process_load_options();

// The project, fully loaded. Throws pc::Error (exit 1 for an invalid project, with the file,
// line and key path in the message).
Project load_project(const LoadOptions& options);

// The merged, canonical document before decoding (config --no-interpolate, --variables),
// plus the project name and environment as load_project would have them.
struct LoadedModel {
    Node model;
    std::string project_name;
    std::string working_dir;
    std::vector<std::string> compose_files;
    EnvMap environment;
    std::vector<std::string> profiles;  // active (--profile or COMPOSE_PROFILES)
};
LoadedModel load_model(const LoadOptions& options);

// Docker Compose's project name normalization: lowercase, only [a-z0-9_-], no leading _ or -.
std::string normalize_project_name(const std::string& name);

}  // namespace pc::compose
