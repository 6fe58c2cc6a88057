#include "net/network_mode.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <fstream>
#include <sstream>
#include <vector>

#include "common/error.hpp"
#include "common/strings.hpp"
#include "net/network_config.hpp"
#include "net/sockaddr.hpp"

namespace pc::net {

namespace {

constexpr unsigned kMinMtu = 68;       // IPv4's minimum
constexpr unsigned kMaxMtu = 65521;    // libslirp's IF_MTU_MAX
constexpr unsigned kMaxPrefix = 25;    // the container is .100, so the network needs 7 host bits

const char* kModes =
    "valid modes: slirp4netns[:OPTIONS], private, default, none, host, container:NAME, ns:PATH, pod, bridge, or a "
    "network's name";
const char* kOptionNames[] = {"mtu", "allow_host_loopback", "enable_ipv6", "cidr", "outbound_addr", "outbound_addr6",
                              "port_handler"};

std::string in_quotes(std::string_view s) { return "\"" + std::string(s) + "\""; }

// Go's strconv.ParseBool, which Podman's options accept.
std::optional<bool> parse_bool(const std::string& s) {
    for (const char* t : {"1", "t", "T", "TRUE", "true", "True"})
        if (s == t) return true;
    for (const char* f : {"0", "f", "F", "FALSE", "false", "False"})
        if (s == f) return false;
    return std::nullopt;
}

// "a.b.c.d/n" -> (network address in host order, n); nullopt when not an IPv4 CIDR.
std::optional<std::pair<uint32_t, unsigned>> parse_cidr4(const std::string& s) {
    auto [addr, len] = str::split_once(s, '/');
    in_addr a{};
    if (!len || inet_pton(AF_INET, addr.c_str(), &a) != 1) return std::nullopt;
    auto prefix = str::parse_u64(*len);
    if (!prefix || *prefix > 32) return std::nullopt;
    uint32_t mask = *prefix == 0 ? 0 : ~uint32_t{0} << (32 - *prefix);
    return std::make_pair(ntohl(a.s_addr) & mask, static_cast<unsigned>(*prefix));
}

std::string dotted(uint32_t host_order) {
    in_addr a{htonl(host_order)};
    char text[INET_ADDRSTRLEN];
    return inet_ntop(AF_INET, &a, text, sizeof(text));
}

SlirpOptions parse_slirp_options(const std::string& value, const std::string& options) {
    auto invalid = [&](const std::string& why) { return Error("invalid --network " + in_quotes(value) + ": " + why); };
    auto unknown = [&](const std::string& key) {
        std::vector<std::string> names(std::begin(kOptionNames), std::end(kOptionNames));
        return Error("unsupported --network " + in_quotes(value) + ": unknown option " + in_quotes(key) +
                     "; valid slirp4netns options: " + str::join(names, ", "));
    };
    SlirpOptions o;
    for (const auto& item : str::split(options, ',')) {
        if (item.empty()) continue;
        auto [key, val] = str::split_once(item, '=');
        auto bad = [&, &key = key, &val = val](const std::string& expected) {
            return invalid("invalid " + key + " " + in_quotes(*val) + ": " + expected);
        };
        if (!val) {
            for (const char* known : kOptionNames)
                if (key == known) throw invalid("option " + in_quotes(key) + " needs a value (" + key + "=VALUE)");
            throw unknown(key);
        }
        if (key == "mtu") {
            auto mtu = str::parse_u64(*val);
            if (!mtu || *mtu < kMinMtu || *mtu > kMaxMtu)
                throw bad("must be between " + std::to_string(kMinMtu) + " and " + std::to_string(kMaxMtu));
            o.mtu = static_cast<unsigned>(*mtu);
        } else if (key == "allow_host_loopback" || key == "enable_ipv6") {
            auto b = parse_bool(*val);
            if (!b) throw bad("expected true or false");
            if (key == "allow_host_loopback") o.allow_host_loopback = *b;
            else o.enable_ipv6 = *b;
        } else if (key == "cidr") {
            auto net = parse_cidr4(*val);
            if (!net) throw bad("expected an IPv4 network such as 10.0.2.0/24");
            if (net->second > kMaxPrefix || net->second == 0)
                throw bad("the prefix length must be 1 to " + std::to_string(kMaxPrefix) +
                          " (the container's address is .100)");
            o.cidr = dotted(net->first) + "/" + std::to_string(net->second);
        } else if (key == "outbound_addr" || key == "outbound_addr6") {
            bool v6 = key == "outbound_addr6";
            auto ip = canonical_ip(*val, v6 ? AF_INET6 : AF_INET);
            if (!ip)
                throw bad(std::string("expected an ") + (v6 ? "IPv6" : "IPv4") +
                          " address (interface names are not supported)");
            (v6 ? o.outbound_addr6 : o.outbound_addr) = *ip;
        } else if (key == "port_handler") {
            if (*val != "rootlesskit" && *val != "slirp4netns") throw bad("expected rootlesskit or slirp4netns");
            o.port_handler = *val;
        } else {
            throw unknown(key);
        }
    }
    if (!o.outbound_addr6.empty() && o.enable_ipv6 == false) throw invalid("outbound_addr6 requires enable_ipv6");
    return o;
}

}  // namespace

NetworkMode parse_network_mode(const std::string& value) {
    NetworkMode m;
    // Not a structured binding: lambdas may not capture those before C++20 as clang 14
    // implements it (the sanitizer lane builds with clang).
    const auto split = str::split_once(value, ':');
    const std::string& name = split.first;
    const std::optional<std::string>& rest = split.second;
    auto target = [&](const char* what) {
        if (rest->empty()) throw Error("invalid --network " + in_quotes(value) + ": " + what + " is required");
        return *rest;
    };
    auto named = [&] {
        const bool reserved = name == "none" || name == "host" || name == "pod" || name == "private" ||
                              name == "default" || name == "container" || name == "ns";
        if (!valid_network_name(name) || reserved) throw Error("unsupported --network " + in_quotes(value) + "; " + kModes);
        m.kind = NetworkKind::Bridge;
        m.target = name == "bridge" ? kDefaultNetworkName : name;
        m.options = rest.value_or("");
        return m;
    };
    if (!rest) {
        // Podman's rootless default is slirp, under these names too.
        for (const char* slirp : {"", "slirp4netns", "private", "default"})
            if (name == slirp) return m;
        if (name == "none") m.kind = NetworkKind::None;
        else if (name == "host") m.kind = NetworkKind::Host;
        else if (name == "pod") m.kind = NetworkKind::Pod;
        else return named();
        return m;
    }
    if (name == "slirp4netns") {
        m.slirp = parse_slirp_options(value, *rest);
    } else if (name == "container") {
        m.kind = NetworkKind::Container;
        m.target = target("a container name or id");
    } else if (name == "ns") {
        m.kind = NetworkKind::Namespace;
        m.target = target("a namespace path");
        // A relative path would be resolved against whatever directory the container starts from.
        if (m.target[0] != '/')
            throw Error("invalid --network " + in_quotes(value) + ": the namespace path must be absolute");
    } else {
        return named();
    }
    return m;
}

std::string to_string(const NetworkMode& m) {
    switch (m.kind) {
    case NetworkKind::None: return "none";
    case NetworkKind::Host: return "host";
    case NetworkKind::Pod: return "pod";
    case NetworkKind::Container: return "container:" + m.target;
    case NetworkKind::Namespace: return "ns:" + m.target;
    case NetworkKind::Bridge: return m.options.empty() ? m.target : m.target + ":" + m.options;
    case NetworkKind::Slirp: break;
    }
    const SlirpOptions& o = m.slirp;
    const SlirpOptions d;
    auto text = [](bool b) { return std::string(b ? "true" : "false"); };
    std::vector<std::string> opts;
    if (o.mtu != d.mtu) opts.push_back("mtu=" + std::to_string(o.mtu));
    if (o.allow_host_loopback != d.allow_host_loopback)
        opts.push_back("allow_host_loopback=" + text(o.allow_host_loopback));
    if (o.enable_ipv6) opts.push_back("enable_ipv6=" + text(*o.enable_ipv6));
    if (o.cidr != d.cidr) opts.push_back("cidr=" + o.cidr);
    if (!o.outbound_addr.empty()) opts.push_back("outbound_addr=" + o.outbound_addr);
    if (!o.outbound_addr6.empty()) opts.push_back("outbound_addr6=" + o.outbound_addr6);
    if (o.port_handler != d.port_handler) opts.push_back("port_handler=" + o.port_handler);
    return opts.empty() ? "slirp4netns" : "slirp4netns:" + str::join(opts, ",");
}

SlirpAddresses slirp_addresses(const SlirpOptions& o) {
    auto net = parse_cidr4(o.cidr);
    if (!net || net->second == 0 || net->second > kMaxPrefix)
        throw Error("invalid slirp4netns cidr " + in_quotes(o.cidr));
    SlirpAddresses a;
    a.network = dotted(net->first);
    a.prefix = net->second;
    a.netmask = dotted(~uint32_t{0} << (32 - net->second));
    a.gateway = dotted(net->first + 2);
    a.dns = dotted(net->first + 3);
    a.guest = dotted(net->first + 100);
    return a;
}

bool has_global_ipv6(const std::string& if_inet6) {
    // Each line: 32 hex digits of address, ifindex, prefix length, scope, flags, name.
    std::istringstream in(if_inet6);
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::string addr;
        if (!(fields >> addr) || addr.size() != 32) continue;
        addr = str::to_lower(addr);
        if (addr == "00000000000000000000000000000001") continue;                  // ::1
        if (addr.compare(0, 3, "fe8") == 0 || addr.compare(0, 3, "fe9") == 0 ||     // fe80::/10
            addr.compare(0, 3, "fea") == 0 || addr.compare(0, 3, "feb") == 0)
            continue;
        return true;
    }
    return false;
}

bool host_has_ipv6() {
    std::ifstream f("/proc/net/if_inet6");
    if (!f) return false;  // IPv6 disabled in the kernel
    std::stringstream text;
    text << f.rdbuf();
    return has_global_ipv6(text.str());
}

}  // namespace pc::net
