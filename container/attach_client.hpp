// `pc attach`: connecting to the monitor of a detached, running container (see
// attach_socket.hpp), relaying the terminal both ways until the container exits or the
// user types the detach keys. The container keeps running after a detach.
#pragma once

#include <string>

#include "container/container_store.hpp"

namespace pc::container {

struct AttachClientOptions {
    std::string detach_keys;   // as parse_detach_keys returns them; "" = never detach
    bool attach_stdin = true;  // false: --no-stdin (stdin is relayed only for -i containers)
    bool sig_proxy = true;     // forward our signals to the container (without a terminal)
};

struct AttachOutcome {
    bool detached = false;
    int exit_code = 0;  // the container's, when it exited; 128+N when we were stopped by N
};

// Throws pc::Error "you can only attach to running containers" for a container that is
// not running, and when its monitor cannot be reached.
AttachOutcome attach_running(ContainerStore& containers, const Container& c, const AttachClientOptions& options);

}  // namespace pc::container
