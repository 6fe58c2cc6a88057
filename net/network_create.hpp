// `pc network create`'s options checked and turned into a network record, with Podman's
// defaults: the first free 10.89.N.0/24 when no subnet is given, the first address of each
// subnet as its gateway, a random unique-local /64 for --ipv6, the first free podmanN as
// the bridge's name. Pure: the networks that exist and the subnets the host uses are given.
#pragma once

#include <string>
#include <vector>

#include "net/network_config.hpp"

namespace pc::net {

struct NetworkCreateOptions {
    std::string name;                       // "" = the first free "podmanN"
    std::string driver = "bridge";
    std::vector<std::string> subnets;       // --subnet, one per subnet
    std::vector<std::string> gateways;      // --gateway, for the subnet at the same position ("" = default)
    std::vector<std::string> ip_ranges;     // --ip-range, idem ("" = the whole subnet)
    bool ipv6 = false;
    bool internal = false;
    bool disable_dns = false;
    std::vector<std::string> labels;        // KEY=VALUE
    std::vector<std::string> options;       // KEY=VALUE: mtu
    std::string ipam_driver;                // "" or host-local
    std::string interface_name;             // "" = the first free podmanN
};

// Throws pc::Error (exit 125) with Podman's message for each bad option; a subnet that
// overlaps another network's names that network. `host_subnets`: subnets of the host's
// own interfaces, which a network must not shadow.
NetworkConfig make_network_config(const NetworkCreateOptions& o, const std::vector<NetworkConfig>& existing,
                                  const std::vector<Subnet>& host_subnets);

// The subnets of the addresses on this machine's interfaces (getifaddrs), loopback left out.
std::vector<Subnet> host_interface_subnets();

// The subnet the network namespace's own uplink uses (slirp's 10.0.2.0/24): no network may
// overlap it.
Subnet uplink_subnet();

}  // namespace pc::net
