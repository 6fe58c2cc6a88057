// A pod's record (ROOT/pods/<id>/config.json): what `pod create` was asked for. A pod has no
// state file of its own: its state is derived from its containers' (pod/pod_status.hpp),
// and the namespaces it shares are held by its infra container, an ordinary container
// record whose network options (ports, DNS, hosts) are the pod's.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace pc::pod {

struct PodConfig {
    std::string id;
    std::string name;
    int64_t created_ns = 0;
    std::vector<std::string> create_command;
    std::map<std::string, std::string> labels;
    std::string hostname;              // as given; "" = the pod's name inside its members
    std::vector<std::string> shared;   // namespaces members join: "net", "uts", "ipc", "pid"
    bool has_infra = true;
    std::string infra_id;              // "" without an infra
    std::string exit_policy = "continue";  // or "stop": stop the infra after the last member exits
    std::string userns;                // "" or "keep-id": every member's mapping
    // The container whose `pc run --rm --pod new:NAME` made this pod: the pod goes with it.
    std::string created_for;

    std::string short_id() const { return id.substr(0, 12); }
    bool shares(const std::string& ns) const;
};

void to_json(nlohmann::json& j, const PodConfig& c);
void from_json(const nlohmann::json& j, PodConfig& c);

// Podman's order and spelling of the namespaces a pod can share.
std::vector<std::string> parse_share(const std::string& value);

}  // namespace pc::pod
