#include "net/netns_sockets.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "common/error.hpp"

namespace pc::net {

namespace {
struct Request {
    int domain;
    int type;
};
}  // namespace

bool serve_socket_request(int channel) {
    Request req {};
    ssize_t n;
    while ((n = ::recv(channel, &req, sizeof(req), 0)) < 0 && errno == EINTR) {
    }
    if (n <= 0) return false;
    // Only what the proxy uses: nothing else is made in the container's name.
    const bool allowed = n == sizeof(req) && (req.domain == AF_INET || req.domain == AF_INET6) &&
                         (req.type == SOCK_STREAM || req.type == SOCK_DGRAM);
    UniqueFd sock(allowed ? ::socket(req.domain, req.type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0) : -1);
    if (!sock) {
        int err = allowed ? errno : EINVAL;
        return ::send(channel, &err, sizeof(err), MSG_NOSIGNAL) >= 0 || errno != EPIPE;
    }
    try {
        send_fd(channel, sock.get());
    } catch (const Error&) {
        return false;
    }
    return true;
}

UniqueFd request_netns_socket(int channel, int domain, int type) {
    Request req{domain, type};
    if (::send(channel, &req, sizeof(req), MSG_NOSIGNAL) != sizeof(req))
        throw Error::sys("asking the container's namespace for a socket", errno);
    return recv_fd(channel);
}

}  // namespace pc::net
