#include "container/network_options.hpp"

#include <algorithm>

#include "common/error.hpp"
#include "common/strings.hpp"
#include "container/container_store.hpp"
#include "net/network_mode.hpp"
#include "net/port_spec.hpp"
#include "net/sockaddr.hpp"

namespace pc::container {

namespace {

// --add-host NAME:IP (IPv6 addresses contain colons: the name ends at the first one).
void check_add_host(const std::string& value) {
    auto [name, ip] = str::split_once(value, ':');
    if (name.empty() || !ip || ip->empty())
        throw Error("invalid --add-host \"" + value + "\": must be HOST:IP");
    if (*ip != "host-gateway" && !net::canonical_ip(*ip))
        throw Error("invalid --add-host \"" + value + "\": \"" + *ip + "\" is not an IP address (or host-gateway)");
}

}  // namespace

void check_network_options(const NetworkOptions& f) {
    const net::NetworkMode mode = net::parse_network_mode(f.network);
    if (mode.kind == net::NetworkKind::Pod)
        throw Error("--network pod: only a container created in a pod (--pod) can share its network, and pc has no pods yet");
    for (const auto& p : f.publish) net::parse_publish(p);
    for (const auto& e : f.expose) net::parse_expose(e);
    for (const auto& h : f.add_host) check_add_host(h);
    for (const auto& d : f.dns)
        if (!net::canonical_ip(d)) throw Error("invalid --dns \"" + d + "\": not an IP address");
    if (f.no_hosts && !f.add_host.empty()) throw Error("--no-hosts and --add-host cannot be set together");
    if ((!f.publish.empty() || f.publish_all) && mode.kind != net::NetworkKind::Slirp) {
        // Podman drops the ports with a warning; a user who asked for a port should not
        // find out by failing to connect.
        throw Error("conflicting options: ports cannot be published (-p/-P) with --network " + f.network +
                    ": the container does not have a network of its own");
    }
}

void apply_network_options(storage::Store& store, ContainerConfig& cfg, const NetworkOptions& f,
                           const std::vector<std::string>& image_exposed) {
    check_network_options(f);
    net::NetworkMode mode = net::parse_network_mode(f.network);
    if (mode.kind == net::NetworkKind::Container) {
        ContainerStore containers(store);
        auto other = containers.find(mode.target);
        if (!other) throw Error("--network container:" + mode.target + ": no container with name or ID \"" + mode.target + "\" found: no such container");
        mode.target = other->config.id;
    }
    cfg.network_mode = net::to_string(mode);

    cfg.exposed_ports = image_exposed;
    for (const auto& e : f.expose)
        for (const auto& p : net::parse_expose(e))
            if (std::find(cfg.exposed_ports.begin(), cfg.exposed_ports.end(), p) == cfg.exposed_ports.end())
                cfg.exposed_ports.push_back(p);

    std::vector<net::PortMapping> ports;
    for (const auto& p : f.publish)
        for (auto& m : net::parse_publish(p)) ports.push_back(std::move(m));
    if (f.publish_all) {
        for (const auto& e : cfg.exposed_ports) {
            const auto pp = net::parse_port_proto(e);  // no binding: the lambda captures it (clang 14)
            const auto port = pp.first;
            const std::string& proto = pp.second;
            bool published = std::any_of(ports.begin(), ports.end(), [&](const net::PortMapping& m) {
                return m.container_port == port && m.protocol == proto;
            });
            if (!published) ports.push_back({"", 0, port, proto});
        }
    }
    net::check_conflicts(ports);
    net::assign_random_ports(ports);
    cfg.ports = std::move(ports);
    // A published port is an exposed one too (inspect's Config.ExposedPorts).
    for (const auto& m : cfg.ports) {
        std::string key = std::to_string(m.container_port) + "/" + m.protocol;
        if (std::find(cfg.exposed_ports.begin(), cfg.exposed_ports.end(), key) == cfg.exposed_ports.end())
            cfg.exposed_ports.push_back(key);
    }

    cfg.add_hosts = f.add_host;
    cfg.dns_servers = f.dns;
    cfg.dns_search = f.dns_search;
    cfg.dns_options = f.dns_option;
    cfg.no_hosts = f.no_hosts;
}

}  // namespace pc::container
