#include "container/attach_server.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/error.hpp"
#include "container/attach_socket.hpp"

namespace pc::container {

namespace {

// How long the monitor waits for a full pipe or a slow client before giving up on it:
// long enough for a paste into a busy shell, short enough that the log keeps flowing.
constexpr int kStallMs = 200;

void set_nonblocking(int fd) {
    int flags = ::fcntl(fd, F_GETFL);
    if (flags >= 0) ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

bool wait_writable(int fd, int timeout_ms) {
    struct pollfd p {fd, POLLOUT, 0};
    int n;
    while ((n = ::poll(&p, 1, timeout_ms)) < 0 && errno == EINTR) {
    }
    return n > 0 && (p.revents & POLLOUT);
}

}  // namespace

AttachServer::AttachServer(std::string runtime_dir) : dir_(std::move(runtime_dir)) {
    listener_ = listen_attach_socket(dir_);
}

AttachServer::~AttachServer() {
    clients_.clear();
    listener_.reset();
    ::unlink((dir_ + "/attach").c_str());
    ::rmdir(dir_.c_str());  // only when empty: nothing else of the container is removed here
}

void AttachServer::set_targets(int stdin_fd, int pty_master) {
    stdin_fd_ = stdin_fd;
    pty_master_ = pty_master;
    // A container that does not read its input must not block the monitor.
    if (stdin_fd_ >= 0) set_nonblocking(stdin_fd_);
}

void AttachServer::poll_fds(std::vector<struct pollfd>& fds) const {
    fds.push_back({listener_.get(), POLLIN, 0});
    for (const auto& c : clients_) fds.push_back({c.get(), POLLIN, 0});
}

void AttachServer::handle(const struct pollfd* fds) {
    // Clients first: `fds` describes the list as it was before accepting new ones.
    const size_t n = clients_.size();
    std::vector<bool> gone(n, false);
    for (size_t i = 0; i < n; ++i)
        if (fds[1 + i].revents & (POLLIN | POLLHUP | POLLERR)) gone[i] = !serve(clients_[i].get());
    for (size_t i = n; i-- > 0;)
        if (gone[i]) clients_.erase(clients_.begin() + static_cast<std::ptrdiff_t>(i));
    if (fds[0].revents & POLLIN) accept_clients();
}

void AttachServer::accept_clients() {
    for (;;) {
        int fd = ::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd < 0) {
            if (errno == EINTR) continue;
            return;  // EAGAIN: none left; anything else: the client is gone already
        }
        clients_.emplace_back(fd);
    }
}

bool AttachServer::serve(int client) {
    char buf[1 + attach_msg::kMaxPayload];
    ssize_t n = ::recv(client, buf, sizeof(buf), MSG_DONTWAIT);
    if (n < 0) return errno == EINTR || errno == EAGAIN;
    if (n == 0) return false;  // detached
    const char* payload = buf + 1;
    const size_t len = static_cast<size_t>(n) - 1;
    if (buf[0] == attach_msg::kInput) {
        write_input(payload, len);
    } else if (buf[0] == attach_msg::kResize && len == 2 * sizeof(uint16_t) && pty_master_ >= 0) {
        uint16_t size[2];
        std::memcpy(size, payload, sizeof(size));
        struct winsize ws {};
        ws.ws_row = size[0];
        ws.ws_col = size[1];
        ::ioctl(pty_master_, TIOCSWINSZ, &ws);
    }
    return true;
}

void AttachServer::write_input(const char* data, size_t len) {
    const int fd = stdin_fd_ >= 0 ? stdin_fd_ : pty_master_;
    if (fd < 0) return;  // created without -i or -t: there is no stdin to write to
    while (len > 0) {
        ssize_t w = ::write(fd, data, len);
        if (w > 0) {
            data += w;
            len -= static_cast<size_t>(w);
            continue;
        }
        if (w < 0 && errno == EINTR) continue;
        // Full: give the container a moment to read, then drop the rest (EPIPE: it
        // closed its stdin; SIGPIPE is blocked in the monitor).
        if (w < 0 && errno == EAGAIN && wait_writable(fd, kStallMs)) continue;
        return;
    }
}

void AttachServer::broadcast(LogStream stream, const char* data, size_t len) {
    if (clients_.empty()) return;
    const char type = stream == LogStream::Stderr ? attach_msg::kStderr : attach_msg::kStdout;
    for (size_t i = clients_.size(); i-- > 0;) {
        const int fd = clients_[i].get();
        bool ok = true;
        for (size_t off = 0; ok && off < len; off += attach_msg::kMaxPayload) {
            size_t chunk = std::min(len - off, attach_msg::kMaxPayload);
            ok = send_packet(fd, type, data + off, chunk, true) ||
                 (errno == EAGAIN && wait_writable(fd, kStallMs) && send_packet(fd, type, data + off, chunk, true));
        }
        if (!ok) clients_.erase(clients_.begin() + static_cast<std::ptrdiff_t>(i));
    }
}

void AttachServer::finish(int exit_code) {
    const int32_t code = exit_code;
    for (const auto& c : clients_) {
        if (!send_packet(c.get(), attach_msg::kExit, &code, sizeof(code), true) && errno == EAGAIN &&
            wait_writable(c.get(), kStallMs))
            send_packet(c.get(), attach_msg::kExit, &code, sizeof(code), true);
    }
    clients_.clear();
}

}  // namespace pc::container
