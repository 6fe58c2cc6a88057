// pc compose outside a pod (`--in-pod=false`, `x-podman: {in_pod: false}`), as the test
// user: each service in a network namespace of its own on the project's networks, so two
// services listen on one port, a scaled service runs its replicas side by side, and
// services reach each other by service name, container name and alias through the
// networks' DNS; down leaves no container, network, pod or process; a missing external
// network, a driver pc has not, or a network of the project's name made for another key
// fails with nothing created.
#include "compose_fixture.hpp"
#include "network_sockets.hpp"

namespace pcit {
namespace {

class ComposeNetworks : public ComposeProject {
 protected:
  // A busybox httpd on port 80 answering `body`.
  static std::string web_service(const std::string& name, const std::string& body, const std::string& extra = "") {
    return "  " + name + ":\n    image: localhost/busybox\n    init: true\n"
           "    command: [\"sh\", \"-c\", \"mkdir -p /www && echo " + body + " > /www/index.html && exec httpd -f -p 80 -h /www\"]\n"
           "    expose: [\"80\"]\n" +
           extra;
  }
  // wget http://HOST/ in a container of `service`, with a deadline (busybox's -T crashes).
  Result fetch(const std::string& service, const std::string& host) {
    return compose({"--in-pod=false", "exec", "-T", service, "timeout", "10", "wget", "-qO-", "http://" + host + "/"});
  }
  std::vector<std::string> project_networks() {
    Result ls = pc({"network", "ls", "--format", "{{.Name}}"});
    std::vector<std::string> out;
    for (const auto& n : lines(ls.out))
      if (contains(n, project_)) out.push_back(n);
    return out;
  }
};

TEST_F(ComposeNetworks, TwoServicesOnOnePortReachEachOtherByName) {
  const int port = net::free_port();
  file("services:\n" + web_service("web", "from-web", "    ports: [\"" + std::to_string(port) + ":80\"]\n") +
       web_service("api", "from-api", "    networks:\n      default:\n        aliases: [backend]\n"));
  // In one pod the two cannot both listen on 80: the error names the way out.
  Result clash = compose({"up", "-d"});
  EXPECT_EXIT_CODE(clash, 1);
  EXPECT_TRUE(contains(clash.err, "--in-pod=false")) << clash;
  EXPECT_EQ(trim(pc({"ps", "-a", "-q"}).out), "");

  Result up = compose({"--in-pod=false", "up", "-d"});
  ASSERT_PC_OK(up);
  EXPECT_TRUE(contains(up.err, "Network " + project_ + "_default  Created")) << up;
  EXPECT_EQ(trim(pc({"pod", "ps", "-q"}).out), "");
  for (const std::string& host : {std::string("api"), ctr("api"), std::string("backend")}) {
    Result r = fetch("web", host);
    EXPECT_PC_OK(r);
    EXPECT_EQ(trim(r.out), "from-api") << host;
  }
  EXPECT_EQ(trim(fetch("api", "web").out), "from-web");
  EXPECT_TRUE(net::wait_http_body(port, "from-web\n"));
  // Docker Compose's labels on the network.
  Result labels = pc({"network", "inspect", "--format",
                      "{{index .Labels \"com.docker.compose.project\"}} {{index .Labels \"com.docker.compose.network\"}}",
                      project_ + "_default"});
  EXPECT_EQ(trim(labels.out), project_ + " default") << labels;
  // A one-off of `run` joins the same network (podman-compose's PODMAN_COMPOSE_IN_POD=0
  // says --in-pod=false too); restart keeps the names.
  Result run = compose({"run", "--rm", "-T", "api", "timeout", "10", "wget", "-qO-", "http://web/"},
                       {.env = {{"PODMAN_COMPOSE_IN_POD", "0"}}});
  EXPECT_PC_OK(run);
  EXPECT_EQ(trim(run.out), "from-web");
  // `run -p` publishes the one-off's own port, on the project's network.
  const int run_port = net::free_port();
  ASSERT_PC_OK(compose({"--in-pod=false", "run", "-d", "-p", std::to_string(run_port) + ":80", "api"}));
  EXPECT_TRUE(net::wait_http_body(run_port, "from-api\n"));
  ASSERT_PC_OK(compose({"--in-pod=false", "restart", "-t", "0", "api"}));
  EXPECT_EQ(trim(fetch("web", "api").out), "from-api");
  EXPECT_EQ(lines(compose({"ps", "-q"}).out).size(), 2u);

  ASSERT_PC_OK(compose({"down", "-t", "0"}));
  EXPECT_EQ(trim(pc({"ps", "-a", "-q"}).out), "");
  EXPECT_EQ(trim(pc({"pod", "ps", "-q"}).out), "");
  EXPECT_TRUE(project_networks().empty());
  EXPECT_TRUE(poll_until([] { return store_processes().empty(); }, 15));
}

TEST_F(ComposeNetworks, XPodmanInPodFalseRunsScaledReplicasSideBySide) {
  file("x-podman:\n  in_pod: false\nservices:\n" + web_service("web", "replica", "    networks: [default, front]\n") +
       "  client:\n    image: localhost/busybox\n    init: true\n    command: [sleep, \"300\"]\n"
       "    networks: [front]\n"
       "  db: {image: localhost/busybox, init: true, command: [sleep, \"300\"]}\n"
       "networks:\n  front: {}\n");
  // The flag wins over the file: in a pod first; then, by the file, on networks (the pod
  // goes and its member is made again outside it).
  ASSERT_PC_OK(compose({"--in-pod=true", "up", "-d", "client"}));
  EXPECT_NE(trim(pc({"pod", "ps", "-q"}).out), "");
  ASSERT_PC_OK(compose({"up", "-d", "--scale", "web=2"}));
  EXPECT_EQ(trim(pc({"pod", "ps", "-q"}).out), "");
  for (int n = 1; n <= 2; ++n) {
    Result r = compose({"exec", "-T", "client", "timeout", "10", "wget", "-qO-", "http://" + ctr("web", n) + "/"});
    EXPECT_PC_OK(r);
    EXPECT_EQ(trim(r.out), "replica");
  }
  // Both replicas answer to the service's name ("Address:" of the server, then of each).
  Result ns = compose({"exec", "-T", "client", "nslookup", "web"});
  size_t addresses = 0;
  for (const auto& l : lines(ns.out)) addresses += contains(l, "Address") ? 1 : 0;
  EXPECT_GE(addresses, 3u) << ns;
  // The isolation the file declares: db (on default only) is web's neighbour, not client's.
  EXPECT_PC_OK(compose({"exec", "-T", "web", "timeout", "5", "nslookup", "db"}));
  Result hidden = compose({"exec", "-T", "client", "timeout", "5", "nslookup", "db"});
  EXPECT_FALSE(hidden.ok()) << hidden;
  EXPECT_EQ(project_networks().size(), 2u);
  ASSERT_PC_OK(compose({"down", "-t", "0"}));
  EXPECT_TRUE(project_networks().empty());
  EXPECT_EQ(trim(pc({"ps", "-a", "-q"}).out), "");
}

TEST_F(ComposeNetworks, BadNetworksFailWithNothingCreated) {
  file("services:\n  a: {image: localhost/busybox, command: [sleep, \"300\"], networks: [ext]}\n"
       "networks:\n  ext:\n    external: true\n    name: no-such-net-" + project_ + "\n");
  Result ext = compose({"--in-pod=false", "up", "-d"});
  EXPECT_EXIT_CODE(ext, 1);
  EXPECT_TRUE(contains(ext.err, "networks.ext")) << ext;
  EXPECT_TRUE(contains(ext.err, "not found")) << ext;
  EXPECT_EQ(trim(pc({"ps", "-a", "-q"}).out), "");
  EXPECT_TRUE(project_networks().empty());

  file("services:\n  a: {image: localhost/busybox, command: [sleep, \"300\"], networks: [back]}\n"
       "  b: {image: localhost/busybox, command: [sleep, \"300\"]}\n"
       "networks:\n  back:\n    driver: macvlan\n");
  Result drv = compose({"--in-pod=false", "up", "-d"});
  EXPECT_EXIT_CODE(drv, 1);
  EXPECT_TRUE(contains(drv.err, "networks.back.driver")) << drv;
  EXPECT_EQ(trim(pc({"ps", "-a", "-q"}).out), "");
  EXPECT_TRUE(project_networks().empty());
  EXPECT_EQ(trim(pc({"pod", "ps", "-q"}).out), "");

  // A network of the project's name that compose made for another key is not taken.
  file("services:\n  a: {image: localhost/busybox, command: [sleep, \"300\"]}\n");
  ASSERT_PC_OK(pc({"network", "create", "--label", "com.docker.compose.network=other", "--label",
                   "com.docker.compose.project=" + project_, project_ + "_default"}));
  Result label = compose({"--in-pod=false", "up", "-d"});
  EXPECT_EXIT_CODE(label, 1);
  EXPECT_TRUE(contains(label.err, "incorrect label com.docker.compose.network")) << label;
  EXPECT_EQ(trim(pc({"ps", "-a", "-q"}).out), "");
  EXPECT_PC_OK(pc({"network", "rm", project_ + "_default"}));
}

}  // namespace
}  // namespace pcit
