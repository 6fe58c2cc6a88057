// The network holder: the one process that keeps a store's user-defined networks running
// while containers use them (Podman's rootless netns with its slirp4netns and aardvark-dns,
// in one small process of pc's own). `pc __network-holder ROOT RUNROOT`, started by the
// first container that needs a network (net/holder_client.hpp), exiting when the last one
// has gone.
//
//   host namespaces                          the networks' namespace (in the user's shared
//   ┌──────────────────────────────┐          user namespace, held by the monitors too)
//   │ holder                       │   tap0   ┌──────────────────────────────────────────┐
//   │  libslirp (the uplink) ◄─────┼──────────┤ 10.0.2.100, default via 10.0.2.2         │
//   │  name server (port 53 ◄──────┼──────────┤ podman1 10.89.0.1/24 ── vethN ── eth0 ───┼─ container
//   │   of the namespace)          │          │ podman2 10.89.1.1/24 ── vethM ── eth0 ───┼─ container
//   │  addresses, bridges, rules ──┼─rtnetlink┤ rules: a bridge's traffic goes to the    │
//   └──────────────────────────────┘          │ uplink only, never to another bridge     │
//                                             └──────────────────────────────────────────┘
//
// It gives each container its addresses (net/ipam.hpp) when its monitor asks (a request on
// its socket), makes a network's bridge when its first container comes and removes it when
// the last one has gone, answers the containers' DNS queries and forwards the rest to the
// host's resolvers, and runs slirp for everything that leaves. The containers' own ends
// (veth pairs) are made by the containers' namespace processes (net/endpoint_setup.hpp).
//
// It watches every container's monitor (pidfd) so that addresses come back when a monitor
// dies without saying so. Killed itself, the namespace lives on in the monitors (they hold
// it), containers keep their addresses and reach each other; the next pc that needs it
// starts another holder, which finds the namespace through a monitor and restores the
// uplink and the name server from RUNROOT/networks/leases.json.
#pragma once

#include <string>
#include <vector>

namespace pc::net {

// The hidden command: args are ROOT RUNROOT; descriptor 3 is where "ok [NOTE]" or
// "error MESSAGE" is reported once it serves (or could not start). Returns its exit code.
int network_holder_main(const std::vector<std::string>& args);

}  // namespace pc::net
