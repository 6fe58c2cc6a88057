// The monitor of a detached container (Podman's conmon, without a separate program): pc
// re-executes itself as `pc __monitor ...` in a new session with no terminal, so it
// survives the caller's shell and logout. It is the parent of the container's processes:
// it writes their output to the container's log, records exits, applies the restart
// policy (with exponential backoff; a `pc stop` is not a failure), runs healthchecks, and
// removes a --rm container at the end. It exits when the container is gone for good.
//
// Re-executing (rather than just forking) gives the long-lived process a fresh, small
// heap: its idle memory is a product feature.
#pragma once

#include <string>
#include <vector>

#include "container/container_store.hpp"

namespace pc::container {

// Starts `c` under a new detached monitor and returns once its payload runs; throws the
// start error (exit code 125/126/127) otherwise. Its dependencies are started first.
void start_detached(ContainerStore& containers, const Container& c);

// Starts the containers `cfg` depends on (a pod member's infra) that are not running.
void start_dependencies(ContainerStore& containers, const ContainerConfig& cfg);

// The hidden `pc __monitor` command: args are what start_detached passes.
int monitor_main(const std::vector<std::string>& args);

}  // namespace pc::container
