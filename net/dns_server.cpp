#include "net/dns_server.hpp"

#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sstream>

#include "common/atomic_file.hpp"
#include "common/clock.hpp"

namespace pc::net {

namespace {

constexpr int kPacketsPerWakeup = 32;
constexpr size_t kMaxPacket = 65535;
constexpr size_t kMaxPending = 1024;
constexpr size_t kMaxTcpClients = 64;
constexpr int64_t kAttemptNs = 2'000'000'000;     // per upstream server
constexpr int kMaxAttempts = 3;
constexpr int64_t kTcpIdleNs = 10'000'000'000;
constexpr char kResolvConf[] = "/etc/resolv.conf";

IpAddress address_of(const struct sockaddr_storage& ss) {
    IpAddress a;
    if (ss.ss_family == AF_INET) {
        a.family = AF_INET;
        std::memcpy(a.bytes.data(), &reinterpret_cast<const sockaddr_in&>(ss).sin_addr, 4);
    } else if (ss.ss_family == AF_INET6) {
        a.family = AF_INET6;
        std::memcpy(a.bytes.data(), &reinterpret_cast<const sockaddr_in6&>(ss).sin6_addr, 16);
    }
    return a;
}

bool same_endpoint(const struct sockaddr_storage& a, const struct sockaddr_storage& b) {
    if (a.ss_family != b.ss_family) return false;
    if (a.ss_family == AF_INET) {
        const auto& x = reinterpret_cast<const sockaddr_in&>(a);
        const auto& y = reinterpret_cast<const sockaddr_in&>(b);
        return x.sin_port == y.sin_port && x.sin_addr.s_addr == y.sin_addr.s_addr;
    }
    const auto& x = reinterpret_cast<const sockaddr_in6&>(a);
    const auto& y = reinterpret_cast<const sockaddr_in6&>(b);
    return x.sin6_port == y.sin6_port && std::memcmp(&x.sin6_addr, &y.sin6_addr, 16) == 0;
}

socklen_t length_of(const struct sockaddr_storage& ss) {
    return ss.ss_family == AF_INET ? sizeof(sockaddr_in) : sizeof(sockaddr_in6);
}

}  // namespace

struct DnsServer::TcpClient {
    UniqueFd fd;
    uint64_t serial = 0;
    std::string in, out;
    int64_t last_ns = 0;
    struct sockaddr_storage peer {};
    IpAddress local;
    size_t index = SIZE_MAX;
};

struct DnsServer::Source {
    bool tcp = false;
    size_t udp_index = 0;
    uint64_t client = 0;  // TcpClient::serial
    struct sockaddr_storage peer {};
    IpAddress local;
};

struct DnsServer::Pending {
    uint16_t client_id = 0;
    Source from;
    std::string packet;   // as sent upstream
    int attempt = 0;
    int64_t deadline_ns = 0;
};

std::vector<struct sockaddr_storage> resolv_conf_servers(const std::string& text) {
    std::vector<struct sockaddr_storage> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream words(line);
        std::string key, value;
        if (!(words >> key >> value) || key != "nameserver") continue;
        // A zone suffix ("fe80::1%eth0") names the host's interface, which this process
        // shares: keep the address, drop the zone.
        value = value.substr(0, value.find('%'));
        auto a = IpAddress::parse(value);
        if (!a) continue;
        struct sockaddr_storage ss {};
        if (a->v4()) {
            auto& s4 = reinterpret_cast<sockaddr_in&>(ss);
            s4.sin_family = AF_INET;
            s4.sin_port = htons(53);
            std::memcpy(&s4.sin_addr, a->bytes.data(), 4);
        } else {
            auto& s6 = reinterpret_cast<sockaddr_in6&>(ss);
            s6.sin6_family = AF_INET6;
            s6.sin6_port = htons(53);
            std::memcpy(&s6.sin6_addr, a->bytes.data(), 16);
        }
        out.push_back(ss);
    }
    // glibc's default when the file names none.
    if (out.empty()) {
        struct sockaddr_storage ss {};
        auto& s4 = reinterpret_cast<sockaddr_in&>(ss);
        s4.sin_family = AF_INET;
        s4.sin_port = htons(53);
        s4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        out.push_back(ss);
    }
    return out;
}

DnsServer::DnsServer(std::vector<UniqueFd> udp, std::vector<UniqueFd> tcp, DnsLookup lookup)
    : udp_(std::move(udp)), tcp_(std::move(tcp)), lookup_(std::move(lookup)) {}

DnsServer::~DnsServer() = default;

void DnsServer::set_upstream(std::vector<struct sockaddr_storage> servers) {
    servers_ = std::move(servers);
    fixed_servers_ = true;
}

const std::vector<struct sockaddr_storage>& DnsServer::upstream() {
    if (fixed_servers_) return servers_;
    struct stat st {};
    const int64_t mtime = ::stat(kResolvConf, &st) == 0 ? st.st_mtim.tv_sec * 1'000'000'000LL + st.st_mtim.tv_nsec : 0;
    if (mtime != resolv_mtime_ || servers_.empty()) {
        resolv_mtime_ = mtime;
        servers_ = resolv_conf_servers(try_read_file(kResolvConf).value_or(""));
    }
    return servers_;
}

void DnsServer::fill(std::vector<struct pollfd>& fds, int& timeout_ms) {
    first_udp_ = fds.size();
    for (const auto& u : udp_) fds.push_back({u.get(), POLLIN, 0});
    first_tcp_ = fds.size();
    for (const auto& t : tcp_) fds.push_back({t.get(), POLLIN, 0});
    up4_index_ = up6_index_ = SIZE_MAX;
    if (up4_) {
        up4_index_ = fds.size();
        fds.push_back({up4_.get(), POLLIN, 0});
    }
    if (up6_) {
        up6_index_ = fds.size();
        fds.push_back({up6_.get(), POLLIN, 0});
    }
    first_client_ = fds.size();
    int64_t next = -1;
    for (auto& c : clients_) {
        c.index = fds.size();
        fds.push_back({c.fd.get(), static_cast<short>(POLLIN | (c.out.empty() ? 0 : POLLOUT)), 0});
        const int64_t at = c.last_ns + kTcpIdleNs;
        next = next < 0 ? at : std::min(next, at);
    }
    for (const auto& [id, p] : pending_) next = next < 0 ? p.deadline_ns : std::min(next, p.deadline_ns);
    if (next >= 0) {
        const int64_t ms = std::max<int64_t>(0, (next - monotonic_ns()) / 1'000'000 + 1);
        if (timeout_ms < 0 || ms < timeout_ms) timeout_ms = static_cast<int>(std::min<int64_t>(ms, 60'000));
    }
}

void DnsServer::dispatch(const std::vector<struct pollfd>& fds) {
    for (size_t i = 0; i < udp_.size(); ++i)
        if (first_udp_ + i < fds.size() && (fds[first_udp_ + i].revents & POLLIN)) read_udp(i);
    for (size_t i = 0; i < tcp_.size(); ++i)
        if (first_tcp_ + i < fds.size() && (fds[first_tcp_ + i].revents & POLLIN)) accept_tcp(i);
    if (up4_index_ < fds.size() && (fds[up4_index_].revents & POLLIN)) read_upstream(AF_INET);
    if (up6_index_ < fds.size() && (fds[up6_index_].revents & POLLIN)) read_upstream(AF_INET6);
    for (auto it = clients_.begin(); it != clients_.end();) {
        TcpClient& c = *it;
        const short ev = c.index < fds.size() && fds[c.index].fd == c.fd.get() ? fds[c.index].revents : 0;
        if (ev & (POLLIN | POLLHUP | POLLERR)) read_tcp(c);
        if (c.fd && !c.out.empty() && (ev & POLLOUT)) {
            ssize_t n = ::send(c.fd.get(), c.out.data(), c.out.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
            if (n > 0) c.out.erase(0, static_cast<size_t>(n));
            else if (n < 0 && errno != EAGAIN && errno != EINTR) c.fd.reset();
        }
        if (!c.fd || monotonic_ns() - c.last_ns > kTcpIdleNs) it = clients_.erase(it);
        else ++it;
    }
    expire();
}

void DnsServer::read_udp(size_t index) {
    const int fd = udp_[index].get();
    std::string buf(kMaxPacket, '\0');
    for (int i = 0; i < kPacketsPerWakeup; ++i) {
        Source from;
        from.udp_index = index;
        struct iovec iov {buf.data(), buf.size()};
        alignas(struct cmsghdr) char control[256];
        struct msghdr msg {};
        msg.msg_name = &from.peer;
        msg.msg_namelen = sizeof(from.peer);
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control;
        msg.msg_controllen = sizeof(control);
        ssize_t n = ::recvmsg(fd, &msg, MSG_DONTWAIT);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        for (struct cmsghdr* cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
            if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO) {
                struct in_pktinfo pi {};
                std::memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
                from.local.family = AF_INET;
                std::memcpy(from.local.bytes.data(), &pi.ipi_addr, 4);
            } else if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_PKTINFO) {
                struct in6_pktinfo pi {};
                std::memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
                from.local.family = AF_INET6;
                std::memcpy(from.local.bytes.data(), &pi.ipi6_addr, 16);
            }
        }
        handle(buf.substr(0, static_cast<size_t>(n)), from);
    }
}

void DnsServer::accept_tcp(size_t index) {
    for (;;) {
        struct sockaddr_storage peer {};
        socklen_t len = sizeof(peer);
        UniqueFd fd(::accept4(tcp_[index].get(), reinterpret_cast<sockaddr*>(&peer), &len, SOCK_NONBLOCK | SOCK_CLOEXEC));
        if (!fd) return;
        if (clients_.size() >= kMaxTcpClients) continue;  // refused: closed at once
        struct sockaddr_storage local {};
        socklen_t llen = sizeof(local);
        if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&local), &llen) < 0) continue;
        static uint64_t serial = 0;
        TcpClient& c = clients_.emplace_back();
        c.fd = std::move(fd);
        c.serial = ++serial;
        c.peer = peer;
        c.local = address_of(local);
        c.last_ns = monotonic_ns();
    }
}

void DnsServer::read_tcp(TcpClient& c) {
    char buf[16384];
    for (;;) {
        ssize_t n = ::recv(c.fd.get(), buf, sizeof(buf), MSG_DONTWAIT);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) break;
        if (n <= 0) {
            c.fd.reset();
            return;
        }
        c.in.append(buf, static_cast<size_t>(n));
        if (c.in.size() > 2 * kMaxPacket) {
            c.fd.reset();
            return;
        }
    }
    c.last_ns = monotonic_ns();
    // Length-prefixed messages (RFC 1035 4.2.2).
    while (c.in.size() >= 2) {
        const size_t len = (static_cast<uint8_t>(c.in[0]) << 8) | static_cast<uint8_t>(c.in[1]);
        if (c.in.size() < 2 + len) break;
        const std::string packet = c.in.substr(2, len);
        c.in.erase(0, 2 + len);
        Source from;
        from.tcp = true;
        from.client = c.serial;
        from.peer = c.peer;
        from.local = c.local;
        handle(packet, from);
    }
}

void DnsServer::handle(const std::string& packet, const Source& from) {
    auto q = dns::parse_query(packet);
    if (!q) return;  // not a query we understand: dropped, as a server would
    DnsAnswer a = lookup_(address_of(from.peer), from.local, *q);
    switch (a.kind) {
    case DnsAnswer::Kind::Found:
        answer(dns::build_reply(packet, *q, dns::kNoError, a.addresses, a.names), from);
        return;
    case DnsAnswer::Kind::NotFound:
        answer(dns::build_reply(packet, *q, dns::kNxDomain, {}), from);
        return;
    case DnsAnswer::Kind::Refuse:
        answer(dns::build_error(packet, *q, dns::kRefused), from);
        return;
    case DnsAnswer::Kind::Forward:
        if (pending_.size() >= kMaxPending) {
            answer(dns::build_error(packet, *q, dns::kServFail), from);
            return;
        }
        forward(packet, q->id, from);
        return;
    }
}

void DnsServer::answer(const std::string& reply, const Source& to) {
    if (to.tcp) {
        for (auto& c : clients_) {
            if (c.serial != to.client || !c.fd) continue;
            if (reply.size() > kMaxPacket) return;
            c.out += static_cast<char>(reply.size() >> 8);
            c.out += static_cast<char>(reply.size() & 0xff);
            c.out += reply;
            ssize_t n = ::send(c.fd.get(), c.out.data(), c.out.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
            if (n > 0) c.out.erase(0, static_cast<size_t>(n));
            c.last_ns = monotonic_ns();
            return;
        }
        return;
    }
    // Over UDP a reply longer than the client's buffer would be cut: 512 bytes is all a
    // query without EDNS promises to take; forwarded replies are the resolver's own size.
    struct iovec iov {const_cast<char*>(reply.data()), reply.size()};
    alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(struct in6_pktinfo))] = {};
    struct msghdr msg {};
    msg.msg_name = const_cast<struct sockaddr_storage*>(&to.peer);
    msg.msg_namelen = length_of(to.peer);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    // The reply leaves from the address the query was sent to.
    if (to.local.v4()) {
        msg.msg_control = control;
        msg.msg_controllen = CMSG_SPACE(sizeof(struct in_pktinfo));
        struct cmsghdr* cm = CMSG_FIRSTHDR(&msg);
        cm->cmsg_level = IPPROTO_IP;
        cm->cmsg_type = IP_PKTINFO;
        cm->cmsg_len = CMSG_LEN(sizeof(struct in_pktinfo));
        struct in_pktinfo pi {};
        std::memcpy(&pi.ipi_spec_dst, to.local.bytes.data(), 4);
        std::memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
    } else if (!to.local.empty()) {
        msg.msg_control = control;
        msg.msg_controllen = CMSG_SPACE(sizeof(struct in6_pktinfo));
        struct cmsghdr* cm = CMSG_FIRSTHDR(&msg);
        cm->cmsg_level = IPPROTO_IPV6;
        cm->cmsg_type = IPV6_PKTINFO;
        cm->cmsg_len = CMSG_LEN(sizeof(struct in6_pktinfo));
        struct in6_pktinfo pi {};
        std::memcpy(&pi.ipi6_addr, to.local.bytes.data(), 16);
        std::memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
    }
    while (::sendmsg(udp_[to.udp_index].get(), &msg, MSG_DONTWAIT | MSG_NOSIGNAL) < 0 && errno == EINTR) {
    }
}

void DnsServer::forward(const std::string& packet, uint16_t id, const Source& from) {
    // A fresh id that no pending query uses (at most kMaxPending are).
    while (pending_.count(next_id_) || next_id_ == 0) ++next_id_;
    const uint16_t upstream_id = next_id_++;
    Pending p;
    p.client_id = id;
    p.from = from;
    p.packet = dns::with_id(packet, upstream_id);
    auto& stored = pending_.emplace(upstream_id, std::move(p)).first->second;
    if (!send_upstream(stored)) {
        auto q = dns::parse_query(packet);
        if (q) answer(dns::build_error(packet, *q, dns::kServFail), from);
        pending_.erase(upstream_id);
    }
}

bool DnsServer::send_upstream(Pending& p) {
    const auto& servers = upstream();
    while (p.attempt < kMaxAttempts) {
        const auto& server = servers[static_cast<size_t>(p.attempt) % servers.size()];
        ++p.attempt;
        p.deadline_ns = monotonic_ns() + kAttemptNs;
        UniqueFd& sock = server.ss_family == AF_INET ? up4_ : up6_;
        if (!sock) sock.reset(::socket(server.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
        if (sock && ::sendto(sock.get(), p.packet.data(), p.packet.size(), MSG_NOSIGNAL,
                             reinterpret_cast<const sockaddr*>(&server), length_of(server)) >= 0)
            return true;
    }
    return false;
}

void DnsServer::read_upstream(int family) {
    const int fd = family == AF_INET ? up4_.get() : up6_.get();
    std::string buf(kMaxPacket, '\0');
    for (int i = 0; i < kPacketsPerWakeup; ++i) {
        struct sockaddr_storage from {};
        socklen_t len = sizeof(from);
        ssize_t n = ::recvfrom(fd, buf.data(), buf.size(), MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&from), &len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        auto id = dns::packet_id(std::string_view(buf.data(), static_cast<size_t>(n)));
        if (!id) continue;
        auto it = pending_.find(*id);
        if (it == pending_.end()) continue;
        // Only the server it was sent to may answer it.
        const auto& servers = upstream();
        const auto& asked = servers[static_cast<size_t>(it->second.attempt - 1) % servers.size()];
        if (!same_endpoint(from, asked)) continue;
        answer(dns::with_id(std::string_view(buf.data(), static_cast<size_t>(n)), it->second.client_id), it->second.from);
        pending_.erase(it);
    }
}

void DnsServer::expire() {
    const int64_t now = monotonic_ns();
    for (auto it = pending_.begin(); it != pending_.end();) {
        Pending& p = it->second;
        if (p.deadline_ns > now) {
            ++it;
            continue;
        }
        if (p.attempt < kMaxAttempts && send_upstream(p)) {
            ++it;
            continue;
        }
        const std::string original = dns::with_id(p.packet, p.client_id);
        if (auto q = dns::parse_query(original)) answer(dns::build_error(original, *q, dns::kServFail), p.from);
        it = pending_.erase(it);
    }
}

}  // namespace pc::net
