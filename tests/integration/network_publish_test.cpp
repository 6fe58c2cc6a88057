// Published ports (TCP, UDP, ranges, random ports, -P/--expose, `pc port`, ps and inspect
// views), ports already in use, and cleanup of the host port by `pc stop` and `pc rm -f`
// (with stats and inspect). Shared pieces: network_fixtures.hpp.
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <regex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness.hpp"
#include "network_fixtures.hpp"
#include "network_sockets.hpp"

using namespace pcit;
using namespace pcit::net;
using json = nlohmann::json;

namespace {

class NetworkPublish : public NetworkTest {};
class NetworkPortInUse : public NetworkTest {};
class NetworkCleanup : public NetworkTest {};

}  // namespace

// ---------------------------------------------------------------- published ports

TEST_F(NetworkPublish, TcpPortServesHttpd) {
  int hp = free_port();
  std::string content = "published-" + random_suffix();
  std::string name = unique_name("web");
  ASSERT_PC_OK(run_web(name, {"-p", std::to_string(hp) + ":80"}, content));
  std::string last;
  EXPECT_TRUE(wait_http_body(hp, content, 30, &last)) << "last: " << last << "\nlogs: " << pc({"logs", name});
  // several requests, all served
  for (int i = 0; i < 5; ++i) {
    auto r = http_get(hp);
    ASSERT_TRUE(r.has_value()) << "request " << i;
    EXPECT_EQ(http_body(*r), content);
  }
  Result port = pc({"port", name});
  EXPECT_PC_OK(port);
  EXPECT_EQ(port.out, "80/tcp -> 0.0.0.0:" + std::to_string(hp) + "\n");
}

TEST_F(NetworkPublish, TcpPortViaSlirpHostfwd) {
  // port_handler=slirp4netns: libslirp forwards the port instead of pc's proxy
  int hp = free_port();
  std::string content = "hostfwd-" + random_suffix();
  std::string name = unique_name("web");
  ASSERT_PC_OK(run_web(name, {"--network", "slirp4netns:port_handler=slirp4netns", "-p", std::to_string(hp) + ":80"}, content));
  std::string last;
  EXPECT_TRUE(wait_http_body(hp, content, 30, &last)) << "last: " << last;
  Result port = pc({"port", name});
  EXPECT_PC_OK(port);
  EXPECT_EQ(port.out, "80/tcp -> 0.0.0.0:" + std::to_string(hp) + "\n");
}

TEST_F(NetworkPublish, TcpPortOnExplicitHostIp) {
  int hp = free_port();
  std::string content = "on-127-" + random_suffix();
  std::string name = unique_name("web");
  ASSERT_PC_OK(run_web(name, {"-p", "127.0.0.1:" + std::to_string(hp) + ":80"}, content));
  EXPECT_TRUE(wait_http_body(hp, content));
  Result port = pc({"port", name});
  EXPECT_PC_OK(port);
  EXPECT_EQ(port.out, "80/tcp -> 127.0.0.1:" + std::to_string(hp) + "\n");
  Result ports = pc({"inspect", "--format", "{{json .NetworkSettings.Ports}}", name});
  ASSERT_PC_OK(ports);
  json j = json::parse(ports.out);
  EXPECT_EQ(j["80/tcp"][0]["HostIp"], "127.0.0.1") << j;
  EXPECT_EQ(j["80/tcp"][0]["HostPort"], std::to_string(hp)) << j;
}

TEST_F(NetworkPublish, UdpPortReachesServerInContainerAndRepliesComeBack) {
  HelperInvocation h = helper_invocation("udp-echo:53");
  ASSERT_FALSE(h.cmd.empty()) << "cannot locate this binary or its loader";
  int up = free_port();
  std::string name = unique_name("udp");
  std::vector<std::string> flags = {"-p", "127.0.0.1:" + std::to_string(up) + ":53/udp"};
  flags.insert(flags.end(), h.flags.begin(), h.flags.end());
  ASSERT_PC_OK(run_d(name, flags, h.cmd));

  Fd s(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  sockaddr_in a = addr4("127.0.0.1", up);
  ASSERT_EQ(connect(s.fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);  // replies must come from 127.0.0.1:up
  // the helper may not listen yet: send until an answer comes
  std::string reply;
  int sent = 0;
  bool answered = poll_until(
      [&] {
        std::string msg = "ping-" + std::to_string(sent++);
        send(s.fd, msg.data(), msg.size(), 0);
        if (!wait_readable(s.fd, 300)) return false;
        char buf[2048];
        ssize_t k = recv(s.fd, buf, sizeof buf, 0);
        if (k <= 0) return false;  // ECONNREFUSED of an earlier datagram: try again
        reply.assign(buf, static_cast<size_t>(k));
        return true;
      },
      30, 10);
  ASSERT_TRUE(answered) << "no UDP reply after " << sent << " datagrams; logs:" << pc({"logs", name});
  EXPECT_TRUE(std::regex_match(reply, std::regex("echo:ping-[0-9]+"))) << reply;
  // a second exchange on the same flow
  std::string msg = "second-" + random_suffix();
  ASSERT_EQ(send(s.fd, msg.data(), msg.size(), 0), static_cast<ssize_t>(msg.size()));
  // late answers to the probes sent while the helper was starting may still come first
  std::vector<std::string> replies;
  bool second = poll_until(
      [&] {
        if (!wait_readable(s.fd, 200)) return false;
        char buf[2048];
        ssize_t k = recv(s.fd, buf, sizeof buf, 0);
        if (k > 0) replies.emplace_back(buf, static_cast<size_t>(k));
        return !replies.empty() && replies.back() == "echo:" + msg;
      },
      10, 1);
  EXPECT_TRUE(second) << "no reply to the second datagram";
  for (const auto& x : replies) EXPECT_TRUE(x == "echo:" + msg || x.rfind("echo:ping-", 0) == 0) << x;
  // the container saw it (its stdout is in the logs)
  EXPECT_TRUE(poll_until([&] { return contains(pc({"logs", name}).out, "got " + msg); }, 10))
      << pc({"logs", name});
  Result port = pc({"port", name, "53/udp"});
  EXPECT_PC_OK(port);
  EXPECT_EQ(port.out, "127.0.0.1:" + std::to_string(up) + "\n");
}

TEST_F(NetworkPublish, PortRange) {
  int base = free_port_range(2);
  ASSERT_NE(base, 0);
  std::string c80 = "port80-" + random_suffix(), c81 = "port81-" + random_suffix();
  std::string name = unique_name("range");
  std::string script = "mkdir -p /w80 /w81 && printf '%s' '" + c80 + "' > /w80/index.html && printf '%s' '" + c81 +
                       "' > /w81/index.html && httpd -p 81 -h /w81 && exec httpd -f -p 80 -h /w80";
  ASSERT_PC_OK(run_d(name, {"-p", std::to_string(base) + "-" + std::to_string(base + 1) + ":80-81"}, {"sh", "-c", script}));
  EXPECT_TRUE(wait_http_body(base, c80));
  EXPECT_TRUE(wait_http_body(base + 1, c81));
  Result port = pc({"port", name});
  EXPECT_PC_OK(port);
  EXPECT_EQ(port.out, "80/tcp -> 0.0.0.0:" + std::to_string(base) + "\n81/tcp -> 0.0.0.0:" + std::to_string(base + 1) + "\n");
  Result ps = pc({"ps", "--format", "{{.Ports}}"});
  EXPECT_PC_OK(ps);
  EXPECT_EQ(trim(ps.out), "0.0.0.0:" + std::to_string(base) + "-" + std::to_string(base + 1) + "->80-81/tcp") << ps;
}

TEST_F(NetworkPublish, RandomHostPortAndItsViews) {
  std::string content = "random-" + random_suffix();
  std::string name = unique_name("web");
  ASSERT_PC_OK(run_web(name, {"-p", "80"}, content));

  Result port = pc({"port", name});
  ASSERT_PC_OK(port);
  std::smatch m;
  std::string out = port.out;
  ASSERT_TRUE(std::regex_match(out, m, std::regex("80/tcp -> 0\\.0\\.0\\.0:([0-9]+)\n"))) << port;
  const std::string hp = m[1];
  int hpi = std::stoi(hp);
  EXPECT_GE(hpi, 1024);
  EXPECT_TRUE(wait_http_body(hpi, content));

  Result one = pc({"port", name, "80"});
  EXPECT_PC_OK(one);
  EXPECT_EQ(one.out, "0.0.0.0:" + hp + "\n");
  Result one_tcp = pc({"port", name, "80/tcp"});
  EXPECT_PC_OK(one_tcp);
  EXPECT_EQ(one_tcp.out, "0.0.0.0:" + hp + "\n");

  Result ps = pc({"ps", "--format", "{{.Ports}}"});
  EXPECT_PC_OK(ps);
  EXPECT_EQ(trim(ps.out), "0.0.0.0:" + hp + "->80/tcp") << ps;

  Result ports = pc({"inspect", "--format", "{{json .NetworkSettings.Ports}}", name});
  ASSERT_PC_OK(ports);
  json j = json::parse(ports.out);
  ASSERT_TRUE(j.contains("80/tcp")) << j;
  ASSERT_TRUE(j["80/tcp"].is_array() && j["80/tcp"].size() == 1) << j;
  EXPECT_EQ(j["80/tcp"][0]["HostIp"], "") << "Podman shows HostIp \"\" when -p gave no ip: " << j;
  EXPECT_EQ(j["80/tcp"][0]["HostPort"], hp) << j;
  EXPECT_EQ(inspect(name, "{{.NetworkSettings.IPAddress}}"), "10.0.2.100");

  // the random port is kept for the container's life: the same after a restart
  ASSERT_PC_OK(pc({"restart", "-t", "0", name}, {.timeout_s = 60}));
  Result again = pc({"port", name, "80"});
  EXPECT_PC_OK(again);
  EXPECT_EQ(again.out, "0.0.0.0:" + hp + "\n");
  EXPECT_TRUE(wait_http_body(hpi, content));
}

TEST_F(NetworkPublish, PortOfUnpublishedPortFails) {
  std::string name = unique_name("web");
  ASSERT_PC_OK(run_web(name, {"-p", "80"}, "x"));
  Result r = pc({"port", name, "81"});
  EXPECT_NE(r.exit_code, 0) << r;
  EXPECT_TRUE(contains(r.err, "81")) << r;
}

TEST_F(NetworkPublish, PublishAllUsesImageExposeAndExposeFlag) {
  ASSERT_TRUE(import_image_with("localhost/exposed", {{"exposed-marker", "1\n"}}, {"EXPOSE 80"}));
  std::string c1 = "exposed-" + random_suffix();
  std::string n1 = unique_name("pa");
  ASSERT_PC_OK(run_web(n1, {"-P"}, c1, 80, "localhost/exposed"));
  Result p1 = pc({"port", n1});
  ASSERT_PC_OK(p1);
  std::smatch m;
  std::string o1 = p1.out;
  ASSERT_TRUE(std::regex_match(o1, m, std::regex("80/tcp -> 0\\.0\\.0\\.0:([0-9]+)\n"))) << p1;
  EXPECT_TRUE(wait_http_body(std::stoi(m[1]), c1));

  std::string c2 = "expose-flag-" + random_suffix();
  std::string n2 = unique_name("pe");
  ASSERT_PC_OK(run_web(n2, {"--expose", "8080", "-P"}, c2, 8080));
  Result p2 = pc({"port", n2});
  ASSERT_PC_OK(p2);
  std::string o2 = p2.out;
  ASSERT_TRUE(std::regex_match(o2, m, std::regex("8080/tcp -> 0\\.0\\.0\\.0:([0-9]+)\n"))) << p2;
  EXPECT_TRUE(wait_http_body(std::stoi(m[1]), c2));

  // without -P an exposed port is not published
  std::string n3 = unique_name("np");
  ASSERT_PC_OK(run_web(n3, {}, "x", 80, "localhost/exposed"));
  Result p3 = pc({"port", n3});
  EXPECT_PC_OK(p3);
  EXPECT_EQ(p3.out, "") << p3;
}

// ---------------------------------------------------------------- port already in use

TEST_F(NetworkPortInUse, DetachedRunFailsFastNamingThePort) {
  Fd held = bound_socket(SOCK_STREAM, "0.0.0.0", 0);
  ASSERT_TRUE(held);
  ASSERT_EQ(listen(held.fd, 8), 0);
  int p = local_port(held.fd);
  std::string name = unique_name("inuse");
  Result r = pc({"run", "-d", "-p", std::to_string(p) + ":80", "--name", name, image(), "sleep", "1000"}, {.timeout_s = 60});
  EXPECT_EXIT_CODE(r, 125);
  EXPECT_TRUE(contains(r.err, std::to_string(p))) << r;
  EXPECT_TRUE(icontains(r.err, "address already in use")) << r;
  EXPECT_LT(r.seconds, 10) << r;
  expect_no_running();
  // the port is still ours and works
  Fd c = connect_tcp(p);
  EXPECT_TRUE(c) << "the test's listener no longer accepts";
  EXPECT_FALSE(contains(ps_all(), "Up")) << ps_all();
}

TEST_F(NetworkPortInUse, LoopbackListenerBlocksAllAddressesPublish) {
  Fd held = bound_socket(SOCK_STREAM, "127.0.0.1", 0);
  ASSERT_TRUE(held);
  ASSERT_EQ(listen(held.fd, 8), 0);
  int p = local_port(held.fd);
  Result r = pc({"run", "-d", "-p", std::to_string(p) + ":80", image(), "sleep", "1000"}, {.timeout_s = 60});
  EXPECT_EXIT_CODE(r, 125);
  EXPECT_TRUE(contains(r.err, std::to_string(p))) << r;
  EXPECT_TRUE(icontains(r.err, "address already in use")) << r;
  expect_no_running();
}

TEST_F(NetworkPortInUse, ForegroundRunRmFailsToo) {
  Fd held = bound_socket(SOCK_STREAM, "127.0.0.1", 0);
  ASSERT_TRUE(held);
  ASSERT_EQ(listen(held.fd, 8), 0);
  int p = local_port(held.fd);
  Result r = pc({"run", "--rm", "-p", "127.0.0.1:" + std::to_string(p) + ":80", image(), "echo", "should-not-run"},
                {.timeout_s = 60});
  EXPECT_EXIT_CODE(r, 125);
  EXPECT_TRUE(contains(r.err, std::to_string(p))) << r;
  EXPECT_TRUE(icontains(r.err, "address already in use")) << r;
  EXPECT_FALSE(contains(r.out, "should-not-run")) << r;
  EXPECT_LT(r.seconds, 10) << r;
  expect_no_running();
  // --rm: nothing is left at all (Podman removes the container when its start fails)
  Result all = pc({"ps", "-a", "-q"});
  EXPECT_TRUE(trim(all.out).empty()) << "left behind by run --rm:" << ps_all();
}

TEST_F(NetworkPortInUse, UdpPortInUse) {
  Fd held = bound_socket(SOCK_DGRAM, "127.0.0.1", 0);
  ASSERT_TRUE(held);
  int p = local_port(held.fd);
  Result r = pc({"run", "-d", "-p", "127.0.0.1:" + std::to_string(p) + ":53/udp", image(), "sleep", "1000"},
                {.timeout_s = 60});
  EXPECT_EXIT_CODE(r, 125);
  EXPECT_TRUE(contains(r.err, std::to_string(p))) << r;
  EXPECT_TRUE(icontains(r.err, "address already in use")) << r;
  expect_no_running();
}

TEST_F(NetworkPortInUse, StartOfStoppedContainerWhosePortIsTaken) {
  // create succeeds (ports are bound at start); start fails with 125 naming the port
  int p = free_port();
  std::string name = unique_name("later");
  ASSERT_PC_OK(pc({"create", "--name", name, "-p", std::to_string(p) + ":80", image(), "sleep", "1000"}));
  Fd held = bound_socket(SOCK_STREAM, "0.0.0.0", p);
  ASSERT_TRUE(held) << strerror(errno);
  ASSERT_EQ(listen(held.fd, 8), 0);
  Result r = pc({"start", name}, {.timeout_s = 60});
  EXPECT_EXIT_CODE(r, 125);
  EXPECT_TRUE(contains(r.err, std::to_string(p))) << r;
  EXPECT_TRUE(icontains(r.err, "address already in use")) << r;
  expect_no_running();
  // once the port is free again, the same container starts and serves it
  held.reset();
  ASSERT_PC_OK(pc({"start", name}, {.timeout_s = 60}));
  EXPECT_TRUE(wait_running(name));
}

// ---------------------------------------------------------------- stats, inspect, cleanup

TEST_F(NetworkCleanup, StatsAndInspectWorkAndRmFreesThePort) {
  int hp = free_port();
  std::string content = "cleanup-" + random_suffix();
  std::string name = unique_name("web");
  ASSERT_PC_OK(run_web(name, {"-p", std::to_string(hp) + ":80"}, content));
  ASSERT_TRUE(wait_http_body(hp, content));
  for (int i = 0; i < 10; ++i) http_get(hp);

  Result st = pc({"stats", "--no-stream", "--format", "{{.Name}} {{.NetIO}}", name}, {.timeout_s = 30});
  ASSERT_PC_OK(st);
  EXPECT_TRUE(contains(st.out, name)) << st;
  EXPECT_FALSE(contains(st.out, "0B / 0B")) << "no traffic counted on tap0:" << st;
  Result stj = pc({"stats", "--no-stream", "--format", "json", name}, {.timeout_s = 30});
  ASSERT_PC_OK(stj);

  Result in = pc({"inspect", name});
  ASSERT_PC_OK(in);
  json j = json::parse(in.out)[0];
  EXPECT_EQ(j["NetworkSettings"]["IPAddress"], "10.0.2.100") << j["NetworkSettings"];
  EXPECT_EQ(j["NetworkSettings"]["Ports"]["80/tcp"][0]["HostPort"], std::to_string(hp)) << j["NetworkSettings"];
  EXPECT_EQ(j["HostConfig"]["PortBindings"]["80/tcp"][0]["HostPort"], std::to_string(hp)) << j["HostConfig"];

  // while it runs the port is taken
  EXPECT_FALSE(port_free(SOCK_STREAM, "0.0.0.0", hp));
  ASSERT_PC_OK(pc({"rm", "-f", name}, {.timeout_s = 60}));
  bool immediately = port_free(SOCK_STREAM, "0.0.0.0", hp);
  auto freed_at = Clock::now();
  bool freed = poll_until([&] { return port_free(SOCK_STREAM, "0.0.0.0", hp); }, 10, 1);
  EXPECT_TRUE(freed) << "port " << hp << " never freed";
  EXPECT_TRUE(immediately) << "the host port is still bound when `pc rm -f` returns (free "
                           << static_cast<int>(since(freed_at) * 1000) << " ms later)";
  EXPECT_FALSE(http_get(hp, 2).has_value());
}

TEST_F(NetworkCleanup, SamePortReusableRightAfterRmF) {
  int hp = free_port();
  std::string name = unique_name("web");
  ASSERT_PC_OK(run_web(name, {"-p", std::to_string(hp) + ":80"}, "first"));
  ASSERT_TRUE(wait_http_body(hp, "first"));
  ASSERT_PC_OK(pc({"rm", "-f", name}, {.timeout_s = 60}));
  ASSERT_PC_OK(run_web(name, {"-p", std::to_string(hp) + ":80"}, "second"));
  EXPECT_TRUE(wait_http_body(hp, "second"));
}

TEST_F(NetworkCleanup, StopReleasesThePortAndStartBindsItAgain) {
  int hp = free_port();
  std::string name = unique_name("web");
  ASSERT_PC_OK(run_web(name, {"-p", std::to_string(hp) + ":80"}, "again"));
  ASSERT_TRUE(wait_http_body(hp, "again"));
  ASSERT_PC_OK(pc({"stop", "-t", "0", name}, {.timeout_s = 60}));
  EXPECT_TRUE(poll_until([&] { return port_free(SOCK_STREAM, "0.0.0.0", hp); }, 10)) << "still bound after stop";
  ASSERT_PC_OK(pc({"start", name}, {.timeout_s = 60}));
  EXPECT_TRUE(wait_http_body(hp, "again"));
}
