#include "cli/network_views.hpp"

#include <time.h>

#include "cli/human_units.hpp"
#include "common/strings.hpp"

namespace pc::cli {

using nlohmann::json;

std::string network_inspect_text(const std::vector<net::NetworkConfig>& networks, int indent) {
    // Podman's key order, which a plain JSON object (sorted) would lose.
    nlohmann::ordered_json all = nlohmann::ordered_json::array();
    for (const auto& n : networks) all.push_back(net::network_json(n));
    return all.dump(indent);
}

json network_template_data(const net::NetworkConfig& n, bool for_ls, bool no_trunc) {
    json subnets = json::array();
    for (const auto& s : n.subnets) {
        json e = {{"Subnet", s.subnet.str()}, {"Gateway", s.gateway.str()}, {"LeaseRange", nullptr}};
        if (s.lease_range) e["LeaseRange"] = {{"StartIP", s.lease_range->start.str()}, {"EndIP", s.lease_range->end.str()}};
        subnets.push_back(std::move(e));
    }
    struct timespec created {};
    created.tv_sec = static_cast<time_t>(n.created_ns / 1'000'000'000);
    created.tv_nsec = static_cast<long>(n.created_ns % 1'000'000'000);
    json labels = n.labels;
    if (for_ls) {
        std::vector<std::string> pairs;
        for (const auto& [k, v] : n.labels) pairs.push_back(k + "=" + v);
        labels = str::join(pairs, ",");
    }
    return {{"Name", n.name},
            {"ID", no_trunc ? n.id : n.short_id()},
            {"Driver", n.driver},
            {"NetworkInterface", n.interface},
            {"Created", go_time_string(created, true)},
            {"Subnets", std::move(subnets)},
            {"IPv6Enabled", n.ipv6},
            {"Internal", n.internal},
            {"DNSEnabled", n.dns},
            {"Labels", std::move(labels)},
            {"Options", n.options},
            {"IPAMOptions", n.ipam_options}};
}

json container_networks_json(const container::Container& c) {
    const bool running = c.state.running() && c.state.pid > 0;
    json out = json::object();
    for (const auto& want : c.config.networks) {
        const net::Endpoint* got = nullptr;
        if (running)
            for (const auto& e : c.state.endpoints)
                if (e.network == want.network) got = &e;
        std::vector<std::string> aliases = want.aliases;
        if (got) aliases = got->aliases;
        else if (std::find(aliases.begin(), aliases.end(), c.config.short_id()) == aliases.end())
            aliases.push_back(c.config.short_id());
        out[want.network] = {{"EndpointID", ""},
                             {"Gateway", got ? got->gateway4.str() : ""},
                             {"IPAddress", got ? got->ip4.str() : ""},
                             {"IPPrefixLen", got && !got->ip4.empty() ? got->prefix4 : 0},
                             {"IPv6Gateway", got ? got->gateway6.str() : ""},
                             {"GlobalIPv6Address", got ? got->ip6.str() : ""},
                             {"GlobalIPv6PrefixLen", got && !got->ip6.empty() ? got->prefix6 : 0},
                             {"MacAddress", got ? got->mac : ""},
                             {"NetworkID", want.network},
                             {"DriverOpts", nullptr},
                             {"IPAMConfig", nullptr},
                             {"Links", nullptr},
                             {"Aliases", aliases}};
    }
    return out;
}

}  // namespace pc::cli
