#include "net/holder_protocol.hpp"

#include "common/json_integer.hpp"

namespace pc::net {

using nlohmann::json;

void to_json(json& j, const AttachRequest& r) {
    json endpoints = json::array();
    for (const auto& [network, options] : r.endpoints) endpoints.push_back({{"network", network}, {"options", options}});
    j = json{{"op", r.add ? "connect" : "attach"}, {"container", r.container}, {"name", r.name},
             {"names", r.names}, {"endpoints", std::move(endpoints)}, {"owner_pid", r.owner_pid},
             {"owner_start", r.owner_start}};
}

void from_json(const json& j, AttachRequest& r) {
    r.container = j.at("container").get<std::string>();
    r.name = j.value("name", "");
    r.names = j.value("names", std::vector<std::string>{});
    r.endpoints.clear();
    for (const auto& e : j.value("endpoints", json::array()))
        r.endpoints.emplace_back(e.at("network").get<NetworkConfig>(), e.at("options").get<EndpointOptions>());
    r.owner_pid = json_integer<pid_t>(j, "owner_pid");
    r.owner_start = json_integer<uint64_t>(j, "owner_start");
    r.add = j.value("op", "attach") == "connect";
}

void to_json(json& j, const Lease& l) {
    j = json{{"container", l.container}, {"name", l.name}, {"names", l.names}, {"owner_pid", l.owner_pid},
             {"owner_start", l.owner_start}, {"endpoints", l.endpoints}};
}

void from_json(const json& j, Lease& l) {
    l.container = j.at("container").get<std::string>();
    l.name = j.value("name", "");
    l.names = j.value("names", std::vector<std::string>{});
    l.owner_pid = json_integer<pid_t>(j, "owner_pid");
    l.owner_start = json_integer<uint64_t>(j, "owner_start");
    l.endpoints = j.value("endpoints", std::vector<Endpoint>{});
}

}  // namespace pc::net
