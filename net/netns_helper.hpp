// The networks' namespace, made or re-entered by a short-lived child of the network holder.
//
// The holder stays in the host's network namespace (its slirp stack makes host sockets) and
// in the host's user namespace: as the owner of the user's shared user namespace it may
// administer network namespaces that belong to it, through sockets made inside them. A
// forked child joins the shared user namespace, then makes the networks' namespace (or
// enters the one a killed holder left, which the containers' monitors kept alive), sets it
// up and sends back what the holder keeps: the namespace, the uplink tap, an rtnetlink
// socket and the name server's sockets.
#pragma once

#include <vector>

#include "common/fd.hpp"

namespace pc::net {

// The uplink inside the networks' namespace: tap0 at 10.0.2.100/24 with slirp (in the
// holder) at 10.0.2.2, as the default network of a container has it.
inline constexpr char kUplinkTap[] = "tap0";
inline constexpr char kUplinkGateway[] = "10.0.2.2";

struct NetnsKit {
    UniqueFd netns;
    UniqueFd tap;
    UniqueFd rtnl;
    std::vector<UniqueFd> dns_udp, dns_tcp;  // port 53 on every address, IPv4 and IPv6
};

// `userns`: the shared user namespace. `netns`: the namespace to enter again, or -1 for a
// new one. Throws pc::Error with the child's reason.
NetnsKit prepare_networks_namespace(int userns, int netns);

}  // namespace pc::net
