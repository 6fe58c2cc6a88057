// Sockets made inside a container's network namespace for the monitor, which lives in
// the host's: a socket belongs to the namespace it was created in, wherever its fd goes
// afterwards. The container's namespace helper (P1) answers requests on a SOCK_SEQPACKET
// pair; the monitor's port proxy asks for one socket per accepted connection and connects
// it to the container's address, so published TCP ports bypass slirp entirely.
#pragma once

#include "common/fd.hpp"

namespace pc::net {

// In the helper: reads one request from `channel` and answers it with a new socket (or
// an errno when that fails). False when the monitor closed the channel.
bool serve_socket_request(int channel);

// In the monitor: a non-blocking, close-on-exec socket of `domain`/`type` in the
// container's network namespace. Throws pc::Error.
UniqueFd request_netns_socket(int channel, int domain, int type);

}  // namespace pc::net
