// Robustness of the monitor's slirp loop: 1,000 connections (published port and container ->
// host), a burst beyond the soft open-file limit, 1 GiB each way, without the monitor's memory
// growing. Shared pieces: network_fixtures.hpp.
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstdint>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "harness.hpp"
#include "network_fixtures.hpp"
#include "network_servers.hpp"
#include "network_sockets.hpp"

using namespace pcit;
using namespace pcit::net;

// ---------------------------------------------------------------- robustness of the slirp loop

namespace {

long rss_kib(pid_t pid) {
  std::istringstream is(read_file("/proc/" + std::to_string(pid) + "/status"));
  std::string line;
  while (std::getline(is, line))
    if (line.rfind("VmRSS:", 0) == 0) return atol(line.c_str() + 6);
  return -1;
}

int fd_count(pid_t pid) { return static_cast<int>(list_tree("/proc/" + std::to_string(pid) + "/fd").size()); }

// The published-port stress runs twice: through pc's TCP proxy (the default port handler) and
// through libslirp's own host forwarding (port_handler=slirp4netns), which is the slirp loop.
const std::vector<std::string> kViaSlirpHostfwd = {"--network", "slirp4netns:port_handler=slirp4netns"};
// The stress containers' monitors run with the common default soft limit on open files.
constexpr int kSoftNofile = 1024;

std::vector<std::string> with(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

class NetworkStressBase : public NetworkTest {
 protected:
  // 1,000 sequential connect/GET/close to a published httpd; all served, monitor RSS flat.
  void thousand_connections(const std::vector<std::string>& net) {
    int hp = free_port();
    std::string content = "many-" + random_suffix();
    std::string name = unique_name("web");
    ASSERT_PC_OK(run_web(name, with(net, {"-p", std::to_string(hp) + ":80"}), content, 80, "", kSoftNofile));
    ASSERT_TRUE(wait_http_body(hp, content));
    pid_t mon = monitor_pid(name);
    ASSERT_GT(mon, 1);
    for (int i = 0; i < 50; ++i) http_get(hp);  // warm-up: the allocator's working set
    long before = rss_kib(mon);
    ASSERT_GT(before, 0) << "cannot read /proc/" << mon << "/status";
    auto start = Clock::now();
    int failures = 0;
    std::string first_failure;
    for (int i = 0; i < 1000; ++i) {
      auto r = http_get(hp, 10);
      if (!r || http_body(*r) != content) {
        if (failures++ == 0) first_failure = "request " + std::to_string(i) + ": " + (r ? *r : "(no response)");
      }
    }
    double secs = since(start);
    long after = rss_kib(mon);
    EXPECT_EQ(failures, 0) << first_failure;
    EXPECT_TRUE(wait_running(name, 5)) << "the container died";
    EXPECT_LT(after - before, 2048) << "monitor VmRSS " << before << " kB -> " << after << " kB over 1,000 connections";
    std::cerr << "[ info ] 1000 connections in " << secs << " s; monitor VmRSS " << before << " -> " << after << " kB\n";
    // the published port still works
    EXPECT_TRUE(wait_http_body(hp, content, 10));
  }

  // 1 GiB streamed by the container (nc -l behind a published port) to the test, then EOF.
  void gib_out_of_published(const std::vector<std::string>& net) {
    int hp = free_port();
    std::string name = unique_name("bulk");
    // port 81: 16 MiB (warm-up), port 80: 1 GiB, both then EOF; each served again and again
    std::string script =
        "(while :; do dd if=/dev/zero bs=1M count=16 2>/dev/null | nc -l -p 81; done) & "
        "while :; do dd if=/dev/zero bs=1M count=1024 2>/dev/null | nc -l -p 80; done";
    ASSERT_PC_OK(run_d(name, with(net, {"-p", std::to_string(hp) + ":80", "-p", "81"}), {"sh", "-c", script}, "", kSoftNofile));
    // the warm-up port was published to a random host port
    Result p81 = pc({"port", name, "81"});
    ASSERT_PC_OK(p81);
    int wp = std::stoi(trim(p81.out).substr(trim(p81.out).rfind(':') + 1));
    pid_t mon = monitor_pid(name);
    ASSERT_GT(mon, 1);
    const int64_t warm = 16LL << 20, big = 1LL << 30;
    bool eof = false;
    int64_t got = -1;
    ASSERT_TRUE(poll_until([&] { got = read_count(wp, warm + 1, 30, &eof); return got == warm && eof; }, 60, 100))
        << "warm-up read " << got << " bytes, eof " << eof;
    long before = rss_kib(mon);
    auto start = Clock::now();
    ASSERT_TRUE(poll_until([&] { got = read_count(hp, big + 1, 120, &eof); return got > 0; }, 30, 100))
        << "no data from the published port";
    double secs = since(start);
    long after = rss_kib(mon);
    EXPECT_EQ(got, big) << "bytes received";
    EXPECT_TRUE(eof) << "no EOF after the stream";
    EXPECT_LT(after - before, 2048) << "monitor VmRSS " << before << " kB -> " << after << " kB over 1 GiB";
    std::cerr << "[ info ] 1 GiB container->host via published port in " << secs << " s; monitor VmRSS " << before
              << " -> " << after << " kB\n";
  }

  // 1 GiB sent by the test into a published port (nc -l | wc -c in the container).
  void gib_into_published(const std::vector<std::string>& net) {
    int hp = free_port();
    std::string name = unique_name("upload");
    ASSERT_PC_OK(run_d(name, with(net, {"-p", std::to_string(hp) + ":80"}),
                       {"sh", "-c",
                        // nc's stdin never ends (a fifo held open read-write): it sends nothing and
                        // stops at the host's EOF
                        "mkfifo /tmp/in && exec 3<>/tmp/in && "
                        "while :; do n=$(nc -l -p 80 <&3 | wc -c); echo \"received $n\"; done"},
                       "", kSoftNofile));
    pid_t mon = monitor_pid(name);
    ASSERT_GT(mon, 1);
    // Sends `bytes` zeros, half-closes, waits for the container's close; true when all was sent.
    auto upload = [&](int64_t bytes) {
      Fd s = connect_tcp(hp, 5);
      if (!s) return false;
      std::vector<char> buf(1 << 20, 0);
      int64_t left = bytes;
      while (left > 0) {
        size_t n = static_cast<size_t>(std::min<int64_t>(left, buf.size()));
        if (!send_all(s.fd, buf.data(), n)) return false;
        left -= n;
      }
      shutdown(s.fd, SHUT_WR);
      char c;
      while (wait_readable(s.fd, 60000) && recv(s.fd, &c, 1, 0) > 0) {
      }
      return true;
    };
    auto logged = [&](int64_t n) {
      return poll_until([&] { return contains(pc({"logs", name}).out, "received " + std::to_string(n) + "\n"); }, 60, 200);
    };
    // warm-up (until the container's nc listens: an early connection is refused or reset)
    const int64_t warm = 16LL << 20, big = 1LL << 30;
    ASSERT_TRUE(poll_until([&] { return upload(warm) && logged(warm); }, 60, 200)) << pc({"logs", name});
    long before = rss_kib(mon);
    auto start = Clock::now();
    // The container's shell restarts nc right after it logs the count: until then a connection
    // is refused (by slirp's forward: reset after the accept), so a failed upload is retried.
    ASSERT_TRUE(poll_until([&] { return upload(big); }, 60, 100)) << "the upload failed";
    EXPECT_TRUE(logged(big)) << pc({"logs", name});
    double secs = since(start);
    long after = rss_kib(mon);
    EXPECT_LT(after - before, 2048) << "monitor VmRSS " << before << " kB -> " << after << " kB over 1 GiB";
    std::cerr << "[ info ] 1 GiB host->container via published port in " << secs << " s; monitor VmRSS " << before
              << " -> " << after << " kB\n";
  }
};

class NetworkStress : public NetworkStressBase {};

}  // namespace

TEST_F(NetworkStress, ThousandShortConnectionsToAPublishedPort) { thousand_connections({}); }
TEST_F(NetworkStress, ThousandShortConnectionsToAPublishedPortViaSlirpHostfwd) { thousand_connections(kViaSlirpHostfwd); }
TEST_F(NetworkStress, OneGiBFromContainerThroughAPublishedPort) { gib_out_of_published({}); }
TEST_F(NetworkStress, OneGiBFromContainerThroughAPublishedPortViaSlirpHostfwd) { gib_out_of_published(kViaSlirpHostfwd); }
TEST_F(NetworkStress, OneGiBFromHostIntoAPublishedPort) { gib_into_published({}); }
TEST_F(NetworkStress, OneGiBFromHostIntoAPublishedPortViaSlirpHostfwd) { gib_into_published(kViaSlirpHostfwd); }

TEST_F(NetworkStress, ThousandShortConnectionsFromContainerToHost) {
  // Through the slirp loop: 10.0.2.2 -> the test's server on 127.0.0.1. The server closes
  // first (HTTP/1.0), so libslirp keeps each connection (its host socket and buffers) for
  // 2*MSL (10 s) in TIME_WAIT: the memory must come back once TIME_WAIT is over. (The monitor
  // runs with the test's own open-file limit here; the 1,024 limit is the Burst test's subject.)
  std::string body = "to-host-" + random_suffix();
  TcpServer srv(TcpServer::Mode::Http, body);
  std::string name = unique_name("client");
  ASSERT_PC_OK(run_d(name, {}, {"sleep", "1000"}));
  pid_t mon = monitor_pid(name);
  ASSERT_GT(mon, 1);
  std::string url = "http://10.0.2.2:" + std::to_string(srv.port()) + "/";
  std::string loop = "ok=0; i=0; while [ $i -lt $N ]; do [ \"$(wget -qO- " + url + ")\" = " + body +
                     " ] && ok=$((ok+1)); i=$((i+1)); done; echo ok=$ok";
  long rss0 = rss_kib(mon);
  int fds0 = fd_count(mon);
  Result warm = pc({"exec", "-e", "N=50", name, "sh", "-c", loop}, {.timeout_s = 60});
  ASSERT_PC_OK(warm);
  EXPECT_EQ(warm.out, "ok=50\n");
  // baseline: the warm-up's connections are out of TIME_WAIT
  poll_until([&] { return fd_count(mon) <= fds0; }, 60, 200);
  long before = rss_kib(mon);
  int fds_before = fd_count(mon);
  auto start = Clock::now();
  Result r = pc({"exec", "-e", "N=1000", name, "sh", "-c", loop}, {.timeout_s = 240});
  double secs = since(start);
  long peak = rss_kib(mon);
  int fds_peak = fd_count(mon);
  EXPECT_PC_OK(r);
  EXPECT_EQ(r.out, "ok=1000\n") << "connections failed (monitor's open files: " << fds_peak << ")"
                                << r.err.substr(0, 300);
  EXPECT_EQ(srv.connections(), 1050);
  // everything is released once TIME_WAIT is over (2*MSL = 10 s in libslirp)
  auto settle = Clock::now();
  bool released = poll_until([&] { return fd_count(mon) <= fds_before + 2 && rss_kib(mon) - before < 2048; }, 60, 250);
  long after = rss_kib(mon);
  EXPECT_TRUE(released) << "monitor VmRSS " << before << " kB -> " << peak << " kB (peak) -> " << after
                        << " kB 60 s later; open files " << fds_before << " -> " << fds_peak << " -> " << fd_count(mon);
  std::cerr << "[ info ] 1000 container->host connections in " << secs << " s; monitor VmRSS " << rss0 << "/" << before
            << " -> peak " << peak << " -> " << after << " kB after " << since(settle) << " s; open files "
            << fds_before << " -> " << fds_peak << " -> " << fd_count(mon) << "\n";
}

TEST_F(NetworkStress, BurstOfContainerToHostConnectionsBeyondTheSoftFdLimit) {
  // 1,500 connections within a few seconds: more than 1,024 are in libslirp's TIME_WAIT at
  // once, each holding a host socket of the monitor. Podman raises its soft RLIMIT_NOFILE to the
  // hard limit (slirp4netns inherits it); a monitor that keeps the caller's 1,024 runs out of
  // file descriptors and the container's connections fail ("Network is unreachable").
  struct rlimit rl {};
  getrlimit(RLIMIT_NOFILE, &rl);
  if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < 4096)
    GTEST_SKIP() << "hard RLIMIT_NOFILE is " << rl.rlim_max << ": too low for this test";
  std::string body = "burst-" + random_suffix();
  TcpServer srv(TcpServer::Mode::Http, body);
  std::string name = unique_name("burst");
  ASSERT_PC_OK(run_d(name, {}, {"sleep", "1000"}, "", kSoftNofile));
  pid_t mon = monitor_pid(name);
  ASSERT_GT(mon, 1);
  std::string url = "http://10.0.2.2:" + std::to_string(srv.port()) + "/";
  std::string loop = "ok=0; i=0; while [ $i -lt 1500 ]; do [ \"$(wget -qO- " + url + " 2>/tmp/err)\" = " + body +
                     " ] && ok=$((ok+1)); i=$((i+1)); done; echo ok=$ok; cat /tmp/err >&2";
  Result r = pc({"exec", name, "sh", "-c", loop}, {.timeout_s = 240});
  EXPECT_PC_OK(r);
  EXPECT_EQ(trim(r.out), "ok=1500") << "monitor's open files now " << fd_count(mon) << "; last wget error: " << r.err;
  EXPECT_TRUE(wait_running(name, 5));
}

TEST_F(NetworkStress, OneGiBFromContainerToHostServer) {
  TcpServer sink(TcpServer::Mode::Sink);
  std::string name = unique_name("push");
  ASSERT_PC_OK(run_d(name, {}, {"sleep", "1000"}));
  pid_t mon = monitor_pid(name);
  ASSERT_GT(mon, 1);
  std::string p = std::to_string(sink.port());
  Result w = pc({"exec", name, "sh", "-c", "dd if=/dev/zero bs=1M count=16 2>/dev/null | nc 10.0.2.2 " + p}, {.timeout_s = 60});
  ASSERT_PC_OK(w);
  ASSERT_TRUE(sink.wait_totals(1, 30));
  EXPECT_EQ(sink.totals()[0], 16LL << 20);
  long before = rss_kib(mon);
  auto start = Clock::now();
  Result b = pc({"exec", name, "sh", "-c", "dd if=/dev/zero bs=1M count=1024 2>/dev/null | nc 10.0.2.2 " + p},
                {.timeout_s = 240});
  double secs = since(start);
  ASSERT_PC_OK(b);
  ASSERT_TRUE(sink.wait_totals(2, 30));
  long after = rss_kib(mon);
  EXPECT_EQ(sink.totals()[1], 1LL << 30);
  EXPECT_LT(after - before, 2048) << "monitor VmRSS " << before << " kB -> " << after << " kB over 1 GiB";
  std::cerr << "[ info ] 1 GiB container->host server in " << secs << " s; monitor VmRSS " << before << " -> "
            << after << " kB\n";
}
