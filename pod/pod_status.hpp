// A pod's state, derived from its containers' (the infra included) by Podman's rules:
// all running -> Running, some running -> Degraded, all paused -> Paused, all exited ->
// Exited, some exited -> Stopped, otherwise Created (also for a pod with no containers).
#pragma once

#include <string>
#include <vector>

#include "container/container_store.hpp"

namespace pc::pod {

std::string pod_status(const std::vector<container::Container>& containers);

}  // namespace pc::pod
