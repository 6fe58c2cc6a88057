#include "net/port_proxy.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "common/error.hpp"
#include "common/log.hpp"
#include "net/netns_sockets.hpp"
#include "net/sockaddr.hpp"

namespace pc::net {

namespace {

// Larger pipes mean fewer wakeups per megabyte on bulk transfers; the kernel accounts
// them per user and quietly keeps the default when a user has too many.
constexpr int kPipeSize = 256 * 1024;
constexpr int kBacklog = 128;
constexpr unsigned kSpliceFlags = SPLICE_F_MOVE | SPLICE_F_NONBLOCK;

bool would_block(int err) { return err == EAGAIN || err == EWOULDBLOCK || err == EINTR; }

}  // namespace

// One direction of a connection: bytes read from `from` wait in the pipe until `to`
// takes them.
struct TcpPortProxy::Half {
    Pipe pipe;
    size_t capacity = 0;
    size_t buffered = 0;
    bool eof = false;       // `from` will send nothing more
    bool shut = false;      // ... and `to` has been told (shutdown SHUT_WR)
    bool failed = false;

    Half() : pipe(Pipe::make()) {
        ::fcntl(pipe.write.get(), F_SETPIPE_SZ, kPipeSize);
        int size = ::fcntl(pipe.write.get(), F_GETPIPE_SZ);
        capacity = size > 0 ? static_cast<size_t>(size) : 65536;
    }
    bool wants_read() const { return !eof && !failed && buffered < capacity; }
    bool wants_write() const { return buffered > 0 && !failed; }
    bool done() const { return shut || failed; }

    // Moves what it can from `from` to `to` without blocking.
    void transfer(int from, int to) {
        for (bool progress = true; progress && !failed;) {
            progress = false;
            if (wants_read()) {
                ssize_t n = ::splice(from, nullptr, pipe.write.get(), nullptr, capacity - buffered, kSpliceFlags);
                if (n > 0) {
                    buffered += static_cast<size_t>(n);
                    progress = true;
                } else if (n == 0) {
                    eof = true;
                } else if (!would_block(errno)) {
                    failed = true;
                }
            }
            if (wants_write()) {
                ssize_t n = ::splice(pipe.read.get(), nullptr, to, nullptr, buffered, kSpliceFlags);
                if (n > 0) {
                    buffered -= static_cast<size_t>(n);
                    progress = true;
                } else if (n < 0 && !would_block(errno)) {
                    failed = true;
                }
            }
        }
        if (eof && buffered == 0 && !shut && !failed) {
            ::shutdown(to, SHUT_WR);
            shut = true;
        }
    }
};

struct TcpPortProxy::Relay {
    UniqueFd client, guest;
    bool connecting = true;
    Half up, down;  // client -> guest, guest -> client
    size_t client_index = SIZE_MAX, guest_index = SIZE_MAX;

    bool finished() const { return (up.failed || down.failed) || (up.done() && down.done()); }
};

UniqueFd bind_published_port(const PortMapping& m) {
    const bool udp = m.protocol == "udp";
    const SockAddr addr = make_sockaddr(m.host_ip, m.host_port);
    UniqueFd fd(::socket(addr.family(), (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd) throw Error::sys("publishing port " + std::to_string(m.container_port) + "/" + m.protocol + ": socket");
    int one = 1;
    if (!udp) ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (addr.family() == AF_INET6) ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
    if (::bind(fd.get(), addr.get(), addr.len) < 0 || (!udp && ::listen(fd.get(), kBacklog) < 0))
        throw Error("cannot publish port " + std::to_string(m.container_port) + "/" + m.protocol + " on " +
                    format_endpoint(m.host_ip, m.host_port) + ": " + std::strerror(errno));
    return fd;
}

TcpPortProxy::TcpPortProxy(const std::vector<PortMapping>& tcp, std::string guest_ip) : guest_ip_(std::move(guest_ip)) {
    for (const auto& m : tcp) listeners_.push_back({bind_published_port(m), m.container_port});
}

TcpPortProxy::~TcpPortProxy() = default;

void TcpPortProxy::fill(std::vector<struct pollfd>& fds, int&) {
    for (auto& l : listeners_) {
        l.index = SIZE_MAX;
        if (channel_ < 0) continue;
        l.index = fds.size();
        fds.push_back({l.fd.get(), POLLIN, 0});
    }
    for (auto& r : relays_) {
        short client_events = 0, guest_events = 0;
        if (r.connecting) {
            guest_events = POLLOUT;
        } else {
            if (r.up.wants_read()) client_events |= POLLIN;
            if (r.down.wants_write()) client_events |= POLLOUT;
            if (r.down.wants_read()) guest_events |= POLLIN;
            if (r.up.wants_write()) guest_events |= POLLOUT;
        }
        r.client_index = fds.size();
        fds.push_back({client_events ? r.client.get() : -1, client_events, 0});
        r.guest_index = fds.size();
        fds.push_back({guest_events ? r.guest.get() : -1, guest_events, 0});
    }
}

void TcpPortProxy::dispatch(const std::vector<struct pollfd>& fds) {
    for (auto it = relays_.begin(); it != relays_.end();) {
        Relay& r = *it;
        const short cre = r.client_index < fds.size() ? fds[r.client_index].revents : 0;
        const short gre = r.guest_index < fds.size() ? fds[r.guest_index].revents : 0;
        if (r.connecting && gre) {
            int err = 0;
            socklen_t len = sizeof(err);
            ::getsockopt(r.guest.get(), SOL_SOCKET, SO_ERROR, &err, &len);
            if (err != 0) r.up.failed = true;  // nothing listens in the container: the client sees a close
            r.connecting = false;
        }
        if (!r.connecting && (cre || gre)) {
            r.up.transfer(r.client.get(), r.guest.get());
            r.down.transfer(r.guest.get(), r.client.get());
        }
        it = r.finished() ? relays_.erase(it) : std::next(it);
    }
    for (auto& l : listeners_)
        if (l.index < fds.size() && (fds[l.index].revents & POLLIN)) accept_from(l);
}

void TcpPortProxy::accept_from(Listener& l) {
    // A bounded batch per wakeup keeps a connection storm from starving running transfers.
    for (int i = 0; i < 32; ++i) {
        UniqueFd client(::accept4(l.fd.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
        if (!client) return;
        try {
            connect_guest(std::move(client), l.container_port);
        } catch (const Error& e) {
            log::debug("port " + std::to_string(l.container_port) + "/tcp: " + e.what());
        }
    }
}

void TcpPortProxy::connect_guest(UniqueFd client, uint16_t container_port) {
    const SockAddr target = make_sockaddr(guest_ip_, container_port);
    UniqueFd guest = request_netns_socket(channel_, target.family(), SOCK_STREAM);
    int one = 1;
    ::setsockopt(guest.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    ::setsockopt(client.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    bool connecting = false;
    if (::connect(guest.get(), target.get(), target.len) < 0) {
        if (errno != EINPROGRESS) return;  // refused at once: closing the client says so
        connecting = true;
    }
    relays_.emplace_back();
    Relay& r = relays_.back();
    r.client = std::move(client);
    r.guest = std::move(guest);
    r.connecting = connecting;
}

}  // namespace pc::net
