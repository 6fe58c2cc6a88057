#include "net/endpoint.hpp"

#include "common/error.hpp"
#include "common/json_integer.hpp"
#include "common/strings.hpp"
#include "net/rtnetlink.hpp"

namespace pc::net {

using nlohmann::json;

namespace {

std::string text(const IpAddress& a) { return a.str(); }

IpAddress address(const json& j, const char* key) {
    return IpAddress::parse(j.value(key, "")).value_or(IpAddress{});
}

}  // namespace

void to_json(json& j, const EndpointOptions& e) {
    j = json{{"network", e.network}};
    if (!e.aliases.empty()) j["aliases"] = e.aliases;
    if (!e.ip4.empty()) j["ip4"] = e.ip4;
    if (!e.ip6.empty()) j["ip6"] = e.ip6;
    if (!e.mac.empty()) j["mac"] = e.mac;
    if (!e.interface_name.empty()) j["interface_name"] = e.interface_name;
}

void from_json(const json& j, EndpointOptions& e) {
    e.network = j.at("network").get<std::string>();
    e.aliases = j.value("aliases", std::vector<std::string>{});
    e.ip4 = j.value("ip4", "");
    e.ip6 = j.value("ip6", "");
    e.mac = j.value("mac", "");
    e.interface_name = j.value("interface_name", "");
}

void to_json(json& j, const Endpoint& e) {
    j = json{{"network", e.network},   {"network_id", e.network_id}, {"interface", e.interface},
             {"bridge", e.bridge},     {"mac", e.mac},               {"ip4", text(e.ip4)},
             {"gateway4", text(e.gateway4)}, {"prefix4", e.prefix4}, {"ip6", text(e.ip6)},
             {"gateway6", text(e.gateway6)}, {"prefix6", e.prefix6}, {"mtu", e.mtu},
             {"internal", e.internal}, {"dns", e.dns},               {"aliases", e.aliases}};
}

void from_json(const json& j, Endpoint& e) {
    e.network = j.value("network", "");
    e.network_id = j.value("network_id", "");
    e.interface = j.value("interface", "");
    e.bridge = j.value("bridge", "");
    e.mac = j.value("mac", "");
    e.ip4 = address(j, "ip4");
    e.gateway4 = address(j, "gateway4");
    e.prefix4 = json_integer(j, "prefix4", e.prefix4);
    e.ip6 = address(j, "ip6");
    e.gateway6 = address(j, "gateway6");
    e.prefix6 = json_integer(j, "prefix6", e.prefix6);
    e.mtu = json_integer(j, "mtu", decltype(e.mtu){1500});
    e.internal = j.value("internal", false);
    e.dns = j.value("dns", true);
    e.aliases = j.value("aliases", std::vector<std::string>{});
}

EndpointOptions parse_endpoint_option(const std::string& value) {
    auto [name, rest] = str::split_once(value, ':');
    EndpointOptions e;
    e.network = name;
    if (!rest) return e;
    auto bad = [&](const std::string& why) { return Error("invalid --network \"" + value + "\": " + why); };
    for (const auto& item : str::split(*rest, ',')) {
        if (item.empty()) continue;
        auto [key, val] = str::split_once(item, '=');
        if (!val || val->empty()) throw bad("option \"" + key + "\" needs a value (" + key + "=VALUE)");
        if (key == "alias") {
            e.aliases.push_back(*val);
        } else if (key == "ip" || key == "ip6") {
            auto a = IpAddress::parse(*val);
            if (!a || a->v4() != (key == "ip"))
                throw bad("\"" + *val + "\" is not an " + (key == "ip" ? "IPv4" : "IPv6") + " address");
            (key == "ip" ? e.ip4 : e.ip6) = a->str();
        } else if (key == "mac") {
            rtnl::Mac m{};
            if (!rtnl::parse_mac(str::to_lower(*val), m)) throw bad("\"" + *val + "\" is not a MAC address");
            e.mac = rtnl::mac_text(m);
        } else if (key == "interface_name") {
            e.interface_name = *val;
        } else {
            throw bad("unknown option \"" + key + "\" (valid: alias, ip, ip6, mac, interface_name)");
        }
    }
    return e;
}

}  // namespace pc::net
