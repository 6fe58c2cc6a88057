// A container's place on a user-defined network: what it asks for (its configuration,
// from `--network NAME[:alias=A,ip=IP,ip6=IP,mac=MAC,interface_name=N]`, --network-alias,
// --ip, --ip6, --mac-address, `network connect --alias --ip`) and what it got when it
// started (its state: the interface, addresses and gateways the network holder gave it,
// which `inspect` shows as .NetworkSettings.Networks).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "net/ip_address.hpp"

namespace pc::net {

struct EndpointOptions {
    std::string network;                 // the network's name
    std::vector<std::string> aliases;    // names it answers to besides the container's
    std::string ip4, ip6;                // static addresses; "" = the next free one
    std::string mac;                     // static MAC; "" = random
    std::string interface_name;          // "" = eth<N> by position
    bool operator==(const EndpointOptions&) const = default;
};

struct Endpoint {
    std::string network, network_id;
    std::string interface;               // inside the container: eth0, eth1...
    std::string bridge;                  // the network's bridge in the networks' namespace
    std::string mac;
    IpAddress ip4, gateway4;
    unsigned prefix4 = 0;
    IpAddress ip6, gateway6;
    unsigned prefix6 = 0;
    unsigned mtu = 1500;
    bool internal = false;
    bool dns = true;
    std::vector<std::string> aliases;    // the names the network's DNS serves for it
    bool operator==(const Endpoint&) const = default;
};

void to_json(nlohmann::json& j, const EndpointOptions& e);
void from_json(const nlohmann::json& j, EndpointOptions& e);
void to_json(nlohmann::json& j, const Endpoint& e);
void from_json(const nlohmann::json& j, Endpoint& e);

// One `--network` value that names networks: "NAME" or "NAME:alias=a,alias=b,ip=10.89.0.5,
// ip6=fd00::5,mac=02:..,interface_name=eth3" (Podman's per-network options). Throws
// pc::Error naming the value for an unknown option or a bad address.
EndpointOptions parse_endpoint_option(const std::string& value);

}  // namespace pc::net
