#include "net/container_network.hpp"

#include <malloc.h>

#include "common/error.hpp"

#include "net/port_proxy.hpp"
#include "net/slirp_stack.hpp"
#include "net/udp_proxy.hpp"

namespace pc::net {

namespace {

// Quiet this long after traffic, the monitor hands freed memory back.
constexpr int64_t kTrimAfterNs = 2'000'000'000;

void trim_heap() { ::malloc_trim(0); }

}  // namespace

ContainerNetwork::ContainerNetwork(const SlirpOptions& options, const std::vector<PortMapping>& ports)
    : options_(options), heap_trimmer_(kTrimAfterNs, trim_heap) {
    // The process running this is a long-lived monitor. Slirp's socket buffers (128 KiB
    // each way per connection) come and go with connections: served by mmap they go back
    // to the kernel when freed, instead of staying in a heap that a burst of connections
    // (kept for TIME_WAIT) has grown. A fixed threshold also stops glibc from raising it
    // dynamically; it stays above the size of a full frame's buffer (~64 KiB), which is
    // allocated per packet and must not cost an mmap each time.
    ::mallopt(M_MMAP_THRESHOLD, 96 * 1024);
    std::vector<PortMapping> proxied;
    for (const auto& m : ports) {
        if (m.protocol == "tcp" && options.port_handler != "slirp4netns") proxied.push_back(m);
        else slirp_forwards_.push_back(m);
    }
    if (!proxied.empty()) proxy_ = std::make_unique<TcpPortProxy>(proxied, slirp_addresses(options).guest);
    // Host forwards are bound by libslirp: then the stack is needed now.
    if (!slirp_forwards_.empty()) build_stack();
}

void ContainerNetwork::build_stack() {
    if (slirp_) return;
    const bool ipv6 = options_.enable_ipv6.value_or(host_has_ipv6());
    slirp_ = std::make_unique<SlirpStack>(options_, ipv6);
    for (const auto& m : slirp_forwards_) slirp_->add_host_forward(m);
    slirp_forwards_.clear();
}

ContainerNetwork::ContainerNetwork(const std::vector<PortMapping>& ports, HolderPaths holder, std::string container,
                                   Attachment attachment)
    : heap_trimmer_(kTrimAfterNs, trim_heap),
      holder_(std::move(holder)),
      container_(std::move(container)),
      networks_netns_(std::move(attachment.netns)) {
    ::mallopt(M_MMAP_THRESHOLD, 96 * 1024);
    // The container's first address: where Podman's port forwarder connects too.
    std::string guest;
    for (const auto& e : attachment.endpoints) {
        if (guest.empty() && !e.ip4.empty()) guest = e.ip4.str();
    }
    for (const auto& e : attachment.endpoints)
        if (guest.empty() && !e.ip6.empty()) guest = e.ip6.str();
    std::vector<PortMapping> tcp, udp;
    for (const auto& m : ports) (m.protocol == "udp" ? udp : tcp).push_back(m);
    if ((!tcp.empty() || !udp.empty()) && guest.empty())
        throw Error("ports cannot be published: the container has no address on its networks");
    if (!tcp.empty()) proxy_ = std::make_unique<TcpPortProxy>(tcp, guest);
    if (!udp.empty()) udp_proxy_ = std::make_unique<UdpPortProxy>(udp, guest);
}

ContainerNetwork::~ContainerNetwork() {
    if (holder_) (void)release_ports().release();
}

void ContainerNetwork::attach(UniqueFd tap, UniqueFd socket_channel) {
    if (!holder_) {
        build_stack();
        slirp_->attach_tap(std::move(tap));
    }
    channel_ = std::move(socket_channel);
    if (proxy_) proxy_->attach(channel_.get());
    if (udp_proxy_) udp_proxy_->attach(channel_.get());
}

UniqueFd ContainerNetwork::release_ports() {
    UniqueFd tap = slirp_ ? slirp_->detach_tap() : UniqueFd();
    proxy_.reset();
    udp_proxy_.reset();
    slirp_.reset();
    channel_.reset();
    if (holder_ && networks_netns_) {
        detach_endpoints(*holder_, container_);
        networks_netns_.reset();
    }
    return tap;
}

void ContainerNetwork::fill(std::vector<struct pollfd>& fds, int& timeout_ms) {
    first_fd_ = fds.size();
    if (slirp_) slirp_->fill(fds, timeout_ms);
    if (proxy_) proxy_->fill(fds, timeout_ms);
    if (udp_proxy_) udp_proxy_->fill(fds, timeout_ms);
    end_fd_ = fds.size();
    // Last before poll(): an idle stack sets no timeout, so this bounds it for the trim.
    heap_trimmer_.before_sleep(timeout_ms);
}

void ContainerNetwork::dispatch(const std::vector<struct pollfd>& fds) {
    if (slirp_) slirp_->dispatch(fds);
    if (proxy_) proxy_->dispatch(fds);
    if (udp_proxy_) udp_proxy_->dispatch(fds);
    // Traffic is what happened on the network's own descriptors, not the monitor's.
    bool active = false;
    for (size_t i = first_fd_; i < end_fd_ && i < fds.size(); ++i) active |= fds[i].revents != 0;
    heap_trimmer_.after_wake(active);
}

TapConfig tap_config(const SlirpOptions& options) {
    const SlirpAddresses a = slirp_addresses(options);
    TapConfig t;
    t.mtu = options.mtu;
    t.address = a.guest;
    t.netmask = a.netmask;
    t.gateway = a.gateway;
    return t;
}

}  // namespace pc::net
