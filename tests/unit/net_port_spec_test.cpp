// -p / --expose parsing, random host ports, conflicts, and the ps / port / inspect views.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <set>

#include "common/error.hpp"
#include "net/port_spec.hpp"

using namespace pc::net;
using V = std::vector<PortMapping>;

namespace {

// The message of the pc::Error that f throws ("" when it does not throw).
template <typename F>
std::string error_of(F f) {
    try {
        f();
    } catch (const pc::Error& e) {
        return e.what();
    }
    return "";
}

std::string publish_error(const std::string& spec) {
    return error_of([&] { parse_publish(spec); });
}

}  // namespace

TEST(PortSpec, SinglePortForms) {
    EXPECT_EQ(parse_publish("80"), (V{{"", 0, 80, "tcp"}}));
    EXPECT_EQ(parse_publish(":80"), (V{{"", 0, 80, "tcp"}}));
    EXPECT_EQ(parse_publish("8080:80"), (V{{"", 8080, 80, "tcp"}}));
    EXPECT_EQ(parse_publish("127.0.0.1:8080:80"), (V{{"127.0.0.1", 8080, 80, "tcp"}}));
    EXPECT_EQ(parse_publish("127.0.0.1::80"), (V{{"127.0.0.1", 0, 80, "tcp"}}));
    EXPECT_EQ(parse_publish("0.0.0.0:8080:80"), (V{{"", 8080, 80, "tcp"}}));
    EXPECT_EQ(parse_publish("8080:80/udp"), (V{{"", 8080, 80, "udp"}}));
    EXPECT_EQ(parse_publish("8080:80/TCP"), (V{{"", 8080, 80, "tcp"}}));
    EXPECT_EQ(parse_publish("65535:1"), (V{{"", 65535, 1, "tcp"}}));
}

TEST(PortSpec, Ipv6InBrackets) {
    EXPECT_EQ(parse_publish("[::1]:8080:80"), (V{{"::1", 8080, 80, "tcp"}}));
    EXPECT_EQ(parse_publish("[::1]::80/udp"), (V{{"::1", 0, 80, "udp"}}));
    // Stored in canonical form.
    EXPECT_EQ(parse_publish("[2001:DB8:0:0::1]:53:53")[0].host_ip, "2001:db8::1");
}

TEST(PortSpec, RangesExpandToOneMappingPerPort) {
    V r = parse_publish("8000-8002:80-82");
    EXPECT_EQ(r, (V{{"", 8000, 80, "tcp"}, {"", 8001, 81, "tcp"}, {"", 8002, 82, "tcp"}}));
    EXPECT_EQ(parse_publish("8000-8010:80-90/tcp").size(), 11u);
    EXPECT_EQ(parse_publish("127.0.0.1:8000-8001:80-81/udp"),
              (V{{"127.0.0.1", 8000, 80, "udp"}, {"127.0.0.1", 8001, 81, "udp"}}));
    EXPECT_EQ(parse_publish("80-82"), (V{{"", 0, 80, "tcp"}, {"", 0, 81, "tcp"}, {"", 0, 82, "tcp"}}));
}

TEST(PortSpec, SeveralProtocols) {
    EXPECT_EQ(parse_publish("8080:80/tcp,udp"), (V{{"", 8080, 80, "tcp"}, {"", 8080, 80, "udp"}}));
    EXPECT_EQ(parse_publish("53/udp,tcp,udp"), (V{{"", 0, 53, "udp"}, {"", 0, 53, "tcp"}}));
}

TEST(PortSpec, PublishErrorsNameTheValue) {
    EXPECT_EQ(publish_error("abc:80"), "invalid port \"abc\" in -p \"abc:80\"");
    EXPECT_EQ(publish_error("8080:abc"), "invalid port \"abc\" in -p \"8080:abc\"");
    EXPECT_EQ(publish_error("0:80"), "invalid port \"0\": port numbers must be between 1 and 65535 in -p \"0:80\"");
    EXPECT_EQ(publish_error("70000"), "invalid port \"70000\": port numbers must be between 1 and 65535 in -p \"70000\"");
    EXPECT_EQ(publish_error("-80"), "invalid port range \"-80\": expected START-END in -p \"-80\"");
    EXPECT_EQ(publish_error("90-80"),
              "invalid port range \"90-80\": the end port must be higher than the start port in -p \"90-80\"");
    EXPECT_EQ(publish_error("80-80"),
              "invalid port range \"80-80\": the end port must be higher than the start port in -p \"80-80\"");
    EXPECT_EQ(publish_error("8000-8010:80-85"),
              "host port range 8000-8010 and container port range 80-85 must be of equal length in -p \"8000-8010:80-85\"");
    EXPECT_EQ(publish_error("8080:80-82"),
              "host port range 8080 and container port range 80-82 must be of equal length in -p \"8080:80-82\"");
    EXPECT_EQ(publish_error("8000-8002:80"),
              "host port range 8000-8002 and container port range 80 must be of equal length in -p \"8000-8002:80\"");
    EXPECT_EQ(publish_error("1.2.3:80:80"), "invalid host IP \"1.2.3\" in -p \"1.2.3:80:80\"");
    EXPECT_EQ(publish_error("localhost:80:80"), "invalid host IP \"localhost\" in -p \"localhost:80:80\"");
    EXPECT_EQ(publish_error(":8080:80"), "empty host IP in -p \":8080:80\"");
    EXPECT_EQ(publish_error("8080:"), "a container port is required in -p \"8080:\"");
    EXPECT_EQ(publish_error(""), "a container port is required in -p \"\"");
    EXPECT_EQ(publish_error("80/foo"), "unrecognized protocol \"foo\" (valid: tcp, udp) in -p \"80/foo\"");
    EXPECT_EQ(publish_error("80/sctp"), "protocol \"sctp\" is not supported by rootless networking in -p \"80/sctp\"");
    EXPECT_EQ(publish_error("80/"), "empty protocol in -p \"80/\"");
    EXPECT_EQ(publish_error("80/tcp/udp"), "protocol can only be specified once in -p \"80/tcp/udp\"");
    EXPECT_NE(publish_error("::1:8080:80").find("IPv6 addresses in brackets"), std::string::npos);
    EXPECT_NE(publish_error("1:2:3:4").find("in -p \"1:2:3:4\""), std::string::npos);
    EXPECT_NE(publish_error("[::1]:80").find("[ADDR]:hostPort:containerPort in -p \"[::1]:80\""), std::string::npos);
    EXPECT_NE(publish_error("[::1]8080:80").find("in -p \"[::1]8080:80\""), std::string::npos);
    EXPECT_EQ(publish_error("[1.2.3]:80:80"), "invalid host IP \"1.2.3\" in -p \"[1.2.3]:80:80\"");
    EXPECT_NE(publish_error("::1]:80:80").find("enclosed in []"), std::string::npos);
}

TEST(PortSpec, Expose) {
    EXPECT_EQ(parse_expose("80"), (std::vector<std::string>{"80/tcp"}));
    EXPECT_EQ(parse_expose("80/udp"), (std::vector<std::string>{"80/udp"}));
    EXPECT_EQ(parse_expose("8000-8002/tcp"), (std::vector<std::string>{"8000/tcp", "8001/tcp", "8002/tcp"}));
    EXPECT_EQ(parse_expose("53/tcp,udp"), (std::vector<std::string>{"53/tcp", "53/udp"}));
    EXPECT_EQ(error_of([] { parse_expose("abc"); }), "invalid port \"abc\" in --expose \"abc\"");
    EXPECT_EQ(error_of([] { parse_expose("80/x"); }), "unrecognized protocol \"x\" (valid: tcp, udp) in --expose \"80/x\"");
    EXPECT_EQ(error_of([] { parse_expose("/tcp"); }), "a port is required in --expose \"/tcp\"");
    EXPECT_EQ(error_of([] { parse_expose("8080:80"); }), "invalid port \"8080:80\" in --expose \"8080:80\"");
}

TEST(PortSpec, PortProto) {
    EXPECT_EQ(parse_port_proto("80"), (std::pair<uint16_t, std::string>{80, "tcp"}));
    EXPECT_EQ(parse_port_proto("53/udp"), (std::pair<uint16_t, std::string>{53, "udp"}));
    EXPECT_EQ(parse_port_proto("53/UDP"), (std::pair<uint16_t, std::string>{53, "udp"}));
    EXPECT_EQ(error_of([] { parse_port_proto("x/tcp"); }), "invalid port \"x\" in \"x/tcp\" (expected PORT[/PROTOCOL])");
    EXPECT_NE(error_of([] { parse_port_proto("80-81"); }).find("a single port"), std::string::npos);
    EXPECT_NE(error_of([] { parse_port_proto("80/tcp,udp"); }).find("a single protocol"), std::string::npos);
    EXPECT_NE(error_of([] { parse_port_proto("80/sctp"); }).find("not supported"), std::string::npos);
}

TEST(PortSpec, RandomPortsAreDistinctAndFree) {
    V ms = parse_publish("80-83");
    auto udp = parse_publish("127.0.0.1::53/udp");
    ms.insert(ms.end(), udp.begin(), udp.end());
    ms.push_back({"", 0, 443, "tcp"});
    ms.push_back({"", 8443, 444, "tcp"});  // explicit ports are kept
    assign_random_ports(ms);
    std::set<uint16_t> seen;
    for (const auto& m : ms) {
        EXPECT_NE(m.host_port, 0);
        EXPECT_TRUE(seen.insert(m.host_port).second) << "port " << m.host_port << " chosen twice";
    }
    EXPECT_EQ(ms.back().host_port, 8443);
    EXPECT_EQ(ms[4].host_ip, "127.0.0.1");
    EXPECT_EQ(ms[4].protocol, "udp");
    // Each chosen port is actually free: we can bind it ourselves now.
    for (const auto& m : ms) {
        if (m.host_port == 8443) continue;
        int fd = ::socket(AF_INET, m.protocol == "udp" ? SOCK_DGRAM : SOCK_STREAM, 0);
        ASSERT_GE(fd, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(m.host_port);
        inet_pton(AF_INET, m.host_ip.empty() ? "0.0.0.0" : m.host_ip.c_str(), &a.sin_addr);
        EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0) << m.host_port;
        ::close(fd);
    }
}

TEST(PortSpec, RandomPortOnIpv6Loopback) {
    int probe = ::socket(AF_INET6, SOCK_STREAM, 0);
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    a.sin6_addr = in6addr_loopback;
    bool have_v6 = probe >= 0 && ::bind(probe, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0;
    if (probe >= 0) ::close(probe);
    if (!have_v6) GTEST_SKIP() << "no IPv6 loopback";
    V ms = parse_publish("[::1]::80");
    assign_random_ports(ms);
    EXPECT_NE(ms[0].host_port, 0);
}

TEST(PortSpec, RandomPortOnForeignAddressFails) {
    V ms{{"192.0.2.1", 0, 80, "tcp"}};  // TEST-NET-1: not an address of this host
    std::string err = error_of([&] { assign_random_ports(ms); });
    EXPECT_NE(err.find("choosing a random host port on 192.0.2.1 for 80/tcp"), std::string::npos) << err;
}

TEST(PortSpec, Conflicts) {
    auto all = [](std::initializer_list<const char*> specs) {
        V out;
        for (const char* s : specs) {
            auto v = parse_publish(s);
            out.insert(out.end(), v.begin(), v.end());
        }
        return out;
    };
    EXPECT_NO_THROW(check_conflicts(all({"8080:80", "8081:80", "8080:80/udp", "80", "80"})));
    EXPECT_NO_THROW(check_conflicts(all({"127.0.0.1:8080:80", "127.0.0.2:8080:81"})));
    EXPECT_EQ(error_of([&] { check_conflicts(all({"8080:80", "8080:81"})); }),
              "conflicting port mappings for host port 8080/tcp: -p \"8080:80\" and -p \"8080:81\"");
    EXPECT_EQ(error_of([&] { check_conflicts(all({"8080:80", "127.0.0.1:8080:81"})); }),
              "conflicting port mappings for host port 8080/tcp: -p \"8080:80\" and -p \"127.0.0.1:8080:81\"");
    EXPECT_EQ(error_of([&] { check_conflicts(all({"[::1]:53:53/udp", "[::]:53:54/udp"})); }),
              "conflicting port mappings for host port 53/udp: -p \"[::1]:53:53/udp\" and -p \"[::]:53:54/udp\"");
    EXPECT_EQ(error_of([&] { check_conflicts(all({"8080:80", "8080:80"})); }),
              "port 8080/tcp is published twice: -p \"8080:80\" and -p \"8080:80\"");
    EXPECT_EQ(error_of([&] { check_conflicts(all({"8000-8005:80-85", "8005:90"})); }),
              "conflicting port mappings for host port 8005/tcp: -p \"8005:85\" and -p \"8005:90\"");
    EXPECT_NO_THROW(check_conflicts(all({"1-65535:1-65535"})));
}

TEST(PortSpec, PublishSpecText) {
    EXPECT_EQ(to_publish_spec({"", 0, 80, "tcp"}), "80");
    EXPECT_EQ(to_publish_spec({"", 8080, 80, "udp"}), "8080:80/udp");
    EXPECT_EQ(to_publish_spec({"127.0.0.1", 0, 80, "tcp"}), "127.0.0.1::80");
    EXPECT_EQ(to_publish_spec({"::1", 8080, 80, "tcp"}), "[::1]:8080:80");
    for (const char* s : {"80", "8080:80/udp", "127.0.0.1::80", "[::1]:8080:80"})
        EXPECT_EQ(to_publish_spec(parse_publish(s)[0]), s);
}

TEST(PortSpec, PsPortsCompressesRuns) {
    EXPECT_EQ(format_ps_ports({}), "");
    EXPECT_EQ(format_ps_ports({{"", 8080, 80, "tcp"}, {"127.0.0.1", 5353, 53, "udp"}}),
              "0.0.0.0:8080->80/tcp, 127.0.0.1:5353->53/udp");
    EXPECT_EQ(format_ps_ports(parse_publish("8000-8002:80-82")), "0.0.0.0:8000-8002->80-82/tcp");
    // Separately published consecutive ports are joined too, in any order, like Podman does.
    V ms{{"", 8001, 81, "tcp"}, {"", 8000, 80, "tcp"}, {"", 8003, 83, "tcp"}, {"", 8002, 90, "tcp"}};
    EXPECT_EQ(format_ps_ports(ms), "0.0.0.0:8000-8001->80-81/tcp, 0.0.0.0:8002->90/tcp, 0.0.0.0:8003->83/tcp");
    // Different ip or protocol breaks a run.
    V mixed{{"", 8000, 80, "tcp"}, {"", 8001, 81, "udp"}, {"127.0.0.1", 8002, 82, "tcp"}};
    EXPECT_EQ(format_ps_ports(mixed), "0.0.0.0:8000->80/tcp, 0.0.0.0:8001->81/udp, 127.0.0.1:8002->82/tcp");
    EXPECT_EQ(format_ps_ports(parse_publish("[::1]:8080:80")), "::1:8080->80/tcp");
}

TEST(PortSpec, PsPortsWithExposed) {
    V ms = parse_publish("8080:80");
    EXPECT_EQ(format_ps_ports(ms, {"80/tcp", "9000/tcp", "9001/tcp", "9002/tcp", "53/udp", "443/tcp"}),
              "0.0.0.0:8080->80/tcp, 443/tcp, 9000-9002/tcp, 53/udp");
    EXPECT_EQ(format_ps_ports({}, {"80/tcp"}), "80/tcp");
}

TEST(PortSpec, PortLines) {
    V ms{{"", 8081, 81, "tcp"}, {"", 8080, 80, "tcp"}, {"127.0.0.1", 5353, 53, "udp"}, {"", 9090, 80, "tcp"}};
    EXPECT_EQ(format_port_lines(ms), (std::vector<std::string>{"80/tcp -> 0.0.0.0:8080", "81/tcp -> 0.0.0.0:8081",
                                                               "80/tcp -> 0.0.0.0:9090", "53/udp -> 127.0.0.1:5353"}));
    EXPECT_EQ(format_port_lines(ms, "80"), (std::vector<std::string>{"0.0.0.0:8080", "0.0.0.0:9090"}));
    EXPECT_EQ(format_port_lines(ms, "53/udp"), (std::vector<std::string>{"127.0.0.1:5353"}));
    EXPECT_TRUE(format_port_lines(ms, "53").empty());
    EXPECT_TRUE(format_port_lines(ms, "80/udp").empty());
    EXPECT_THROW(format_port_lines(ms, "abc"), pc::Error);
}

TEST(PortSpec, PortsJson) {
    V ms{{"", 8080, 80, "tcp"}, {"127.0.0.1", 8081, 80, "tcp"}, {"", 5353, 53, "udp"}};
    auto j = ports_json(ms, {"80/tcp", "443/tcp", "53/udp", "9000"});
    auto expected = nlohmann::json::parse(R"({
        "80/tcp": [{"HostIp": "", "HostPort": "8080"}, {"HostIp": "127.0.0.1", "HostPort": "8081"}],
        "53/udp": [{"HostIp": "", "HostPort": "5353"}],
        "443/tcp": null,
        "9000/tcp": null
    })");
    EXPECT_EQ(j, expected);
    EXPECT_EQ(ports_json({}, {}).dump(), "{}");
    EXPECT_EQ(ports_json(ms, {}).size(), 2u);
}

TEST(PortSpec, JsonRoundTrip) {
    for (const PortMapping& m : V{{"", 8080, 80, "tcp"}, {"::1", 0, 53, "udp"}}) {
        nlohmann::json j = m;
        EXPECT_EQ(j.get<PortMapping>(), m);
    }
    nlohmann::json j = PortMapping{"127.0.0.1", 8080, 80, "udp"};
    EXPECT_EQ(j, nlohmann::json::parse(R"({"host_ip":"127.0.0.1","host_port":8080,"container_port":80,"protocol":"udp"})"));
    EXPECT_EQ(nlohmann::json::parse(R"({"container_port":80})").get<PortMapping>(), (PortMapping{"", 0, 80, "tcp"}));
    std::vector<PortMapping> list = nlohmann::json(V{{"", 1, 2, "tcp"}, {"", 3, 4, "udp"}});
    EXPECT_EQ(list, (V{{"", 1, 2, "tcp"}, {"", 3, 4, "udp"}}));
}

TEST(PortSpec, StoredMappingsRefuseWhatIsNotAPort) {
    // A record's ports are read back with from_json: a float or a number past 65535 is a
    // damaged record, not a port to cast (1e23 to uint16_t is undefined behaviour).
    auto read = [](const char* text) { return nlohmann::json::parse(text).get<PortMapping>(); };
    EXPECT_EQ(read(R"({"host_port": 8080, "container_port": 80})").host_port, 8080);
    EXPECT_EQ(read(R"({"container_port": 80})").host_port, 0);
    EXPECT_THROW(read(R"({"host_port": 222222222222222222228080, "container_port": 80})"), pc::Error);
    EXPECT_THROW(read(R"({"host_port": 70000, "container_port": 80})"), pc::Error);
    EXPECT_THROW(read(R"({"host_port": -1, "container_port": 80})"), pc::Error);
    EXPECT_THROW(read(R"({"host_port": 80, "container_port": 8.5})"), pc::Error);
}
