// The container side of slirp networking: a tap device in the container's network
// namespace (PLATFORM.md §4). Runs in the namespace helper (P1), which owns the netns
// through its user namespace; the returned fd is handed to the monitor, which runs the
// libslirp stack that answers on the tap's other end.
#pragma once

#include <string>

#include "common/fd.hpp"

namespace pc::net {

struct TapConfig {
    std::string name = "tap0";
    unsigned mtu = 65520;
    std::string address = "10.0.2.100";  // the container's IPv4 address
    std::string netmask = "255.255.255.0";
    std::string gateway = "10.0.2.2";    // default route
};

// Creates the tap device in the caller's network namespace, gives it its MTU and address,
// brings it up and adds the default route. IPv6 needs no configuration here: slirp's
// router advertisements give the kernel its address and route (SLAAC). Throws pc::Error;
// an inaccessible /dev/net/tun gets a message that says what to do about it.
UniqueFd create_tap(const TapConfig& c);

}  // namespace pc::net
