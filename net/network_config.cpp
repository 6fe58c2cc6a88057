#include "net/network_config.hpp"

#include <cctype>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "common/strings.hpp"
#include "common/time_format.hpp"

namespace pc::net {

using nlohmann::json;

namespace {

IpAddress address_of(const json& j, const char* key) {
    const std::string text = j.value(key, "");
    if (text.empty()) return {};
    auto a = IpAddress::parse(text);
    if (!a) throw Error("invalid network record: " + std::string(key) + " \"" + text + "\" is not an IP address");
    return *a;
}

}  // namespace

unsigned NetworkConfig::mtu() const {
    auto it = options.find("mtu");
    if (it == options.end()) return 1500;
    auto v = str::parse_u64(it->second);
    return v && *v > 0 ? static_cast<unsigned>(*v) : 1500;
}

nlohmann::ordered_json network_json(const NetworkConfig& n) {
    using ordered = nlohmann::ordered_json;
    ordered subnets = ordered::array();
    for (const auto& s : n.subnets) {
        ordered e = {{"subnet", s.subnet.str()}};
        if (!s.gateway.empty()) e["gateway"] = s.gateway.str();
        if (s.lease_range) e["lease_range"] = {{"start_ip", s.lease_range->start.str()}, {"end_ip", s.lease_range->end.str()}};
        subnets.push_back(std::move(e));
    }
    ordered j = {{"name", n.name},
                 {"id", n.id},
                 {"driver", n.driver},
                 {"network_interface", n.interface},
                 {"created", rfc3339_nano(n.created_ns)},
                 {"subnets", std::move(subnets)},
                 {"ipv6_enabled", n.ipv6},
                 {"internal", n.internal},
                 {"dns_enabled", n.dns}};
    if (!n.labels.empty()) j["labels"] = n.labels;
    if (!n.options.empty()) j["options"] = n.options;
    j["ipam_options"] = n.ipam_options;
    return j;
}

void to_json(json& j, const NetworkConfig& n) { j = json::parse(network_json(n).dump()); }

void from_json(const json& j, NetworkConfig& n) {
    n.name = j.at("name").get<std::string>();
    n.id = j.value("id", "");
    n.driver = j.value("driver", "bridge");
    n.interface = j.value("network_interface", "");
    n.created_ns = parse_rfc3339(j.value("created", "")).value_or(0);
    n.subnets.clear();
    for (const auto& s : j.value("subnets", json::array())) {
        SubnetConfig c;
        auto subnet = Subnet::parse(s.value("subnet", ""));
        if (!subnet) throw Error("invalid network record " + n.name + ": bad subnet \"" + s.value("subnet", "") + "\"");
        c.subnet = *subnet;
        c.gateway = address_of(s, "gateway");
        if (s.contains("lease_range"))
            c.lease_range = LeaseRange{address_of(s["lease_range"], "start_ip"), address_of(s["lease_range"], "end_ip")};
        n.subnets.push_back(std::move(c));
    }
    n.ipv6 = j.value("ipv6_enabled", false);
    n.internal = j.value("internal", false);
    n.dns = j.value("dns_enabled", true);
    n.labels = j.value("labels", std::map<std::string, std::string>{});
    n.options = j.value("options", std::map<std::string, std::string>{});
    n.ipam_options = j.value("ipam_options", std::map<std::string, std::string>{{"driver", "host-local"}});
}

bool valid_network_name(const std::string& name) {
    if (name.empty() || !std::isalnum(static_cast<unsigned char>(name[0]))) return false;
    for (char c : name)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '-') return false;
    return true;
}

NetworkConfig default_network() {
    NetworkConfig n;
    n.name = kDefaultNetworkName;
    n.id = "2f259bab93aaaaa2542ba43ef33eb990d0999ee1b9924b557b7be53c0b7a1bb9";  // sha256("podman")
    n.interface = "podman0";
    // Podman makes this record up on every call: its creation time is always "now".
    n.created_ns = clock_ns(CLOCK_REALTIME);
    auto subnet = *Subnet::parse("10.88.0.0/16");
    n.subnets.push_back({subnet, subnet.first_host(), std::nullopt});
    n.dns = false;
    return n;
}

}  // namespace pc::net
