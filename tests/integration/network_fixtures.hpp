// Shared pieces of the network integration tests (network_*_test.cpp, rootless networking:
// libslirp in the monitor): the NetworkTest fixture, the in-container UDP helper and a few
// helpers on `ip` output. Sockets are in network_sockets.hpp, the test's servers in
// network_servers.hpp.
//
// Every server is real and lives in this process, on 127.0.0.1 (threads, stopped and joined
// by their destructors); host ports are random free ones. No fixed sleeps: everything polls
// with a timeout. Nothing here sends traffic anywhere but this machine's loopback: names are
// resolved through /etc/hosts only (busybox's static glibc reads /etc/hosts before DNS when
// there is no nsswitch.conf), and no test looks up a name that is not in /etc/hosts.
//
// busybox's nc has no UDP (-u) in Debian's build. UDP from the container to the host uses
// busybox tftp (one request, one DATA reply, printed on stdout). A UDP server inside a
// container is this test binary itself, run by the host's dynamic loader from bind-mounted
// host directories with PCIT_NET_HELPER=udp-echo:PORT (see net_helper_main in
// network_fixtures.cpp).
#pragma once

#include <sys/types.h>

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "harness.hpp"

namespace pcit::net {

// `pc run` flags and command that run this binary in helper mode inside a busybox container:
// the host's loader directory (with libc, libstdc++...) and this binary's directory are
// bind-mounted read-only.
struct HelperInvocation {
  std::vector<std::string> flags, cmd;
};
HelperInvocation helper_invocation(const std::string& spec);

// Interface names from `ip -o link` ("2: eth0@if7: <...>" -> "eth0").
std::set<std::string> link_names(const std::string& ip_o_link);

std::string join(const std::set<std::string>& s);

class NetworkTest : public PcTest {
 protected:
  void TearDown() override;

  static std::string inspect(const std::string& name, const std::string& format);

  // pc run -d --name NAME FLAGS IMAGE CMD...
  // soft_nofile > 0: pc (and so the monitor it starts) runs with that soft RLIMIT_NOFILE, the
  // usual default of a login session (1024), whatever the test process has.
  static Result run_d(const std::string& name, const std::vector<std::string>& flags,
                      const std::vector<std::string>& cmd, const std::string& img = "", int soft_nofile = 0);

  // A detached busybox httpd serving `content` as / on container port `cport`.
  static Result run_web(const std::string& name, const std::vector<std::string>& flags,
                        const std::string& content, int cport = 80, const std::string& img = "", int soft_nofile = 0);

  // Imports busybox + extra files (appended to the tarball) as `name`, with `changes`.
  bool import_image_with(const std::string& name, const std::vector<std::pair<std::string, std::string>>& files,
                         const std::vector<std::string>& changes = {});

  // The monitor's pid: .State.ConmonPid, else the grandparent of .State.Pid (reported).
  static pid_t monitor_pid(const std::string& name);

  static void expect_no_running();

  // Processes of the test user whose command line names this test's store: monitors, infra
  // pauses, containers' namespace holders and the network holder all carry it or were
  // started from it ("pid: command line").
  static std::vector<std::string> store_processes();

  static std::string ps_all();
};

}  // namespace pcit::net
