#include "net/ipam.hpp"

namespace pc::net {

SubnetAllocator::SubnetAllocator(SubnetConfig subnet) : subnet_(std::move(subnet)) {
    const Subnet& s = subnet_.subnet;
    first_ = s.first_host();
    // IPv4's last address is the broadcast address; IPv6 has none.
    last_ = s.v4() ? s.network.plus(s.network.distance_to(s.last()) - 1) : s.last();
    if (subnet_.lease_range) {
        first_ = std::max(first_, subnet_.lease_range->start);
        last_ = std::min(last_, subnet_.lease_range->end);
    }
}

bool SubnetAllocator::assignable(const IpAddress& a) const {
    const Subnet& s = subnet_.subnet;
    if (!s.contains(a) || a == s.network || a == subnet_.gateway) return false;
    return !(s.v4() && a == s.last());
}

std::optional<IpAddress> SubnetAllocator::allocate(const IpAddress& requested, std::string& why) {
    if (!requested.empty()) {
        if (!assignable(requested)) {
            why = "requested static ip " + requested.str() + " is not usable in subnet " + subnet_.subnet.str() +
                  (requested == subnet_.gateway ? " (it is the gateway)" : "");
            return std::nullopt;
        }
        if (in_use(requested)) {
            why = "requested ip address " + requested.str() + " is already allocated";
            return std::nullopt;
        }
        used_.insert(requested);
        return requested;
    }
    // After the last address given out, wrapping around to the start of the range. At
    // most used_ + 2 candidates are in use or reserved, so that many steps find a free one
    // if there is any (the range may be far larger: an IPv6 /64).
    const uint64_t span = first_.distance_to(last_);
    IpAddress next = cursor_.empty() || cursor_ < first_ || cursor_ >= last_ ? first_ : cursor_.plus(1);
    for (uint64_t step = 0; step <= used_.size() + 2 && step <= span; ++step) {
        if (!in_use(next) && next != subnet_.gateway) {
            used_.insert(next);
            cursor_ = next;
            return next;
        }
        next = next >= last_ ? first_ : next.plus(1);
    }
    why = "no free address left in " + subnet_.subnet.str() +
          (subnet_.lease_range ? " (range " + first_.str() + "-" + last_.str() + ")" : "");
    return std::nullopt;
}

}  // namespace pc::net
