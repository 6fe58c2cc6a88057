// Operations on a loaded project that Docker Compose applies after decoding: profiles,
// the services named on the command line, unused resources, env_file and label_file
// contents, and the consistency checks (references to undefined services, networks,
// volumes, secrets, configs, models; dependency cycles; exclusive settings).
#pragma once

#include <string>
#include <vector>

#include "compose/model.hpp"

namespace pc::compose {

// Enables the services without profiles and those with one of `profiles` ("*": all);
// the others move to disabled_services.
void apply_profiles(Project& project, const std::vector<std::string>& profiles);

// Enables the named services even when their profiles are inactive, and the services they
// depend on (recursively): naming a service on the command line pulls it in, with what it
// needs. Throws "no such service: NAME" for a name that is not in the project.
void enable_services(Project& project, const std::vector<std::string>& names);

// Keeps the named services and their dependencies (all when `names` is empty); the rest
// are disabled and dependencies on them dropped. `*`-style globs match service names.
void select_services(Project& project, const std::vector<std::string>& names, bool with_dependencies = true);

// Drops networks, volumes, secrets, configs and models that no enabled service uses.
void drop_unused_resources(Project& project);

// Resolves each service's environment: valueless keys from the project environment, then
// the env_file contents (later files win, `environment` wins over files); with `discard`
// the env_file entries are removed afterwards (what `config` prints and containers get).
void resolve_service_environment(Project& project, bool discard);

// Merges label_file contents into labels (`labels` wins); with `discard` the label_file
// entries are removed.
void resolve_service_labels(Project& project, bool discard);

// compose-go's consistency checks, plus restart policies Docker's engine would refuse.
// Throws pc::Error (exit 1) naming the file, line and key path of the first problem
// (services in name order). May set deploy.replicas from scale, as compose-go does.
void check_consistency(Project& project);

// Two services with the same container_name.
void check_container_name_unicity(const Project& project);

// The dependency graph has no cycle ("dependency cycle detected: a -> b -> a"); required
// dependencies on services that are not enabled are errors.
void check_dependency_cycles(Project& project);

// Services in start order (dependencies first, ties by name).
std::vector<std::string> services_in_dependency_order(const Project& project);

}  // namespace pc::compose
