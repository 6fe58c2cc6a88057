#include "net/udp_proxy.hpp"

#include <cerrno>
#include <cstring>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "common/log.hpp"
#include "net/netns_sockets.hpp"
#include "net/port_proxy.hpp"
#include "net/sockaddr.hpp"

namespace pc::net {

namespace {

constexpr int64_t kIdleNs = 60'000'000'000;
constexpr size_t kMaxFlows = 256;
constexpr size_t kDatagram = 65536;
constexpr int kPerWakeup = 64;

}  // namespace

UdpPortProxy::UdpPortProxy(const std::vector<PortMapping>& udp, std::string guest_ip) : guest_ip_(std::move(guest_ip)) {
    for (const auto& m : udp) listeners_.push_back({bind_published_port(m), m.container_port});
}

UdpPortProxy::~UdpPortProxy() = default;

void UdpPortProxy::fill(std::vector<struct pollfd>& fds, int& timeout_ms) {
    for (auto& l : listeners_) {
        l.index = SIZE_MAX;
        if (channel_ < 0) continue;
        l.index = fds.size();
        fds.push_back({l.fd.get(), POLLIN, 0});
    }
    int64_t next = -1;
    for (auto& f : flows_) {
        f.index = fds.size();
        fds.push_back({f.inner.get(), POLLIN, 0});
        next = next < 0 ? f.last_ns + kIdleNs : std::min(next, f.last_ns + kIdleNs);
    }
    if (next >= 0) {
        const int64_t ms = std::max<int64_t>(0, (next - monotonic_ns()) / 1'000'000 + 1);
        if (timeout_ms < 0 || ms < timeout_ms) timeout_ms = static_cast<int>(std::min<int64_t>(ms, 60'000));
    }
}

void UdpPortProxy::dispatch(const std::vector<struct pollfd>& fds) {
    for (size_t i = 0; i < listeners_.size(); ++i)
        if (listeners_[i].index < fds.size() && (fds[listeners_[i].index].revents & POLLIN)) from_clients(i);
    const int64_t now = monotonic_ns();
    for (auto it = flows_.begin(); it != flows_.end();) {
        if (it->index < fds.size() && fds[it->index].fd == it->inner.get() && (fds[it->index].revents & POLLIN))
            from_container(*it);
        if (!it->inner || now - it->last_ns > kIdleNs) it = flows_.erase(it);
        else ++it;
    }
}

UdpPortProxy::Flow* UdpPortProxy::flow_for(size_t listener, const struct sockaddr_storage& client, socklen_t len) {
    for (auto& f : flows_)
        if (f.listener == listener && f.client_len == len && std::memcmp(&f.client, &client, len) == 0) return &f;
    if (flows_.size() >= kMaxFlows) flows_.pop_front();  // the oldest goes
    const SockAddr guest = make_sockaddr(guest_ip_, listeners_[listener].container_port);
    UniqueFd inner;
    try {
        inner = request_netns_socket(channel_, guest.family(), SOCK_DGRAM);
    } catch (const Error& e) {
        log::debug("udp port proxy: " + std::string(e.what()));
        return nullptr;
    }
    if (::connect(inner.get(), guest.get(), guest.len) < 0) return nullptr;
    Flow& f = flows_.emplace_back();
    f.listener = listener;
    f.client = client;
    f.client_len = len;
    f.inner = std::move(inner);
    return &f;
}

void UdpPortProxy::from_clients(size_t listener) {
    char buf[kDatagram];
    for (int i = 0; i < kPerWakeup; ++i) {
        struct sockaddr_storage client {};
        socklen_t len = sizeof(client);
        const ssize_t n = ::recvfrom(listeners_[listener].fd.get(), buf, sizeof(buf), MSG_DONTWAIT,
                                     reinterpret_cast<sockaddr*>(&client), &len);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return;
        Flow* f = flow_for(listener, client, len);
        if (!f) continue;  // dropped, as a full link would
        f->last_ns = monotonic_ns();
        (void)::send(f->inner.get(), buf, static_cast<size_t>(n), MSG_DONTWAIT | MSG_NOSIGNAL);
    }
}

void UdpPortProxy::from_container(Flow& f) {
    char buf[kDatagram];
    for (int i = 0; i < kPerWakeup; ++i) {
        const ssize_t n = ::recv(f.inner.get(), buf, sizeof(buf), MSG_DONTWAIT);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            // ECONNREFUSED: nothing listens in the container (yet); the flow stays.
            return;
        }
        f.last_ns = monotonic_ns();
        (void)::sendto(listeners_[f.listener].fd.get(), buf, static_cast<size_t>(n), MSG_DONTWAIT | MSG_NOSIGNAL,
                       reinterpret_cast<const sockaddr*>(&f.client), f.client_len);
    }
}

}  // namespace pc::net
