#include "container/attach_socket.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <cerrno>
#include <cstring>

#include "common/error.hpp"
#include "common/user_paths.hpp"

namespace pc::container {

namespace {

// sun_path holds 108 bytes, less than RUNROOT/containers/<64 hex>/attach may need; the
// socket is addressed through the directory's descriptor instead (/proc/self/fd/N/attach
// resolves like the real path, for bind and connect alike).
struct SocketAddress {
    UniqueFd dir;
    struct sockaddr_un addr {};

    explicit SocketAddress(const std::string& path) {
        dir.reset(::open(path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
        if (!dir) throw Error::sys("opening " + path);
        addr.sun_family = AF_UNIX;
        std::snprintf(addr.sun_path, sizeof(addr.sun_path), "/proc/self/fd/%d/attach", dir.get());
    }
    const struct sockaddr* get() const { return reinterpret_cast<const struct sockaddr*>(&addr); }
};

}  // namespace

std::string container_runtime_dir(const std::string& runroot, const std::string& id) {
    return runroot + "/containers/" + id;
}

UniqueFd listen_attach_socket(const std::string& dir) {
    // Private: whoever can connect can type into the container.
    auto slash = dir.rfind('/');
    if (slash != std::string::npos && slash > 0) ensure_dir(dir.substr(0, slash), 0700);
    ensure_dir(dir, 0700);
    SocketAddress a(dir);
    UniqueFd sock(::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!sock) throw Error::sys("creating the attach socket of " + dir);
    ::unlinkat(a.dir.get(), "attach", 0);  // left by a monitor that was killed
    check_sys(::bind(sock.get(), a.get(), sizeof(a.addr)), "binding " + dir + "/attach");
    check_sys(::listen(sock.get(), 8), "listening on " + dir + "/attach");
    return sock;
}

UniqueFd connect_attach_socket(const std::string& dir) {
    SocketAddress a(dir);
    UniqueFd sock(::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0));
    if (!sock) throw Error::sys("creating a socket");
    if (::connect(sock.get(), a.get(), sizeof(a.addr)) < 0)
        throw Error::sys("connecting to the container's monitor (" + dir + "/attach)");
    return sock;
}

bool send_packet(int sock, char type, const void* data, size_t len, bool nonblocking) {
    struct iovec iov[2] = {{&type, 1}, {const_cast<void*>(data), len}};
    struct msghdr msg {};
    msg.msg_iov = iov;
    msg.msg_iovlen = len > 0 ? 2 : 1;
    for (;;) {
        if (::sendmsg(sock, &msg, MSG_NOSIGNAL | (nonblocking ? MSG_DONTWAIT : 0)) >= 0) return true;
        if (errno != EINTR) return false;
    }
}

}  // namespace pc::container
