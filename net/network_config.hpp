// A user-defined network as it is stored (ROOT/networks/<name>.json) and shown by
// `pc network inspect`: Podman 4's network record, key for key (name, id, driver,
// network_interface, created, subnets with gateway and lease_range, ipv6_enabled,
// internal, dns_enabled, labels, options, ipam_options), so the JSON is the same.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "net/ip_address.hpp"

namespace pc::net {

struct LeaseRange {
    IpAddress start, end;  // inclusive
    bool operator==(const LeaseRange&) const = default;
};

struct SubnetConfig {
    Subnet subnet;
    IpAddress gateway;
    std::optional<LeaseRange> lease_range;  // --ip-range: addresses given to containers
    bool operator==(const SubnetConfig&) const = default;
};

struct NetworkConfig {
    std::string name;
    std::string id;                 // 64 hex digits
    std::string driver = "bridge";
    std::string interface;          // the bridge's name in the network namespace ("podman1")
    int64_t created_ns = 0;
    std::vector<SubnetConfig> subnets;
    bool ipv6 = false;
    bool internal = false;
    bool dns = true;
    std::map<std::string, std::string> labels;
    std::map<std::string, std::string> options;       // "mtu"
    std::map<std::string, std::string> ipam_options = {{"driver", "host-local"}};

    std::string short_id() const { return id.substr(0, 12); }
    // The MTU of the bridge and its veths: options["mtu"], else 1500 (Podman's default).
    unsigned mtu() const;
    bool operator==(const NetworkConfig&) const = default;
};

// Podman's key names in Podman's order; "labels" and "options" are left out when empty, as
// Podman does.
nlohmann::ordered_json network_json(const NetworkConfig& n);
void to_json(nlohmann::json& j, const NetworkConfig& n);
void from_json(const nlohmann::json& j, NetworkConfig& n);

// [a-zA-Z0-9][a-zA-Z0-9_.-]* (Podman's rule for network names).
bool valid_network_name(const std::string& name);

// The network every rootless Podman has, for `--network podman` and `--network bridge`:
// 10.88.0.0/16 on podman0, no DNS. It is not stored; its id is sha256("podman"), as Podman's.
inline constexpr char kDefaultNetworkName[] = "podman";
NetworkConfig default_network();

}  // namespace pc::net
