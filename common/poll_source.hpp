// Something a PollLoop (common/poll_loop.hpp) drives: the slirp stack and the port proxy
// of a container's network run in the loop of whichever process monitors the container
// (the foreground `pc run`, or the detached monitor), next to that process's own
// descriptors; P1's loop serves the monitor's socket requests the same way.
#pragma once

#include <poll.h>

#include <vector>

namespace pc {

class PollSource {
public:
    virtual ~PollSource() = default;
    // Appends the descriptors to wait on and may lower `timeout_ms` (-1: no timeout).
    virtual void fill(std::vector<struct pollfd>& fds, int& timeout_ms) = 0;
    // After poll() returned (also on timeout): `fds` is the vector fill() appended to.
    virtual void dispatch(const std::vector<struct pollfd>& fds) = 0;
};

}  // namespace pc
