// The foreground monitor loop: the CLI process waits for its container, forwarding
// signals to the container's PID 1 (Podman's --sig-proxy), relaying a terminal (raw mode,
// window size, resize) and returning the container's exit code.
#pragma once

#include <signal.h>
#include <termios.h>

#include "common/fd.hpp"
#include "common/poll_source.hpp"
#include "container/launcher.hpp"

namespace pc::container {

class LogWriter;
class StdinFeed;

struct AttachOptions {
    bool tty = false;
    bool stdin_open = false;  // -i: relay stdin to the terminal
    bool sig_proxy = true;
    // Foreground runs that keep a log (not --rm): the container writes into these pipes
    // (read ends here), the loop copies them to our stdout/stderr and to `log`. With a
    // terminal, the terminal's output is logged as stdout.
    // Without -t, our descriptors that are terminals are relayed through such pipes too
    // (stdio_relay.hpp), and `stdin_feed` copies our stdin into the payload's (-i).
    int tee_stdout = -1, tee_stderr = -1;
    LogWriter* log = nullptr;
    StdinFeed* stdin_feed = nullptr;
    // The container's network (slirp and port proxy), run in this loop.
    PollSource* network = nullptr;
};

// Puts the caller's terminal in raw mode for the duration of an interactive -t session
// (nothing when `fd` is not a terminal).
class RawTerminal {
public:
    explicit RawTerminal(int fd);
    RawTerminal(const RawTerminal&) = delete;
    RawTerminal& operator=(const RawTerminal&) = delete;
    ~RawTerminal();

private:
    int fd_;
    struct termios saved_ {};
};

// Blocks the signals a monitor forwards (SIGINT, SIGTERM, SIGHUP, ...) and SIGCHLD, and
// delivers them through a signalfd; the previous mask comes back on destruction. Created
// before the container starts, so a signal that arrives while it starts is forwarded
// rather than killing the monitor.
class ForwardedSignals {
public:
    ForwardedSignals();
    ForwardedSignals(const ForwardedSignals&) = delete;
    ForwardedSignals& operator=(const ForwardedSignals&) = delete;
    ~ForwardedSignals();
    int fd() const { return fd_.get(); }

private:
    sigset_t set_{}, old_{};
    UniqueFd fd_;
};

// Blocks until the container's P1 exits; returns the container's exit code (128+N when
// its PID 1 was killed by signal N).
int attach_until_exit(Launched& launched, const AttachOptions& options, ForwardedSignals& signals);

// The same loop for any process: waits for `waiter` to exit (returning its code, 128+N
// for a signal), forwarding signals to `signal_pid` and relaying `pty_master` (-1: none).
// `pc exec` uses it with its own helper process and payload.
int relay_until_exit(ChildProcess& waiter, pid_t signal_pid, int pty_master, const AttachOptions& options,
                     ForwardedSignals& signals);

}  // namespace pc::container
