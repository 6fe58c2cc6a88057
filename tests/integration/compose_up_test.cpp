// pc compose's runtime, run as the test user: projects from local images brought up as one
// pod each, with depends_on conditions that really wait, names that resolve, ports on the
// host, volumes, secrets, profiles, scale, recreation on change only, logs, exec and run,
// an attached `up` stopped with SIGINT, concurrency and faults; every bad input fails with
// nothing started.
#include <signal.h>
#include <unistd.h>

#include <set>
#include <thread>

#include "compose_fixture.hpp"
#include "network_sockets.hpp"

namespace pcit {
namespace {

class Compose : public ComposeProject {};

TEST_F(Compose, ServicesResolveEachOtherAndPublishOnTheHost) {
  const int port = net::free_port();
  file("services:\n"
       "  web:\n"
       "    image: localhost/busybox\n"
       "    command: [\"sh\", \"-c\", \"mkdir -p /www && echo hello-compose > /www/index.html && exec httpd -f -p 8080 -h /www\"]\n"
       "    ports: [\"" + std::to_string(port) + ":8080\"]\n"
       "    init: true\n"
       "  client:\n"
       "    image: localhost/busybox\n"
       "    command: [\"sleep\", \"300\"]\n"
       "    init: true\n"
       "    hostname: clienthost\n"
       "    networks:\n"
       "      default:\n"
       "        aliases: [cli]\n");
  Result up = compose({"up", "-d"});
  ASSERT_PC_OK(up);
  EXPECT_TRUE(contains(up.err, "Container " + ctr("web") + "  Started")) << up;
  EXPECT_TRUE(net::wait_http_body(port, "hello-compose\n"));
  // By service name, container name, and from the alias'd service back.
  for (const std::string& host : {std::string("web"), ctr("web")}) {
    Result r = compose({"exec", "-T", "client", "wget", "-qO-", "http://" + host + ":8080/"});
    EXPECT_PC_OK(r);
    EXPECT_EQ(trim(r.out), "hello-compose") << host;
  }
  Result alias = compose({"exec", "-T", "web", "grep", "-w", "cli", "/etc/hosts"});
  EXPECT_TRUE(contains(alias.out, "127.0.0.1")) << alias;
  EXPECT_EQ(trim(compose({"exec", "-T", "client", "hostname"}).out), "clienthost");
  // Docker Compose's labels and names.
  Result labels = pc({"inspect", "--format",
                      "{{index .Config.Labels \"com.docker.compose.project\"}} {{index .Config.Labels \"com.docker.compose.service\"}} "
                      "{{index .Config.Labels \"com.docker.compose.container-number\"}} {{index .Config.Labels \"com.docker.compose.oneoff\"}}",
                      ctr("web")});
  EXPECT_EQ(trim(labels.out), project_ + " web 1 False") << labels;
  Result ps = compose({"ps", "--format", "json"});
  EXPECT_PC_OK(ps);
  EXPECT_EQ(lines(ps.out).size(), 2u) << ps;
  EXPECT_TRUE(contains(ps.out, "\"Service\":\"web\"")) << ps;
  Result port_cmd = compose({"port", "web", "8080"});
  EXPECT_EQ(trim(port_cmd.out), "0.0.0.0:" + std::to_string(port)) << port_cmd;
  Result ls = compose({"ls", "--format", "json"});
  EXPECT_TRUE(contains(ls.out, "\"Name\":\"" + project_ + "\"")) << ls;
  Result down = compose({"down", "-t", "0"});
  ASSERT_PC_OK(down);
  EXPECT_EQ(trim(pc({"ps", "-a", "-q"}).out), "");
  EXPECT_EQ(trim(pc({"pod", "ps", "-q"}).out), "");
}

TEST_F(Compose, DependsOnWaitsForHealthyAndCompletedSuccessfully) {
  // db serves only after 2 s; web fetches from it once at start: it works only if web
  // was started after db became healthy. init writes a file web reads at start.
  file("services:\n"
       "  db:\n"
       "    image: localhost/busybox\n"
       "    init: true\n"
       "    command: [\"sh\", \"-c\", \"sleep 2; mkdir -p /www && echo ready > /www/index.html && exec httpd -f -p 8081 -h /www\"]\n"
       "    healthcheck:\n"
       "      test: [\"CMD\", \"wget\", \"-qO-\", \"http://localhost:8081/\"]\n"
       "      interval: 500ms\n"
       "      retries: 30\n"
       "  init:\n"
       "    image: localhost/busybox\n"
       "    command: [\"sh\", \"-c\", \"sleep 1; echo seeded > /data/seed\"]\n"
       "    volumes: [\"data:/data\"]\n"
       "  web:\n"
       "    image: localhost/busybox\n"
       "    init: true\n"
       "    command: [\"sh\", \"-c\", \"wget -qO- http://db:8081/ && cat /data/seed && exec sleep 300\"]\n"
       "    volumes: [\"data:/data\"]\n"
       "    depends_on:\n"
       "      db: {condition: service_healthy}\n"
       "      init: {condition: service_completed_successfully}\n"
       "volumes:\n"
       "  data: {}\n");
  Result up = compose({"up", "-d"});
  ASSERT_PC_OK(up);
  EXPECT_TRUE(contains(up.err, "Container " + ctr("db") + "  Healthy")) << up;
  EXPECT_TRUE(poll_until([&] { return contains(compose({"logs", "web"}).out, "seeded"); }, 20));
  Result logs = compose({"logs", "web"});
  EXPECT_TRUE(contains(logs.out, "web-1  | ready")) << logs;
  EXPECT_EQ(state_of(ctr("web")), "running");
  // The named volume is the project's, and goes with down -v.
  EXPECT_PC_OK(pc({"volume", "exists", project_ + "_data"}));
  ASSERT_PC_OK(compose({"down", "-v", "-t", "0"}));
  EXPECT_EXIT_CODE(pc({"volume", "exists", project_ + "_data"}), 1);
}

TEST_F(Compose, AFailingDependencyNamesTheServiceAndStartsNothingAfterIt) {
  file("services:\n"
       "  migrate:\n"
       "    image: localhost/busybox\n"
       "    command: [\"sh\", \"-c\", \"exit 3\"]\n"
       "  app:\n"
       "    image: localhost/busybox\n"
       "    command: [\"sleep\", \"300\"]\n"
       "    depends_on:\n"
       "      migrate: {condition: service_completed_successfully}\n");
  Result up = compose({"up", "-d"});
  EXPECT_EXIT_CODE(up, 1);
  EXPECT_TRUE(contains(up.err, "service \"migrate\" didn't complete successfully: exit 3")) << up;
  EXPECT_EQ(state_of(ctr("app")), "created");
}

TEST_F(Compose, UnhealthyDependencyAndOptionalOneAndWait) {
  file("services:\n"
       "  sick:\n"
       "    image: localhost/busybox\n"
       "    init: true\n"
       "    command: [\"sleep\", \"300\"]\n"
       "    healthcheck: {test: [\"CMD\", \"false\"], interval: 300ms, retries: 1}\n"
       "  app:\n"
       "    image: localhost/busybox\n"
       "    init: true\n"
       "    command: [\"sleep\", \"300\"]\n"
       "    depends_on:\n"
       "      sick: {condition: service_healthy}\n");
  Result up = compose({"up", "-d"});
  EXPECT_EXIT_CODE(up, 1);
  EXPECT_TRUE(contains(up.err, "is unhealthy")) << up;
  ASSERT_PC_OK(compose({"down", "-t", "0"}));
  // The same dependency, optional: a warning, and app runs; up --wait fails on the
  // unhealthy one.
  file("services:\n"
       "  sick:\n"
       "    image: localhost/busybox\n"
       "    init: true\n"
       "    command: [\"sleep\", \"300\"]\n"
       "    healthcheck: {test: [\"CMD\", \"false\"], interval: 300ms, retries: 1}\n"
       "  app:\n"
       "    image: localhost/busybox\n"
       "    init: true\n"
       "    command: [\"sleep\", \"300\"]\n"
       "    depends_on:\n"
       "      sick: {condition: service_healthy, required: false}\n");
  Result optional = compose({"up", "-d"});
  EXPECT_PC_OK(optional);
  EXPECT_TRUE(contains(optional.err, "optional dependency")) << optional;
  EXPECT_EQ(state_of(ctr("app")), "running");
  Result wait = compose({"up", "--wait", "--wait-timeout", "20"});
  EXPECT_EXIT_CODE(wait, 1);
  EXPECT_TRUE(contains(wait.err, "unhealthy")) << wait;
}

TEST_F(Compose, ProfilesScaleAndRestartPolicy) {
  file("services:\n"
       "  worker:\n"
       "    image: localhost/busybox\n"
       "    init: true\n"
       "    command: [\"sleep\", \"300\"]\n"
       "  debug:\n"
       "    image: localhost/busybox\n"
       "    init: true\n"
       "    command: [\"sleep\", \"300\"]\n"
       "    profiles: [tools]\n"
       "  flaky:\n"
       "    image: localhost/busybox\n"
       "    command: [\"sh\", \"-c\", \"exit 2\"]\n"
       "    restart: on-failure:2\n");
  ASSERT_PC_OK(compose({"up", "-d", "--scale", "worker=3"}));
  for (int i = 1; i <= 3; ++i) EXPECT_EQ(state_of(ctr("worker", i)), "running") << i;
  EXPECT_TRUE(contains(state_of(ctr("debug")), "?"));  // not created: its profile is off
  EXPECT_TRUE(poll_until([&] { return trim(pc({"inspect", "--format", "{{.RestartCount}}", ctr("flaky")}).out) == "2"; }, 30));
  // Scaled down, and the profile on.
  ASSERT_PC_OK(compose({"--profile", "tools", "up", "-d", "--scale", "worker=1"}));
  EXPECT_EQ(state_of(ctr("worker", 1)), "running");
  EXPECT_TRUE(contains(state_of(ctr("worker", 2)), "?"));
  EXPECT_EQ(state_of(ctr("debug")), "running");
}

TEST_F(Compose, SecretsAndConfigsAreMountedWithTheirModes) {
  write_file(dir_ + "/token.txt", "s3cret");
  file("services:\n"
       "  app:\n"
       "    image: localhost/busybox\n"
       "    command: [\"sh\", \"-c\", \"stat -c '%a %u %g' /run/secrets/token; cat /run/secrets/token; echo; "
       "stat -c '%a' /etc/app.conf; cat /etc/app.conf; echo; cat /run/secrets/fromenv\"]\n"
       "    secrets:\n"
       "      - source: token\n"
       "        uid: '1000'\n"
       "        gid: '1000'\n"
       "        mode: 0400\n"
       "      - fromenv\n"
       "    configs:\n"
       "      - source: appconf\n"
       "        target: /etc/app.conf\n"
       "        mode: 0440\n"
       "secrets:\n"
       "  token: {file: ./token.txt}\n"
       "  fromenv: {environment: PCIT_SECRET}\n"
       "configs:\n"
       "  appconf: {content: \"key=value\"}\n");
  ASSERT_PC_OK(compose({"up", "-d"}, {.env = {{"PCIT_SECRET", "from-the-env"}}}));
  ASSERT_TRUE(poll_until([&] { return state_of(ctr("app")) == "exited"; }, 20));
  Result logs = compose({"logs", "--no-log-prefix", "app"});
  EXPECT_EQ(lines(logs.out), (std::vector<std::string>{"400 1000 1000", "s3cret", "440", "key=value", "from-the-env"})) << logs;
  // Read-only.
  Result ro = compose({"run", "--rm", "-T", "app", "sh", "-c", "echo x > /run/secrets/token"});
  EXPECT_NE(ro.exit_code, 0) << ro;
}

TEST_F(Compose, UpRecreatesOnlyWhatChanged) {
  file("services:\n"
       "  a: {image: localhost/busybox, init: true, command: [sleep, \"300\"], environment: {V: \"1\"}}\n"
       "  b: {image: localhost/busybox, init: true, command: [sleep, \"300\"]}\n");
  ASSERT_PC_OK(compose({"up", "-d"}));
  const std::string a1 = trim(pc({"inspect", "--format", "{{.Id}}", ctr("a")}).out);
  const std::string b1 = trim(pc({"inspect", "--format", "{{.Id}}", ctr("b")}).out);
  Result again = compose({"up", "-d"});
  ASSERT_PC_OK(again);
  EXPECT_TRUE(contains(again.err, "Container " + ctr("a") + "  Running")) << again;
  EXPECT_EQ(trim(pc({"inspect", "--format", "{{.Id}}", ctr("a")}).out), a1);
  file("services:\n"
       "  a: {image: localhost/busybox, init: true, command: [sleep, \"300\"], environment: {V: \"2\"}}\n"
       "  b: {image: localhost/busybox, init: true, command: [sleep, \"300\"]}\n");
  Result changed = compose({"up", "-d"});
  ASSERT_PC_OK(changed);
  EXPECT_TRUE(contains(changed.err, "Container " + ctr("a") + "  Recreate")) << changed;
  EXPECT_NE(trim(pc({"inspect", "--format", "{{.Id}}", ctr("a")}).out), a1);
  EXPECT_EQ(trim(pc({"inspect", "--format", "{{.Id}}", ctr("b")}).out), b1);
  EXPECT_EQ(trim(compose({"exec", "-T", "a", "sh", "-c", "echo $V"}).out), "2");
  ASSERT_PC_OK(compose({"up", "-d", "--force-recreate", "b"}));
  EXPECT_NE(trim(pc({"inspect", "--format", "{{.Id}}", ctr("b")}).out), b1);
}

TEST_F(Compose, LogsExecAndRunKeepExitCodesAndPrefixes) {
  file("services:\n"
       "  one: {image: localhost/busybox, init: true, command: [sh, -c, \"echo first; exec sleep 300\"]}\n"
       "  two: {image: localhost/busybox, init: true, command: [sh, -c, \"echo second >&2; exec sleep 300\"]}\n");
  ASSERT_PC_OK(compose({"up", "-d"}));
  ASSERT_TRUE(poll_until([&] { return contains(compose({"logs"}).out, "second"); }, 10));
  Result logs = compose({"logs", "--no-color"});
  EXPECT_TRUE(contains(logs.out, "one-1  | first")) << logs;
  EXPECT_TRUE(contains(logs.out, "two-1  | second")) << logs;
  EXPECT_EXIT_CODE(compose({"exec", "-T", "one", "sh", "-c", "exit 3"}), 3);
  Result run = compose({"run", "--rm", "-T", "one", "sh", "-c", "echo in-run; exit 4"});
  EXPECT_EXIT_CODE(run, 4);
  EXPECT_TRUE(contains(run.out, "in-run")) << run;
  // The one-off is gone (--rm), and was labelled as one.
  EXPECT_EQ(lines(pc({"ps", "-a", "--filter", "label=com.docker.compose.oneoff=True", "-q"}).out).size(), 0u);
  EXPECT_EXIT_CODE(compose({"exec", "-T", "nosuch", "true"}), 1);
  EXPECT_EXIT_CODE(compose({"logs", "nosuch"}), 1);
  EXPECT_EXIT_CODE(compose({"run", "--rm", "nosuch"}), 1);
}

TEST_F(Compose, AttachedUpPrefixesOutputAndStopsOnSigint) {
  file("services:\n"
       "  talker: {image: localhost/busybox, init: true, command: [sh, -c, \"echo hello-attached; exec sleep 300\"]}\n");
  auto up = store().pc_async({"compose", "-p", project_, "up"}, {.cwd = dir_});
  ASSERT_TRUE(up->wait_for_output("talker-1  | hello-attached", 30)) << up->out() << up->err();
  up->signal(SIGINT);
  Result r = up->wait(60);
  EXPECT_TRUE(contains(r.err, "Gracefully stopping")) << r;
  EXPECT_EQ(state_of(ctr("talker")), "exited");
}

TEST_F(Compose, BadInputFailsWithNothingStarted) {
  file("services:\n"
       "  a: {image: localhost/busybox, command: [sleep, \"300\"]}\n"
       "  b: {image: localhost/nosuchimage, command: [sleep, \"300\"]}\n");
  Result missing = compose({"up", "-d"});
  EXPECT_EXIT_CODE(missing, 1);
  EXPECT_TRUE(contains(missing.err, "nosuchimage")) << missing;
  EXPECT_EQ(trim(pc({"ps", "-a", "-q"}).out), "");
  EXPECT_EQ(trim(pc({"pod", "ps", "-q"}).out), "");
  // Two services on one port in the pod: found before anything starts, both named.
  file("services:\n"
       "  a: {image: localhost/busybox, command: [sleep, \"300\"], ports: [\"8080\"]}\n"
       "  b: {image: localhost/busybox, command: [sleep, \"300\"], expose: [\"8080\"]}\n");
  Result clash = compose({"up", "-d"});
  EXPECT_EXIT_CODE(clash, 1);
  EXPECT_TRUE(contains(clash.err, "\"a\" and \"b\" would both listen on port 8080/tcp")) << clash;
  EXPECT_EQ(trim(pc({"ps", "-a", "-q"}).out), "");
  // container_name cannot be scaled.
  file("services:\n"
       "  a: {image: localhost/busybox, command: [sleep, \"300\"], container_name: fixed}\n");
  Result scale = compose({"up", "-d", "--scale", "a=2"});
  EXPECT_EXIT_CODE(scale, 1);
  EXPECT_TRUE(contains(scale.err, "container_name")) << scale;
  // A loader error names the file, line and key.
  file("services:\n  a:\n    image: localhost/busybox\n    portz: [80]\n");
  Result bad = compose({"up", "-d"});
  EXPECT_EXIT_CODE(bad, 1);
  EXPECT_TRUE(contains(bad.err, "compose.yaml:4")) << bad;
  EXPECT_TRUE(contains(bad.err, "portz")) << bad;
  EXPECT_EQ(trim(pc({"ps", "-a", "-q"}).out), "");
  // A service refused while its container is made (after the pod, the first service's
  // container and a volume were): a first up takes all of it back, in a pod or not.
  for (const char* in_pod : {"true", "false"}) {
    file(std::string("x-podman: {in_pod: ") + in_pod + "}\n" +
         "services:\n"
         "  a: {image: localhost/busybox, command: [sleep, \"300\"], volumes: [\"data:/data\"]}\n"
         "  b: {image: localhost/busybox, command: [sleep, \"300\"], depends_on: [a], cap_add: [NOT_A_CAPABILITY]}\n"
         "volumes: {data: {}}\n");
    Result refused = compose({"up", "-d"});
    EXPECT_EXIT_CODE(refused, 1);
    EXPECT_TRUE(contains(refused.err, "NOT_A_CAPABILITY")) << refused;
    EXPECT_EQ(trim(pc({"ps", "-a", "-q"}).out), "") << in_pod;
    EXPECT_EQ(trim(pc({"pod", "ps", "-q"}).out), "") << in_pod;
    EXPECT_EQ(trim(pc({"volume", "ls", "-q"}).out), "") << in_pod;
    EXPECT_FALSE(contains(pc({"network", "ls"}).out, "_default")) << in_pod;
  }
}

TEST_F(Compose, ParallelUpsMakeOneSetAndAKilledUpConverges) {
  file("services:\n"
       "  a: {image: localhost/busybox, init: true, command: [sleep, \"300\"]}\n"
       "  b: {image: localhost/busybox, init: true, command: [sleep, \"300\"], depends_on: [a]}\n"
       "  c: {image: localhost/busybox, init: true, command: [sleep, \"300\"], depends_on: [b]}\n");
  auto one = store().pc_async({"compose", "-p", project_, "up", "-d"}, {.cwd = dir_});
  auto two = store().pc_async({"compose", "-p", project_, "up", "-d"}, {.cwd = dir_});
  EXPECT_PC_OK(one->wait(120));
  EXPECT_PC_OK(two->wait(120));
  EXPECT_EQ(lines(pc({"ps", "-a", "-q", "--filter", "label=com.docker.compose.project=" + project_}).out).size(), 3u);
  ASSERT_PC_OK(compose({"down", "-t", "0"}));
  // Killed half-way: up again converges, down removes everything.
  auto killed = store().pc_async({"compose", "-p", project_, "up", "-d"}, {.cwd = dir_});
  ASSERT_TRUE(killed->wait_for_output("Creating", 30, true));
  killed->signal_group(SIGKILL);
  killed->wait(10);
  ASSERT_PC_OK(compose({"up", "-d"}));
  for (const char* s : {"a", "b", "c"}) EXPECT_EQ(state_of(ctr(s)), "running") << s;
  ASSERT_PC_OK(compose({"down", "-t", "0"}));
  EXPECT_EQ(trim(pc({"ps", "-a", "-q"}).out), "");
  EXPECT_EQ(trim(pc({"pod", "ps", "-q"}).out), "");
}

TEST_F(Compose, NetworkModeHostAndServiceRunOutsideThePod) {
  file("services:\n"
       "  base: {image: localhost/busybox, init: true, command: [sleep, \"300\"], hostname: basehost}\n"
       "  side: {image: localhost/busybox, init: true, command: [sleep, \"300\"], network_mode: \"service:base\", depends_on: [base]}\n"
       "  none: {image: localhost/busybox, init: true, command: [sleep, \"300\"], network_mode: none}\n");
  ASSERT_PC_OK(compose({"up", "-d"}));
  Result links = compose({"exec", "-T", "none", "ip", "-o", "link"});
  EXPECT_EQ(net::link_names(links.out), (std::set<std::string>{"lo"})) << links;
  Result mode = pc({"inspect", "--format", "{{.HostConfig.NetworkMode}}", ctr("side")});
  EXPECT_TRUE(contains(mode.out, "container:")) << mode;
}

}  // namespace
}  // namespace pcit
