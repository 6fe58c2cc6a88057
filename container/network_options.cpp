#include "container/network_options.hpp"

#include <algorithm>

#include "common/error.hpp"
#include "common/strings.hpp"
#include "container/container_store.hpp"
#include "net/network_mode.hpp"
#include "net/network_store.hpp"
#include "net/port_spec.hpp"
#include "net/rtnetlink.hpp"
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

// The mode the --network values select: one of them, or Bridge for any number of networks.
net::NetworkMode selected_mode(const std::vector<std::string>& values) {
    if (values.empty()) return net::parse_network_mode("");
    net::NetworkMode first = net::parse_network_mode(values.front());
    for (size_t i = 1; i < values.size(); ++i) {
        net::NetworkMode other = net::parse_network_mode(values[i]);
        const net::NetworkMode& odd = first.kind != net::NetworkKind::Bridge ? first : other;
        if (odd.kind != net::NetworkKind::Bridge)
            throw Error("can only set extra network names, selected mode " + net::to_string(odd) +
                        " conflicts with bridge: invalid argument");
    }
    return first;
}

void check_static_ip(const std::string& flag, const std::string& value, bool v4) {
    auto a = net::IpAddress::parse(value);
    if (!a || a->v4() != v4)
        throw Error("invalid " + flag + " \"" + value + "\": not an " + (v4 ? "IPv4" : "IPv6") + " address");
}

}  // namespace

std::vector<std::string> NetworkOptions::all_networks() const {
    std::vector<std::string> out;
    if (!network.empty()) out.push_back(network);
    out.insert(out.end(), networks.begin(), networks.end());
    return out;
}

void check_network_options(const NetworkOptions& f) {
    const std::vector<std::string> values = f.all_networks();
    const net::NetworkMode mode = selected_mode(values);
    if (mode.kind == net::NetworkKind::Pod)
        throw Error("--network pod: only a container created in a pod (--pod) can share its network");
    const bool bridge = mode.kind == net::NetworkKind::Bridge;
    if (!bridge && (!f.aliases.empty() || !f.ip.empty() || !f.ip6.empty() || !f.mac.empty()))
        throw Error("invalid config provided: networks and static ip/mac address can only be used with Bridge mode networking");
    if (values.size() > 1) {
        if (!f.ip.empty()) throw Error("--ip can only be set for a single network: invalid argument");
        if (!f.ip6.empty()) throw Error("--ip6 can only be set for a single network: invalid argument");
        if (!f.mac.empty()) throw Error("--mac-address can only be set for a single network: invalid argument");
    }
    if (!f.ip.empty()) check_static_ip("--ip", f.ip, true);
    if (!f.ip6.empty()) check_static_ip("--ip6", f.ip6, false);
    if (!f.mac.empty()) {
        net::rtnl::Mac m{};
        if (!net::rtnl::parse_mac(str::to_lower(f.mac), m) || (m[0] & 1))
            throw Error("invalid --mac-address \"" + f.mac + "\": expected a unicast address such as 02:42:ac:11:00:02");
    }
    std::vector<std::string> seen;
    for (const auto& v : values) {
        if (!bridge) continue;
        auto e = net::parse_endpoint_option(net::parse_network_mode(v).target + v.substr(std::min(v.find(':'), v.size())));
        if (std::find(seen.begin(), seen.end(), e.network) != seen.end())
            throw Error("--network " + e.network + " is given twice");
        seen.push_back(e.network);
    }
    for (const auto& p : f.publish) net::parse_publish(p);
    for (const auto& e : f.expose) net::parse_expose(e);
    for (const auto& h : f.add_host) check_add_host(h);
    for (const auto& d : f.dns)
        if (!net::canonical_ip(d)) throw Error("invalid --dns \"" + d + "\": not an IP address");
    if (f.no_hosts && !f.add_host.empty()) throw Error("--no-hosts and --add-host cannot be set together");
    if ((!f.publish.empty() || f.publish_all) && mode.kind != net::NetworkKind::Slirp && !bridge) {
        // Podman drops the ports with a warning; a user who asked for a port should not
        // find out by failing to connect.
        throw Error("conflicting options: ports cannot be published (-p/-P) with --network " + values.front() +
                    ": the container does not have a network of its own");
    }
}

net::EndpointOptions endpoint_options(storage::Store& store, const std::string& network, const std::vector<std::string>& aliases,
                                      const std::string& ip4, const std::string& ip6, const std::string& mac) {
    net::EndpointOptions e;
    e.network = network;
    e.aliases = aliases;
    e.ip4 = ip4;
    e.ip6 = ip6;
    e.mac = mac;
    const net::NetworkConfig n = net::NetworkStore(store.root()).get(network);
    e.network = n.name;
    for (std::string* ip : {&e.ip4, &e.ip6}) {
        if (ip->empty()) continue;
        auto a = net::IpAddress::parse(*ip);
        bool inside = false;
        for (const auto& s : n.subnets) inside |= a && s.subnet.contains(*a) && *a != s.gateway;
        if (!inside) throw Error("requested static ip " + *ip + " not in any subnet on network " + n.name);
        *ip = a->str();
    }
    for (const auto& alias : e.aliases)
        if (!net::valid_network_name(alias) || alias.size() > 253)
            throw Error("invalid network alias \"" + alias + "\": names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*");
    return e;
}

void apply_network_options(storage::Store& store, ContainerConfig& cfg, const NetworkOptions& f,
                           const std::vector<std::string>& image_exposed) {
    check_network_options(f);
    const std::vector<std::string> values = f.all_networks();
    net::NetworkMode mode = selected_mode(values);
    if (mode.kind == net::NetworkKind::Container) {
        ContainerStore containers(store);
        auto other = containers.find(mode.target);
        if (!other) throw Error("--network container:" + mode.target + ": no container with name or ID \"" + mode.target + "\" found: no such container");
        mode.target = other->config.id;
    }
    // On networks by name: Podman's "bridge", the networks themselves in cfg.networks.
    cfg.network_mode = mode.kind == net::NetworkKind::Bridge ? "bridge" : net::to_string(mode);
    cfg.networks.clear();
    if (mode.kind == net::NetworkKind::Bridge) {
        for (const auto& v : values) {
            const net::NetworkMode m = net::parse_network_mode(v);
            net::EndpointOptions given = net::parse_endpoint_option(m.target + (m.options.empty() ? "" : ":" + m.options));
            std::vector<std::string> aliases = given.aliases;
            for (const auto& a : f.aliases)
                if (std::find(aliases.begin(), aliases.end(), a) == aliases.end()) aliases.push_back(a);
            net::EndpointOptions e =
                endpoint_options(store, given.network, aliases, given.ip4.empty() ? f.ip : given.ip4,
                                 given.ip6.empty() ? f.ip6 : given.ip6, given.mac.empty() ? str::to_lower(f.mac) : given.mac);
            e.interface_name = given.interface_name;
            cfg.networks.push_back(std::move(e));
        }
    }

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
