// --network parsing, its canonical stored form, and the slirp addresses it implies.
#include <gtest/gtest.h>

#include "common/error.hpp"
#include "net/network_mode.hpp"

using namespace pc::net;

namespace {

std::string error_of(const std::string& value) {
    try {
        parse_network_mode(value);
    } catch (const pc::Error& e) {
        return e.what();
    }
    return "";
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST(NetworkMode, DefaultSpellings) {
    for (const char* v : {"", "slirp4netns", "private", "default", "slirp4netns:"}) {
        NetworkMode m = parse_network_mode(v);
        EXPECT_EQ(m.kind, NetworkKind::Slirp) << v;
        EXPECT_EQ(m.slirp, SlirpOptions{}) << v;
        EXPECT_EQ(to_string(m), "slirp4netns") << v;
    }
}

TEST(NetworkMode, OtherModes) {
    EXPECT_EQ(parse_network_mode("none").kind, NetworkKind::None);
    EXPECT_EQ(parse_network_mode("host").kind, NetworkKind::Host);
    EXPECT_EQ(parse_network_mode("pod").kind, NetworkKind::Pod);
    NetworkMode c = parse_network_mode("container:web");
    EXPECT_EQ(c.kind, NetworkKind::Container);
    EXPECT_EQ(c.target, "web");
    NetworkMode n = parse_network_mode("ns:/run/user/1000/netns/x");
    EXPECT_EQ(n.kind, NetworkKind::Namespace);
    EXPECT_EQ(n.target, "/run/user/1000/netns/x");
    // Only the first colon separates the mode from its value.
    EXPECT_EQ(parse_network_mode("ns:/tmp/a:b").target, "/tmp/a:b");
}

TEST(NetworkMode, SlirpOptionsAllSet) {
    NetworkMode m = parse_network_mode(
        "slirp4netns:mtu=1500,allow_host_loopback=false,enable_ipv6=true,cidr=10.5.0.0/24,"
        "outbound_addr=1.2.3.4,outbound_addr6=2001:DB8::1,port_handler=slirp4netns");
    EXPECT_EQ(m.kind, NetworkKind::Slirp);
    EXPECT_EQ(m.slirp.mtu, 1500u);
    EXPECT_FALSE(m.slirp.allow_host_loopback);
    EXPECT_EQ(m.slirp.enable_ipv6, std::optional<bool>(true));
    EXPECT_EQ(m.slirp.cidr, "10.5.0.0/24");
    EXPECT_EQ(m.slirp.outbound_addr, "1.2.3.4");
    EXPECT_EQ(m.slirp.outbound_addr6, "2001:db8::1");
    EXPECT_EQ(m.slirp.port_handler, "slirp4netns");
    EXPECT_EQ(to_string(m),
              "slirp4netns:mtu=1500,allow_host_loopback=false,enable_ipv6=true,cidr=10.5.0.0/24,"
              "outbound_addr=1.2.3.4,outbound_addr6=2001:db8::1,port_handler=slirp4netns");
}

TEST(NetworkMode, Booleans) {
    for (const char* t : {"1", "t", "T", "TRUE", "true", "True"})
        EXPECT_EQ(parse_network_mode(std::string("slirp4netns:enable_ipv6=") + t).slirp.enable_ipv6, std::optional<bool>(true)) << t;
    for (const char* f : {"0", "f", "F", "FALSE", "false", "False"})
        EXPECT_FALSE(parse_network_mode(std::string("slirp4netns:allow_host_loopback=") + f).slirp.allow_host_loopback) << f;
    EXPECT_EQ(error_of("slirp4netns:enable_ipv6=yes"),
              "invalid --network \"slirp4netns:enable_ipv6=yes\": invalid enable_ipv6 \"yes\": expected true or false");
}

TEST(NetworkMode, Mtu) {
    EXPECT_EQ(parse_network_mode("slirp4netns:mtu=68").slirp.mtu, 68u);
    EXPECT_EQ(parse_network_mode("slirp4netns:mtu=65521").slirp.mtu, 65521u);
    for (const char* bad : {"67", "65522", "abc", "", "-1"})
        EXPECT_EQ(error_of(std::string("slirp4netns:mtu=") + bad),
                  std::string("invalid --network \"slirp4netns:mtu=") + bad + "\": invalid mtu \"" + bad +
                      "\": must be between 68 and 65521");
}

TEST(NetworkMode, Cidr) {
    EXPECT_EQ(parse_network_mode("slirp4netns:cidr=10.5.0.7/24").slirp.cidr, "10.5.0.0/24");  // normalised
    EXPECT_EQ(parse_network_mode("slirp4netns:cidr=192.168.0.0/16").slirp.cidr, "192.168.0.0/16");
    EXPECT_EQ(parse_network_mode("slirp4netns:cidr=10.0.0.128/25").slirp.cidr, "10.0.0.128/25");
    // Spelling the default explicitly is the default.
    EXPECT_EQ(to_string(parse_network_mode("slirp4netns:cidr=10.0.2.0/24")), "slirp4netns");
    EXPECT_TRUE(contains(error_of("slirp4netns:cidr=10.0.2.0/26"), "invalid cidr \"10.0.2.0/26\": the prefix length must be 1 to 25"));
    EXPECT_TRUE(contains(error_of("slirp4netns:cidr=fd00::/64"), "invalid cidr \"fd00::/64\": expected an IPv4 network"));
    EXPECT_TRUE(contains(error_of("slirp4netns:cidr=10.0.2.0"), "invalid cidr \"10.0.2.0\""));
    EXPECT_TRUE(contains(error_of("slirp4netns:cidr=10.0.2.0/33"), "invalid cidr \"10.0.2.0/33\""));
    EXPECT_TRUE(contains(error_of("slirp4netns:cidr=10.0.2.0/0"), "invalid cidr \"10.0.2.0/0\""));
}

TEST(NetworkMode, OutboundAndPortHandler) {
    EXPECT_EQ(error_of("slirp4netns:outbound_addr=eth0"),
              "invalid --network \"slirp4netns:outbound_addr=eth0\": invalid outbound_addr \"eth0\": expected an IPv4 "
              "address (interface names are not supported)");
    EXPECT_TRUE(contains(error_of("slirp4netns:outbound_addr=::1"), "expected an IPv4 address"));
    EXPECT_TRUE(contains(error_of("slirp4netns:outbound_addr6=1.2.3.4"), "invalid outbound_addr6 \"1.2.3.4\": expected an IPv6 address"));
    EXPECT_EQ(error_of("slirp4netns:enable_ipv6=false,outbound_addr6=::1"),
              "invalid --network \"slirp4netns:enable_ipv6=false,outbound_addr6=::1\": outbound_addr6 requires enable_ipv6");
    EXPECT_EQ(parse_network_mode("slirp4netns:outbound_addr6=::1").slirp.outbound_addr6, "::1");
    EXPECT_EQ(parse_network_mode("slirp4netns:port_handler=rootlesskit").slirp.port_handler, "rootlesskit");
    EXPECT_EQ(error_of("slirp4netns:port_handler=x"),
              "invalid --network \"slirp4netns:port_handler=x\": invalid port_handler \"x\": expected rootlesskit or slirp4netns");
}

TEST(NetworkMode, UnknownModesAndOptions) {
    // Any other word names a network (whether it exists is checked later).
    EXPECT_EQ(parse_network_mode("mynet").kind, NetworkKind::Bridge);
    EXPECT_EQ(parse_network_mode("bridge:ip=10.0.0.5").options, "ip=10.0.0.5");
    std::string e = error_of("my net");
    EXPECT_TRUE(contains(e, "unsupported --network \"my net\"; valid modes: slirp4netns[:OPTIONS]")) << e;
    EXPECT_TRUE(contains(error_of("host:x"), "unsupported --network \"host:x\""));
    e = error_of("slirp4netns:foo=1");
    EXPECT_EQ(e, "unsupported --network \"slirp4netns:foo=1\": unknown option \"foo\"; valid slirp4netns options: mtu, "
                 "allow_host_loopback, enable_ipv6, cidr, outbound_addr, outbound_addr6, port_handler");
    EXPECT_TRUE(contains(error_of("slirp4netns:foo"), "unknown option \"foo\""));
    EXPECT_EQ(error_of("slirp4netns:mtu"), "invalid --network \"slirp4netns:mtu\": option \"mtu\" needs a value (mtu=VALUE)");
}

TEST(NetworkMode, EmptyTargets) {
    EXPECT_EQ(error_of("container:"), "invalid --network \"container:\": a container name or id is required");
    EXPECT_EQ(error_of("ns:"), "invalid --network \"ns:\": a namespace path is required");
    EXPECT_EQ(error_of("ns:run/netns/x"), "invalid --network \"ns:run/netns/x\": the namespace path must be absolute");
    EXPECT_TRUE(contains(error_of("container"), "unsupported --network \"container\""));
}

TEST(NetworkMode, RoundTrips) {
    for (const char* v : {"slirp4netns", "none", "host", "pod", "container:web", "ns:/proc/123/ns/net",
                          "slirp4netns:mtu=1500", "slirp4netns:allow_host_loopback=false", "slirp4netns:enable_ipv6=false",
                          "slirp4netns:mtu=9000,enable_ipv6=true,port_handler=slirp4netns",
                          "slirp4netns:cidr=10.9.0.0/16,outbound_addr=192.0.2.7"}) {
        NetworkMode m = parse_network_mode(v);
        EXPECT_EQ(to_string(m), v);
        EXPECT_EQ(parse_network_mode(to_string(m)), m) << v;
    }
    // Non-canonical input comes out in the fixed order with only non-default options.
    EXPECT_EQ(to_string(parse_network_mode("slirp4netns:port_handler=slirp4netns,mtu=65520,allow_host_loopback=1")),
              "slirp4netns:port_handler=slirp4netns");
}

TEST(NetworkMode, SlirpAddresses) {
    SlirpAddresses a = slirp_addresses(SlirpOptions{});
    EXPECT_EQ(a.network, "10.0.2.0");
    EXPECT_EQ(a.prefix, 24u);
    EXPECT_EQ(a.netmask, "255.255.255.0");
    EXPECT_EQ(a.gateway, "10.0.2.2");
    EXPECT_EQ(a.dns, "10.0.2.3");
    EXPECT_EQ(a.guest, "10.0.2.100");
    EXPECT_EQ(a.network6, "fd00::");
    EXPECT_EQ(a.prefix6, 64u);
    EXPECT_EQ(a.gateway6, "fd00::2");
    EXPECT_EQ(a.dns6, "fd00::3");

    SlirpAddresses b = slirp_addresses(parse_network_mode("slirp4netns:cidr=192.168.7.128/25").slirp);
    EXPECT_EQ(b.network, "192.168.7.128");
    EXPECT_EQ(b.prefix, 25u);
    EXPECT_EQ(b.netmask, "255.255.255.128");
    EXPECT_EQ(b.gateway, "192.168.7.130");
    EXPECT_EQ(b.dns, "192.168.7.131");
    EXPECT_EQ(b.guest, "192.168.7.228");

    SlirpAddresses c = slirp_addresses(parse_network_mode("slirp4netns:cidr=172.16.0.0/12").slirp);
    EXPECT_EQ(c.netmask, "255.240.0.0");
    EXPECT_EQ(c.guest, "172.16.0.100");

    SlirpOptions bad;
    bad.cidr = "nonsense";
    EXPECT_THROW(slirp_addresses(bad), pc::Error);
}

TEST(NetworkMode, HostIpv6Detection) {
    const std::string lo = "00000000000000000000000000000001 01 80 10 80       lo\n";
    const std::string link = "fe800000000000000a0027fffe4e6f0c 02 40 20 80     eth0\n";
    const std::string global = "20010db8000000000000000000000001 02 40 00 80     eth0\n";
    EXPECT_FALSE(has_global_ipv6(""));
    EXPECT_FALSE(has_global_ipv6(lo + link));
    EXPECT_TRUE(has_global_ipv6(lo + link + global));
    EXPECT_FALSE(has_global_ipv6("FEBF0000000000000000000000000001 02 40 20 80 eth0\n"));
    (void)host_has_ipv6();  // reads the real file; either answer is fine, it must not throw
}
