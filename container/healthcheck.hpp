// Container healthchecks (--health-cmd and friends, or the image's HEALTHCHECK): one run
// of the check inside the container, and the bookkeeping Podman shows as .State.Health
// (status starting/healthy/unhealthy, failing streak, the last results).
#pragma once

#include <cstdint>
#include <string>

#include "container/container_store.hpp"

namespace pc::container {

struct HealthResult {
    int exit_code = 0;     // 0 healthy, 1 unhealthy (anything else counts as 1)
    std::string output;    // first 4 KiB of stdout+stderr
    int64_t start_ns = 0, end_ns = 0;
};

// Runs the check once in the running container (killed after the configured timeout).
// Blocks; throws pc::Error when the container is not running.
HealthResult run_healthcheck(ContainerStore& containers, const Container& c);

// Records `r` (streak, status, log of the last five results; failures inside the start
// period only count once the check has succeeded) and returns the new status. Emits a
// health_status event when the status changes.
std::string record_health(ContainerStore& containers, const Container& c, const HealthResult& r);

// Parses the CLI/image healthcheck command: a string is run by the container's shell
// (["CMD-SHELL", s]), a JSON array is taken as is ("CMD", "CMD-SHELL" or "NONE" first).
std::vector<std::string> parse_health_cmd(const std::string& value);

}  // namespace pc::container
