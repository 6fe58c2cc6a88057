// Turns a container's stored configuration into the in-namespace setup of its init
// process (rootless::SandboxSpec), resolving volumes, generated /etc files, capabilities
// and the seccomp profile.
#pragma once

#include "container/config.hpp"
#include "rootless/idmap.hpp"
#include "rootless/rlimits.hpp"
#include "rootless/sandbox.hpp"
#include "storage/store.hpp"

namespace pc::container {

// Writes the container's hosts/resolv.conf/hostname files into its directory and returns
// the spec. `rootfs` is where the root filesystem will be mounted; `endpoints`, its
// addresses on user-defined networks (for /etc/hosts and the name servers).
rootless::SandboxSpec build_sandbox_spec(storage::Store& store, const ContainerConfig& cfg,
                                         const rootless::IdMapping& mapping, const std::string& rootfs,
                                         const std::vector<net::Endpoint>& endpoints = {});

// A pod's infra container: the hosts, resolv.conf and hostname files its members share
// (the infra has no root filesystem of its own).
void write_infra_etc_files(storage::Store& store, const ContainerConfig& cfg,
                           const std::vector<net::Endpoint>& endpoints = {});

// The effective capability set of a container (default set with --cap-add/--cap-drop, or
// all when privileged).
std::vector<int> container_capabilities(const ContainerConfig& cfg);

// The container's seccomp profile (nullopt = unconfined: --privileged or
// seccomp=unconfined) and the capabilities given to non-root payloads too (--cap-add), as
// build_sandbox_spec uses them: `pc exec` applies the same.
std::optional<rootless::SeccompProfile> container_seccomp(const ContainerConfig& cfg);
std::vector<int> container_added_capabilities(const ContainerConfig& cfg);
// The --ulimit values as limits to set in the container's init and exec sessions ("host"
// sets none: they inherit pc's own).
std::vector<rootless::Rlimit> container_rlimits(const ContainerConfig& cfg);

// The container's OCI hooks (from CDI specs), and the bundle directory they are told about:
// it holds an OCI config.json (root.path, process, hostname) that hooks such as
// nvidia-ctk's read, written by build_sandbox_spec when there are hooks.
std::vector<rootless::HookSpec> container_hooks(const ContainerConfig& cfg);
std::string hook_bundle_dir(storage::Store& store, const ContainerConfig& cfg);
// Runs the container's hooks of `stage` (poststart, poststop) from the monitor; failures
// are logged, as the runtime spec asks for these stages.
void run_monitor_hooks(storage::Store& store, const ContainerConfig& cfg, const std::string& stage, pid_t pid) noexcept;

// The container's hostname: --hostname, the host's for --network host, else the short id.
std::string container_hostname(const ContainerConfig& cfg);

// --tz: the host file a timezone names ("local": /etc/localtime, else under
// /usr/share/zoneinfo); check_timezone throws Podman's "unknown time zone" when it has none.
std::string timezone_file(const std::string& tz);
void check_timezone(const std::string& tz);

}  // namespace pc::container
