#include "common/unix_socket.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "common/error.hpp"

namespace pc {

namespace {

constexpr size_t kMaxFds = 8;

struct Address {
    UniqueFd dir;
    struct sockaddr_un addr {};

    Address(const std::string& path, const std::string& name) {
        dir.reset(::open(path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
        if (!dir) return;
        addr.sun_family = AF_UNIX;
        std::snprintf(addr.sun_path, sizeof(addr.sun_path), "/proc/self/fd/%d/%s", dir.get(), name.c_str());
    }
    const struct sockaddr* get() const { return reinterpret_cast<const struct sockaddr*>(&addr); }
};

}  // namespace

UniqueFd listen_unix(const std::string& dir, const std::string& name, int backlog) {
    Address a(dir, name);
    if (!a.dir) throw Error::sys("opening " + dir);
    UniqueFd sock(::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!sock) throw Error::sys("creating the socket " + dir + "/" + name);
    ::unlinkat(a.dir.get(), name.c_str(), 0);
    check_sys(::bind(sock.get(), a.get(), sizeof(a.addr)), "binding " + dir + "/" + name);
    check_sys(::listen(sock.get(), backlog), "listening on " + dir + "/" + name);
    return sock;
}

UniqueFd connect_unix(const std::string& dir, const std::string& name) {
    Address a(dir, name);
    if (!a.dir) return UniqueFd();
    UniqueFd sock(::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0));
    if (!sock) return sock;
    int rc;
    while ((rc = ::connect(sock.get(), a.get(), sizeof(a.addr))) < 0 && errno == EINTR) {
    }
    if (rc < 0) return UniqueFd();
    return sock;
}

bool send_message(int sock, const std::string& data, const std::vector<int>& fds) {
    char empty = 0;
    struct iovec iov {};
    iov.iov_base = data.empty() ? &empty : const_cast<char*>(data.data());
    iov.iov_len = data.empty() ? 1 : data.size();
    alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxFds)] = {};
    struct msghdr msg {};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    if (!fds.empty()) {
        if (fds.size() > kMaxFds) return false;
        msg.msg_control = control;
        msg.msg_controllen = CMSG_SPACE(sizeof(int) * fds.size());
        struct cmsghdr* cm = CMSG_FIRSTHDR(&msg);
        cm->cmsg_level = SOL_SOCKET;
        cm->cmsg_type = SCM_RIGHTS;
        cm->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
        std::memcpy(CMSG_DATA(cm), fds.data(), sizeof(int) * fds.size());
    }
    for (;;) {
        if (::sendmsg(sock, &msg, MSG_NOSIGNAL) >= 0) return true;
        if (errno != EINTR) return false;
    }
}

std::optional<UnixMessage> recv_message(int sock) {
    // The packet's real size first, so that a long one is read whole.
    char probe;
    ssize_t size;
    while ((size = ::recv(sock, &probe, 1, MSG_PEEK | MSG_TRUNC)) < 0 && errno == EINTR) {
    }
    if (size == 0) errno = 0;  // end of file: no stale EAGAIN may pass for "try again"
    if (size <= 0) return std::nullopt;
    UnixMessage out;
    out.data.resize(static_cast<size_t>(size));
    struct iovec iov {out.data.data(), out.data.size()};
    alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxFds)] = {};
    struct msghdr msg {};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
    ssize_t n;
    while ((n = ::recvmsg(sock, &msg, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR) {
    }
    if (n == 0) errno = 0;
    if (n <= 0) return std::nullopt;
    out.data.resize(static_cast<size_t>(n));
    for (struct cmsghdr* cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
        if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS) continue;
        const size_t count = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < count; ++i) {
            int fd;
            std::memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
            out.fds.emplace_back(fd);
        }
    }
    return out;
}

}  // namespace pc
