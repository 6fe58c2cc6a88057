// What happens after a container has exited for good (no restart follows; after a --rm
// removal): the monitor and a foreground run call the hook set here. container/ knows
// nothing of pods; pod/ sets the hook (its exit policy: the infra stops once the last
// member has exited) from the programs that link it (pc, pc-monitor).
#pragma once

#include "container/container_store.hpp"

namespace pc::container {

using ExitHook = void (*)(ContainerStore& containers, const ContainerConfig& cfg);

void set_exit_hook(ExitHook hook);
// Runs the hook, if any; its failures are logged, never thrown.
void run_exit_hook(ContainerStore& containers, const ContainerConfig& cfg) noexcept;

}  // namespace pc::container
