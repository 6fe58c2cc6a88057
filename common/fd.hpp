// RAII owner of a file descriptor.
#pragma once

#include <unistd.h>

#include <string>
#include <utility>
#include <vector>

namespace pc {

class UniqueFd {
public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) noexcept : fd_(fd) {}
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;
    UniqueFd(UniqueFd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
    UniqueFd& operator=(UniqueFd&& o) noexcept {
        if (this != &o) reset(std::exchange(o.fd_, -1));
        return *this;
    }
    ~UniqueFd() { reset(); }

    int get() const noexcept { return fd_; }
    explicit operator bool() const noexcept { return fd_ >= 0; }
    int release() noexcept { return std::exchange(fd_, -1); }
    void reset(int fd = -1) noexcept {
        if (fd_ >= 0) ::close(fd_);
        fd_ = fd;
    }

private:
    int fd_ = -1;
};

// A pipe whose ends are owned; both O_CLOEXEC.
struct Pipe {
    UniqueFd read;
    UniqueFd write;
    static Pipe make();
};

// A connected AF_UNIX SOCK_SEQPACKET pair, O_CLOEXEC, for passing fds (SCM_RIGHTS).
struct SocketPair {
    UniqueFd a;
    UniqueFd b;
    static SocketPair make();
};

// A one-byte "go" over one end of a socket pair, to let a waiting process on. Sending
// never raises SIGPIPE (the receiver may have died; how it ended is reported elsewhere);
// waiting returns false when the other end was closed without a go.
void send_go(int sock);
bool wait_go(int sock);

// Writes all of buf (retrying on EINTR/short writes). Returns false on error.
bool write_all(int fd, const void* buf, size_t len);
// Reads exactly len bytes unless EOF; returns bytes read, or -1 on error.
long read_full(int fd, void* buf, size_t len);
// Appends everything up to EOF to `out` (retrying EINTR); false when a read fails, with
// what came before the failure appended.
bool read_to_eof(int fd, std::string& out);

// The names in the directory `dir_fd` (not "." and ".."), sorted; the fd's position is
// left alone (a dup is read). Throws pc::Error "reading directory WHAT: ...".
std::vector<std::string> sorted_dir_entries(int dir_fd, const std::string& what);

// Sends/receives one fd plus a small payload over a unix socket.
void send_fd(int sock, int fd, const void* data = nullptr, size_t len = 0);
UniqueFd recv_fd(int sock);

}  // namespace pc
