// IPv4 and IPv6 addresses and subnets as values: parsing the forms users give (--subnet,
// --gateway, --ip-range, --ip, --ip6), containment and overlap checks, and address
// arithmetic for the allocator of a user-defined network (net/ipam.hpp).
#pragma once

#include <sys/socket.h>

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pc::net {

struct IpAddress {
    int family = 0;                    // AF_INET, AF_INET6; 0 = no address
    std::array<uint8_t, 16> bytes{};   // network order; IPv4 uses the first 4

    static std::optional<IpAddress> parse(std::string_view text);
    bool empty() const { return family == 0; }
    bool v4() const { return family == AF_INET; }
    unsigned bits() const { return v4() ? 32 : 128; }
    size_t size() const { return v4() ? 4 : 16; }
    // Canonical text ("10.0.0.1", "fd00::1"); "" when empty.
    std::string str() const;
    // This address plus `n`, wrapping within the family's range.
    IpAddress plus(uint64_t n) const;
    // How far `later` is past this address (saturating at UINT64_MAX; 0 when before).
    uint64_t distance_to(const IpAddress& later) const;
    auto operator<=>(const IpAddress&) const = default;
};

struct Subnet {
    IpAddress network;    // host bits cleared
    unsigned prefix = 0;

    // "10.89.0.0/24", "fd00::/64"; host bits are cleared ("10.89.0.5/24" is 10.89.0.0/24).
    static std::optional<Subnet> parse(std::string_view text);
    // The network of `a` with `prefix` bits.
    static Subnet of(const IpAddress& a, unsigned prefix);
    bool v4() const { return network.v4(); }
    std::string str() const;
    bool contains(const IpAddress& a) const;
    bool overlaps(const Subnet& other) const;
    // The first address after the network's own (the default gateway), and the last one
    // (IPv4: the broadcast address).
    IpAddress first_host() const { return network.plus(1); }
    IpAddress last() const;
    // The netmask as an IPv4 address ("255.255.255.0"); for IPv4 subnets only.
    std::string netmask() const;
    auto operator<=>(const Subnet&) const = default;
};

}  // namespace pc::net
