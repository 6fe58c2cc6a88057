// The two ways a project's services are networked, and the pure part of the second one.
//
// In a pod (the default): every service without a network_mode of its own shares the
// project's pod, one network namespace. Outside it (podman-compose's `--in-pod=false`, or
// `x-podman: {in_pod: false}` at the top of the file): each such service has a network
// namespace of its own on the project's user-defined networks (`<project>_default` and the
// file's `networks:`), reachable by service name, container name and aliases through the
// networks' DNS, as Docker Compose runs a project.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "compose/model.hpp"
#include "net/network_create.hpp"

namespace pc::compose {

// Whether the project runs in one pod: `flag` (`--in-pod`) wins, then the file's
// `x-pc.in-pod` or `x-podman.in_pod` (a pod name there counts as true), else true. Throws
// pc::Error naming the key when it is not a boolean.
bool resolve_in_pod(const Project& project, std::optional<bool> flag);

// podman-compose's `x-podman: {in_pod: NAME}` (a pod named NAME), or "". pc's pod is
// always pod_<project> (so that every command finds it); the engine warns.
std::string custom_pod_name(const Project& project);

// `--in-pod`'s value as podman-compose reads it: true/false, 1/0, yes/no (any case).
// Throws pc::Error for anything else.
bool parse_in_pod_flag(const std::string& value);

// What `network create` is asked for the project's network `key` (a non-external one):
// its name, driver (bridge only), internal, IPv6, IPAM pools and labels, with Docker
// Compose's project and network labels. Throws pc::Error naming the key path
// (`networks.KEY.driver`) for what pc cannot make; `warnings` gets the options it ignores.
net::NetworkCreateOptions network_create_options(const Project& project, const std::string& key,
                                                 std::vector<std::string>& warnings);

// The keys of the project's networks that `services` join (sorted, once each).
std::vector<std::string> networks_of_services(const Project& project, const std::vector<std::string>& services);

// A service's `--network` values on the project's networks: "NAME:alias=SERVICE,alias=A,
// ip=...,ip6=...,mac=..." per network it joins. `use_aliases`: false for one-off
// containers of `compose run` without --use-aliases (they answer to their name only).
std::vector<std::string> service_network_values(const Project& project, const Service& service, bool use_aliases);

}  // namespace pc::compose
