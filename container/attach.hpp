// The foreground monitor loop: the CLI process waits for its container, forwarding
// signals to the container's PID 1 (Podman's --sig-proxy), relaying a terminal (raw mode,
// window size, resize) and returning the container's exit code.
#pragma once

#include "container/launcher.hpp"

namespace pc::container {

struct AttachOptions {
    bool tty = false;
    bool stdin_open = false;  // -i: relay stdin to the terminal
    bool sig_proxy = true;
};

// Blocks until the container's P1 exits; returns the container's exit code (128+N when
// its PID 1 was killed by signal N).
int attach_until_exit(Launched& launched, const AttachOptions& options);

}  // namespace pc::container
