// Rootless networking, the default slirp network (tap0, 10.0.2.100/24, MTU, default route)
// and container -> host through 10.0.2.2 and host.containers.internal (TCP and UDP,
// allow_host_loopback=false). Shared pieces: network_fixtures.hpp.
#include <regex>
#include <string>

#include "harness.hpp"
#include "network_fixtures.hpp"
#include "network_servers.hpp"

using namespace pcit;
using namespace pcit::net;

namespace {

class NetworkSlirp : public NetworkTest {};
class NetworkToHost : public NetworkTest {};

}  // namespace

// ---------------------------------------------------------------- the default slirp network

TEST_F(NetworkSlirp, DefaultHasLoAndTap0WithAddressMtuAndRoute) {
  Result r = run_in({}, {"sh", "-c", "ip -o link; echo ---; ip addr show tap0; echo ---; ip route"});
  ASSERT_PC_OK(r);
  auto parts = r.out;
  size_t s1 = parts.find("---\n"), s2 = parts.find("---\n", s1 + 4);
  ASSERT_NE(s2, std::string::npos) << r;
  std::string links = parts.substr(0, s1), addr = parts.substr(s1 + 4, s2 - s1 - 4), route = parts.substr(s2 + 4);
  EXPECT_EQ(join(link_names(links)), "lo,tap0") << r;
  EXPECT_TRUE(contains(addr, "inet 10.0.2.100/24")) << r;
  EXPECT_TRUE(contains(addr, "mtu 65520")) << r;
  EXPECT_TRUE(std::regex_search(route, std::regex("(^|\n)default via 10\\.0\\.2\\.2 dev tap0"))) << r;
  EXPECT_TRUE(contains(route, "10.0.2.0/24 dev tap0")) << r;
  // lo is up too
  EXPECT_TRUE(std::regex_search(links, std::regex("lo: <[^>]*UP"))) << r;
}

TEST_F(NetworkSlirp, ExplicitSlirp4netnsIsTheDefault) {
  Result r = run_in({"--network", "slirp4netns"}, {"ip", "addr", "show", "tap0"});
  ASSERT_PC_OK(r);
  EXPECT_TRUE(contains(r.out, "inet 10.0.2.100/24")) << r;
  EXPECT_TRUE(contains(r.out, "mtu 65520")) << r;
}

TEST_F(NetworkSlirp, MtuOption) {
  Result r = run_in({"--network", "slirp4netns:mtu=1500"}, {"ip", "link", "show", "tap0"});
  ASSERT_PC_OK(r);
  EXPECT_TRUE(contains(r.out, "mtu 1500 ")) << r;
}

TEST_F(NetworkSlirp, InspectShowsAddressAndMode) {
  std::string name = unique_name("insp");
  ASSERT_PC_OK(run_d(name, {}, {"sleep", "1000"}));
  EXPECT_EQ(inspect(name, "{{.NetworkSettings.IPAddress}}"), "10.0.2.100");
  EXPECT_EQ(inspect(name, "{{.HostConfig.NetworkMode}}"), "slirp4netns");
}

// ---------------------------------------------------------------- container -> host

TEST_F(NetworkToHost, TcpThroughGatewayAndHostContainersInternal) {
  std::string body = "hello-from-host-" + random_suffix();
  TcpServer srv(TcpServer::Mode::Http, body);
  std::string p = std::to_string(srv.port());
  Result r = run_in({}, {"sh", "-c", "wget -qO- http://10.0.2.2:" + p + "/ && echo && wget -qO- http://host.containers.internal:" + p + "/"},
                    {.timeout_s = 60});
  ASSERT_PC_OK(r);
  EXPECT_EQ(r.out, body + "\n" + body) << r;
  EXPECT_EQ(srv.connections(), 2);
  // busybox wget names the host it was given
  auto reqs = srv.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_TRUE(icontains(reqs[1], "host: host.containers.internal:" + p)) << reqs[1];
}

TEST_F(NetworkToHost, TcpWithNcBothDirections) {
  // nc: the container sends a line, the host's server answers (HTTP), the container prints it
  std::string body = "nc-answer-" + random_suffix();
  TcpServer srv(TcpServer::Mode::Http, body);
  Result r = run_in({}, {"sh", "-c", "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc 10.0.2.2 " + std::to_string(srv.port())},
                    {.timeout_s = 60});
  ASSERT_PC_OK(r);
  EXPECT_TRUE(contains(r.out, "200 OK")) << r;
  EXPECT_TRUE(contains(r.out, body)) << r;
}

TEST_F(NetworkToHost, UdpRequestAndReply) {
  std::string reply = "udp-reply-" + random_suffix() + "\n";
  UdpServer srv(reply);
  std::string file = "req-" + random_suffix();
  Result r = run_in({}, {"tftp", "-g", "-r", file, "-l", "-", "10.0.2.2", std::to_string(srv.port())},
                    {.timeout_s = 60});
  ASSERT_PC_OK(r);
  EXPECT_EQ(r.out, reply) << r;
  auto got = srv.received();
  ASSERT_FALSE(got.empty());
  EXPECT_TRUE(contains(got[0], file)) << "first datagram: " << got[0];
  // and the client's ACK of block 1 came back through slirp too
  EXPECT_TRUE(poll_until([&] {
    for (auto& d : srv.received())
      if (d.size() >= 4 && d.substr(0, 4) == std::string("\0\4\0\1", 4)) return true;
    return false;
  }, 10)) << "no ACK datagram from the container";
}

TEST_F(NetworkToHost, UdpThroughHostContainersInternal) {
  std::string reply = "udp-by-name-" + random_suffix() + "\n";
  UdpServer srv(reply);
  Result r = run_in({}, {"tftp", "-g", "-r", "x", "-l", "-", "host.containers.internal", std::to_string(srv.port())},
                    {.timeout_s = 60});
  ASSERT_PC_OK(r);
  EXPECT_EQ(r.out, reply) << r;
}

TEST_F(NetworkToHost, AllowHostLoopbackFalseBlocksTheHost) {
  TcpServer srv(TcpServer::Mode::Http, "must-not-be-reached");
  std::string p = std::to_string(srv.port());
  Result r = run_in({"--network", "slirp4netns:allow_host_loopback=false"},
                    {"timeout", "-s", "KILL", "20", "wget", "-qO-", "http://10.0.2.2:" + p + "/"}, {.timeout_s = 60});
  EXPECT_FALSE(r.timed_out) << r;
  EXPECT_NE(r.exit_code, 0) << r;
  EXPECT_FALSE(contains(r.out, "must-not-be-reached")) << r;
  EXPECT_EQ(srv.connections(), 0);
  // the same server is reachable with the default options (the test's server works)
  Result ok = run_in({}, {"wget", "-qO-", "http://10.0.2.2:" + p + "/"}, {.timeout_s = 60});
  EXPECT_PC_OK(ok);
  EXPECT_EQ(ok.out, "must-not-be-reached");
}
