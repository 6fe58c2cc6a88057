// Published and exposed ports: parsing -p/--publish and --expose the way Podman accepts them,
// choosing random host ports, and the views of them (ps PORTS, `pc port`, inspect JSON).
// Ranges are expanded to one mapping per port when parsed; the views compress them again.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace pc::net {

struct PortMapping {
    std::string host_ip;            // "" = all addresses (shown as 0.0.0.0); IPv6 in canonical form
    uint16_t host_port = 0;         // 0 = not chosen yet (random), see assign_random_ports
    uint16_t container_port = 0;
    std::string protocol = "tcp";   // "tcp" or "udp"
    bool operator==(const PortMapping&) const = default;
};

// One -p/--publish value, expanded to one mapping per port and protocol:
//   80 | :80 | 8080:80 | 127.0.0.1:8080:80 | 127.0.0.1::80 | [::1]:8080:80 | 8080:80/udp |
//   8000-8010:80-90 | 80-82 (random host port each) | 8080:80/tcp,udp (both protocols)
// Host "0.0.0.0" is stored as "". Throws pc::Error naming the value:
//   invalid port "abc" in -p "abc:80"
std::vector<PortMapping> parse_publish(const std::string& spec);

// One --expose value: "80", "80/udp", "8000-8002/tcp", "53/tcp,udp" -> {"80/tcp"}, ...
std::vector<std::string> parse_expose(const std::string& spec);

// "80/tcp" or "80" (tcp) -> {port, proto}; throws pc::Error.
std::pair<uint16_t, std::string> parse_port_proto(const std::string& s);

// Chooses a free host port for each mapping with host_port 0 by binding port 0 on its host_ip
// (0.0.0.0 when empty) with the mapping's protocol; distinct ports for distinct mappings, never
// one that another mapping names explicitly. Throws pc::Error when the address cannot be bound.
void assign_random_ports(std::vector<PortMapping>& mappings);

// Throws pc::Error naming both -p values when two mappings use the same host port and protocol
// on overlapping addresses ("" and "::" overlap every address). Mappings with host_port 0 are
// not checked (their ports are chosen later, distinct).
void check_conflicts(const std::vector<PortMapping>& mappings);

// The -p value that produces exactly this mapping ("127.0.0.1:8080:80/udp"); used in messages.
std::string to_publish_spec(const PortMapping& m);

// The order every view uses (Podman keeps mappings grouped by host ip and protocol, sorted by
// host port): host_ip, protocol, host_port, container_port.
std::vector<PortMapping> sorted_mappings(std::vector<PortMapping> mappings);

// Podman's `ps` PORTS column: "0.0.0.0:8080->80/tcp, 127.0.0.1:5353->53/udp"; runs with host and
// container ports both +1 (same ip/proto) are compressed: "0.0.0.0:8000-8002->80-82/tcp".
std::string format_ps_ports(const std::vector<PortMapping>& mappings);
// Same, followed (as Podman 4.7+ does) by exposed ports ("80/tcp") that are not published,
// without a host part and compressed into ranges: "..., 9000-9002/tcp".
std::string format_ps_ports(const std::vector<PortMapping>& mappings, const std::vector<std::string>& exposed);

// `pc port NAME`: one line per mapping, "80/tcp -> 0.0.0.0:8080".
// `pc port NAME 80` or `NAME 80/udp`: the host sides only, "0.0.0.0:8080"; no match -> empty
// (the caller prints Podman's error). A malformed filter throws pc::Error.
std::vector<std::string> format_port_lines(const std::vector<PortMapping>& mappings, const std::string& filter = "");

// inspect's .NetworkSettings.Ports and .HostConfig.PortBindings:
//   {"80/tcp":[{"HostIp":"","HostPort":"8080"}]}
// (HostIp "" for all addresses, as Podman 4 shows it). Ports in `exposed` ("80/tcp") that
// are not published appear with null (NetworkSettings.Ports only; pass {} for PortBindings).
nlohmann::json ports_json(const std::vector<PortMapping>& mappings, const std::vector<std::string>& exposed);

// Persisted in config.json with Podman's field names (host_ip, host_port, container_port, protocol).
void to_json(nlohmann::json& j, const PortMapping& m);
void from_json(const nlohmann::json& j, PortMapping& m);

}  // namespace pc::net
