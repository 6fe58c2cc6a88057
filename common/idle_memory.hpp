// Giving back what a long-lived, mostly idle process (a container's monitor, its namespace
// helper) touched only while starting: the freed heap, and the resident pages of program
// text and read-only data (its own and its libraries'). Such pages are file-backed and
// never written, so dropping them from this process's page tables loses nothing: they stay
// in the page cache and fault back in when that code runs again; meanwhile they are not
// counted against the process (Pss, RSS).
#pragma once

#include <cstdint>
#include <vector>

#include "common/poll_source.hpp"

// Marks the code an idle process runs between its trim and its next event, and its wait
// loop: GCC places hot functions together (.text.hot), so what pages back in after a trim
// is one or two 64 KiB windows of text instead of one per function.
#define PC_IDLE_PATH __attribute__((hot))

namespace pc {

PC_IDLE_PATH void trim_idle_memory();

// For a poll loop: trims once the loop has had no event for `quiet_ns`, right before it
// sleeps, so that until the next event nothing but the poll call itself runs. (A fault
// brings back the 64 KiB of text around it, so trimming anywhere earlier lets the rest of
// the loop page most of it back in.) `trim` is what it does: trim_idle_memory, or less.
// As a PollSource it is added last to a PollLoop: its fill() is then the last thing
// before the sleep, and any ready descriptor of the round counts as an event.
class IdleTrimmer : public PollSource {
public:
    explicit IdleTrimmer(int64_t quiet_ns = 2'000'000'000, void (*trim)() = trim_idle_memory)
        : quiet_ns_(quiet_ns), trim_(trim) {}
    // Just before poll(): trims when due, else shortens `timeout_ms` (-1: none) to when
    // it will be due.
    PC_IDLE_PATH void before_sleep(int& timeout_ms);
    // Just after poll(): whether anything happened.
    PC_IDLE_PATH void after_wake(bool had_events);
    PC_IDLE_PATH void fill(std::vector<struct pollfd>& fds, int& timeout_ms) override;
    PC_IDLE_PATH void dispatch(const std::vector<struct pollfd>& fds) override;

private:
    int64_t quiet_ns_;
    void (*trim_)();
    int64_t last_event_ns_ = -1;  // -1: not yet started
    bool trimmed_ = false;
};

}  // namespace pc
