// Starting a created container with the calling process as its monitor (foreground
// `pc run`, `pc start -a`), recording each state transition.
#pragma once

#include "container/attach.hpp"
#include "container/container_store.hpp"

namespace pc::container {

// Starts `c`, waits for it and returns its exit code. On a start failure the container
// stays "created" with the error recorded (or is removed with --rm) and pc::Error (125,
// 126 or 127) is thrown.
int run_attached(ContainerStore& containers, Container& c, const AttachOptions& options);

}  // namespace pc::container
