#include "common/fd.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "common/error.hpp"

namespace pc {

Pipe Pipe::make() {
    int fds[2];
    check_sys(::pipe2(fds, O_CLOEXEC), "pipe2");
    return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

SocketPair SocketPair::make() {
    int fds[2];
    check_sys(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds), "socketpair");
    return SocketPair{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

bool write_all(int fd, const void* buf, size_t len) {
    const char* p = static_cast<const char*>(buf);
    while (len > 0) {
        ssize_t n = ::write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        p += n;
        len -= static_cast<size_t>(n);
    }
    return true;
}

long read_full(int fd, void* buf, size_t len) {
    char* p = static_cast<char*>(buf);
    size_t got = 0;
    while (got < len) {
        ssize_t n = ::read(fd, p + got, len - got);
        if (n < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        if (n == 0) break;
        got += static_cast<size_t>(n);
    }
    return static_cast<long>(got);
}

bool read_to_eof(int fd, std::string& out) {
    char buf[4096];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return false;
        if (n == 0) return true;
        out.append(buf, static_cast<size_t>(n));
    }
}

void send_fd(int sock, int fd, const void* data, size_t len) {
    char dummy = 0;
    struct iovec iov {};
    iov.iov_base = data ? const_cast<void*>(data) : &dummy;
    iov.iov_len = data ? len : 1;
    alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    struct msghdr msg {};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
    struct cmsghdr* cm = CMSG_FIRSTHDR(&msg);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(cm), &fd, sizeof(int));
    while (::sendmsg(sock, &msg, MSG_NOSIGNAL) < 0) {
        if (errno != EINTR) throw Error::sys("sending a file descriptor");
    }
}

UniqueFd recv_fd(int sock) {
    char buf[256];
    struct iovec iov {buf, sizeof(buf)};
    alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    struct msghdr msg {};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
    ssize_t n;
    while ((n = ::recvmsg(sock, &msg, MSG_CMSG_CLOEXEC)) < 0) {
        if (errno != EINTR) throw Error::sys("receiving a file descriptor");
    }
    if (n == 0) throw Error("receiving a file descriptor: peer closed the socket");
    for (struct cmsghdr* cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
        if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
            int fd;
            std::memcpy(&fd, CMSG_DATA(cm), sizeof(int));
            return UniqueFd(fd);
        }
    }
    throw Error("receiving a file descriptor: message carried none");
}

void send_go(int sock) {
    char go = 1;
    while (::send(sock, &go, 1, MSG_NOSIGNAL) < 0 && errno == EINTR) {
    }
}

bool wait_go(int sock) {
    char go = 0;
    ssize_t n;
    while ((n = ::recv(sock, &go, 1, 0)) < 0 && errno == EINTR) {
    }
    return n == 1;
}

std::vector<std::string> sorted_dir_entries(int dir_fd, const std::string& what) {
    int fd = ::openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) throw Error::sys("reading directory " + what);
    DIR* d = ::fdopendir(fd);
    if (!d) {
        ::close(fd);
        throw Error::sys("reading directory " + what);
    }
    std::vector<std::string> names;
    while (struct dirent* e = ::readdir(d)) {
        std::string n = e->d_name;
        if (n != "." && n != "..") names.push_back(n);
    }
    ::closedir(d);
    std::sort(names.begin(), names.end());
    return names;
}

}  // namespace pc
