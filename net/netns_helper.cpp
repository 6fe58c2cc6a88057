#include "net/netns_helper.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <cstring>

#include "common/error.hpp"
#include "common/process.hpp"
#include "common/unix_socket.hpp"
#include "net/netns_setup.hpp"
#include "net/rtnetlink.hpp"
#include "net/tap.hpp"

namespace pc::net {

namespace {

void sysctl(const std::string& key, const char* value) {
    const std::string path = "/proc/sys/net/" + key;
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd || !write_all(fd.get(), value, std::strlen(value))) throw Error::sys("setting " + key);
}

void sysctl_if_present(const std::string& key, const char* value) {
    try {
        sysctl(key, value);
    } catch (const Error&) {
        // IPv6 disabled in the kernel: its settings do not exist.
    }
}

UniqueFd dns_socket(int family, int type) {
    UniqueFd s(::socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!s) return s;
    int one = 1;
    ::setsockopt(s.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    struct sockaddr_storage ss {};
    socklen_t len;
    if (family == AF_INET) {
        auto& a = reinterpret_cast<sockaddr_in&>(ss);
        a.sin_family = AF_INET;
        a.sin_port = htons(53);
        len = sizeof(a);
        if (type == SOCK_DGRAM) ::setsockopt(s.get(), IPPROTO_IP, IP_PKTINFO, &one, sizeof(one));
    } else {
        auto& a = reinterpret_cast<sockaddr_in6&>(ss);
        a.sin6_family = AF_INET6;
        a.sin6_port = htons(53);
        len = sizeof(a);
        ::setsockopt(s.get(), IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
        if (type == SOCK_DGRAM) ::setsockopt(s.get(), IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one));
    }
    if (::bind(s.get(), reinterpret_cast<sockaddr*>(&ss), len) < 0) {
        if (family == AF_INET) throw Error::sys("binding the networks' name server to port 53");
        return UniqueFd();  // no IPv6 here
    }
    if (type == SOCK_STREAM && ::listen(s.get(), 64) < 0) throw Error::sys("listening for DNS over TCP");
    return s;
}

// In the child, inside the namespace: everything the holder needs, in the order sent.
std::vector<UniqueFd> set_up(bool fresh) {
    if (fresh) bring_up_loopback();
    // Containers' traffic is routed between their bridges and the uplink...
    sysctl("ipv4/ip_forward", "1");
    sysctl("ipv4/conf/all/rp_filter", "0");
    sysctl("ipv4/conf/default/rp_filter", "0");
    sysctl_if_present("ipv6/conf/all/forwarding", "1");
    // A holder that was killed took its tap with it (the device goes with its last fd).
    rtnl::Socket rtnl = rtnl::Socket::open();
    if (int stale = rtnl.link_index(kUplinkTap); stale > 0) rtnl::delete_link(rtnl, stale);
    TapConfig tap;
    tap.name = kUplinkTap;
    tap.gateway = kUplinkGateway;
    UniqueFd tap_fd = create_tap(tap);
    // ...and slirp, which knows only its own 10.0.2.0/24, asks who has a container's
    // address: the namespace answers for every address it routes elsewhere.
    sysctl(std::string("ipv4/conf/") + kUplinkTap + "/proxy_arp", "1");
    // At once: the kernel delays proxied answers by up to 0.8 s (proxy_delay), and slirp
    // drops a packet whose ARP is unanswered after 1 s, so a container's first connection
    // out waited 0.6-6 s (its SYN-ACK lost, the SYN retried at 1 s and 3 s).
    sysctl(std::string("ipv4/neigh/") + kUplinkTap + "/proxy_delay", "0");
    sysctl_if_present(std::string("ipv6/neigh/") + kUplinkTap + "/proxy_delay", "0");
    // Router advertisements from slirp still count with forwarding on; the same proxy
    // answers for containers' IPv6 addresses (entries added per address).
    sysctl_if_present(std::string("ipv6/conf/") + kUplinkTap + "/accept_ra", "2");
    sysctl_if_present(std::string("ipv6/conf/") + kUplinkTap + "/proxy_ndp", "1");
    std::vector<UniqueFd> out;
    out.emplace_back(::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC));
    if (!out.back()) throw Error::sys("opening the networks' namespace");
    out.push_back(std::move(tap_fd));
    out.emplace_back(rtnl.fd() >= 0 ? ::dup(rtnl.fd()) : -1);
    out.push_back(dns_socket(AF_INET, SOCK_DGRAM));
    out.push_back(dns_socket(AF_INET, SOCK_STREAM));
    out.push_back(dns_socket(AF_INET6, SOCK_DGRAM));
    out.push_back(dns_socket(AF_INET6, SOCK_STREAM));
    return out;
}

[[noreturn]] void child_main(int userns, int netns, int channel) {
    std::string error;
    std::vector<UniqueFd> fds;
    try {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        check_sys(::setns(userns, CLONE_NEWUSER), "joining the shared user namespace");
        if (netns >= 0) check_sys(::setns(netns, CLONE_NEWNET), "entering the networks' namespace");
        else check_sys(::unshare(CLONE_NEWNET), "creating the networks' namespace");
        fds = set_up(netns < 0);
    } catch (const std::exception& e) {
        error = e.what();
    }
    std::vector<int> raw;
    // Missing IPv6 sockets travel as /dev/null's place holders: positions must not shift.
    UniqueFd null(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    for (const auto& fd : fds) raw.push_back(fd ? fd.get() : null.get());
    send_message(channel, error.empty() ? "ok" : "error " + error, raw);
    ::_exit(0);
}

}  // namespace

NetnsKit prepare_networks_namespace(int userns, int netns) {
    SocketPair channel = SocketPair::make();
    const pid_t pid = ::fork();
    if (pid < 0) throw Error::sys("fork");
    if (pid == 0) {
        channel.a.reset();
        child_main(userns, netns, channel.b.get());
    }
    channel.b.reset();
    ChildProcess child(pid);
    auto reply = recv_message(channel.a.get());
    child.wait();
    if (!reply) throw Error("setting up the networks' namespace: its helper process exited without a word");
    if (reply->data != "ok") throw Error("setting up the networks' namespace: " + reply->data.substr(6));
    if (reply->fds.size() != 7) throw Error("setting up the networks' namespace: the helper sent an incomplete set");
    NetnsKit kit;
    kit.netns = std::move(reply->fds[0]);
    kit.tap = std::move(reply->fds[1]);
    kit.rtnl = std::move(reply->fds[2]);
    for (size_t i = 3; i < 7; ++i) {
        // A place holder (not a socket) stands for a family the kernel does not have.
        int type = 0;
        socklen_t len = sizeof(type);
        if (::getsockopt(reply->fds[i].get(), SOL_SOCKET, SO_TYPE, &type, &len) < 0) continue;
        (i % 2 == 1 ? kit.dns_udp : kit.dns_tcp).push_back(std::move(reply->fds[i]));
    }
    return kit;
}

}  // namespace pc::net
