// The attach socket of a detached container: its monitor listens on
// RUNROOT/containers/<id>/attach (AF_UNIX, SOCK_SEQPACKET), and each `pc attach` is one
// connection. Seqpacket keeps message boundaries, so every message is one packet: a type
// byte and its payload.
//
//   client -> monitor   'I' bytes          input for the container's stdin (or terminal)
//                       'W' rows cols      window size (two uint16, host byte order)
//   monitor -> client   'O' bytes / 'E' bytes   the container's stdout / stderr
//                       'X' code           the container exited (int32); the monitor
//                                          then closes the connection
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "common/fd.hpp"

namespace pc::container {

namespace attach_msg {
inline constexpr char kInput = 'I';
inline constexpr char kResize = 'W';
inline constexpr char kStdout = 'O';
inline constexpr char kStderr = 'E';
inline constexpr char kExit = 'X';
// Largest payload of one packet (below the default socket buffer of ~208 KiB).
inline constexpr size_t kMaxPayload = 65536;
}  // namespace attach_msg

// RUNROOT/containers/<id>: runtime files of one container (not kept across reboots).
std::string container_runtime_dir(const std::string& runroot, const std::string& id);

// Creates the listening socket `dir`/attach (dir created 0700 with its parents; a stale
// socket from a killed monitor is replaced). Non-blocking, close-on-exec.
UniqueFd listen_attach_socket(const std::string& dir);
// Connects to it; throws pc::Error when nothing listens.
UniqueFd connect_attach_socket(const std::string& dir);

// Sends one packet: `type` then `len` bytes of `data`. Returns false when the peer is gone
// or, with `nonblocking`, when the packet does not fit in its buffer right now.
bool send_packet(int sock, char type, const void* data, size_t len, bool nonblocking = false);

}  // namespace pc::container
