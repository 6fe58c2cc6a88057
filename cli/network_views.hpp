// Podman's views of networks: `network inspect` (the record itself, indented as Podman 4
// prints it), the data `network ls --format` and `network inspect --format` templates see
// (Podman's field names: .Name, .ID, .Driver, .NetworkInterface, .Created, .Subnets,
// .IPv6Enabled, .Internal, .DNSEnabled, .Labels, .Options, .IPAMOptions), and a container's
// .NetworkSettings.Networks.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "container/container_store.hpp"
#include "net/network_config.hpp"

namespace pc::cli {

// `network inspect`'s text: the records as a JSON array in Podman's key order and indent
// (5 spaces; `network ls --format json` uses 2).
std::string network_inspect_text(const std::vector<net::NetworkConfig>& networks, int indent = 5);

// Template data. `for_ls`: .Labels is "k=v,k2=v2" (Podman's ls column), else the map;
// `no_trunc`: the full .ID.
nlohmann::json network_template_data(const net::NetworkConfig& n, bool for_ls, bool no_trunc);

// .NetworkSettings.Networks of a container on networks by name: each network's address,
// gateway, MAC and aliases while it runs, the names and aliases alone when it does not.
nlohmann::json container_networks_json(const container::Container& c);

}  // namespace pc::cli
