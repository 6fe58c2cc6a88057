// What can be done to a pod: create it (its record and infra container), add members,
// start, stop, kill, restart and remove it, with Podman's rules and messages. Nothing here
// prints: results and per-container errors are returned for cli/ to show.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "container/create_options.hpp"
#include "pod/pod_store.hpp"

namespace pc::pod {

struct PodCreateOptions {
    std::string name;                 // "" = generated
    std::string hostname;
    std::vector<std::string> labels;  // KEY=VALUE
    std::optional<std::string> share; // --share; nullopt = Podman's default (ipc,net,uts)
    container::NetworkOptions net;    // --network, -p, --add-host, --dns*, --no-hosts
    std::string userns;               // "" or "keep-id"
    bool infra = true;
    std::string infra_name;
    std::string exit_policy = "continue";
};

// Checks the options and makes the pod and its infra container (not started, as Podman).
// Throws pc::Error naming the bad option; nothing is left behind then.
// `created_for`: the id the container of a `run --rm --pod new:NAME` will have (the pod is
// removed with it).
PodConfig create_pod(PodStore& pods, const PodCreateOptions& options, const std::vector<std::string>& create_command,
                     const std::string& created_for = "");

// A member's configuration: the container options checked against the pod (a member cannot
// publish ports or set a network, DNS, hosts or hostname of its own where the pod shares
// that namespace: the error names the pod), built, then joined to the pod's namespaces.
container::ContainerConfig build_member_config(PodStore& pods, const PodConfig& pod, container::CreateOptions options,
                                               const std::vector<std::string>& args,
                                               const std::vector<std::string>& create_command);

// `run --pod new:NAME`: the pod takes the container's network options (ports, network,
// DNS, hosts), as Podman moves them; they are cleared from `options`.
PodCreateOptions options_for_new_pod(const std::string& name, container::CreateOptions& options);

// Per-container outcome of a pod operation: "" or the error.
struct ContainerResult {
    std::string id, name;
    std::string error;
};

// Starts the infra, then every member that is not running. Returns the members' errors.
std::vector<ContainerResult> start_pod(PodStore& pods, const PodConfig& pod);
// Stops every running member at once (stop signal, SIGKILL after `timeout_s`), then the
// infra. nullopt timeout: each container's own.
std::vector<ContainerResult> stop_pod(PodStore& pods, const PodConfig& pod, std::optional<unsigned> timeout_s);
// Sends `sig` to every running container of the pod (the infra included, as Podman does).
// Throws when none is running.
std::vector<ContainerResult> kill_pod(PodStore& pods, const PodConfig& pod, int sig);
// Removes the pod, its members and its infra. Without `force` a running member refuses it
// (the error names them). `timeout_s` as for stop_pod.
void remove_pod(PodStore& pods, const PodConfig& pod, bool force, std::optional<unsigned> timeout_s);

// The exit hook (container/exit_hook.hpp): a pod with --exit-policy stop stops its infra
// once no member runs; a pod made by `run --rm --pod new:` goes with its container.
void on_container_exit(container::ContainerStore& containers, const container::ContainerConfig& cfg);

}  // namespace pc::pod
