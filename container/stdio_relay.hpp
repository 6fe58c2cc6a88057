// What a container (or an exec session) started without -t gets as stdin/stdout/stderr.
//
// It must never get the caller's terminal itself: a terminal is opened read-write, so a
// payload holding our stdout or stderr could read what the user types next, change the
// terminal's modes or push input into the user's shell (TIOCSTI). As Podman's conmon does,
// every descriptor of ours that is a terminal is replaced by a pipe that the monitor
// relays (stdin only with -i: without it the payload gets /dev/null anyway). Plain files,
// pipes and sockets are passed straight through: no copy, which keeps `run --rm` in a
// pipeline as fast as before.
#pragma once

#include "common/fd.hpp"

namespace pc::container {

struct RelayedStdio {
    // Each pipe is empty when that descriptor is passed straight through.
    Pipe in;        // the payload reads in.read; the monitor feeds in.write from our stdin
    Pipe out, err;  // the payload writes; the monitor copies to our stdout/stderr

    // `interactive`: -i. `always_output`: pipes for stdout and stderr whatever they are
    // (a foreground container that keeps a log: the monitor tees its output).
    static RelayedStdio for_caller(bool interactive, bool always_output);
};

// Our end of a relayed stdin: copies what is readable on our stdin into the payload's
// pipe without ever blocking the monitor's loop (at most one pipe buffer is pending), and
// closes the pipe at our end of input, or stops reading when the payload closed its end.
class StdinFeed {
public:
    StdinFeed() = default;
    explicit StdinFeed(UniqueFd pipe_write);

    bool active() const { return static_cast<bool>(pipe_); }
    // The descriptor to poll and the events wanted (fd -1 when inactive).
    int poll_fd() const;
    short poll_events() const;
    // After poll() reported `revents` on poll_fd().
    void on_ready(short revents);

private:
    UniqueFd pipe_;
    char buf_[4096] = {};
    size_t pending_ = 0, offset_ = 0;
};

}  // namespace pc::container
