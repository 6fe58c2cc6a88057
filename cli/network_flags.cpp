#include "cli/network_flags.hpp"

namespace pc::cli {

// Repeatable flags take one value each: `-p 80 IMAGE` must not swallow the image.
void add_network_flags(CLI::App* cmd, container::NetworkOptions& f) {
    cmd->add_option("--network,--net", f.networks,
                    "Connect to a network: slirp4netns[:OPTIONS] (default), none, host, container:NAME, ns:PATH, "
                    "or networks by name (NAME[:alias=A,ip=IP,ip6=IP,mac=MAC,interface_name=IF]; bridge = podman)")
        ->allow_extra_args(false);
    cmd->add_option("--network-alias", f.aliases, "Add a network-scoped alias for the container")->allow_extra_args(false);
    cmd->add_option("--ip", f.ip, "Specify a static IPv4 address for the container");
    cmd->add_option("--ip6", f.ip6, "Specify a static IPv6 address for the container");
    cmd->add_option("--mac-address", f.mac, "Container MAC address (e.g. 92:d0:c6:0a:29:33)");
    cmd->add_option("-p,--publish", f.publish, "Publish a container's port, or a range of ports, to the host")->allow_extra_args(false);
    cmd->add_flag("-P,--publish-all", f.publish_all, "Publish all exposed ports to random ports on the host");
    cmd->add_option("--expose", f.expose, "Expose a port or a range of ports")->allow_extra_args(false);
    cmd->add_option("--add-host", f.add_host, "Add a custom host-to-IP mapping (host:ip)")->allow_extra_args(false);
    cmd->add_option("--dns", f.dns, "Set custom DNS servers")->allow_extra_args(false);
    cmd->add_option("--dns-search", f.dns_search, "Set custom DNS search domains")->allow_extra_args(false);
    cmd->add_option("--dns-option,--dns-opt", f.dns_option, "Set custom DNS options")->allow_extra_args(false);
    cmd->add_flag("--no-hosts", f.no_hosts, "Do not create /etc/hosts within the container, instead use the image's");
}

}  // namespace pc::cli
