// Network flags (conflicts and bad values), the none/host/container: modes, and /etc/hosts
// and /etc/resolv.conf. Shared pieces: network_fixtures.hpp.
#include <algorithm>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "harness.hpp"
#include "network_fixtures.hpp"
#include "network_servers.hpp"
#include "network_sockets.hpp"

using namespace pcit;
using namespace pcit::net;

namespace {

std::set<std::string> host_link_names() {
  std::set<std::string> names;
  for (const auto& e : list_tree("/sys/class/net"))
    if (e.find('/') == std::string::npos) names.insert(e);
  return names;
}

std::vector<std::string> fields(const std::string& line) {
  std::istringstream is(line);
  std::vector<std::string> f;
  std::string w;
  while (is >> w) f.push_back(w);
  return f;
}

// Whether some line of an /etc/hosts text maps `ip` to `name`.
bool hosts_maps(const std::string& hosts, const std::string& ip, const std::string& name) {
  for (const auto& l : lines(hosts)) {
    auto f = fields(l);
    if (f.size() >= 2 && f[0] == ip && std::find(f.begin() + 1, f.end(), name) != f.end()) return true;
  }
  return false;
}

// "nameserver X" values of a resolv.conf text, in order.
std::vector<std::string> nameservers(const std::string& resolv) {
  std::vector<std::string> v;
  for (const auto& l : lines(resolv)) {
    auto f = fields(l);
    if (f.size() >= 2 && f[0] == "nameserver") v.push_back(f[1]);
  }
  return v;
}

std::vector<std::string> non_comment_lines(const std::string& text) {
  std::vector<std::string> v;
  for (const auto& l : lines(text)) {
    std::string t = trim(l);
    if (t[0] != '#' && t[0] != ';') v.push_back(t);
  }
  return v;
}

bool is_loopback_ip(const std::string& ip) { return ip.rfind("127.", 0) == 0 || ip == "::1"; }

class NetworkFlags : public NetworkTest {};
class NetworkModes : public NetworkTest {};
class NetworkEtcFiles : public NetworkTest {};

}  // namespace

// ---------------------------------------------------------------- conflicts and bad values

TEST_F(NetworkFlags, PublishWithHostNetworkIsAnError) {
  Result r = pc({"run", "--rm", "--network", "host", "-p", "8080:80", image(), "true"});
  EXPECT_EXIT_CODE(r, 125);
  EXPECT_TRUE(icontains(r.err, "host")) << r;
  EXPECT_TRUE(icontains(r.err, "publish") || icontains(r.err, "port")) << r;
  EXPECT_TRUE(trim(pc({"ps", "-a", "-q"}).out).empty());
}

TEST_F(NetworkFlags, PublishWithNoneNetworkIsAnError) {
  Result r = pc({"run", "--rm", "--network", "none", "-p", "8080:80", image(), "true"});
  EXPECT_EXIT_CODE(r, 125);
  EXPECT_TRUE(icontains(r.err, "none")) << r;
  Result r2 = pc({"run", "--rm", "--network", "none", "-P", "--expose", "80", image(), "true"});
  EXPECT_EXIT_CODE(r2, 125);
  EXPECT_TRUE(trim(pc({"ps", "-a", "-q"}).out).empty());
}

TEST_F(NetworkFlags, UnknownNetworkModeAndOption) {
  Result r = pc({"run", "--rm", "--network", "bogus", image(), "true"});
  EXPECT_EXIT_CODE(r, 125);
  EXPECT_TRUE(contains(r.err, "bogus")) << r;
  Result o = pc({"run", "--rm", "--network", "slirp4netns:foo=1", image(), "true"});
  EXPECT_EXIT_CODE(o, 125);
  EXPECT_TRUE(contains(o.err, "foo")) << o;
  Result v = pc({"run", "--rm", "--network", "slirp4netns:mtu=abc", image(), "true"});
  EXPECT_EXIT_CODE(v, 125);
  EXPECT_TRUE(contains(v.err, "abc")) << v;
  Result b = pc({"run", "--rm", "--network", "slirp4netns:allow_host_loopback=maybe", image(), "true"});
  EXPECT_EXIT_CODE(b, 125);
  EXPECT_TRUE(contains(b.err, "maybe")) << b;
  EXPECT_TRUE(trim(pc({"ps", "-a", "-q"}).out).empty());
}

TEST_F(NetworkFlags, BadPublishValues) {
  for (const std::string bad : {"abc", "70000:80", "1-3:1-2", "80:0", "8080:80/sctpx", "127.0.0.300:80:80"}) {
    Result r = pc({"run", "--rm", "-p", bad, image(), "true"});
    EXPECT_EXIT_CODE(r, 125);
    EXPECT_TRUE(contains(r.err, bad)) << "-p " << bad << r;
  }
  Result e = pc({"run", "--rm", "--expose", "99999", image(), "true"});
  EXPECT_EXIT_CODE(e, 125);
  EXPECT_TRUE(contains(e.err, "99999")) << e;
  Result h = pc({"run", "--rm", "--add-host", "db", image(), "true"});
  EXPECT_EXIT_CODE(h, 125);
  EXPECT_TRUE(contains(h.err, "db")) << h;
  Result d = pc({"run", "--rm", "--dns", "not-an-ip", image(), "true"});
  EXPECT_EXIT_CODE(d, 125);
  EXPECT_TRUE(contains(d.err, "not-an-ip")) << d;
  EXPECT_TRUE(trim(pc({"ps", "-a", "-q"}).out).empty());
}

TEST_F(NetworkFlags, SameHostPortTwiceIsAnError) {
  int p = free_port();
  Result r = pc({"run", "--rm", "-p", std::to_string(p) + ":80", "-p", std::to_string(p) + ":81", image(), "true"});
  EXPECT_EXIT_CODE(r, 125);
  EXPECT_TRUE(contains(r.err, std::to_string(p))) << r;
}

// ---------------------------------------------------------------- network modes

TEST_F(NetworkModes, NoneHasOnlyLoopback) {
  Result r = run_in({"--network", "none"}, {"ip", "-o", "link"});
  ASSERT_PC_OK(r);
  EXPECT_EQ(join(link_names(r.out)), "lo") << r;
}

TEST_F(NetworkModes, HostSeesHostInterfacesAndLoopbackServers) {
  std::string body = "host-mode-" + random_suffix();
  TcpServer srv(TcpServer::Mode::Http, body);
  Result r = run_in({"--network", "host"},
                    {"sh", "-c", "ip -o link; echo ---; wget -qO- http://127.0.0.1:" + std::to_string(srv.port()) + "/"},
                    {.timeout_s = 60});
  ASSERT_PC_OK(r);
  size_t sep = r.out.find("---\n");
  ASSERT_NE(sep, std::string::npos) << r;
  EXPECT_EQ(join(link_names(r.out.substr(0, sep))), join(host_link_names())) << r;
  EXPECT_EQ(r.out.substr(sep + 4), body) << r;
}

TEST_F(NetworkModes, ContainerModeSharesTheOthersNetwork) {
  std::string web = unique_name("web");
  std::string content = "shared-netns-" + random_suffix();
  ASSERT_PC_OK(run_web(web, {}, content));
  ASSERT_TRUE(wait_running(web));
  // localhost must come from /etc/hosts (never ask a DNS server from a test)
  std::string script = "grep -q localhost /etc/hosts || { echo no-localhost-in-hosts; cat /etc/hosts; exit 99; }; "
                       "i=0; while [ $i -lt 100 ]; do wget -qO- http://localhost:80/ && exit 0; i=$((i+1)); usleep 100000; done; exit 1";
  Result r = run_in({"--network", "container:" + web}, {"sh", "-c", script}, {.timeout_s = 60});
  EXPECT_PC_OK(r);
  EXPECT_EQ(r.out, content) << r;
  Result ifs = run_in({"--network", "container:" + web}, {"ip", "addr", "show", "tap0"});
  EXPECT_PC_OK(ifs);
  EXPECT_TRUE(contains(ifs.out, "10.0.2.100/24")) << ifs;
}

// A container whose network others joined is not removed before them (Podman's rule);
// --depend removes them first, as does rm --all.
TEST_F(NetworkModes, RemovingAContainerOthersJoinedNeedsDepend) {
  std::string base = unique_name("netbase");
  std::string joined = unique_name("netjoined");
  ASSERT_PC_OK(pc({"run", "-d", "--name", base, image(), "sleep", "60"}));
  ASSERT_TRUE(wait_running(base));
  ASSERT_PC_OK(pc({"create", "--name", joined, "--network", "container:" + base, image(), "true"}));
  Result refused = pc({"rm", "-f", "-t", "0", base});
  EXPECT_EXIT_CODE(refused, 125);
  EXPECT_TRUE(contains(refused.err, "has dependent containers which must be removed before it")) << refused;
  EXPECT_PC_OK(pc({"container", "exists", base}));
  Result both = pc({"rm", "-f", "-t", "0", "--depend", base});
  ASSERT_PC_OK(both);
  EXPECT_EQ(lines(both.out).size(), 2u) << both;
  EXPECT_EXIT_CODE(pc({"container", "exists", base}), 1);
  EXPECT_EXIT_CODE(pc({"container", "exists", joined}), 1);

  ASSERT_PC_OK(pc({"create", "--name", base, image(), "true"}));
  ASSERT_PC_OK(pc({"create", "--name", joined, "--network", "container:" + base, image(), "true"}));
  Result all = pc({"rm", "-a"});
  EXPECT_PC_OK(all);
  EXPECT_EQ(lines(pc({"ps", "-aq"}).out).size(), 0u);
}

TEST_F(NetworkModes, ContainerModeWithUnknownContainer) {
  Result r = pc({"run", "--rm", "--network", "container:no-such-ctr", image(), "true"});
  EXPECT_EXIT_CODE(r, 125);
  EXPECT_TRUE(contains(r.err, "no-such-ctr")) << r;
}

// ---------------------------------------------------------------- /etc/hosts and /etc/resolv.conf

TEST_F(NetworkEtcFiles, DefaultHostsFile) {
  std::string name = unique_name("hosts");
  Result r = pc({"run", "--rm", "--name", name, image(), "sh", "-c", "cat /etc/hosts; echo ---; hostname"});
  ASSERT_PC_OK(r);
  size_t sep = r.out.find("---\n");
  ASSERT_NE(sep, std::string::npos) << r;
  std::string hosts = r.out.substr(0, sep), hostname = trim(r.out.substr(sep + 4));
  ASSERT_FALSE(hostname.empty());
  EXPECT_TRUE(hosts_maps(hosts, "127.0.0.1", "localhost")) << hosts;
  EXPECT_TRUE(hosts_maps(hosts, "10.0.2.100", hostname)) << hosts;
  EXPECT_TRUE(hosts_maps(hosts, "10.0.2.100", name)) << hosts;
  EXPECT_TRUE(hosts_maps(hosts, "10.0.2.2", "host.containers.internal")) << hosts;
}

TEST_F(NetworkEtcFiles, AddHostEntriesAndResolution) {
  std::string body = "via-add-host-" + random_suffix();
  TcpServer srv(TcpServer::Mode::Http, body);
  Result r = run_in({"--add-host", "db:10.0.2.9", "--add-host", "hostsrv:10.0.2.2"},
                    {"sh", "-c", "cat /etc/hosts; echo ---; wget -qO- http://hostsrv:" + std::to_string(srv.port()) + "/"},
                    {.timeout_s = 60});
  ASSERT_PC_OK(r);
  size_t sep = r.out.find("---\n");
  ASSERT_NE(sep, std::string::npos) << r;
  std::string hosts = r.out.substr(0, sep);
  EXPECT_TRUE(hosts_maps(hosts, "10.0.2.9", "db")) << hosts;
  EXPECT_TRUE(hosts_maps(hosts, "10.0.2.2", "hostsrv")) << hosts;
  EXPECT_EQ(r.out.substr(sep + 4), body) << r;
}

TEST_F(NetworkEtcFiles, NoHostsKeepsTheImagesFile) {
  const std::string own = "192.0.2.7\timage-own-host\n";
  ASSERT_TRUE(import_image_with("localhost/withhosts", {{"etc/hosts", own}}));
  Result r = pc({"run", "--rm", "--no-hosts", "localhost/withhosts", "cat", "/etc/hosts"});
  ASSERT_PC_OK(r);
  EXPECT_EQ(r.out, own);
  // without --no-hosts pc writes its own file
  Result d = pc({"run", "--rm", "localhost/withhosts", "cat", "/etc/hosts"});
  ASSERT_PC_OK(d);
  EXPECT_TRUE(hosts_maps(d.out, "10.0.2.2", "host.containers.internal")) << d;
}

TEST_F(NetworkEtcFiles, HostnameFlag) {
  Result r = run_in({"--hostname", "h1"}, {"sh", "-c", "hostname; echo ---; cat /etc/hosts"});
  ASSERT_PC_OK(r);
  size_t sep = r.out.find("---\n");
  ASSERT_NE(sep, std::string::npos) << r;
  EXPECT_EQ(trim(r.out.substr(0, sep)), "h1");
  EXPECT_TRUE(hosts_maps(r.out.substr(sep + 4), "10.0.2.100", "h1")) << r;
}

TEST_F(NetworkEtcFiles, ResolvConfFromFlags) {
  Result r = run_in({"--dns", "10.0.2.3", "--dns-search", "corp", "--dns-option", "ndots:2"}, {"cat", "/etc/resolv.conf"});
  ASSERT_PC_OK(r);
  auto got = non_comment_lines(r.out);
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<std::string>{"nameserver 10.0.2.3", "options ndots:2", "search corp"})) << r;
}

TEST_F(NetworkEtcFiles, DefaultResolvConfFollowsTheHost) {
  std::string host = read_file("/etc/resolv.conf");
  std::vector<std::string> expected;
  for (const auto& ns : nameservers(host))
    if (!is_loopback_ip(ns)) expected.push_back(ns);
  if (expected.empty()) expected = {"10.0.2.3"};  // host resolver on loopback: slirp's DNS forwarder
  Result r = run_in({}, {"cat", "/etc/resolv.conf"});
  ASSERT_PC_OK(r);
  EXPECT_EQ(nameservers(r.out), expected) << "host's resolv.conf:\n" << host << r;
  for (const auto& ns : nameservers(r.out)) EXPECT_FALSE(is_loopback_ip(ns)) << r;
}

TEST_F(NetworkEtcFiles, HostNetworkUsesTheHostsResolvers) {
  std::string host = read_file("/etc/resolv.conf");
  Result r = run_in({"--network", "host"}, {"cat", "/etc/resolv.conf"});
  ASSERT_PC_OK(r);
  EXPECT_EQ(nameservers(r.out), nameservers(host)) << "host's resolv.conf:\n" << host << r;
}
