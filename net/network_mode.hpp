// The --network / --net value: which network namespace a container gets, and for the default
// user-mode network (slirp) its options and the addresses they imply.
#pragma once

#include <optional>
#include <string>

namespace pc::net {

struct SlirpOptions {
    unsigned mtu = 65520;
    bool allow_host_loopback = true;     // pc's default (unlike Podman): host's 127.0.0.1 reachable as 10.0.2.2
    std::optional<bool> enable_ipv6;     // unset = when the host has IPv6
    std::string cidr = "10.0.2.0/24";    // IPv4 network; gateway .2, DNS .3, container .100
    std::string outbound_addr, outbound_addr6;  // IP literals (interface names: clear error, not supported)
    std::string port_handler = "rootlesskit";   // "rootlesskit" (pc's splice proxy) or "slirp4netns" (slirp hostfwd)
    bool operator==(const SlirpOptions&) const = default;
};

// Bridge: user-defined networks (and Podman's default "podman" network), the container's
// own network namespace with a veth pair per network (net/network_holder.hpp).
enum class NetworkKind { Slirp, None, Host, Container, Namespace, Pod, Bridge };

struct NetworkMode {
    NetworkKind kind = NetworkKind::Slirp;
    // Container: name or id; Namespace: path; Pod: ""; Bridge: the network's name as given
    // ("podman" for "bridge"), "" in the stored form (the networks are kept apart).
    std::string target;
    std::string options;  // Bridge: what followed the name's ':' (net/endpoint.hpp parses it)
    SlirpOptions slirp;   // Slirp only
    bool operator==(const NetworkMode&) const = default;
};

// --network / --net values:
//   "" | "slirp4netns" | "private" | "default"   (all = the default slirp network)
//   "slirp4netns:mtu=1500,allow_host_loopback=false,enable_ipv6=true,cidr=10.5.0.0/24,
//                outbound_addr=1.2.3.4,outbound_addr6=2001:db8::1,port_handler=slirp4netns"
//   "none" | "host" | "container:NAME" | "ns:/path" | "pod"
//   "bridge" (= the network "podman", as in Podman) | "NAME" | "NAME:OPTIONS": a network by
//   name ([a-zA-Z0-9][a-zA-Z0-9_.-]*), whether it exists is for the caller to check
// Booleans take Go's strconv.ParseBool spellings (1, t, true, TRUE, 0, f, false, ...); mtu is
// 68..65521 (libslirp's IF_MTU_MAX); cidr is IPv4 with a prefix of at most /25 (so .100 fits),
// host bits are cleared. Throws pc::Error: `unsupported --network "X": ...` for unknown modes
// and options, `invalid --network "X": ...` for bad values.
NetworkMode parse_network_mode(const std::string& value);

// Canonical stored form, round-trips through parse_network_mode: "slirp4netns" when every option
// is default, else "slirp4netns:mtu=1500,allow_host_loopback=false" (only non-default options,
// in the order of the struct); "none", "host", "container:NAME", "ns:/path", "pod", and for
// a network by name NAME[:OPTIONS] ("podman" for "bridge"). A container's configuration
// stores "bridge" instead (Podman's HostConfig.NetworkMode), its networks apart.
std::string to_string(const NetworkMode& m);

// Addresses derived from slirp options (dotted strings): network "10.0.2.0", prefix 24,
// netmask "255.255.255.0", gateway "10.0.2.2", dns "10.0.2.3", guest "10.0.2.100", and the
// fixed IPv6 ones. Throws pc::Error for an invalid cidr.
struct SlirpAddresses {
    std::string network;
    unsigned prefix = 24;
    std::string netmask;
    std::string gateway, dns, guest;
    std::string network6 = "fd00::";
    unsigned prefix6 = 64;
    std::string gateway6 = "fd00::2", dns6 = "fd00::3";
};
SlirpAddresses slirp_addresses(const SlirpOptions& o);

// True when the host has a global IPv6 address (/proc/net/if_inet6 lists a non-loopback,
// non-link-local one).
bool host_has_ipv6();
// The same decision from the text of /proc/net/if_inet6 (for tests).
bool has_global_ipv6(const std::string& if_inet6);

}  // namespace pc::net
