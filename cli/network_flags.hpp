// The network flags of `pc run` and `pc create` (--network, -p/-P, --expose, --add-host,
// --dns*, --no-hosts): checked and turned into the container's network configuration,
// with random host ports chosen at create time as Podman does (so `pc port` can tell
// them before the container starts, and a restart keeps them).
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "cli/context.hpp"
#include "container/config.hpp"

namespace pc::cli {

struct NetworkFlags {
    std::string network;
    std::vector<std::string> publish, expose, add_host, dns, dns_search, dns_option;
    bool publish_all = false, no_hosts = false;
};

void add_network_flags(CLI::App* cmd, NetworkFlags& flags);

// Everything that needs neither the store nor the image. Throws pc::Error naming the flag.
void check_network_flags(const NetworkFlags& flags);

// Fills cfg's network fields; `image_exposed` are the image's EXPOSE ports ("80/tcp").
void apply_network_flags(Context& ctx, container::ContainerConfig& cfg, const NetworkFlags& flags,
                         const std::vector<std::string>& image_exposed);

}  // namespace pc::cli
