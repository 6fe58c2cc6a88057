// The /etc/hosts, /etc/resolv.conf and /etc/hostname files pc generates for a container.
// (Pure text builders; container/spec_builder decides what goes in.)
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace pc::net {

struct HostsOptions {
    std::string hostname;              // the container's hostname
    std::string name;                  // the container's name (also resolvable)
    bool host_network = false;         // start from the host's /etc/hosts
    std::string host_hosts_content;    // the host's /etc/hosts (host_network)
    std::vector<std::pair<std::string, std::string>> extra;  // --add-host name -> ip
    std::string own_ip;                // the container's address ("" = 127.0.1.1 style)
    std::vector<std::string> more_own_ips;  // its addresses on more networks: a line each
    // The host as the container reaches it: host.containers.internal (and Docker's
    // host.docker.internal) and --add-host NAME:host-gateway. "" = none.
    std::string host_gateway;
};
std::string hosts_file(const HostsOptions& o);

struct ResolvOptions {
    std::string host_resolv_content;          // the host's /etc/resolv.conf
    std::vector<std::string> dns_servers;     // --dns (replace the host's servers)
    std::vector<std::string> dns_search;      // --dns-search
    std::vector<std::string> dns_options;     // --dns-option
    // Servers on the host's loopback are unreachable from a private netns: drop them and,
    // when nothing is left, use `fallback_server` (slirp's forwarder once networking exists).
    bool private_network = true;
    std::string fallback_server;
    // User-defined networks: their name servers (the gateways), ahead of the host's, and
    // their domain ahead of the host's search list. Without `host_servers` (only internal
    // networks, from which the host's servers are unreachable) the host's are left out.
    std::vector<std::string> network_servers;
    std::string network_domain;
    bool host_servers = true;
};
std::string resolv_conf(const ResolvOptions& o);

}  // namespace pc::net
