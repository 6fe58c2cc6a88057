// --device, --device-cgroup-rule and --gpus turned into a container's devices, mounts,
// environment and hooks, as Podman does rootless:
//   --device HOST[:CTR[:PERMS]]     a character or block device node bind-mounted in (a
//                                   directory adds every device below it); PERMS of "rwm"
//                                   are checked and shown by inspect, but rootless there is
//                                   no device cgroup to enforce them: access is the host
//                                   node's own (as with rootless Podman)
//   --device vendor.com/class=name  a CDI device, resolved from the spec files in the CDI
//                                   spec directories (container/cdi_registry.hpp)
//   --gpus all|N|device=...         CDI nvidia.com/gpu=... (Podman's mapping)
//   --device-cgroup-rule RULE       checked and recorded; rootless there is no device
//                                   cgroup to write it to (as with rootless Podman)
#pragma once

#include <string>
#include <vector>

#include "container/config.hpp"

namespace pc::container {

struct DeviceOptions {
    std::vector<std::string> devices, device_cgroup_rules, gpus;
    std::vector<std::string> cdi_spec_dirs;  // empty: the defaults (cdi_registry.hpp)
};

// "HOST[:CTR[:PERMS]]" with Podman's rules (a second field of only r/w/m letters is the
// permissions). Checks the form only; no file is looked at.
DeviceConfig parse_device_flag(const std::string& value);

// "all", "N", "device=N[,M]" or "count=N" -> nvidia.com/gpu=... names.
std::vector<std::string> gpu_cdi_names(const std::string& value);

// Applies all of the above to `cfg`: every host node checked (exists, is a device or a
// directory), CDI names resolved and their edits applied. Throws pc::Error naming the bad
// value, path or spec file; `cfg` is then not to be used.
void apply_device_options(ContainerConfig& cfg, const DeviceOptions& options);

}  // namespace pc::container
