// User-defined networks (`pc network ...`, `run --network NAME`), as the unprivileged test
// user against the real kernel: bridges and veth pairs in the store's networks' namespace,
// names answered by the network holder's DNS, isolation between networks, --internal,
// published ports, connect/disconnect of running containers, IPv6, pods on a network, and
// the faults: bad input, a network in use, the holder killed with -9, thirty containers
// started at once; and nothing left running once the last container is gone.
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <map>
#include <set>
#include <thread>

#include "harness.hpp"
#include "network_fixtures.hpp"
#include "network_servers.hpp"
#include "network_sockets.hpp"

namespace pcit {
namespace {

class NetworkUser : public net::NetworkTest {
 protected:
  // A client container on `network`: `sh -c SCRIPT`, output and status.
  static Result on(const std::string& network, const std::string& script) {
    return run_in({"--network", network}, {"sh", "-c", script}, {.timeout_s = 60});
  }
  // `wget` of http://HOST/ from a container on `network`, with a deadline (busybox's -T
  // crashes: PLATFORM.md §10).
  static Result fetch(const std::string& network, const std::string& host, int seconds = 10) {
    return on(network, "timeout " + std::to_string(seconds) + " wget -qO- http://" + host + "/");
  }
  static std::string ip_of(const std::string& ctr, const std::string& network) {
    return inspect(ctr, "{{(index .NetworkSettings.Networks \"" + network + "\").IPAddress}}");
  }
  static pid_t holder_pid() {
    for (const auto& p : store_processes())
      if (contains(p, "__network-holder")) return static_cast<pid_t>(std::stol(p.substr(0, p.find(':'))));
    return 0;
  }
  static void expect_nothing_left() {
    Result ps = pc({"ps", "-a", "-q"});
    EXPECT_PC_OK(ps);
    EXPECT_EQ(trim(ps.out), "") << ps;
    EXPECT_TRUE(poll_until([] { return store_processes().empty(); }, 15));
    for (const auto& p : store_processes()) ADD_FAILURE() << "left running: " << p;
    EXPECT_FALSE(path_exists(store().runroot() + "/networks/holder.pid"));
  }
};

TEST_F(NetworkUser, CommandsHaveThePodmanShapes) {
  Result made = pc({"network", "create", "app"});
  ASSERT_PC_OK(made);
  EXPECT_EQ(trim(made.out), "app");
  ASSERT_PC_OK(pc({"network", "create", "--subnet", "10.91.0.0/24", "--gateway", "10.91.0.254", "--ip-range",
                   "10.91.0.128/26", "--internal", "--label", "team=a", "--opt", "mtu=1400", "--disable-dns", "backend"}));
  // inspect: Podman's keys; defaults 10.89.0.0/24 on podman1.
  Result app = pc({"network", "inspect", "--format", "{{.Name}} {{.Driver}} {{.NetworkInterface}} {{.DNSEnabled}} "
                   "{{.Internal}} {{(index .Subnets 0).Subnet}} {{(index .Subnets 0).Gateway}}", "app"});
  ASSERT_PC_OK(app);
  EXPECT_EQ(trim(app.out), "app bridge podman1 true false 10.89.0.0/24 10.89.0.1");
  Result json = pc({"network", "inspect", "backend"});
  ASSERT_PC_OK(json);
  for (const char* key : {"\"name\": \"backend\"", "\"driver\": \"bridge\"", "\"network_interface\": \"podman2\"",
                          "\"created\": ", "\"subnet\": \"10.91.0.0/24\"", "\"gateway\": \"10.91.0.254\"",
                          "\"start_ip\": \"10.91.0.129\"", "\"end_ip\": \"10.91.0.191\"", "\"ipv6_enabled\": false",
                          "\"internal\": true", "\"dns_enabled\": false", "\"team\": \"a\"", "\"mtu\": \"1400\"",
                          "\"driver\": \"host-local\""})
    EXPECT_TRUE(contains(json.out, key)) << key << "\n" << json.out;
  EXPECT_TRUE(contains(json.out, "[\n     {\n          \"name\"")) << "Podman's 5-space indent\n" << json.out;
  // ls: the default network is always there.
  Result ls = pc({"network", "ls"});
  ASSERT_PC_OK(ls);
  EXPECT_TRUE(contains(ls.out, "NETWORK ID    NAME        DRIVER")) << ls;
  EXPECT_EQ(trim(pc({"network", "ls", "-q"}).out), "app\nbackend\npodman");
  EXPECT_EQ(trim(pc({"network", "ls", "--filter", "label=team=a", "--format", "{{.Name}} {{.Labels}}"}).out),
            "backend team=a");
  EXPECT_EQ(trim(pc({"network", "ls", "--filter", "driver=bridge", "--filter", "name=ap", "-q"}).out), "app");
  EXPECT_EQ(trim(pc({"network", "ls", "--filter", "dangling=true", "-q"}).out), "app\nbackend\npodman");
  EXPECT_EXIT_CODE(pc({"network", "ls", "--filter", "bogus=1"}), 125);
  EXPECT_EQ(trim(pc({"network", "ls", "--no-trunc", "--filter", "name=podman", "--format", "{{.ID}}"}).out),
            "2f259bab93aaaaa2542ba43ef33eb990d0999ee1b9924b557b7be53c0b7a1bb9");
  // exists; the generic inspect finds networks too.
  EXPECT_EXIT_CODE(pc({"network", "exists", "app"}), 0);
  EXPECT_EXIT_CODE(pc({"network", "exists", "nosuch"}), 1);
  EXPECT_EQ(trim(pc({"inspect", "--format", "{{.Name}}", "app"}).out), "app");
  // Bad input, each with Podman's message and nothing made.
  Result again = pc({"network", "create", "app"});
  EXPECT_EXIT_CODE(again, 125);
  EXPECT_TRUE(contains(again.err, "network name app already used: network already exists")) << again;
  EXPECT_EQ(trim(pc({"network", "create", "--ignore", "app"}).out), "app");
  Result overlap = pc({"network", "create", "--subnet", "10.89.0.128/25", "clash"});
  EXPECT_EXIT_CODE(overlap, 125);
  EXPECT_TRUE(contains(overlap.err, "subnet 10.89.0.128/25 is already used by network app (10.89.0.0/24)")) << overlap;
  Result bad = pc({"network", "create", "bad name"});
  EXPECT_EXIT_CODE(bad, 125);
  EXPECT_TRUE(contains(bad.err, "names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*")) << bad;
  EXPECT_EXIT_CODE(pc({"network", "create", "--subnet", "10.95.0.0/24", "--gateway", "10.96.0.1", "gw"}), 125);
  EXPECT_EXIT_CODE(pc({"network", "exists", "clash"}), 1);
  EXPECT_EXIT_CODE(pc({"network", "exists", "gw"}), 1);
  Result unknown = pc({"network", "inspect", "nosuch"});
  EXPECT_EXIT_CODE(unknown, 125);
  EXPECT_EQ(trim(unknown.out), "[]");
  Result rm_unknown = pc({"network", "rm", "nosuch"});
  EXPECT_EXIT_CODE(rm_unknown, 1);
  EXPECT_TRUE(contains(rm_unknown.err, "unable to find network with name or ID nosuch: network not found")) << rm_unknown;
  EXPECT_EXIT_CODE(pc({"network", "rm", "podman"}), 125);
  // rm and prune.
  EXPECT_EQ(trim(pc({"network", "rm", "backend"}).out), "backend");
  EXPECT_EQ(trim(pc({"network", "prune", "-f"}).out), "app");
  EXPECT_EQ(trim(pc({"network", "ls", "-q"}).out), "podman");
}

TEST_F(NetworkUser, ContainersAnswerToTheirNamesAndAliases) {
  ASSERT_PC_OK(pc({"network", "create", "app"}));
  ASSERT_PC_OK(pc({"network", "create", "--ipv6", "other"}));
  ASSERT_PC_OK(run_web("db", {"--network", "app", "--network-alias", "database"}, "db here"));
  ASSERT_PC_OK(run_web("api", {"--network", "app:alias=svc", "--network", "other"}, "api here"));
  const std::string db_ip = ip_of("db", "app");
  EXPECT_TRUE(contains(db_ip, "10.89.0.")) << db_ip;
  // By name, alias, the networks' domain, and through the name server (nslookup).
  EXPECT_EQ(trim(fetch("app", "db").out), "db here");
  EXPECT_EQ(trim(fetch("app", "database").out), "db here");
  EXPECT_EQ(trim(fetch("app", "svc").out), "api here");
  EXPECT_EQ(trim(fetch("app", "db.dns.podman").out), "db here");
  Result ns = on("app", "nslookup db");
  EXPECT_PC_OK(ns);
  EXPECT_TRUE(contains(ns.out, "Address: " + db_ip)) << ns;
  EXPECT_TRUE(contains(ns.out, "10.89.0.1")) << "the gateway answers\n" << ns;
  // A name that does not exist is not one.
  Result none = on("app", "nslookup nosuch.dns.podman");
  EXPECT_FALSE(none.ok());
  EXPECT_TRUE(contains(none.out + none.err, "NXDOMAIN")) << none;
  // A container on two networks resolves names of both (db is on app only, api on both).
  Result both = run_in({"--network", "other", "--network", "app"}, {"sh", "-c", "timeout 10 wget -qO- http://db/"});
  EXPECT_EQ(trim(both.out), "db here") << both;
  // Its resolv.conf points at the gateways; its hosts file names it on each network.
  Result files = run_in({"--network", "app", "--network", "other", "--name", "twonets"},
                        {"cat", "/etc/resolv.conf", "/etc/hosts"});
  EXPECT_PC_OK(files);
  EXPECT_TRUE(contains(files.out, "search dns.podman")) << files;
  EXPECT_TRUE(contains(files.out, "nameserver 10.89.0.1\nnameserver 10.89.1.1\n")) << files;
  EXPECT_TRUE(contains(files.out, "twonets")) << files;
  // inspect: each network's address, gateway, MAC and aliases (the short id last, as Podman).
  const std::string id = trim(pc({"inspect", "--format", "{{.Id}}", "db"}).out);
  EXPECT_EQ(inspect("db", "{{.HostConfig.NetworkMode}}"), "bridge");
  EXPECT_EQ(inspect("db", "{{(index .NetworkSettings.Networks \"app\").Gateway}}"), "10.89.0.1");
  EXPECT_EQ(inspect("db", "{{(index .NetworkSettings.Networks \"app\").IPPrefixLen}}"), "24");
  EXPECT_EQ(inspect("db", "{{(index .NetworkSettings.Networks \"app\").Aliases}}"), "[database " + id.substr(0, 12) + "]");
  EXPECT_EQ(inspect("db", "{{len (index .NetworkSettings.Networks \"app\").MacAddress}}"), "17");
  EXPECT_EQ(inspect("db", "{{.NetworkSettings.IPAddress}}"), "");  // not the default network: Podman leaves it empty
  EXPECT_TRUE(contains(inspect("api", "{{(index .NetworkSettings.Networks \"other\").GlobalIPv6Address}}"), ":"));
  EXPECT_EQ(trim(pc({"ps", "--filter", "network=other", "--format", "{{.Names}} {{.Networks}}"}).out), "api app,other");
  ASSERT_PC_OK(pc({"rm", "-f", "-t", "0", "db", "api"}));
  ASSERT_PC_OK(pc({"network", "rm", "app", "other"}));
  expect_nothing_left();
}

TEST_F(NetworkUser, NetworksAreIsolatedAndAnInternalOneHasNoWayOut) {
  net::TcpServer host_server(net::TcpServer::Mode::Http, "from the host");
  const std::string host_url = "host.containers.internal:" + std::to_string(host_server.port());
  ASSERT_PC_OK(pc({"network", "create", "a"}));
  ASSERT_PC_OK(pc({"network", "create", "b"}));
  ASSERT_PC_OK(pc({"network", "create", "--internal", "inner"}));
  ASSERT_PC_OK(run_web("web", {"--network", "a"}, "web on a"));
  const std::string web_ip = ip_of("web", "a");
  // Same network: yes. Another network: no route, fast; and no name either.
  EXPECT_EQ(trim(fetch("a", web_ip).out), "web on a");
  Result across = fetch("b", web_ip, 5);
  EXPECT_FALSE(across.ok());
  EXPECT_LT(across.seconds, 4.5) << "refused at once, not timed out\n" << across;
  Result name = on("b", "nslookup web.dns.podman");
  EXPECT_FALSE(name.ok()) << name;
  // A container on both networks reaches both.
  Result both = run_in({"--network", "b", "--network", "a"}, {"sh", "-c", "timeout 10 wget -qO- http://web/"});
  EXPECT_EQ(trim(both.out), "web on a") << both;
  // The outside (the host's loopback through the uplink): from a, not from inner.
  EXPECT_EQ(trim(fetch("a", host_url).out), "from the host");
  Result out = fetch("inner", host_url, 5);
  EXPECT_FALSE(out.ok()) << out;
  Result route = on("inner", "ip route");
  EXPECT_FALSE(contains(route.out, "default")) << route;
  // Names on an internal network still work.
  ASSERT_PC_OK(run_web("inside", {"--network", "inner"}, "inside"));
  EXPECT_EQ(trim(fetch("inner", "inside").out), "inside");
  ASSERT_PC_OK(pc({"rm", "-f", "-t", "0", "web", "inside"}));
  ASSERT_PC_OK(pc({"network", "rm", "a", "b", "inner"}));
  expect_nothing_left();
}

// The holder keeps an unused network's bridge a while (deleting a link is slow); a network
// made again on the same bridge name and subnet must not inherit its predecessor's way out.
TEST_F(NetworkUser, ANetworkMadeAgainRightAwayGetsRulesOfItsOwn) {
  net::TcpServer host_server(net::TcpServer::Mode::Http, "outside");
  const std::string host_url = "host.containers.internal:" + std::to_string(host_server.port());
  ASSERT_PC_OK(pc({"network", "create", "other"}));
  ASSERT_PC_OK(run_d("keep", {"--network", "other"}, {"sleep", "600"}));  // keeps the holder
  ASSERT_PC_OK(pc({"network", "create", "app"}));
  EXPECT_EQ(trim(fetch("app", host_url).out), "outside");
  ASSERT_PC_OK(pc({"network", "rm", "app"}));
  ASSERT_PC_OK(pc({"network", "create", "--internal", "inner"}));  // another name, the same bridge and subnet
  EXPECT_EQ(trim(pc({"network", "inspect", "--format", "{{.NetworkInterface}}", "inner"}).out), "podman2");
  Result out = fetch("inner", host_url, 3);
  EXPECT_FALSE(out.ok()) << out;
  Result route = on("inner", "ip route");
  EXPECT_FALSE(contains(route.out, "default")) << route;
  // Once the old network's bridge is retired (2 s unused), the new one keeps its rules.
  ASSERT_PC_OK(run_web("web", {"--network", "other"}, "other"));
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  Result across = fetch("inner", ip_of("web", "other"), 3);
  EXPECT_FALSE(across.ok()) << across;
  ASSERT_PC_OK(pc({"rm", "-f", "-t", "0", "keep", "web"}));
  ASSERT_PC_OK(pc({"network", "rm", "inner", "other"}));
  expect_nothing_left();
}

TEST_F(NetworkUser, PublishedPortsReachAContainerOnANetwork) {
  ASSERT_PC_OK(pc({"network", "create", "app"}));
  const int port = net::free_port();
  ASSERT_PC_OK(run_web("web", {"--network", "app", "-p", std::to_string(port) + ":80"}, "published"));
  EXPECT_TRUE(net::wait_http_body(port, "published"));
  // UDP too (a relay of the container's own sockets: slirp is not in the way).
  auto helper = net::helper_invocation("udp-echo:5353");
  ASSERT_FALSE(helper.flags.empty());
  const int uport = net::free_port();
  std::vector<std::string> flags = helper.flags;
  flags.insert(flags.end(), {"--network", "app", "-p", std::to_string(uport) + ":5353/udp"});
  ASSERT_PC_OK(run_d("echo", flags, helper.cmd));
  net::Fd s(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  sockaddr_in a = net::addr4("127.0.0.1", uport);
  ASSERT_EQ(connect(s.fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);  // replies must come from the port
  bool echoed = poll_until([&] {
    (void)send(s.fd, "ping", 4, 0);  // until the helper listens
    if (!net::wait_readable(s.fd, 300)) return false;
    char buf[256];
    const ssize_t k = recv(s.fd, buf, sizeof buf, 0);
    return k > 0 && contains(std::string(buf, static_cast<size_t>(k)), "echo:ping");
  }, 20, 10);
  EXPECT_TRUE(echoed) << pc({"logs", "echo"});
  ASSERT_PC_OK(pc({"rm", "-f", "-t", "0", "web", "echo"}));
  EXPECT_TRUE(net::port_free(SOCK_STREAM, "0.0.0.0", port));
  ASSERT_PC_OK(pc({"network", "rm", "app"}));
  expect_nothing_left();
}

TEST_F(NetworkUser, ConnectAndDisconnectARunningContainer) {
  ASSERT_PC_OK(pc({"network", "create", "a"}));
  ASSERT_PC_OK(pc({"network", "create", "b"}));
  ASSERT_PC_OK(run_web("web", {"--network", "a"}, "web"));
  ASSERT_PC_OK(run_d("client", {"--network", "b"}, {"sleep", "600"}));
  auto from_client = [](const std::string& host) {
    return pc({"exec", "client", "sh", "-c", "timeout 5 wget -qO- http://" + host + "/"}, {.timeout_s = 30});
  };
  EXPECT_FALSE(from_client("web").ok());
  ASSERT_PC_OK(pc({"network", "connect", "--alias", "cli", "a", "client"}));
  EXPECT_EQ(trim(from_client("web").out), "web");
  Result links = pc({"exec", "client", "ip", "-o", "link"});
  EXPECT_EQ(net::join(net::link_names(links.out)), "eth0,eth1,lo") << links;
  EXPECT_TRUE(contains(inspect("client", "{{(index .NetworkSettings.Networks \"a\").Aliases}}"), "cli"));
  EXPECT_EQ(trim(fetch("a", "cli").out), "") << "(nothing listens, but the name resolves)";
  // Twice: refused, named.
  Result twice = pc({"network", "connect", "a", "client"});
  EXPECT_EXIT_CODE(twice, 125);
  EXPECT_TRUE(contains(twice.err, "is already connected to network \"a\": network is already connected")) << twice;
  ASSERT_PC_OK(pc({"network", "disconnect", "a", "client"}));
  EXPECT_FALSE(from_client("web").ok());
  EXPECT_EQ(inspect("client", "{{len .NetworkSettings.Networks}}"), "1");
  Result not_on = pc({"network", "disconnect", "a", "client"});
  EXPECT_EXIT_CODE(not_on, 125);
  EXPECT_TRUE(contains(not_on.err, "container client is not connected to network a")) << not_on;
  // A stopped container is connected in its configuration; it starts on the network.
  ASSERT_PC_OK(pc({"create", "--name", "later", "--network", "b", image(), "sh", "-c", "timeout 10 wget -qO- http://web/"}));
  ASSERT_PC_OK(pc({"network", "connect", "a", "later"}));
  Result later = pc({"start", "-a", "later"}, {.timeout_s = 60});
  EXPECT_EQ(trim(later.out), "web") << later;
  ASSERT_PC_OK(pc({"rm", "-f", "-t", "0", "web", "client", "later"}));
  ASSERT_PC_OK(pc({"network", "rm", "a", "b"}));
  expect_nothing_left();
}

TEST_F(NetworkUser, StopStartAndRestartGiveBackAnAddressAndTheName) {
  ASSERT_PC_OK(pc({"network", "create", "app"}));
  ASSERT_PC_OK(pc({"network", "create", "--disable-dns", "quiet"}));
  ASSERT_PC_OK(run_web("web", {"--network", "app", "--mac-address", "02:42:ac:11:00:99"}, "back again"));
  EXPECT_EQ(inspect("web", "{{(index .NetworkSettings.Networks \"app\").MacAddress}}"), "02:42:ac:11:00:99");
  ASSERT_PC_OK(pc({"stop", "-t", "0", "web"}));
  EXPECT_EQ(ip_of("web", "app"), "") << "a stopped container holds no address";
  EXPECT_FALSE(fetch("app", "web", 3).ok()) << "nor its name";
  ASSERT_PC_OK(pc({"start", "web"}));
  EXPECT_EQ(trim(fetch("app", "web").out), "back again");
  ASSERT_PC_OK(pc({"restart", "-t", "0", "web"}));
  EXPECT_TRUE(contains(ip_of("web", "app"), "10.89.0.")) << ip_of("web", "app");
  EXPECT_EQ(trim(fetch("app", "web").out), "back again");
  // --disable-dns: no name server on the gateway; the container gets the host's resolvers.
  Result conf = run_in({"--network", "quiet"}, {"cat", "/etc/resolv.conf"});
  EXPECT_PC_OK(conf);
  EXPECT_FALSE(contains(conf.out, "nameserver 10.89.1.1")) << conf;
  EXPECT_TRUE(contains(conf.out, "nameserver ")) << conf;
  ASSERT_PC_OK(pc({"rm", "-f", "-t", "0", "web"}));
  ASSERT_PC_OK(pc({"network", "rm", "app", "quiet"}));
  expect_nothing_left();
}

TEST_F(NetworkUser, Ipv4AndIpv6) {
  ASSERT_PC_OK(pc({"network", "create", "--subnet", "10.93.0.0/24", "--subnet", "fd93::/64", "dual"}));
  EXPECT_EQ(trim(pc({"network", "inspect", "--format", "{{.IPv6Enabled}}", "dual"}).out), "true");
  ASSERT_PC_OK(run_web("web", {"--network", "dual", "--ip", "10.93.0.50", "--ip6", "fd93::50"}, "dual stack"));
  EXPECT_EQ(ip_of("web", "dual"), "10.93.0.50");
  EXPECT_EQ(inspect("web", "{{(index .NetworkSettings.Networks \"dual\").GlobalIPv6Address}}"), "fd93::50");
  EXPECT_EQ(trim(fetch("dual", "10.93.0.50").out), "dual stack");
  EXPECT_EQ(trim(fetch("dual", "[fd93::50]").out), "dual stack");
  Result aaaa = on("dual", "nslookup -type=AAAA web");
  EXPECT_TRUE(contains(aaaa.out, "fd93::50")) << aaaa;
  Result a = on("dual", "nslookup -type=A web");
  EXPECT_TRUE(contains(a.out, "10.93.0.50")) << a;
  Result route = on("dual", "ip -6 route");
  EXPECT_TRUE(contains(route.out, "default via fd93::1")) << route;
  // A static address in use, or outside the network: refused, and nothing runs.
  Result taken = run_in({"--network", "dual", "--ip", "10.93.0.50"}, {"true"});
  EXPECT_EXIT_CODE(taken, 125);
  EXPECT_TRUE(contains(taken.err, "10.93.0.50 is already allocated")) << taken;
  Result outside = pc({"create", "--network", "dual", "--ip", "10.99.0.5", image(), "true"});
  EXPECT_EXIT_CODE(outside, 125);
  EXPECT_TRUE(contains(outside.err, "requested static ip 10.99.0.5 not in any subnet on network dual")) << outside;
  EXPECT_EQ(trim(pc({"ps", "-a", "-q"}).out), trim(pc({"ps", "-q"}).out));
  ASSERT_PC_OK(pc({"rm", "-f", "-t", "0", "web"}));
  ASSERT_PC_OK(pc({"network", "rm", "dual"}));
  expect_nothing_left();
}

TEST_F(NetworkUser, RemovingANetworkInUse) {
  ASSERT_PC_OK(pc({"network", "create", "app"}));
  ASSERT_PC_OK(pc({"network", "create", "spare"}));
  ASSERT_PC_OK(run_d("one", {"--network", "app"}, {"sleep", "600"}));
  ASSERT_PC_OK(pc({"create", "--name", "two", "--network", "app", image(), "true"}));
  Result refused = pc({"network", "rm", "app"});
  EXPECT_EXIT_CODE(refused, 2);
  EXPECT_TRUE(contains(refused.err, "\"app\" has associated containers with it")) << refused;
  EXPECT_TRUE(contains(refused.err, "one") && contains(refused.err, "two")) << refused;
  EXPECT_TRUE(contains(refused.err, "Use -f to forcibly delete containers and pods: network is being used")) << refused;
  // prune keeps what is used.
  EXPECT_EQ(trim(pc({"network", "prune", "-f"}).out), "spare");
  // rm -f removes the containers, running or not, then the network.
  Result forced = pc({"network", "rm", "-f", "-t", "0", "app"});
  EXPECT_PC_OK(forced);
  EXPECT_EQ(trim(forced.out), "app");
  // system prune takes unused networks too, as Podman's does.
  ASSERT_PC_OK(pc({"network", "create", "left"}));
  Result sys = pc({"system", "prune", "-f"});
  EXPECT_PC_OK(sys);
  EXPECT_TRUE(contains(sys.out, "Deleted Networks\nleft\n")) << sys;
  EXPECT_EXIT_CODE(pc({"network", "exists", "left"}), 1);
  expect_nothing_left();
}

TEST_F(NetworkUser, AKilledHolderIsReplacedAndContainersKeepTheirAddresses) {
  net::TcpServer host_server(net::TcpServer::Mode::Http, "outside");
  const std::string host_url = "host.containers.internal:" + std::to_string(host_server.port());
  ASSERT_PC_OK(pc({"network", "create", "app"}));
  ASSERT_PC_OK(run_web("web", {"--network", "app"}, "still here"));
  ASSERT_PC_OK(run_d("client", {"--network", "app"}, {"sleep", "600"}));
  const std::string web_ip = ip_of("web", "app");
  auto from_client = [](const std::string& host) {
    return pc({"exec", "client", "sh", "-c", "timeout 5 wget -qO- http://" + host + "/"}, {.timeout_s = 30});
  };
  EXPECT_EQ(trim(from_client("web").out), "still here");
  const pid_t holder = holder_pid();
  ASSERT_GT(holder, 0);
  ASSERT_EQ(kill(holder, SIGKILL), 0);
  ASSERT_TRUE(poll_until([&] { return kill(holder, 0) != 0; }, 10));
  // The containers keep their addresses and reach each other; names and the outside are
  // gone with the holder.
  EXPECT_EQ(trim(from_client(web_ip).out), "still here");
  EXPECT_EQ(ip_of("client", "app").empty(), false);
  // The next pc restores the uplink and the name server.
  Result reload = pc({"network", "reload", "--all"});
  EXPECT_PC_OK(reload);
  EXPECT_TRUE(contains(reload.err, "restored the uplink and name server of 2 running container(s)")) << reload;
  EXPECT_EQ(lines(reload.out).size(), 2u) << reload;
  EXPECT_GT(holder_pid(), 0);
  EXPECT_NE(holder_pid(), holder);
  EXPECT_EQ(trim(from_client("web").out), "still here");
  EXPECT_EQ(trim(from_client(host_url).out), "outside");
  // A new container gets a new address, not one still in use.
  Result third = on("app", "ip -4 -o addr show eth0");
  EXPECT_FALSE(contains(third.out, web_ip + "/")) << third;
  ASSERT_PC_OK(pc({"rm", "-f", "-t", "0", "web", "client"}));
  ASSERT_PC_OK(pc({"network", "rm", "app"}));
  expect_nothing_left();
}

TEST_F(NetworkUser, ThirtyContainersStartedAtOnceGetDistinctAddresses) {
  ASSERT_PC_OK(pc({"network", "create", "app"}));
  constexpr int kCount = 30;
  std::vector<std::unique_ptr<Child>> runs;
  for (int i = 0; i < kCount; ++i)
    runs.push_back(store().pc_async({"run", "-d", "--name", "c" + std::to_string(i), "--network", "app", image(), "sleep", "600"},
                                    {.timeout_s = 240}));
  for (auto& r : runs) {
    Result res = r->wait(240);
    EXPECT_PC_OK(res);
  }
  std::set<std::string> ips;
  for (int i = 0; i < kCount; ++i) ips.insert(ip_of("c" + std::to_string(i), "app"));
  EXPECT_EQ(ips.size(), static_cast<size_t>(kCount));
  for (const auto& ip : ips) EXPECT_TRUE(contains(ip, "10.89.0.")) << ip;
  // All of them answer to their names.
  Result last = on("app", "nslookup c29 && nslookup c0");
  EXPECT_PC_OK(last);
  ASSERT_PC_OK(pc({"network", "rm", "-f", "-t", "0", "app"}, {.timeout_s = 240}));
  expect_nothing_left();
}

TEST_F(NetworkUser, APodOnANetworkAnswersToItsNameAndItsMembers) {
  ASSERT_PC_OK(pc({"network", "create", "app"}));
  ASSERT_PC_OK(pc({"pod", "create", "--name", "stack", "--network", "app"}));
  ASSERT_PC_OK(run_web("member", {"--pod", "stack"}, "in the pod"));
  EXPECT_EQ(trim(fetch("app", "stack").out), "in the pod");
  EXPECT_EQ(trim(fetch("app", "member").out), "in the pod");
  EXPECT_EQ(trim(pc({"pod", "inspect", "--format", "{{.InfraConfig.Networks}}", "stack"}).out), "[app]");
  EXPECT_TRUE(contains(inspect("member", "{{(index .NetworkSettings.Networks \"app\").IPAddress}}"), "10.89.0."));
  // A member cannot pick networks of its own.
  Result own = run_in({"--pod", "stack", "--network", "app"}, {"true"});
  EXPECT_EXIT_CODE(own, 125);
  ASSERT_PC_OK(pc({"pod", "rm", "-f", "-t", "0", "stack"}));
  ASSERT_PC_OK(pc({"network", "rm", "app"}));
  expect_nothing_left();
}

TEST_F(NetworkUser, BadInputMakesNothing) {
  Result missing = pc({"run", "--rm", "--network", "nosuch", image(), "true"});
  EXPECT_EXIT_CODE(missing, 125);
  EXPECT_TRUE(contains(missing.err, "unable to find network with name or ID nosuch: network not found")) << missing;
  Result alias = pc({"run", "--rm", "--network-alias", "x", image(), "true"});
  EXPECT_EXIT_CODE(alias, 125);
  EXPECT_TRUE(contains(alias.err, "can only be used with Bridge mode networking")) << alias;
  ASSERT_PC_OK(pc({"network", "create", "app"}));
  ASSERT_PC_OK(pc({"network", "create", "other"}));
  Result two_ips = pc({"run", "--rm", "--network", "app", "--network", "other", "--ip", "10.89.0.9", image(), "true"});
  EXPECT_EXIT_CODE(two_ips, 125);
  EXPECT_TRUE(contains(two_ips.err, "--ip can only be set for a single network")) << two_ips;
  Result mixed = pc({"run", "--rm", "--network", "app", "--network", "host", image(), "true"});
  EXPECT_EXIT_CODE(mixed, 125);
  EXPECT_TRUE(contains(mixed.err, "conflicts with bridge")) << mixed;
  // `bridge` is Podman's default network "podman", 10.88.0.0/16; inspect's top-level fields
  // show it, as Podman's do.
  ASSERT_PC_OK(run_d("b", {"--network", "bridge"}, {"sleep", "600"}));
  EXPECT_TRUE(contains(inspect("b", "{{.NetworkSettings.IPAddress}}"), "10.88.")) << inspect("b", "{{json .NetworkSettings}}");
  EXPECT_EQ(inspect("b", "{{.NetworkSettings.Gateway}}"), "10.88.0.1");
  // The default network for `run` is still slirp.
  Result slirp = run_in({}, {"ip", "-o", "link"});
  EXPECT_TRUE(contains(slirp.out, "tap0")) << slirp;
  ASSERT_PC_OK(pc({"rm", "-f", "-t", "0", "b"}));
  ASSERT_PC_OK(pc({"network", "rm", "app", "other"}));
  expect_nothing_left();
}

}  // namespace
}  // namespace pcit
