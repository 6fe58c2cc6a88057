#include "container/network_attach.hpp"

#include <algorithm>

#include "common/error.hpp"
#include "common/log.hpp"
#include "container/pod_hosts.hpp"
#include "container/spec_builder.hpp"
#include "net/endpoint_setup.hpp"
#include "net/holder_client.hpp"
#include "net/network_mode.hpp"
#include "net/network_store.hpp"
#include "rootless/nested_userns.hpp"
#include "rootless/ns_join.hpp"
#include "rootless/userns.hpp"

namespace pc::container {

namespace {

bool on_network(const ContainerConfig& cfg, const std::string& network) {
    return std::any_of(cfg.networks.begin(), cfg.networks.end(),
                       [&](const net::EndpointOptions& e) { return e.network == network; });
}

bool running(const Container& c) { return c.state.running() && c.state.pid > 0; }

// Runs `fn` in a child that joined the running container's network namespace and the user
// namespace that owns it (the container's own, or for a keep-id container its parent).
void in_container_network(const Container& c, std::function<void()> fn) {
    auto ns = rootless::open_network_namespace(c.state.pid);
    rootless::UsernsChild child = rootless::UsernsChild::join(std::move(ns), [] {}, [fn = std::move(fn)] {
        fn();
        return 0;
    });
    child.release();
    child.wait_ok();
}

}  // namespace

net::HolderPaths holder_paths(const storage::Store& store) { return {store.root(), store.runroot()}; }

net::AttachRequest attach_request(storage::Store& store, const ContainerConfig& cfg) {
    net::AttachRequest r;
    r.container = cfg.id;
    r.name = cfg.name;
    const net::NetworkStore networks(store.root());
    for (const auto& e : cfg.networks) r.endpoints.emplace_back(networks.get(e.network), e);
    // Containers in this one's network namespace (a pod's members) answer to their names.
    const std::string joined = "container:" + cfg.id;
    for (const auto& other : ContainerStore(store).list())
        if (other.config.network_mode == joined) r.names.push_back(other.config.name);
    return r;
}

void name_on_shared_networks(storage::Store& store, const ContainerConfig& cfg, const std::string& target) {
    auto other = ContainerStore(store).find(target);
    if (!other || net::parse_network_mode(other->config.network_mode).kind != net::NetworkKind::Bridge ||
        other->config.networks.empty())
        return;
    net::add_endpoint_names(holder_paths(store), other->config.id, {cfg.name});
}

std::vector<std::string> network_users(ContainerStore& containers, const std::string& network) {
    std::vector<std::string> direct, out;
    auto all = containers.list();
    for (const auto& c : all)
        if (on_network(c.config, network)) direct.push_back(c.config.id);
    for (const auto& c : all) {
        const bool shares = std::any_of(direct.begin(), direct.end(),
                                        [&](const std::string& id) { return c.config.network_mode == "container:" + id; });
        if (shares) out.push_back(c.config.id);
    }
    out.insert(out.end(), direct.begin(), direct.end());
    return out;
}

void connect_network(ContainerStore& containers, const Container& c, const net::EndpointOptions& endpoint) {
    storage::Store& store = containers.storage();
    if (net::parse_network_mode(c.config.network_mode).kind != net::NetworkKind::Bridge)
        throw Error("container " + c.config.name + " is not on networks by name (its network mode is " +
                    c.config.network_mode + "): only those can be connected to more");
    const net::NetworkConfig network = net::NetworkStore(store.root()).get(endpoint.network);
    containers.update_config(c.config.id, [&](ContainerConfig& cfg) {
        if (on_network(cfg, network.name))
            throw Error("container " + cfg.id + " is already connected to network \"" + network.name +
                        "\": network is already connected");
        cfg.networks.push_back(endpoint);
    });
    if (!running(c)) return;
    try {
        net::AttachRequest r;
        r.container = c.config.id;
        r.name = c.config.name;
        r.endpoints.emplace_back(network, endpoint);
        r.owner_pid = c.state.monitor_pid;
        r.owner_start = c.state.monitor_start;
        r.add = true;
        net::Attachment a = net::attach_endpoints(holder_paths(store), r);
        const bool first_default = c.state.endpoints.empty();
        try {
            in_container_network(c, [&] { net::set_up_endpoints(a.netns.get(), a.endpoints, first_default); });
        } catch (...) {
            net::detach_endpoints(holder_paths(store), c.config.id, {network.name});
            throw;
        }
        containers.update_state(c.config.id, [&](ContainerState& s) {
            s.endpoints.insert(s.endpoints.end(), a.endpoints.begin(), a.endpoints.end());
        });
        // The new address is the container's own name too, as Podman writes it.
        if (!c.config.no_hosts && c.config.network_mode == "bridge") {
            for (const auto& e : a.endpoints)
                for (const auto& ip : {e.ip4, e.ip6})
                    if (!ip.empty())
                        append_hosts_line(store.container_dir(c.config.id) + "/hosts",
                                          ip.str() + "\t" + container_hostname(c.config) + " " + c.config.name + "\n");
        }
    } catch (...) {
        containers.update_config(c.config.id, [&](ContainerConfig& cfg) {
            std::erase_if(cfg.networks, [&](const net::EndpointOptions& e) { return e.network == network.name; });
        });
        throw;
    }
}

void disconnect_network(ContainerStore& containers, const Container& c, const std::string& network) {
    storage::Store& store = containers.storage();
    const std::string name = net::NetworkStore(store.root()).get(network).name;
    containers.update_config(c.config.id, [&](ContainerConfig& cfg) {
        if (!on_network(cfg, name)) throw Error("container " + c.config.name + " is not connected to network " + name);
        std::erase_if(cfg.networks, [&](const net::EndpointOptions& e) { return e.network == name; });
    });
    if (!running(c)) return;
    std::string interface;
    for (const auto& e : c.state.endpoints)
        if (e.network == name) interface = e.interface;
    net::detach_endpoints(holder_paths(store), c.config.id, {name});
    if (!interface.empty()) {
        try {
            in_container_network(c, [&] { net::remove_endpoint(interface); });
        } catch (const Error& e) {
            log::warn("removing " + interface + " from container " + c.config.name + ": " + e.what());
        }
    }
    containers.update_state(c.config.id, [&](ContainerState& s) {
        std::erase_if(s.endpoints, [&](const net::Endpoint& e) { return e.network == name; });
    });
}

}  // namespace pc::container
