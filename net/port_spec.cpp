#include "net/port_spec.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/json_integer.hpp"
#include "common/strings.hpp"
#include "net/sockaddr.hpp"

namespace pc::net {

namespace {

std::string in_quotes(std::string_view s) { return "\"" + std::string(s) + "\""; }
std::string shown_ip(const std::string& ip) { return ip.empty() ? "0.0.0.0" : ip; }
std::string key(uint16_t port, const std::string& proto) { return std::to_string(port) + "/" + proto; }
std::string span(uint16_t first, uint16_t last) {
    return first == last ? std::to_string(first) : std::to_string(first) + "-" + std::to_string(last);
}

// Every parse error names the offending piece and the whole value it came from.
[[noreturn]] void fail(const std::string& what, const std::string& ctx) { throw Error(what + " in " + ctx); }

struct Range {
    uint16_t first = 0, last = 0;
    unsigned size() const { return last - first + 1u; }
};

// "N" or "N-M" with 1 <= N < M <= 65535 (Podman rejects "80-80" too).
Range parse_range(std::string_view s, const std::string& ctx) {
    auto port = [&](std::string_view p) {
        auto v = str::parse_u64(p);
        if (!v) fail("invalid port " + in_quotes(p), ctx);
        if (*v < 1 || *v > 65535)
            fail("invalid port " + in_quotes(p) + ": port numbers must be between 1 and 65535", ctx);
        return static_cast<uint16_t>(*v);
    };
    size_t dash = s.find('-');
    if (dash == std::string_view::npos) return {port(s), port(s)};
    if (dash == 0 || dash + 1 == s.size() || s.find('-', dash + 1) != std::string_view::npos)
        fail("invalid port range " + in_quotes(s) + ": expected START-END", ctx);
    Range r{port(s.substr(0, dash)), port(s.substr(dash + 1))};
    if (r.last <= r.first)
        fail("invalid port range " + in_quotes(s) + ": the end port must be higher than the start port", ctx);
    return r;
}

// "SPEC[/PROTOCOLS]" -> (SPEC, protocols), tcp when none is given. PROTOCOLS is "udp", "TCP",
// "tcp,udp"...; sctp needs kernel support that a rootless user-mode network cannot provide.
std::pair<std::string, std::vector<std::string>> split_protocols(const std::string& s, const std::string& ctx) {
    auto [rest, text] = str::split_once(s, '/');
    if (!text) return {rest, {"tcp"}};
    if (text->find('/') != std::string::npos) fail("protocol can only be specified once", ctx);
    if (text->empty()) fail("empty protocol", ctx);
    std::vector<std::string> protocols;
    for (const auto& raw : str::split(*text, ',')) {
        std::string p = str::to_lower(raw);
        if (p == "sctp") fail("protocol \"sctp\" is not supported by rootless networking", ctx);
        if (p != "tcp" && p != "udp") fail("unrecognized protocol " + in_quotes(raw) + " (valid: tcp, udp)", ctx);
        if (std::find(protocols.begin(), protocols.end(), p) == protocols.end()) protocols.push_back(p);
    }
    return {rest, protocols};
}

// "N[-M][/PROTOCOLS]", the --expose and `pc port` form.
std::pair<Range, std::vector<std::string>> parse_ports_with_proto(const std::string& s, const std::string& ctx) {
    auto [ports, protocols] = split_protocols(s, ctx);
    if (ports.empty()) fail("a port is required", ctx);
    return {parse_range(ports, ctx), protocols};
}

// Index ranges [first, last] of the runs of a sorted list in which `continues(prev, next)` holds.
template <typename T, typename F>
std::vector<std::pair<size_t, size_t>> runs(const std::vector<T>& v, F continues) {
    std::vector<std::pair<size_t, size_t>> out;
    for (size_t i = 0; i < v.size(); ++i) {
        if (out.empty() || !continues(v[i - 1], v[i])) out.push_back({i, i});
        else out.back().second = i;
    }
    return out;
}

}  // namespace

std::vector<PortMapping> parse_publish(const std::string& spec) {
    const std::string ctx = "-p " + in_quotes(spec);
    auto [rest, protocols] = split_protocols(spec, ctx);
    std::optional<std::string> ip, host;
    std::string container;
    if (str::starts_with(rest, "[")) {  // [v6]:hostPort:containerPort
        size_t close = rest.find(']');
        auto parts = str::split(std::string_view(rest).substr(std::min(close, rest.size() - 1) + 1), ':');
        if (close == std::string::npos || parts.size() != 3 || !parts[0].empty())
            fail("invalid format, IPv6 addresses are written [ADDR]:hostPort:containerPort", ctx);
        ip = rest.substr(1, close - 1), host = parts[1], container = parts[2];
    } else {
        if (rest.find(']') != std::string::npos) fail("invalid format, IPv6 addresses must be enclosed in []", ctx);
        auto parts = str::split(rest, ':');
        if (parts.size() == 1) container = parts[0];
        else if (parts.size() == 2) host = parts[0], container = parts[1];
        else if (parts.size() == 3) ip = parts[0], host = parts[1], container = parts[2];
        else fail("invalid format, expected [[hostIP:][hostPort]:]containerPort[/protocol] "
                  "(IPv6 addresses in brackets: [::1]:8080:80)", ctx);
    }

    std::string host_ip;  // canonical text; "0.0.0.0" is stored as "" (all addresses)
    if (ip) {
        if (ip->empty()) fail("empty host IP", ctx);
        auto canonical = canonical_ip(*ip);
        if (!canonical) fail("invalid host IP " + in_quotes(*ip), ctx);
        host_ip = *canonical == "0.0.0.0" ? "" : *canonical;
    }
    if (container.empty()) fail("a container port is required", ctx);
    Range ctr = parse_range(container, ctx);
    std::optional<Range> hr;
    if (host && !host->empty()) {
        hr = parse_range(*host, ctx);
        if (hr->size() != ctr.size())
            fail("host port range " + span(hr->first, hr->last) + " and container port range " +
                 span(ctr.first, ctr.last) + " must be of equal length", ctx);
    }
    std::vector<PortMapping> out;
    for (const auto& proto : protocols)
        for (unsigned i = 0; i < ctr.size(); ++i)
            out.push_back({host_ip, uint16_t(hr ? hr->first + i : 0), uint16_t(ctr.first + i), proto});
    return out;
}

std::vector<std::string> parse_expose(const std::string& spec) {
    auto [range, protocols] = parse_ports_with_proto(spec, "--expose " + in_quotes(spec));
    std::vector<std::string> out;
    for (const auto& proto : protocols)
        for (unsigned i = 0; i < range.size(); ++i) out.push_back(key(uint16_t(range.first + i), proto));
    return out;
}

std::pair<uint16_t, std::string> parse_port_proto(const std::string& s) {
    const std::string ctx = in_quotes(s) + " (expected PORT[/PROTOCOL])";
    auto [range, protocols] = parse_ports_with_proto(s, ctx);
    if (range.size() != 1) fail("a single port is required", ctx);
    if (protocols.size() != 1) fail("a single protocol is required", ctx);
    return {range.first, protocols[0]};
}

void assign_random_ports(std::vector<PortMapping>& mappings) {
    std::set<uint16_t> taken;
    for (const auto& m : mappings)
        if (m.host_port) taken.insert(m.host_port);
    // Sockets stay bound until every port is chosen, so the kernel never hands out one twice.
    std::vector<UniqueFd> held;
    for (auto& m : mappings) {
        if (m.host_port) continue;
        const std::string what = "choosing a random host port on " + shown_ip(m.host_ip) + " for " +
                                 key(m.container_port, m.protocol);
        const SockAddr addr = make_sockaddr(m.host_ip, 0);
        for (int attempt = 0; !m.host_port; ++attempt) {
            if (attempt == 64) throw Error(what + ": no free port found");
            UniqueFd fd(::socket(addr.family(), (m.protocol == "udp" ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0));
            if (!fd || ::bind(fd.get(), addr.get(), addr.len) < 0) throw Error::sys(what);
            SockAddr got;
            got.len = sizeof(got.storage);
            auto* raw = reinterpret_cast<sockaddr*>(&got.storage);
            if (::getsockname(fd.get(), raw, &got.len) < 0) throw Error::sys(what);
            uint16_t port = ntohs(got.family() == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(raw)->sin6_port
                                                           : reinterpret_cast<sockaddr_in*>(raw)->sin_port);
            if (taken.insert(port).second) m.host_port = port;
            held.push_back(std::move(fd));
        }
    }
}

std::string to_publish_spec(const PortMapping& m) {
    std::string out;
    if (!m.host_ip.empty()) out = (m.host_ip.find(':') != std::string::npos ? "[" + m.host_ip + "]" : m.host_ip) + ":";
    if (m.host_port || !out.empty()) out += (m.host_port ? std::to_string(m.host_port) : "") + ":";
    out += std::to_string(m.container_port);
    return m.protocol == "tcp" ? out : out + "/" + m.protocol;
}

void check_conflicts(const std::vector<PortMapping>& mappings) {
    auto wildcard = [](const std::string& ip) { return ip.empty() || ip == "0.0.0.0" || ip == "::"; };
    // Bucketed by (protocol, host port) so a 1-65535 range stays cheap.
    std::map<std::pair<std::string, uint16_t>, std::vector<const PortMapping*>> by_port;
    for (const auto& m : mappings) {
        if (!m.host_port) continue;
        auto& seen = by_port[{m.protocol, m.host_port}];
        for (const PortMapping* o : seen) {
            if (o->host_ip != m.host_ip && !wildcard(o->host_ip) && !wildcard(m.host_ip)) continue;
            std::string both = ": -p " + in_quotes(to_publish_spec(*o)) + " and -p " + in_quotes(to_publish_spec(m));
            if (*o == m) throw Error("port " + key(m.host_port, m.protocol) + " is published twice" + both);
            throw Error("conflicting port mappings for host port " + key(m.host_port, m.protocol) + both);
        }
        seen.push_back(&m);
    }
}

std::vector<PortMapping> sorted_mappings(std::vector<PortMapping> mappings) {
    std::stable_sort(mappings.begin(), mappings.end(), [](const PortMapping& a, const PortMapping& b) {
        return std::tie(a.host_ip, a.protocol, a.host_port, a.container_port) <
               std::tie(b.host_ip, b.protocol, b.host_port, b.container_port);
    });
    return mappings;
}

std::string format_ps_ports(const std::vector<PortMapping>& mappings) { return format_ps_ports(mappings, {}); }

std::string format_ps_ports(const std::vector<PortMapping>& mappings, const std::vector<std::string>& exposed) {
    std::vector<std::string> parts;
    const auto ms = sorted_mappings(mappings);
    std::set<std::pair<std::string, uint16_t>> published;  // (proto, container port)
    for (auto [i, j] : runs(ms, [](const PortMapping& a, const PortMapping& b) {
             return a.host_ip == b.host_ip && a.protocol == b.protocol && a.host_port &&
                    b.host_port == a.host_port + 1 && b.container_port == a.container_port + 1;
         })) {
        parts.push_back(shown_ip(ms[i].host_ip) + ":" + span(ms[i].host_port, ms[j].host_port) + "->" +
                        span(ms[i].container_port, ms[j].container_port) + "/" + ms[i].protocol);
        for (size_t k = i; k <= j; ++k) published.insert({ms[k].protocol, ms[k].container_port});
    }
    // Exposed but unpublished ports follow, sorted by protocol then port, as Podman lists them.
    std::set<std::pair<std::string, uint16_t>> unique;
    for (const auto& e : exposed) {
        auto [port, proto] = parse_port_proto(e);
        if (!published.count({proto, port})) unique.insert({proto, port});
    }
    const std::vector<std::pair<std::string, uint16_t>> only(unique.begin(), unique.end());
    for (auto [i, j] : runs(only, [](const auto& a, const auto& b) {
             return a.first == b.first && b.second == a.second + 1;
         }))
        parts.push_back(span(only[i].second, only[j].second) + "/" + only[i].first);
    return str::join(parts, ", ");
}

std::vector<std::string> format_port_lines(const std::vector<PortMapping>& mappings, const std::string& filter) {
    std::optional<std::pair<uint16_t, std::string>> want;
    if (!filter.empty()) want = parse_port_proto(filter);
    std::vector<std::string> out;
    for (const auto& m : sorted_mappings(mappings)) {
        std::string host = shown_ip(m.host_ip) + ":" + std::to_string(m.host_port);
        if (!want) out.push_back(key(m.container_port, m.protocol) + " -> " + host);
        else if (want->first == m.container_port && want->second == m.protocol) out.push_back(host);
    }
    return out;
}

nlohmann::json ports_json(const std::vector<PortMapping>& mappings, const std::vector<std::string>& exposed) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& m : sorted_mappings(mappings))
        out[key(m.container_port, m.protocol)].push_back(
            {{"HostIp", m.host_ip}, {"HostPort", std::to_string(m.host_port)}});
    for (const auto& e : exposed) {
        auto [port, proto] = parse_port_proto(e);
        if (!out.contains(key(port, proto))) out[key(port, proto)] = nullptr;
    }
    return out;
}

void to_json(nlohmann::json& j, const PortMapping& m) {
    j = {{"host_ip", m.host_ip}, {"host_port", m.host_port}, {"container_port", m.container_port},
         {"protocol", m.protocol}};
}

void from_json(const nlohmann::json& j, PortMapping& m) {
    m.host_ip = j.value("host_ip", std::string());
    m.host_port = json_integer<uint16_t>(j, "host_port");
    m.container_port = json_integer<uint16_t>(j, "container_port");
    m.protocol = j.value("protocol", std::string("tcp"));
}

}  // namespace pc::net
