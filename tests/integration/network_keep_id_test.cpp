// --userns=keep-id (and keep-id:uid=N,gid=M) on user-defined networks, as the test user:
// the container's user namespace is nested in the user's shared one, which owns its network
// namespace. Each test checks the ids inside and the network: names answered by the
// networks' DNS between keep-id containers, a published port answering on the host,
// connect/disconnect and exec of a running keep-id container, a keep-id pod on a network,
// compose services with userns_mode: keep-id on the project's networks; what cannot be
// combined fails with nothing left.
#include <unistd.h>

#include "compose_fixture.hpp"
#include "network_fixtures.hpp"
#include "network_sockets.hpp"

namespace pcit {
namespace {

const std::string kUid = std::to_string(::getuid());
const std::string kGid = std::to_string(::getgid());

class NetworkKeepId : public net::NetworkTest {
 protected:
  // `sh -c SCRIPT` in a keep-id container with `flags`.
  static Result keep_id(const std::vector<std::string>& flags, const std::string& script) {
    std::vector<std::string> all = {"--userns", "keep-id"};
    all.insert(all.end(), flags.begin(), flags.end());
    return run_in(all, {"sh", "-c", script}, {.timeout_s = 60});
  }
  // A detached busybox httpd on port 8080 as the caller (port 80 is not the caller's to
  // bind in a network namespace it does not own, under Podman too; / is not its to write).
  static Result keep_id_web(const std::string& name, const std::vector<std::string>& flags, const std::string& body) {
    std::vector<std::string> all = {"--userns", "keep-id"};
    all.insert(all.end(), flags.begin(), flags.end());
    return run_d(name, all, {"sh", "-c", "mkdir -p /tmp/www && printf '%s' '" + body +
                                             "' > /tmp/www/index.html && exec httpd -f -p 8080 -h /tmp/www"});
  }
  static void expect_nothing_left() {
    Result ps = pc({"ps", "-a", "-q"});
    EXPECT_PC_OK(ps);
    EXPECT_EQ(trim(ps.out), "") << ps;
    EXPECT_TRUE(poll_until([] { return store_processes().empty(); }, 15));
    for (const auto& p : store_processes()) ADD_FAILURE() << "left running: " << p;
  }
};

// A web server as the caller, published and named; a client on two networks.
TEST_F(NetworkKeepId, ContainersSeeTheCallerReachEachOtherByNameAndPublish) {
  ASSERT_PC_OK(pc({"network", "create", "kn"}));
  ASSERT_PC_OK(pc({"network", "create", "kn2"}));
  const int port = net::free_port();
  ASSERT_PC_OK(keep_id_web("web", {"--network", "kn", "-p", std::to_string(port) + ":8080"}, "kept"));
  EXPECT_TRUE(net::wait_http_body(port, "kept"));
  Result who = pc({"exec", "web", "id", "-u"});
  EXPECT_EQ(trim(who.out), kUid) << who;
  // Another keep-id container on both networks: its ids, both interfaces, web by name.
  Result client = keep_id({"--network", "kn2", "--network", "kn"},
                          "id -u; id -g; ip -o link | grep -c eth; timeout 10 wget -qO- http://web:8080/");
  EXPECT_PC_OK(client);
  EXPECT_EQ(client.out, kUid + "\n" + kGid + "\n2\nkept") << client;
  // keep-id:uid=,gid= gives other ids inside, on the network as well. The netns's settings
  // are made from the shared namespace that owns it: --sysctl net.*, and unprivileged ICMP
  // sockets for the payload's group (the caller's). (busybox's ping uses none.)
  Result ids = run_in({"--userns", "keep-id:uid=1234,gid=2345", "--network", "kn", "--sysctl",
                       "net.ipv4.ip_unprivileged_port_start=0"},
                      {"sh", "-c", "id -u; id -g; cat /proc/sys/net/ipv4/ip_unprivileged_port_start; "
                                   "cat /proc/sys/net/ipv4/ping_group_range; timeout 10 wget -qO- http://web:8080/"},
                      {.timeout_s = 60});
  EXPECT_PC_OK(ids);
  EXPECT_EQ(ids.out, "1234\n2345\n0\n2345\t2345\nkept") << ids;
  // A default-mapping container on the network reaches it too.
  Result plain = run_in({"--network", "kn"}, {"sh", "-c", "id -u; timeout 10 wget -qO- http://web:8080/"});
  EXPECT_EQ(plain.out, "0\nkept") << plain;
  // Containers sharing its network namespace (--network container:) live in its user
  // namespace, entered through the shared one that owns the netns.
  Result shared = run_in({"--userns", "keep-id", "--network", "container:web"},
                         {"sh", "-c", "id -u; timeout 10 wget -qO- http://127.0.0.1:8080/"});
  EXPECT_EQ(shared.out, kUid + "\nkept") << shared;
  ASSERT_PC_OK(pc({"rm", "-f", "-t", "0", "web"}));
  EXPECT_TRUE(net::port_free(SOCK_STREAM, "0.0.0.0", port));
  ASSERT_PC_OK(pc({"network", "rm", "kn", "kn2"}));
  expect_nothing_left();
}

TEST_F(NetworkKeepId, ConnectAndDisconnectARunningKeepIdContainer) {
  ASSERT_PC_OK(pc({"network", "create", "a"}));
  ASSERT_PC_OK(pc({"network", "create", "b"}));
  ASSERT_PC_OK(run_web("web", {"--network", "a"}, "web"));
  ASSERT_PC_OK(run_d("client", {"--userns", "keep-id", "--network", "b"}, {"sleep", "600"}));
  auto from_client = [](const std::string& host) {
    return pc({"exec", "client", "sh", "-c", "timeout 5 wget -qO- http://" + host + "/"}, {.timeout_s = 30});
  };
  EXPECT_FALSE(from_client("web").ok());
  ASSERT_PC_OK(pc({"network", "connect", "a", "client"}));
  EXPECT_EQ(trim(from_client("web").out), "web");
  Result links = pc({"exec", "client", "ip", "-o", "link"});
  EXPECT_EQ(net::join(net::link_names(links.out)), "eth0,eth1,lo") << links;
  EXPECT_EQ(trim(pc({"exec", "client", "id", "-u"}).out), kUid);
  ASSERT_PC_OK(pc({"network", "disconnect", "a", "client"}));
  EXPECT_FALSE(from_client("web").ok());
  EXPECT_EQ(inspect("client", "{{len .NetworkSettings.Networks}}"), "1");
  ASSERT_PC_OK(pc({"rm", "-f", "-t", "0", "web", "client"}));
  ASSERT_PC_OK(pc({"network", "rm", "a", "b"}));
  expect_nothing_left();
}

TEST_F(NetworkKeepId, AKeepIdPodOnANetworkAnswersToItsNameAndItsMembers) {
  ASSERT_PC_OK(pc({"network", "create", "app"}));
  const int port = net::free_port();
  ASSERT_PC_OK(pc({"pod", "create", "--name", "kp", "--userns", "keep-id", "--network", "app", "-p",
                   std::to_string(port) + ":8080"}));
  ASSERT_PC_OK(keep_id_web("member", {"--pod", "kp"}, "in the pod"));
  EXPECT_TRUE(net::wait_http_body(port, "in the pod"));
  EXPECT_EQ(trim(pc({"exec", "member", "id", "-u"}).out), kUid);
  Result by_name = run_in({"--network", "app"}, {"sh", "-c", "timeout 10 wget -qO- http://kp:8080/ && echo && "
                                                             "timeout 10 wget -qO- http://member:8080/"});
  EXPECT_EQ(by_name.out, "in the pod\nin the pod") << by_name;
  ASSERT_PC_OK(pc({"pod", "rm", "-f", "-t", "0", "kp"}));
  ASSERT_PC_OK(pc({"network", "rm", "app"}));
  expect_nothing_left();
}

// Another container's pid (ipc, uts) namespace belongs to a user namespace the nested one
// cannot be made in: refused with the reason, nothing made.
TEST_F(NetworkKeepId, JoiningAnotherContainersNamespacesIsRefusedWithNothingLeft) {
  ASSERT_PC_OK(pc({"network", "create", "kn"}));
  ASSERT_PC_OK(run_d("holder", {}, {"sleep", "600"}));
  Result r = pc({"run", "--rm", "--userns", "keep-id", "--network", "kn", "--pid", "container:holder", image(), "true"});
  EXPECT_EXIT_CODE(r, 125);
  EXPECT_TRUE(contains(r.err, "--userns=keep-id on networks by name cannot be combined with another container's --pid"))
      << r;
  EXPECT_EQ(trim(pc({"ps", "-a", "--format", "{{.Names}}"}).out), "holder");
  ASSERT_PC_OK(pc({"rm", "-f", "-t", "0", "holder"}));
  ASSERT_PC_OK(pc({"network", "rm", "kn"}));
  expect_nothing_left();
  EXPECT_FALSE(path_exists(store().runroot() + "/networks/holder.pid"));
}

class ComposeKeepId : public ComposeProject {};

// Docker Compose's way (and devcontainers'): userns_mode: keep-id with the project's
// networks, outside a pod.
TEST_F(ComposeKeepId, ServicesWithUsernsKeepIdOnTheProjectNetwork) {
  const int port = net::free_port();
  file("services:\n"
       "  web:\n    image: localhost/busybox\n    userns_mode: keep-id\n"
       "    command: [\"sh\", \"-c\", \"mkdir -p /tmp/www && echo from-web > /tmp/www/index.html && "
       "exec httpd -f -p 8080 -h /tmp/www\"]\n"
       "    ports: [\"" + std::to_string(port) + ":8080\"]\n"
       "  client:\n    image: localhost/busybox\n    userns_mode: keep-id\n    command: [\"sleep\", \"600\"]\n");
  ASSERT_PC_OK(compose({"--in-pod=false", "up", "-d"}));
  EXPECT_TRUE(net::wait_http_body(port, "from-web\n"));
  Result r = compose({"--in-pod=false", "exec", "-T", "client", "sh", "-c",
                      "id -u; timeout 10 wget -qO- http://web:8080/"});
  EXPECT_PC_OK(r);
  EXPECT_EQ(r.out, kUid + "\nfrom-web\n") << r;
  ASSERT_PC_OK(compose({"--in-pod=false", "down", "-t", "0"}));
  EXPECT_EQ(trim(pc({"ps", "-a", "-q"}).out), "");
}

}  // namespace
}  // namespace pcit
