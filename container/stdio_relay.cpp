#include "container/stdio_relay.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>

namespace pc::container {

RelayedStdio RelayedStdio::for_caller(bool interactive, bool always_output) {
    RelayedStdio io;
    if (interactive && ::isatty(STDIN_FILENO)) io.in = Pipe::make();
    if (always_output || ::isatty(STDOUT_FILENO)) io.out = Pipe::make();
    if (always_output || ::isatty(STDERR_FILENO)) io.err = Pipe::make();
    return io;
}

StdinFeed::StdinFeed(UniqueFd pipe_write) : pipe_(std::move(pipe_write)) {
    // Non-blocking on our end only (the payload's end is another open file description):
    // a payload that does not read must not stall the loop that also carries its signals,
    // output and network.
    if (pipe_) ::fcntl(pipe_.get(), F_SETFL, ::fcntl(pipe_.get(), F_GETFL) | O_NONBLOCK);
}

int StdinFeed::poll_fd() const {
    if (!pipe_) return -1;
    return pending_ == 0 ? STDIN_FILENO : pipe_.get();
}

short StdinFeed::poll_events() const { return pending_ == 0 ? POLLIN : POLLOUT; }

void StdinFeed::on_ready(short revents) {
    if (!pipe_ || revents == 0) return;
    if (pending_ == 0) {
        ssize_t n = ::read(STDIN_FILENO, buf_, sizeof(buf_));
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
        if (n <= 0) {
            pipe_.reset();  // end of our input: the payload reads EOF
            return;
        }
        pending_ = static_cast<size_t>(n);
        offset_ = 0;
    }
    while (pending_ > 0) {
        ssize_t n = ::write(pipe_.get(), buf_ + offset_, pending_);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN) return;  // the pipe is full: wait for POLLOUT
            pipe_.reset();                // EPIPE: the payload closed its stdin
            pending_ = 0;
            return;
        }
        offset_ += static_cast<size_t>(n);
        pending_ -= static_cast<size_t>(n);
    }
}

}  // namespace pc::container
