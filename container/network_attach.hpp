// A container's side of user-defined networks, between its configuration and the network
// holder (net/network_holder.hpp): what it asks for when it starts, and the running
// container's connect and disconnect (`pc network connect/disconnect`), which also change
// its configuration so that the next start is the same.
//
// These are the calls a compose runtime makes for services outside a pod: ensure the
// project's networks (net::NetworkStore::create with ignore_existing), build each service's
// endpoints (container::endpoint_options) into its configuration (network_mode "bridge",
// ContainerConfig::networks), and start it; or connect a running one.
#pragma once

#include <string>
#include <vector>

#include "container/container_store.hpp"
#include "net/holder_protocol.hpp"

namespace pc::container {

// Where the store's network holder keeps its files.
net::HolderPaths holder_paths(const storage::Store& store);

// What `cfg` asks of the holder when it starts: its networks' records as they are now, its
// name and those of the containers that share its network namespace (a pod's members).
// Throws pc::Error when a network no longer exists.
net::AttachRequest attach_request(storage::Store& store, const ContainerConfig& cfg);

// A container that joins `target`'s network namespace answers to its name on target's
// networks (the name server returns target's addresses). Best effort.
void name_on_shared_networks(storage::Store& store, const ContainerConfig& cfg, const std::string& target);

// Connects container `c` to network `endpoint.network` (Podman's `network connect`): kept in
// its configuration, and, when it runs, a new interface in its namespace right away.
// Throws "container X is already connected to network Y" and the holder's errors.
void connect_network(ContainerStore& containers, const Container& c, const net::EndpointOptions& endpoint);
// The reverse; `force` is accepted for Podman's flag (a running container is disconnected
// either way). Throws "container X is not connected to network Y".
void disconnect_network(ContainerStore& containers, const Container& c, const std::string& network);

// The containers (ids) that are configured on `network`, and those whose network namespace
// they share (pod members, --network container:X).
std::vector<std::string> network_users(ContainerStore& containers, const std::string& network);

}  // namespace pc::container
