// A compose service turned into a container configuration: every service key of the
// specification applied through the same container options `pc run` takes (so a compose
// file's mistakes get `pc run`'s messages), then joined to the project's pod (or to the
// project's networks, outside a pod: compose/project_networks.hpp), labelled as
// Docker Compose labels its containers, and given an /etc/hosts in which every service
// of the project resolves to 127.0.0.1. Keys pc cannot apply on this host (resource limits
// without cgroups, GPUs without a device) produce one warning each, naming the key and
// the service.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "compose/model.hpp"
#include "container/config.hpp"
#include "container/exec.hpp"
#include "pod/pod_store.hpp"

namespace pc::compose {

// Whether a service is on the project's network (no network_mode of its own, or bridge /
// default), rather than host, none, service:X, container:X.
bool uses_project_network(const Service& service);
// Where a service runs: in the project's pod (a project run in one pod, a service on the
// project's network), or outside it.
bool runs_in_pod(const Project& project, const Service& service);

struct ServiceContainerRequest {
    const Project* project = nullptr;
    const Service* service = nullptr;
    int number = 1;
    bool oneoff = false;
    std::string name;                     // the container's name
    const pod::PodConfig* pod = nullptr;  // the project's pod, for services that run in it
    // The id of a service's first container (service:X references), or "" when none.
    std::function<std::string(const std::string& service)> service_container;
    // Files of secrets and configs are made here (one directory per container).
    std::string files_dir;
    // `compose run`: the command (replacing the service's), entrypoint, env, volumes, user,
    // workdir given on the command line; published ports only with --service-ports.
    std::optional<std::vector<std::string>> command;
    bool publish_ports = false;
    // `compose run --use-aliases`: the one-off answers to the service's name and aliases on
    // the project's networks too.
    bool use_aliases = false;
};

struct ServiceContainer {
    container::ContainerConfig config;
    std::vector<std::string> warnings;
};

// Builds the configuration (throws pc::Error naming the service and key).
ServiceContainer service_container_config(storage::Store& store, pod::PodStore& pods, const ServiceContainerRequest& r);

// The `-p` values for a service's ports (what the project's pod publishes).
std::vector<std::string> publish_specs(const Service& service);

// The names every member of the project's pod resolves to 127.0.0.1.
std::vector<std::string> project_host_names(const Project& project);

// Warnings for keys pc cannot apply here (one per key and service), without building.
std::vector<std::string> unsupported_keys(const Project& project, const Service& service);

// What post_start / pre_stop hooks and watch's sync+exec run: the hook's command, user,
// working dir, privileges and environment (its streams are the caller's to set).
container::ExecOptions hook_exec_options(const ServiceHook& hook);

// The image a service runs: its `image`, or <project>-<service> for one that is built.
std::string service_image(const Project& project, const Service& service);

}  // namespace pc::compose
