// Errors of the compose loader. A compose file that Docker Compose rejects is rejected here
// with the place ("FILE:LINE:COLUMN: ") and the key path in the message; the exit status is
// 1, as `docker compose` and podman-compose exit for an invalid project.
#pragma once

#include <string>

#include "common/error.hpp"
#include "compose/node.hpp"

namespace pc::compose {

inline constexpr int kExitInvalidProject = 1;

// pc::Error with exit status 1.
[[noreturn]] void fail(const std::string& message);
// The same, prefixed with where the node came from when that is known.
[[noreturn]] void fail_at(const Mark& mark, const std::string& message);
// "FILE:LINE:COLUMN: " or "FILE: " or "".
std::string location_prefix(const Mark& mark);

}  // namespace pc::compose
