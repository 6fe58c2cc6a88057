// The network options of a container (--network, -p/-P, --expose, --add-host, --dns*,
// --no-hosts as `pc run` takes them, or as compose and pods produce them): checked and
// turned into the container's network configuration, with random host ports chosen at
// create time as Podman does (so `pc port` can tell them before the container starts, and
// a restart keeps them).
#pragma once

#include <string>
#include <vector>

#include "container/config.hpp"
#include "storage/store.hpp"

namespace pc::container {

struct NetworkOptions {
    std::string network;
    std::vector<std::string> publish, expose, add_host, dns, dns_search, dns_option;
    bool publish_all = false, no_hosts = false;
};

// Everything that needs neither the store nor the image. Throws pc::Error naming the flag.
void check_network_options(const NetworkOptions& options);

// Fills cfg's network fields; `image_exposed` are the image's EXPOSE ports ("80/tcp").
void apply_network_options(storage::Store& store, ContainerConfig& cfg, const NetworkOptions& options,
                           const std::vector<std::string>& image_exposed);

}  // namespace pc::container
