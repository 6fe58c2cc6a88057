#include "net/network_create.hpp"

#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/random.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <set>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "common/strings.hpp"

namespace pc::net {

namespace {

constexpr unsigned kMaxPrefix4 = 30;    // room for the gateway and a container
constexpr unsigned kMaxPrefix6 = 126;

Error invalid(const std::string& message) { return Error(message + ": invalid argument"); }

SubnetConfig parse_subnet(const std::string& text) {
    auto s = Subnet::parse(text);
    if (!s) throw Error("invalid CIDR address: " + text);
    const unsigned max = s->v4() ? kMaxPrefix4 : kMaxPrefix6;
    if (s->prefix > max)
        throw Error("subnet " + s->str() + " is too small: a network needs room for its gateway and a container (at most /" +
                    std::to_string(max) + ")");
    return {*s, {}, std::nullopt};
}

// Podman's lease range of an --ip-range: its first host address to its last address.
LeaseRange parse_range(const std::string& text, const Subnet& subnet) {
    auto r = Subnet::parse(text);
    if (!r) throw Error("invalid CIDR address: " + text);
    if (!subnet.contains(r->network) || r->prefix < subnet.prefix)
        throw Error("ip range " + r->str() + " is not in subnet " + subnet.str());
    LeaseRange range{r->prefix == r->network.bits() ? r->network : r->first_host(), r->last()};
    // The subnet's own network and broadcast addresses are never handed out.
    if (range.start == subnet.network) range.start = subnet.first_host();
    return range;
}

std::array<uint8_t, 7> random_bytes() {
    std::array<uint8_t, 7> b{};
    if (::getrandom(b.data(), b.size(), 0) != static_cast<ssize_t>(b.size())) throw Error::sys("getrandom");
    return b;
}

// A unique local /64 (RFC 4193: fd00::/8 and 40 random bits, then a random subnet id).
Subnet random_ula() {
    IpAddress a;
    a.family = AF_INET6;
    a.bytes[0] = 0xfd;
    auto r = random_bytes();
    std::copy(r.begin(), r.end(), a.bytes.begin() + 1);
    return Subnet::of(a, 64);
}

// Where the subnet collides, for the message: "network app (10.89.0.0/24)", or "the host".
std::optional<std::string> user_of(const Subnet& s, const std::vector<NetworkConfig>& existing,
                                   const std::vector<Subnet>& host) {
    for (const auto& n : existing)
        for (const auto& other : n.subnets)
            if (other.subnet.overlaps(s)) return "network " + n.name + " (" + other.subnet.str() + ")";
    for (const auto& h : host)
        if (h.overlaps(s)) return "the host (" + h.str() + ")";
    if (uplink_subnet().overlaps(s)) return "the networks' uplink (" + uplink_subnet().str() + ")";
    return std::nullopt;
}

Subnet free_ipv4_subnet(const std::vector<NetworkConfig>& existing, const std::vector<Subnet>& host) {
    // Podman's sequence: 10.89.0.0/24, 10.89.1.0/24, ... on to 10.255.255.0/24.
    IpAddress a = *IpAddress::parse("10.89.0.0");
    const IpAddress end = *IpAddress::parse("10.255.255.0");
    for (; a <= end; a = a.plus(256)) {
        Subnet s = Subnet::of(a, 24);
        if (!user_of(s, existing, host)) return s;
    }
    throw Error("could not find a free subnet for the network: every 10.89-255.x.0/24 is in use; give one with --subnet");
}

std::string first_free(const std::set<std::string>& used, const std::string& prefix) {
    for (unsigned i = 1;; ++i)
        if (!used.count(prefix + std::to_string(i))) return prefix + std::to_string(i);
}

std::map<std::string, std::string> key_values(const std::vector<std::string>& items, const char* what) {
    std::map<std::string, std::string> out;
    for (const auto& item : items) {
        auto [k, v] = str::split_once(item, '=');
        if (k.empty()) throw Error(std::string("invalid ") + what + " \"" + item + "\": the name is empty");
        out[k] = v.value_or("");
    }
    return out;
}

}  // namespace

Subnet uplink_subnet() { return *Subnet::parse("10.0.2.0/24"); }

NetworkConfig make_network_config(const NetworkCreateOptions& o, const std::vector<NetworkConfig>& existing,
                                  const std::vector<Subnet>& host_subnets) {
    NetworkConfig n;
    std::set<std::string> names, interfaces;
    for (const auto& e : existing) {
        names.insert(e.name);
        interfaces.insert(e.interface);
    }
    n.name = o.name.empty() ? first_free(names, "podman") : o.name;
    if (!valid_network_name(n.name))
        throw invalid("network name " + n.name + " invalid: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*");
    if (names.count(n.name)) throw Error("network name " + n.name + " already used: network already exists");

    if (o.driver == "macvlan" || o.driver == "ipvlan")
        throw Error("driver " + o.driver + " is not supported: a rootless " + o.driver +
                    " interface needs root on the host; use a bridge network (the default driver)");
    if (o.driver != "bridge") throw invalid("unsupported driver " + o.driver);
    n.driver = o.driver;
    if (!o.ipam_driver.empty() && o.ipam_driver != "host-local")
        throw invalid("unsupported ipam driver \"" + o.ipam_driver + "\" (valid: host-local)");

    n.labels = key_values(o.labels, "label");
    for (const auto& [key, value] : key_values(o.options, "option")) {
        if (key != "mtu") throw Error("unsupported bridge network option " + key);
        auto mtu = str::parse_u64(value);
        if (!mtu || *mtu > 65535 || (*mtu != 0 && *mtu < 68))
            throw Error("invalid network option mtu \"" + value + "\": must be a number from 68 to 65535 (or 0, the default)");
        n.options[key] = std::to_string(*mtu);
    }

    if (o.subnets.empty() && (!o.gateways.empty() || !o.ip_ranges.empty()))
        throw Error("cannot set gateway or range without subnet");
    if (o.gateways.size() > o.subnets.size()) throw Error("cannot set more gateways than subnets (--gateway is per --subnet)");
    if (o.ip_ranges.size() > o.subnets.size()) throw Error("cannot set more ip ranges than subnets (--ip-range is per --subnet)");
    for (size_t i = 0; i < o.subnets.size(); ++i) {
        SubnetConfig s = parse_subnet(o.subnets[i]);
        if (i < o.gateways.size() && !o.gateways[i].empty()) {  // "": the default, as not given
            auto gw = IpAddress::parse(o.gateways[i]);
            if (!gw) throw Error("invalid gateway address \"" + o.gateways[i] + "\"");
            if (!s.subnet.contains(*gw) || *gw == s.subnet.network || (s.subnet.v4() && *gw == s.subnet.last()))
                throw Error("gateway " + gw->str() + " not in subnet " + s.subnet.str());
            s.gateway = *gw;
        } else {
            s.gateway = s.subnet.first_host();
        }
        if (i < o.ip_ranges.size() && !o.ip_ranges[i].empty()) s.lease_range = parse_range(o.ip_ranges[i], s.subnet);
        for (const auto& prev : n.subnets)
            if (prev.subnet.overlaps(s.subnet))
                throw Error("subnet " + s.subnet.str() + " overlaps subnet " + prev.subnet.str() + " of the same network");
        if (auto user = user_of(s.subnet, existing, host_subnets))
            throw Error("subnet " + s.subnet.str() + " is already used by " + *user);
        n.subnets.push_back(std::move(s));
    }
    bool has4 = false, has6 = false;
    for (const auto& s : n.subnets) (s.subnet.v4() ? has4 : has6) = true;
    if (!has4 && !has6) {
        Subnet s = free_ipv4_subnet(existing, host_subnets);
        n.subnets.push_back({s, s.first_host(), std::nullopt});
        has4 = true;
    }
    if (o.ipv6 && !has6) {
        Subnet s = random_ula();
        n.subnets.push_back({s, s.first_host(), std::nullopt});
        has6 = true;
    }
    n.ipv6 = has6;
    n.internal = o.internal;
    n.dns = !o.disable_dns;

    if (!o.interface_name.empty()) {
        if (o.interface_name.size() >= IFNAMSIZ || !valid_network_name(o.interface_name))
            throw invalid("interface name " + o.interface_name + " invalid: at most 15 characters of [a-zA-Z0-9_.-]");
        if (interfaces.count(o.interface_name))
            throw Error("bridge name " + o.interface_name + " already in use by another network");
        n.interface = o.interface_name;
    } else {
        interfaces.insert("podman0");  // the default network's, even while it has no record
        n.interface = first_free(interfaces, "podman");
    }
    n.id = str::random_hex_id();
    n.created_ns = clock_ns(CLOCK_REALTIME);
    return n;
}

std::vector<Subnet> host_interface_subnets() {
    std::vector<Subnet> out;
    struct ifaddrs* list = nullptr;
    if (::getifaddrs(&list) < 0) return out;
    std::unique_ptr<struct ifaddrs, void (*)(struct ifaddrs*)> owner(list, ::freeifaddrs);
    for (auto* i = list; i != nullptr; i = i->ifa_next) {
        if (!i->ifa_addr || !i->ifa_netmask || (i->ifa_flags & IFF_LOOPBACK)) continue;
        const int family = i->ifa_addr->sa_family;
        if (family != AF_INET && family != AF_INET6) continue;
        IpAddress addr, mask;
        addr.family = mask.family = family;
        if (family == AF_INET) {
            std::memcpy(addr.bytes.data(), &reinterpret_cast<const sockaddr_in*>(i->ifa_addr)->sin_addr, 4);
            std::memcpy(mask.bytes.data(), &reinterpret_cast<const sockaddr_in*>(i->ifa_netmask)->sin_addr, 4);
        } else {
            std::memcpy(addr.bytes.data(), &reinterpret_cast<const sockaddr_in6*>(i->ifa_addr)->sin6_addr, 16);
            std::memcpy(mask.bytes.data(), &reinterpret_cast<const sockaddr_in6*>(i->ifa_netmask)->sin6_addr, 16);
            if (addr.bytes[0] == 0xfe && (addr.bytes[1] & 0xc0) == 0x80) continue;  // link-local
        }
        unsigned prefix = 0;
        for (size_t b = 0; b < mask.size(); ++b) prefix += static_cast<unsigned>(__builtin_popcount(mask.bytes[b]));
        out.push_back(Subnet::of(addr, prefix));
    }
    return out;
}

}  // namespace pc::net
