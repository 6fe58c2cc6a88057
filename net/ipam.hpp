// Address allocation on a user-defined network, as Podman's host-local IPAM does it: each
// container gets one address of every subnet of the network, the next free one after the
// last given out (so an address just released is not reused at once while some peer may
// still have it in its ARP cache), within --ip-range when the network has one, never the
// network's own address, its broadcast address or the gateway; or the static address it
// asked for, when that is free.
#pragma once

#include <optional>
#include <set>
#include <string>

#include "net/network_config.hpp"

namespace pc::net {

class SubnetAllocator {
public:
    explicit SubnetAllocator(SubnetConfig subnet);

    // `requested` (when not empty) or the next free address; nullopt with `why` set when
    // the request is outside the subnet or in use, or when the range is full.
    std::optional<IpAddress> allocate(const IpAddress& requested, std::string& why);
    // Marks an address taken without moving the cursor (leases restored after a restart).
    void reserve(const IpAddress& a) { used_.insert(a); }
    void release(const IpAddress& a) { used_.erase(a); }
    bool in_use(const IpAddress& a) const { return used_.count(a) > 0; }
    const SubnetConfig& subnet() const { return subnet_; }
    // Whether `a` could ever be given out here (inside the range, not reserved).
    bool assignable(const IpAddress& a) const;

private:
    SubnetConfig subnet_;
    IpAddress first_, last_;  // the range handed out
    IpAddress cursor_;        // the last address given out (empty: none yet)
    std::set<IpAddress> used_;
};

}  // namespace pc::net
