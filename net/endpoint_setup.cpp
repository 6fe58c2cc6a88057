#include "net/endpoint_setup.hpp"

#include <fcntl.h>
#include <sched.h>

#include "common/error.hpp"
#include "common/fd.hpp"
#include "net/rtnetlink.hpp"

namespace pc::net {

void set_up_endpoints(int networks_netns, const std::vector<Endpoint>& endpoints, bool first_default) {
    if (endpoints.empty()) return;
    UniqueFd self(::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC));
    if (!self) throw Error::sys("opening the container's network namespace");
    rtnl::Socket here = rtnl::Socket::open();
    // A socket acts where it was made: one made over there administers the bridges.
    check_sys(::setns(networks_netns, CLONE_NEWNET), "entering the networks' namespace");
    rtnl::Socket there;
    try {
        there = rtnl::Socket::open();
    } catch (...) {
        (void)::setns(self.get(), CLONE_NEWNET);
        throw;
    }
    check_sys(::setns(self.get(), CLONE_NEWNET), "returning to the container's network namespace");
    uint32_t metric = 100;
    for (const auto& e : endpoints) {
        const int bridge = there.link_index(e.bridge);
        if (bridge == 0) throw Error("network " + e.network + ": its bridge " + e.bridge + " does not exist");
        rtnl::Veth v;
        v.name = "veth%d";
        v.master = bridge;
        v.mtu = e.mtu;
        v.peer_name = e.interface;
        v.peer_netns_fd = self.get();
        if (!rtnl::parse_mac(e.mac, v.peer_mac)) v.peer_mac = rtnl::random_mac();
        rtnl::create_veth(there, v);
        const int index = here.link_index(e.interface);
        if (index == 0) throw Error("network " + e.network + ": " + e.interface + " did not appear in the container");
        if (!e.ip4.empty()) rtnl::add_address(here, index, e.ip4, e.prefix4, false);
        // No duplicate address detection: the address is the container's alone (the holder
        // gave it out) and must work when the payload starts, not a second later.
        if (!e.ip6.empty()) rtnl::add_address(here, index, e.ip6, e.prefix6, true);
        rtnl::set_up(here, index);
        if (!first_default || e.internal) continue;
        for (const IpAddress& gw : {e.gateway4, e.gateway6}) {
            if (gw.empty()) continue;
            rtnl::Route r;
            r.dst = Subnet::of(gw, 0);
            r.gateway = gw;
            r.oif = index;
            r.metric = metric;
            rtnl::add_route(here, r, true);
        }
        ++metric;
    }
}

void remove_endpoint(const std::string& interface) {
    rtnl::Socket here = rtnl::Socket::open();
    if (int index = here.link_index(interface); index > 0) rtnl::delete_link(here, index);
}

}  // namespace pc::net
