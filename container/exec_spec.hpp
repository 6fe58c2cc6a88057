// What a `pc exec` process gets from its container's configuration and the exec's own
// options (pure: unit-tested without a container).
#pragma once

#include <string>
#include <vector>

#include "container/config.hpp"
#include "container/exec.hpp"
#include "rootless/exec_join.hpp"

namespace pc::container {

// `base` with each "K=V" of `overrides` replacing the entry with the same K (or appended):
// Podman's rule for `exec -e` over the container's environment.
std::vector<std::string> merge_env(std::vector<std::string> base, const std::vector<std::string>& overrides);

// User: -u, else the container's; working dir: -w, else the container's; capabilities: the
// container's set, or every capability of the user namespace with --privileged; seccomp and
// no_new_privs: the container's (the filter is compiled for the container's capabilities).
rootless::ExecProcessSpec exec_process_spec(const ContainerConfig& cfg, const ExecOptions& options,
                                            bool single_id_mapping);

}  // namespace pc::container
