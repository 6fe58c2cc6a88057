// The per-service configuration hash: what `pc compose config --hash` prints and what the
// compose runtime stores on each container (label com.docker.compose.config-hash) to decide
// whether `up` must recreate it. Computed as Docker Compose computes it: the SHA-256 (hex)
// of the service's compact JSON form (compose-go's JSON field names and order), without
// the fields that do not need a new container (build, pull_policy, scale,
// deploy.replicas, depends_on, profiles). The service must be loaded the way containers
// are created from it: environment resolved with env_file contents merged and discarded
// (load_project does this; see resolve_service_environment).
#pragma once

#include <string>

#include "compose/model.hpp"

namespace pc::compose {

std::string service_config_hash(const Service& service);

}  // namespace pc::compose
