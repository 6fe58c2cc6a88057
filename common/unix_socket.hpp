// Named AF_UNIX SOCK_SEQPACKET sockets in a runtime directory, and whole messages with
// descriptors over them (SCM_RIGHTS). Seqpacket keeps message boundaries: one request,
// one reply, each a single packet.
//
// sun_path holds 108 bytes, less than a deep runtime directory may need: a socket is
// addressed through its directory's descriptor instead (/proc/self/fd/N/NAME resolves
// like the real path, for bind and connect alike).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/fd.hpp"

namespace pc {

// Listens on `dir`/`name` (a stale socket left by a killed process is replaced).
// Non-blocking, close-on-exec. Throws pc::Error naming the path.
UniqueFd listen_unix(const std::string& dir, const std::string& name, int backlog = 16);
// Connects to it (blocking socket, close-on-exec); an invalid fd with errno set when
// nothing listens there.
UniqueFd connect_unix(const std::string& dir, const std::string& name);

// One message and its descriptors. Returns false when the peer is gone.
bool send_message(int sock, const std::string& data, const std::vector<int>& fds = {});

struct UnixMessage {
    std::string data;
    std::vector<UniqueFd> fds;
};
// The next message (descriptors arrive close-on-exec); nullopt at end of file (the peer
// closed; errno 0) or on an error other than EINTR (errno set; EAGAIN on a non-blocking socket
// with nothing to read).
std::optional<UnixMessage> recv_message(int sock);

}  // namespace pc
