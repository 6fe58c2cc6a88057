#include "compose/project_networks.hpp"

#include <algorithm>
#include <set>

#include "common/strings.hpp"
#include "compose/errors.hpp"
#include "compose/labels.hpp"
#include "compose/service_container.hpp"

namespace pc::compose {

namespace {

// The boolean at `x-EXT.KEY` of the file, if set.
std::optional<bool> extension_bool(const Project& p, const std::string& ext, const std::string& key) {
    auto it = p.extensions.find(ext);
    if (it == p.extensions.end() || !it->second.is_map()) return std::nullopt;
    const Node* v = it->second.find(key);
    if (!v || v->is_null()) return std::nullopt;
    if (v->is_bool()) return v->as_bool();
    if (v->is_string()) {
        try {
            return parse_in_pod_flag(v->as_string());
        } catch (const Error&) {
            // podman-compose's `in_pod: NAME` (a pod of that name): in a pod.
            if (ext == "x-podman" && !v->as_string().empty()) return true;
        }
    }
    fail_at(p.locate(Path{ext, key}), ext + "." + key + ": must be a boolean (true or false)");
}

}  // namespace

bool parse_in_pod_flag(const std::string& value) {
    const std::string v = str::to_lower(value);
    if (v == "true" || v == "1" || v == "yes") return true;
    if (v == "false" || v == "0" || v == "no") return false;
    throw Error("invalid --in-pod \"" + value + "\": expected true or false", kExitInvalidProject);
}

bool resolve_in_pod(const Project& p, std::optional<bool> flag) {
    if (flag) return *flag;
    // pc's own `x-pc: {in-pod: false}` (either spelling of the key), then podman-compose's.
    for (const auto& [ext, key] : {std::pair<const char*, const char*>{"x-pc", "in_pod"}, {"x-pc", "in-pod"}, {"x-podman", "in_pod"}})
        if (auto v = extension_bool(p, ext, key)) return *v;
    return true;
}

std::string custom_pod_name(const Project& p) {
    auto it = p.extensions.find("x-podman");
    if (it == p.extensions.end() || !it->second.is_map()) return "";
    const std::string* v = it->second.find_string("in_pod");
    if (!v) return "";
    try {
        parse_in_pod_flag(*v);
        return "";
    } catch (const Error&) {
        return *v;
    }
}

net::NetworkCreateOptions network_create_options(const Project& p, const std::string& key, std::vector<std::string>& warnings) {
    const Network& n = p.networks.at(key);
    const Path path{"networks", key};
    // Fails naming networks.KEY.SUB (SUB may have two segments, "ipam.driver").
    auto bad = [&](const std::string& sub, const std::string& why) {
        Path at = path;
        for (const auto& part : str::split(sub, '.')) at = at.next(part);
        fail_at(p.locate(at), "networks." + key + "." + sub + ": " + why);
    };
    net::NetworkCreateOptions o;
    o.name = n.name.empty() ? p.name + "_" + key : n.name;
    if (!n.driver.empty() && n.driver != "bridge")
        bad("driver", "driver \"" + n.driver + "\" is not supported by pc (valid: bridge)");
    if (!n.ipam.driver.empty() && n.ipam.driver != "default" && n.ipam.driver != "host-local")
        bad("ipam.driver", "ipam driver \"" + n.ipam.driver + "\" is not supported by pc (valid: default)");
    if (n.enable_ipv4 && !*n.enable_ipv4) bad("enable_ipv4", "networks without IPv4 are not supported by pc");
    o.internal = n.internal;
    o.ipv6 = n.enable_ipv6.value_or(false);
    for (const auto& pool : n.ipam.config) {
        if (pool.subnet.empty()) {
            if (!pool.gateway.empty() || !pool.ip_range.empty()) bad("ipam.config", "a gateway or ip_range needs a subnet");
            continue;
        }
        o.subnets.push_back(pool.subnet);
        o.gateways.push_back(pool.gateway);  // "" = the subnet's first address
        o.ip_ranges.push_back(pool.ip_range);
        if (!pool.aux_addresses.empty())
            warnings.push_back("network \"" + key + "\": ipam.config.aux_addresses is not applied by pc");
    }
    // An IPv6 subnet given is an IPv6 network, as Docker makes it.
    for (const auto& s : o.subnets) o.ipv6 |= s.find(':') != std::string::npos;
    for (const auto& [k, v] : n.driver_opts) {
        if (k == "mtu" || k == "com.docker.network.driver.mtu") o.options.push_back("mtu=" + v);
        else warnings.push_back("network \"" + key + "\": driver_opts " + k + " is not applied by pc");
    }
    for (const auto& [k, v] : n.labels) o.labels.push_back(k + "=" + v);
    o.labels.push_back(std::string(kLabelProject) + "=" + p.name);
    o.labels.push_back(std::string(kLabelNetwork) + "=" + key);
    o.labels.push_back(std::string(kLabelVersion) + "=2.40.3");
    return o;
}

std::vector<std::string> networks_of_services(const Project& p, const std::vector<std::string>& services) {
    std::set<std::string> keys;
    for (const auto& name : services) {
        const Service& s = p.services.at(name);
        if (!uses_project_network(s)) continue;
        for (const auto& [key, cfg] : s.networks) keys.insert(key);
    }
    return {keys.begin(), keys.end()};
}

std::vector<std::string> service_network_values(const Project& p, const Service& s, bool use_aliases) {
    std::vector<std::string> out;
    const ServiceNetwork unset;
    // links: [SERVICE:ALIAS] of another service: Docker answers ALIAS with this service's
    // address (to the linking container; on pc's networks, to all).
    std::set<std::string> link_aliases;
    for (const auto& [other, o] : p.services)
        for (const auto& link : o.links) {
            auto [target, alias] = str::split_once(link, ':');
            if (target == s.name && alias && *alias != s.name) link_aliases.insert(*alias);
        }
    for (const auto& [key, given] : s.networks) {
        const ServiceNetwork& cfg = given ? *given : unset;
        auto it = p.networks.find(key);
        std::string v = it != p.networks.end() && !it->second.name.empty() ? it->second.name : p.name + "_" + key;
        std::vector<std::string> opts;
        if (use_aliases) {
            opts.push_back("alias=" + s.name);
            for (const auto& a : cfg.aliases) opts.push_back("alias=" + a);
            for (const auto& a : link_aliases)
                if (std::find(cfg.aliases.begin(), cfg.aliases.end(), a) == cfg.aliases.end()) opts.push_back("alias=" + a);
        }
        if (!cfg.ipv4_address.empty()) opts.push_back("ip=" + cfg.ipv4_address);
        if (!cfg.ipv6_address.empty()) opts.push_back("ip6=" + cfg.ipv6_address);
        // The service's own mac_address is its first network's, as Docker Compose sets it.
        const std::string& mac = !cfg.mac_address.empty() ? cfg.mac_address : out.empty() ? s.mac_address : cfg.mac_address;
        if (!mac.empty()) opts.push_back("mac=" + mac);
        if (!cfg.interface_name.empty()) opts.push_back("interface_name=" + cfg.interface_name);
        if (!opts.empty()) v += ":" + str::join(opts, ",");
        out.push_back(v);
    }
    return out;
}

}  // namespace pc::compose
