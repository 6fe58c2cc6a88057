// The network flags of `pc run`, `pc create` and `pc pod create` (--network, --network-alias,
// --ip, --ip6, --mac-address, -p/-P, --expose, --add-host, --dns*, --no-hosts),
// bound to container::NetworkOptions, which checks and applies them.
#pragma once

#include <CLI/CLI.hpp>

#include "container/network_options.hpp"

namespace pc::cli {

void add_network_flags(CLI::App* cmd, container::NetworkOptions& options);

}  // namespace pc::cli
