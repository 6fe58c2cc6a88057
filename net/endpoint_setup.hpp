// The container's end of its networks, made by a process inside the container's network
// namespace and the user's shared user namespace (the container's P1 at start, a helper
// for `network connect`): it enters the networks' namespace just long enough to open an
// rtnetlink socket there, then makes each veth pair in one request from that side (the
// host end on the network's bridge, up; the container end created directly in the
// container's namespace, with its name and MAC), and configures the container end from
// its own side: addresses, up, default routes.
#pragma once

#include <vector>

#include "net/endpoint.hpp"

namespace pc::net {

// `networks_netns`: the networks' namespace (from the holder). `first_default`: the
// container has no default route yet, so non-internal endpoints add theirs (the first
// one's wins: metrics 100, 101...). Throws pc::Error.
void set_up_endpoints(int networks_netns, const std::vector<Endpoint>& endpoints, bool first_default = true);

// Removes the container end of `interface` (its pair goes with it) in the caller's
// namespace. Missing interfaces are not an error.
void remove_endpoint(const std::string& interface);

}  // namespace pc::net
