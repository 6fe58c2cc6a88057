#include "net/container_network.hpp"

#include "net/port_proxy.hpp"
#include "net/slirp_stack.hpp"

namespace pc::net {

ContainerNetwork::ContainerNetwork(const SlirpOptions& options, const std::vector<PortMapping>& ports) {
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

void ContainerNetwork::fill(std::vector<struct pollfd>& fds, int& timeout_ms) {
    slirp_->fill(fds, timeout_ms);
    if (proxy_) proxy_->fill(fds, timeout_ms);
}

void ContainerNetwork::dispatch(const std::vector<struct pollfd>& fds) {
    slirp_->dispatch(fds);
    if (proxy_) proxy_->dispatch(fds);
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
