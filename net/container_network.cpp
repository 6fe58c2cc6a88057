#include "net/container_network.hpp"

#include <malloc.h>
#include <time.h>

#include <algorithm>

#include "net/port_proxy.hpp"
#include "net/slirp_stack.hpp"

namespace pc::net {

namespace {

// Quiet this long after traffic, the monitor hands freed memory back (see below).
constexpr int64_t kTrimAfterNs = 2'000'000'000;

int64_t monotonic_ns() {
    struct timespec ts {};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

}  // namespace

ContainerNetwork::ContainerNetwork(const SlirpOptions& options, const std::vector<PortMapping>& ports) {
    // The process running this is a long-lived monitor. Slirp's socket buffers (128 KiB
    // each way per connection) come and go with connections: served by mmap they go back
    // to the kernel when freed, instead of staying in a heap that a burst of connections
    // (kept for TIME_WAIT) has grown. A fixed threshold also stops glibc from raising it
    // dynamically; it stays above the size of a full frame's buffer (~64 KiB), which is
    // allocated per packet and must not cost an mmap each time.
    ::mallopt(M_MMAP_THRESHOLD, 96 * 1024);
    const bool ipv6 = options.enable_ipv6.value_or(host_has_ipv6());
    slirp_ = std::make_unique<SlirpStack>(options, ipv6);
    std::vector<PortMapping> proxied;
    for (const auto& m : ports) {
        if (m.protocol == "tcp" && options.port_handler != "slirp4netns") proxied.push_back(m);
        else slirp_->add_host_forward(m);
    }
    if (!proxied.empty()) proxy_ = std::make_unique<TcpPortProxy>(proxied, slirp_addresses(options).guest);
}

ContainerNetwork::~ContainerNetwork() = default;

void ContainerNetwork::attach(UniqueFd tap, UniqueFd socket_channel) {
    slirp_->attach_tap(std::move(tap));
    channel_ = std::move(socket_channel);
    if (proxy_) proxy_->attach(channel_.get());
}

UniqueFd ContainerNetwork::release_ports() {
    UniqueFd tap = slirp_->detach_tap();
    proxy_.reset();
    slirp_.reset();
    channel_.reset();
    return tap;
}

void ContainerNetwork::fill(std::vector<struct pollfd>& fds, int& timeout_ms) {
    first_fd_ = fds.size();
    if (slirp_) slirp_->fill(fds, timeout_ms);
    if (proxy_) proxy_->fill(fds, timeout_ms);
    end_fd_ = fds.size();
    // An idle stack sets no timeout: wake up for the pending trim.
    if (!trimmed_) {
        const int64_t left_ms = (last_activity_ns_ + kTrimAfterNs - monotonic_ns()) / 1'000'000 + 1;
        const int wait_ms = static_cast<int>(std::max<int64_t>(0, left_ms));
        timeout_ms = timeout_ms < 0 ? wait_ms : std::min(timeout_ms, wait_ms);
    }
}

void ContainerNetwork::dispatch(const std::vector<struct pollfd>& fds) {
    if (slirp_) slirp_->dispatch(fds);
    if (proxy_) proxy_->dispatch(fds);
    // Traffic is what happened on the network's own descriptors, not the monitor's.
    bool active = false;
    for (size_t i = first_fd_; i < end_fd_ && i < fds.size(); ++i) active |= fds[i].revents != 0;
    trim_after_burst(active);
}

// What is left in the heap after many connections (small allocations interleaved with
// live ones) is returned once traffic has stopped for a while: an idle monitor's memory
// must come back to its idle size.
void ContainerNetwork::trim_after_burst(bool active) {
    const int64_t now = monotonic_ns();
    if (active) {
        last_activity_ns_ = now;
        trimmed_ = false;
    } else if (!trimmed_ && now - last_activity_ns_ > kTrimAfterNs) {
        ::malloc_trim(0);
        trimmed_ = true;
    }
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
