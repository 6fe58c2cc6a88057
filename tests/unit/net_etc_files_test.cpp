// The generated /etc/hosts and /etc/resolv.conf.
#include <gtest/gtest.h>

#include "net/etc_files.hpp"

namespace {

using pc::net::hosts_file;
using pc::net::resolv_conf;

bool has_line(const std::string& text, const std::string& line) {
    return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

TEST(HostsFile, SlirpContainerSeesItselfAndTheHost) {
    pc::net::HostsOptions o;
    o.hostname = "h1";
    o.name = "web";
    o.own_ip = "10.0.2.100";
    o.host_gateway = "10.0.2.2";
    o.extra = {{"db", "10.0.2.9"}, {"gw", "host-gateway"}};
    std::string h = hosts_file(o);
    EXPECT_TRUE(has_line(h, "127.0.0.1\tlocalhost localhost.localdomain localhost4 localhost4.localdomain4")) << h;
    EXPECT_TRUE(has_line(h, "10.0.2.100\th1 web")) << h;
    EXPECT_TRUE(has_line(h, "10.0.2.2\thost.containers.internal host.docker.internal")) << h;
    EXPECT_TRUE(has_line(h, "10.0.2.9\tdb")) << h;
    EXPECT_TRUE(has_line(h, "10.0.2.2\tgw")) << h;  // host-gateway is the host as seen from inside
}

TEST(HostsFile, WithoutANetworkTheNameIsLocal) {
    pc::net::HostsOptions o;
    o.hostname = "abc";
    o.name = "abc";
    std::string h = hosts_file(o);
    EXPECT_TRUE(has_line(h, "127.0.1.1\tabc")) << h;
    EXPECT_EQ(h.find("host.containers.internal"), std::string::npos) << h;
}

TEST(ResolvConf, LoopbackResolversBecomeSlirpsForwarder) {
    pc::net::ResolvOptions o;
    o.host_resolv_content = "nameserver 127.0.0.53\nsearch example.org\noptions edns0\n";
    o.fallback_server = "10.0.2.3";
    EXPECT_EQ(resolv_conf(o), "search example.org\nnameserver 10.0.2.3\noptions edns0\n");
    o.host_resolv_content = "nameserver 127.0.0.53\nnameserver 192.0.2.53\n";
    EXPECT_EQ(resolv_conf(o), "nameserver 192.0.2.53\n");
}

TEST(ResolvConf, FlagsReplaceTheHostsSettings) {
    pc::net::ResolvOptions o;
    o.host_resolv_content = "nameserver 192.0.2.53\nsearch example.org\n";
    o.dns_servers = {"10.0.2.3"};
    o.dns_search = {"corp"};
    o.dns_options = {"ndots:2"};
    EXPECT_EQ(resolv_conf(o), "search corp\nnameserver 10.0.2.3\noptions ndots:2\n");
}

}  // namespace
