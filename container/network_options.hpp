// The network options of a container (--network, --network-alias, --ip, --ip6,
// --mac-address, -p/-P, --expose, --add-host, --dns*, --no-hosts as `pc run` takes them, or
// as compose and pods produce them): checked and turned into the container's network
// configuration, with random host ports chosen at create time as Podman does (so `pc port`
// can tell them before the container starts, and a restart keeps them).
#pragma once

#include <string>
#include <vector>

#include "container/config.hpp"
#include "storage/store.hpp"

namespace pc::container {

struct NetworkOptions {
    // The --network values: one mode (slirp4netns[:OPTIONS], none, host, container:NAME,
    // ns:PATH, pod), or any number of networks by name, each "NAME" or
    // "NAME:alias=A,ip=IP,ip6=IP,mac=MAC,interface_name=IF" ("bridge" is the network
    // "podman"). `network` is one more value, first (for callers that set a single one).
    std::string network;
    std::vector<std::string> networks;
    std::vector<std::string> aliases;  // --network-alias: on every network
    std::string ip, ip6, mac;          // --ip, --ip6, --mac-address: with a single network
    std::vector<std::string> publish, expose, add_host, dns, dns_search, dns_option;
    bool publish_all = false, no_hosts = false;

    // `network` and `networks`, in that order.
    std::vector<std::string> all_networks() const;
};

// Everything that needs neither the store nor the image. Throws pc::Error naming the flag.
void check_network_options(const NetworkOptions& options);

// Fills cfg's network fields; `image_exposed` are the image's EXPOSE ports ("80/tcp").
// Named networks must exist (Podman's "network not found" otherwise), and a static address
// must lie in one of the network's subnets.
void apply_network_options(storage::Store& store, ContainerConfig& cfg, const NetworkOptions& options,
                           const std::vector<std::string>& image_exposed);

// The endpoint a container asks of `network` (`network connect` and compose use it):
// aliases and a static address are checked against the network's record. Throws pc::Error.
net::EndpointOptions endpoint_options(storage::Store& store, const std::string& network, const std::vector<std::string>& aliases,
                                      const std::string& ip4 = "", const std::string& ip6 = "", const std::string& mac = "");

}  // namespace pc::container
