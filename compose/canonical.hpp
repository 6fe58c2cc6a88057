// The stages between merging and the typed model, each a pass over the document tree as in
// compose-go: canonical (long) syntax, default values, semantic checks the schema cannot
// express, relative paths, environment entries, and normalization (implicit default
// network, resource names, implicit dependencies).
#pragma once

#include <string>

#include "compose/dotenv.hpp"
#include "compose/node.hpp"

namespace pc::compose {

// Short syntax -> long syntax: ports, volumes, devices, secrets/configs mounts,
// depends_on, env_file, build, networks lists, legacy `external: {name: x}`, ...
// With `keep_unparsable` (no interpolation: `${X}:80` cannot be parsed yet) a port or
// volume that does not parse is kept as text instead of failing.
void canonicalize(Node& model, bool keep_unparsable);

// Defaults that do not depend on the project: build.context ".", secret targets
// /run/secrets/NAME, port protocol tcp and mode ingress, device request count all,
// bind.create_host_path true. Then drops empty `dns` entries.
void set_default_values(Node& model);

// Checks beyond the schema: external resources with other attributes, secrets/configs
// without a source, invalid host_ip, blank watch paths, count and device_ids together.
void check_semantics(const Node& model);

// Makes relative paths absolute against `working_dir` (and `~` against `home`): build
// contexts, env_file, label_file, extends.file, bind mount sources, secret/config files,
// include paths, local volume devices with o=bind.
void resolve_relative_paths(Node& model, const std::string& working_dir, const std::string& home);

// `environment: [NAME]` entries resolved from `env` ("NAME=value") when set there.
void resolve_list_environment(Node& model, const EnvMap& env);

// Docker Compose's normalization: the implicit `default` network, project-prefixed resource
// names, build defaults, `pull_policy: if_not_present` -> missing, valueless environment
// and build args resolved from `env`, implicit depends_on from links / network_mode /
// volumes_from / ipc / pid / uts / cgroup "service:X", clean volume targets.
void normalize(Node& model, const std::string& project_name, const EnvMap& env);

}  // namespace pc::compose
