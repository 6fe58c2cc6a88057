// The one poll() loop of pc's waiting processes: the detached monitor, the foreground
// `pc run` and a container's (or a pod infra's) P1 each add their sources to one of these
// (their own descriptors, the container's network, the idle trimmer) instead of keeping a
// loop of their own. A round asks every source for its descriptors and deadline (fill, in
// the order they were added), sleeps in one poll(), and hands every source the result
// (dispatch, in the same order).
#pragma once

#include <poll.h>

#include <cstddef>
#include <functional>
#include <utility>
#include <vector>

#include "common/idle_memory.hpp"
#include "common/poll_source.hpp"

namespace pc {

class PollLoop {
public:
    // `source` is not owned; it stays until removed.
    void add(PollSource& source);
    // Takes `source` out, also from inside a dispatch: it gets no further call, not even
    // that round's dispatch, so the caller may destroy it right after.
    void remove(PollSource& source);

    // One round: at most `timeout_ms` asleep (-1: until an event; sources may lower it).
    // Returns poll()'s result: the number of ready descriptors (0: timed out), or -1 with
    // errno set (EINTR included), in which case nothing is dispatched.
    PC_IDLE_PATH int poll_once(int timeout_ms = -1);

    // Rounds until `done()` (asked before each): 0; or -1 with errno on a failed poll()
    // (EINTR is retried).
    PC_IDLE_PATH int run_until(const std::function<bool()>& done);

private:
    std::vector<PollSource*> sources_;  // null: removed during the current round
    std::vector<struct pollfd> fds_;
};

// A source made of two functions: for a loop owner's own descriptors.
class CallbackSource : public PollSource {
public:
    using Fill = std::function<void(std::vector<struct pollfd>&, int&)>;
    using Dispatch = std::function<void(const std::vector<struct pollfd>&)>;
    CallbackSource(Fill fill, Dispatch dispatch) : fill_(std::move(fill)), dispatch_(std::move(dispatch)) {}
    void fill(std::vector<struct pollfd>& fds, int& timeout_ms) override { fill_(fds, timeout_ms); }
    void dispatch(const std::vector<struct pollfd>& fds) override { dispatch_(fds); }

private:
    Fill fill_;
    Dispatch dispatch_;
};

// One descriptor and what to do when poll() reports it.
class FdSource : public PollSource {
public:
    FdSource(int fd, short events, std::function<void(short revents)> on_ready)
        : fd_(fd), events_(events), on_ready_(std::move(on_ready)) {}
    // -1: no longer watched (the source stays in the loop, idle).
    void set_fd(int fd) { fd_ = fd; }
    int fd() const { return fd_; }
    void fill(std::vector<struct pollfd>& fds, int& timeout_ms) override;
    void dispatch(const std::vector<struct pollfd>& fds) override;

private:
    int fd_;
    short events_;
    std::function<void(short)> on_ready_;
    size_t index_ = 0;  // this source's entry in the last fill()
};

}  // namespace pc
