// User-defined networks without the kernel: addresses and subnets, the records `network
// create` makes (Podman's defaults and refusals), address allocation, --network NAME:opts,
// and the name server's DNS messages.
#include <gtest/gtest.h>

#include <set>

#include "common/error.hpp"
#include "net/dns_message.hpp"
#include "net/endpoint.hpp"
#include "net/ip_address.hpp"
#include "net/ipam.hpp"
#include "net/network_create.hpp"
#include "net/network_mode.hpp"

using namespace pc::net;

namespace {

std::string error_of(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const pc::Error& e) {
        return e.what();
    }
    return "";
}

IpAddress ip(const char* text) { return *IpAddress::parse(text); }
Subnet subnet(const char* text) { return *Subnet::parse(text); }

NetworkConfig make(NetworkCreateOptions o, const std::vector<NetworkConfig>& existing = {},
                   const std::vector<Subnet>& host = {}) {
    return make_network_config(o, existing, host);
}

}  // namespace

TEST(IpAddress, ParsesComparesAndCounts) {
    EXPECT_EQ(ip("10.89.0.1").str(), "10.89.0.1");
    EXPECT_EQ(ip("FD00::1").str(), "fd00::1");
    EXPECT_TRUE(ip("::ffff:10.1.2.3").v4());  // mapped addresses are IPv4, as in Go
    EXPECT_FALSE(IpAddress::parse("10.89.0").has_value());
    EXPECT_EQ(ip("10.89.0.255").plus(1).str(), "10.89.1.0");
    EXPECT_EQ(ip("fd00::ffff").plus(1).str(), "fd00::1:0");
    EXPECT_EQ(ip("10.0.0.1").distance_to(ip("10.0.1.0")), 255u);
    EXPECT_EQ(ip("fd00::").distance_to(ip("fd00:0:0:1::")), UINT64_MAX);  // saturates
    EXPECT_LT(ip("10.0.0.9"), ip("10.0.0.10"));
}

TEST(Subnet, ClearsHostBitsAndTellsOverlaps) {
    EXPECT_EQ(subnet("10.97.0.5/24").str(), "10.97.0.0/24");
    EXPECT_EQ(subnet("fd11::5/64").str(), "fd11::/64");
    EXPECT_FALSE(Subnet::parse("10.0.0.0/33").has_value());
    EXPECT_FALSE(Subnet::parse("10.0.0.0").has_value());
    EXPECT_TRUE(subnet("10.89.0.0/24").contains(ip("10.89.0.200")));
    EXPECT_FALSE(subnet("10.89.0.0/24").contains(ip("10.89.1.1")));
    EXPECT_FALSE(subnet("10.89.0.0/24").contains(ip("fd00::1")));
    EXPECT_TRUE(subnet("10.89.0.0/16").overlaps(subnet("10.89.3.0/24")));
    EXPECT_TRUE(subnet("10.89.3.0/24").overlaps(subnet("10.89.0.0/16")));
    EXPECT_FALSE(subnet("10.89.0.0/24").overlaps(subnet("10.89.1.0/24")));
    EXPECT_EQ(subnet("10.89.0.0/24").last().str(), "10.89.0.255");
    EXPECT_EQ(subnet("10.89.0.0/22").netmask(), "255.255.252.0");
}

TEST(NetworkCreate, PodmansDefaults) {
    NetworkCreateOptions o;
    o.name = "app";
    NetworkConfig n = make(o, {default_network()});
    EXPECT_EQ(n.driver, "bridge");
    ASSERT_EQ(n.subnets.size(), 1u);
    EXPECT_EQ(n.subnets[0].subnet.str(), "10.89.0.0/24");
    EXPECT_EQ(n.subnets[0].gateway.str(), "10.89.0.1");
    EXPECT_EQ(n.interface, "podman1");
    EXPECT_TRUE(n.dns);
    EXPECT_FALSE(n.ipv6);
    EXPECT_EQ(n.id.size(), 64u);
    // The next one takes the next free subnet and bridge name; a nameless one is podmanN.
    NetworkCreateOptions unnamed;
    NetworkConfig m = make(unnamed, {default_network(), n});
    EXPECT_EQ(m.name, "podman1");
    EXPECT_EQ(m.subnets[0].subnet.str(), "10.89.1.0/24");
    EXPECT_EQ(m.interface, "podman2");
    // A host interface's subnet is skipped too.
    NetworkConfig h = make(o, {default_network()}, {subnet("10.89.0.0/16")});
    EXPECT_EQ(h.subnets[0].subnet.str(), "10.90.0.0/24");
}

TEST(NetworkCreate, SubnetGatewayRangeIpv6AndOptions) {
    NetworkCreateOptions o;
    o.name = "backend";
    o.subnets = {"10.91.0.0/24"};
    o.gateways = {"10.91.0.254"};
    o.ip_ranges = {"10.91.0.128/26"};
    o.internal = true;
    o.disable_dns = true;
    o.labels = {"a=b"};
    o.options = {"mtu=1400"};
    o.ipv6 = true;
    NetworkConfig n = make(o);
    ASSERT_EQ(n.subnets.size(), 2u);
    EXPECT_EQ(n.subnets[0].gateway.str(), "10.91.0.254");
    ASSERT_TRUE(n.subnets[0].lease_range.has_value());
    EXPECT_EQ(n.subnets[0].lease_range->start.str(), "10.91.0.129");  // as Podman shows it
    EXPECT_EQ(n.subnets[0].lease_range->end.str(), "10.91.0.191");
    EXPECT_FALSE(n.subnets[1].subnet.v4());  // a random unique-local /64
    EXPECT_EQ(n.subnets[1].subnet.prefix, 64u);
    EXPECT_EQ(n.subnets[1].subnet.network.bytes[0], 0xfd);
    EXPECT_TRUE(n.ipv6 && n.internal && !n.dns);
    EXPECT_EQ(n.mtu(), 1400u);
    EXPECT_EQ(n.labels.at("a"), "b");
    // An IPv6 subnet alone makes an IPv6 network.
    NetworkCreateOptions six;
    six.name = "six";
    six.subnets = {"fd11::/64"};
    NetworkConfig s = make(six);
    EXPECT_TRUE(s.ipv6);
    EXPECT_EQ(s.subnets.size(), 1u);
    EXPECT_EQ(s.subnets[0].gateway.str(), "fd11::1");
}

TEST(NetworkCreate, RefusesWithPodmansMessages) {
    auto err = [](NetworkCreateOptions o, std::vector<NetworkConfig> existing = {}) {
        return error_of([&] { make(o, existing); });
    };
    NetworkCreateOptions o;
    o.name = "bad name";
    EXPECT_EQ(err(o), "network name bad name invalid: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument");
    o.name = "x";
    o.driver = "foo";
    EXPECT_EQ(err(o), "unsupported driver foo: invalid argument");
    o.driver = "macvlan";
    EXPECT_NE(err(o).find("not supported"), std::string::npos);
    o.driver = "bridge";
    o.gateways = {"10.0.0.1"};
    EXPECT_EQ(err(o), "cannot set gateway or range without subnet");
    o.gateways.clear();
    o.subnets = {"10.0.0.0/33"};
    EXPECT_EQ(err(o), "invalid CIDR address: 10.0.0.0/33");
    o.subnets = {"10.95.0.0/24"};
    o.gateways = {"10.96.0.1"};
    EXPECT_EQ(err(o), "gateway 10.96.0.1 not in subnet 10.95.0.0/24");
    o.gateways.clear();
    o.options = {"foo=bar"};
    EXPECT_EQ(err(o), "unsupported bridge network option foo");
    o.options = {"mtu=abc"};
    EXPECT_NE(err(o).find("invalid network option mtu \"abc\""), std::string::npos);
    o.options.clear();
    // Overlaps name the other network; a name in use is Podman's message.
    NetworkCreateOptions first;
    first.name = "app";
    first.subnets = {"10.89.0.0/24"};
    NetworkConfig app = make(first);
    o.subnets = {"10.89.0.128/25"};
    EXPECT_EQ(err(o, {app}), "subnet 10.89.0.128/25 is already used by network app (10.89.0.0/24)");
    o.subnets = {"10.0.2.0/24"};
    EXPECT_NE(err(o).find("uplink"), std::string::npos);
    EXPECT_EQ(err(first, {app}), "network name app already used: network already exists");
}

TEST(Ipam, SequentialSkipsGatewayAndWraps) {
    SubnetAllocator a({subnet("10.89.0.0/29"), ip("10.89.0.1"), std::nullopt});
    std::string why;
    EXPECT_EQ(a.allocate({}, why)->str(), "10.89.0.2");
    EXPECT_EQ(a.allocate({}, why)->str(), "10.89.0.3");
    a.release(ip("10.89.0.2"));
    // Not the one just released: the next after the last given out.
    EXPECT_EQ(a.allocate({}, why)->str(), "10.89.0.4");
    EXPECT_EQ(a.allocate({}, why)->str(), "10.89.0.5");
    EXPECT_EQ(a.allocate({}, why)->str(), "10.89.0.6");  // .7 is the broadcast address
    EXPECT_EQ(a.allocate({}, why)->str(), "10.89.0.2");  // wrapped
    EXPECT_FALSE(a.allocate({}, why).has_value());
    EXPECT_NE(why.find("no free address"), std::string::npos);
}

TEST(Ipam, StaticAddressesAndRanges) {
    SubnetAllocator a({subnet("10.91.0.0/24"), ip("10.91.0.254"), LeaseRange{ip("10.91.0.129"), ip("10.91.0.191")}});
    std::string why;
    EXPECT_EQ(a.allocate({}, why)->str(), "10.91.0.129");
    EXPECT_EQ(a.allocate(ip("10.91.0.5"), why)->str(), "10.91.0.5");  // static: anywhere in the subnet
    EXPECT_FALSE(a.allocate(ip("10.91.0.5"), why).has_value());
    EXPECT_NE(why.find("already allocated"), std::string::npos);
    EXPECT_FALSE(a.allocate(ip("10.91.0.254"), why).has_value());
    EXPECT_NE(why.find("gateway"), std::string::npos);
    EXPECT_FALSE(a.allocate(ip("10.92.0.5"), why).has_value());
    // Thirty at once are thirty distinct addresses.
    std::set<IpAddress> got;
    for (int i = 0; i < 30; ++i) got.insert(*a.allocate({}, why));
    EXPECT_EQ(got.size(), 30u);
    // IPv6: a /64 is not walked address by address.
    SubnetAllocator six({subnet("fd00:1::/64"), ip("fd00:1::1"), std::nullopt});
    EXPECT_EQ(six.allocate({}, why)->str(), "fd00:1::2");
}

TEST(NetworkMode, NamedNetworksAndBridge) {
    NetworkMode m = parse_network_mode("app");
    EXPECT_EQ(m.kind, NetworkKind::Bridge);
    EXPECT_EQ(m.target, "app");
    EXPECT_EQ(to_string(m), "app");
    NetworkMode b = parse_network_mode("bridge");
    EXPECT_EQ(b.kind, NetworkKind::Bridge);
    EXPECT_EQ(b.target, "podman");
    EXPECT_EQ(parse_network_mode(to_string(b)), b);
    NetworkMode o = parse_network_mode("app:alias=db,ip=10.89.0.5");
    EXPECT_EQ(o.target, "app");
    EXPECT_EQ(o.options, "alias=db,ip=10.89.0.5");
    EXPECT_EQ(parse_network_mode(to_string(o)), o);  // canonical forms round-trip (fuzz.network checks it)
    EXPECT_NE(error_of([] { parse_network_mode("none:x"); }).find("unsupported --network"), std::string::npos);
    EXPECT_NE(error_of([] { parse_network_mode("-bad"); }).find("unsupported --network"), std::string::npos);
}

TEST(EndpointOption, ParsesPodmansPerNetworkOptions) {
    EndpointOptions e = parse_endpoint_option("app:alias=db,alias=sql,ip=10.89.0.5,ip6=FD00::5,mac=02:AA:bb:cc:dd:ee,interface_name=eth3");
    EXPECT_EQ(e.network, "app");
    EXPECT_EQ(e.aliases, (std::vector<std::string>{"db", "sql"}));
    EXPECT_EQ(e.ip4, "10.89.0.5");
    EXPECT_EQ(e.ip6, "fd00::5");
    EXPECT_EQ(e.mac, "02:aa:bb:cc:dd:ee");
    EXPECT_EQ(e.interface_name, "eth3");
    EXPECT_NE(error_of([] { parse_endpoint_option("app:ip=fd00::1"); }).find("not an IPv4"), std::string::npos);
    EXPECT_NE(error_of([] { parse_endpoint_option("app:color=red"); }).find("unknown option \"color\""), std::string::npos);
    EXPECT_NE(error_of([] { parse_endpoint_option("app:alias"); }).find("needs a value"), std::string::npos);
}

namespace {

// A query for `name` of `type`, as a resolver sends it.
std::string query(const std::string& name, uint16_t type, uint16_t id = 0x1234) {
    std::string p;
    p += static_cast<char>(id >> 8);
    p += static_cast<char>(id & 0xff);
    p += std::string("\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00", 10);  // RD, one question
    size_t start = 0;
    while (start <= name.size()) {
        size_t dot = name.find('.', start);
        if (dot == std::string::npos) dot = name.size();
        p += static_cast<char>(dot - start);
        p += name.substr(start, dot - start);
        start = dot + 1;
    }
    p += '\0';
    p += static_cast<char>(type >> 8);
    p += static_cast<char>(type & 0xff);
    p += std::string("\x00\x01", 2);
    return p;
}

}  // namespace

TEST(DnsMessage, ParsesAQueryAndAnswersIt) {
    const std::string p = query("DB.dns.podman", dns::kTypeA);
    auto q = dns::parse_query(p);
    ASSERT_TRUE(q.has_value());
    EXPECT_EQ(q->id, 0x1234);
    EXPECT_EQ(q->name, "db.dns.podman");  // lower case
    EXPECT_EQ(q->type, dns::kTypeA);
    EXPECT_FALSE(q->compressed);
    const std::string r = dns::build_reply(p, *q, dns::kNoError, {ip("10.89.0.5")});
    ASSERT_EQ(r.size(), p.size() + 16);
    EXPECT_EQ(static_cast<uint8_t>(r[2]) & 0x80, 0x80);  // a reply
    EXPECT_EQ(static_cast<uint8_t>(r[7]), 1);            // one answer
    EXPECT_EQ(r.substr(12, p.size() - 12), p.substr(12));  // the question as asked (case kept)
    EXPECT_EQ(r.substr(r.size() - 4), std::string("\x0a\x59\x00\x05", 4));
    const std::string nx = dns::build_reply(p, *q, dns::kNxDomain, {});
    EXPECT_EQ(static_cast<uint8_t>(nx[3]) & 0x0f, dns::kNxDomain);
    EXPECT_EQ(dns::with_id(p, 7).substr(0, 2), std::string("\x00\x07", 2));
}

TEST(DnsMessage, RefusesMalformedInput) {
    EXPECT_FALSE(dns::parse_query("").has_value());
    EXPECT_FALSE(dns::parse_query(std::string(12, '\0')).has_value());  // no question
    std::string p = query("a.b", dns::kTypeA);
    EXPECT_FALSE(dns::parse_query(p.substr(0, p.size() - 3)).has_value());  // cut
    // A pointer loop is not followed for ever.
    std::string loop = std::string("\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\xc0\x0c\x00\x01\x00\x01", 18);
    EXPECT_FALSE(dns::parse_query(loop).has_value());
    // A reply is not a query.
    std::string reply = query("a", dns::kTypeA);
    reply[2] = static_cast<char>(0x81);
    EXPECT_FALSE(dns::parse_query(reply).has_value());
}

TEST(DnsMessage, ReverseNames) {
    EXPECT_EQ(dns::reverse_name_address("5.0.89.10.in-addr.arpa")->str(), "10.89.0.5");
    auto six = dns::reverse_name_address("2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa");
    ASSERT_TRUE(six.has_value());
    EXPECT_EQ(six->str(), "fd00::2");
    EXPECT_FALSE(dns::reverse_name_address("300.0.89.10.in-addr.arpa").has_value());
    EXPECT_FALSE(dns::reverse_name_address("example.com").has_value());
}
