// Talking to the network holder (net/network_holder.hpp) of a store: starting it when none
// runs, asking it for a container's endpoints, handing them back.
//
// One request per connection. Starting and connecting happen under RUNROOT/networks/
// holder.lock, which a holder also takes before it exits, so a client never connects to a
// holder on its way out; a holder that exits between a client's connect and its request
// (it has not seen the request yet) closes the connection, and the client starts over.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/fd.hpp"
#include "net/endpoint.hpp"
#include "net/holder_protocol.hpp"

namespace pc::net {

// What a container got: its endpoints, and the networks' namespace, which its monitor
// keeps open for the container's life (so that a killed holder does not take the
// namespace, and the containers' connectivity, with it), and which the container's
// namespace process enters to make its veth pairs.
struct Attachment {
    UniqueFd netns;
    std::vector<Endpoint> endpoints;
};

// Asks for the endpoints of `r` (starting the holder when needed). Throws pc::Error with
// the holder's reason (an address in use, a static address outside the subnet...).
Attachment attach_endpoints(const HolderPaths& paths, const AttachRequest& r);

// Gives back a container's endpoints on `networks` (all when empty). Best effort and never
// starts a holder: none running means nothing is held.
void detach_endpoints(const HolderPaths& paths, const std::string& container, const std::vector<std::string>& networks = {});

// More names for a container's endpoints (a container that joined its network namespace).
void add_endpoint_names(const HolderPaths& paths, const std::string& container, const std::vector<std::string>& names);

// The running holder's leases and networks; nullopt when none runs.
std::optional<nlohmann::json> holder_status(const HolderPaths& paths);

// Makes sure a holder runs when some container's monitor still holds leases (the holder
// was killed): starting one restores the uplink and the name server. Returns what it did
// ("" when nothing was needed); throws when a holder was needed and could not be started.
std::string restore_holder(const HolderPaths& paths);

// The pid of the running holder, 0 when none.
pid_t holder_pid(const HolderPaths& paths);

}  // namespace pc::net
