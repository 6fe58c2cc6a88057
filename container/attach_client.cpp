#include "container/attach_client.hpp"

#include <poll.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include "common/error.hpp"
#include "container/attach.hpp"
#include "container/attach_socket.hpp"
#include "container/control.hpp"
#include "container/detach_keys.hpp"

namespace pc::container {

namespace {

void send_window_size(int sock) {
    struct winsize ws {};
    if (::ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) != 0 && ::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) != 0) return;
    const uint16_t size[2] = {ws.ws_row, ws.ws_col};
    send_packet(sock, attach_msg::kResize, size, sizeof(size));
}

// The connection ended without an exit message (the monitor was killed, or dropped us
// for not keeping up): the recorded state tells what happened to the container.
AttachOutcome outcome_from_state(ContainerStore& containers, const Container& c) {
    auto now = containers.find(c.config.id);
    if (now && now->state.running())
        throw Error("lost the connection to the monitor of container " + c.config.name);
    return AttachOutcome{false, now ? now->state.exit_code : 0};
}

}  // namespace

AttachOutcome attach_running(ContainerStore& containers, const Container& c, const AttachClientOptions& options) {
    if (c.state.status != Status::Running) throw Error("you can only attach to running containers");
    UniqueFd sock;
    try {
        sock = connect_attach_socket(container_runtime_dir(containers.storage().runroot(), c.config.id));
    } catch (const Error& e) {
        // A container run in the foreground has the CLI process as its monitor, which
        // does not serve attach clients.
        throw Error("attaching to container " + c.config.name +
                    ": its monitor does not accept attach clients (a container run in the foreground is attached "
                    "to the pc that runs it): " + e.what());
    }

    const bool tty = c.config.tty;
    bool stdin_live = options.attach_stdin && c.config.interactive;
    ForwardedSignals signals;
    std::optional<RawTerminal> raw;
    if (tty && stdin_live && ::isatty(STDIN_FILENO)) raw.emplace(STDIN_FILENO);
    if (tty) send_window_size(sock.get());
    DetachKeyMatcher matcher(options.detach_keys);

    char buf[1 + attach_msg::kMaxPayload];
    for (;;) {
        struct pollfd fds[3] = {{signals.fd(), POLLIN, 0}, {sock.get(), POLLIN, 0}, {stdin_live ? STDIN_FILENO : -1, POLLIN, 0}};
        if (::poll(fds, 3, -1) < 0) {
            if (errno == EINTR) continue;
            throw Error::sys("attaching to container " + c.config.name);
        }
        if (fds[0].revents & POLLIN) {
            struct signalfd_siginfo si {};
            while (::read(signals.fd(), &si, sizeof(si)) == sizeof(si)) {
                const int sig = static_cast<int>(si.ssi_signo);
                if (sig == SIGCHLD) continue;
                if (sig == SIGWINCH) {
                    if (tty) send_window_size(sock.get());
                    continue;
                }
                // With a terminal, signals typed there reach the container as keys
                // already; Podman proxies only without one.
                if (options.sig_proxy && !tty) {
                    try {
                        signal_container(c, sig);
                    } catch (const Error&) {
                        // It is exiting: its exit message follows.
                    }
                    continue;
                }
                if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP || sig == SIGQUIT)
                    return AttachOutcome{false, 128 + sig};
            }
        }
        if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t n = ::recv(sock.get(), buf, sizeof(buf), 0);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return outcome_from_state(containers, c);
            const size_t len = static_cast<size_t>(n) - 1;
            if (buf[0] == attach_msg::kStdout) {
                write_all(STDOUT_FILENO, buf + 1, len);
            } else if (buf[0] == attach_msg::kStderr) {
                write_all(STDERR_FILENO, buf + 1, len);
            } else if (buf[0] == attach_msg::kExit && len == sizeof(int32_t)) {
                int32_t code = 0;
                std::memcpy(&code, buf + 1, sizeof(code));
                return AttachOutcome{false, code};
            }
        }
        if (stdin_live && (fds[2].revents & (POLLIN | POLLHUP | POLLERR))) {
            // Room for detach-key bytes held back from the previous read.
            ssize_t n = ::read(STDIN_FILENO, buf, attach_msg::kMaxPayload - 64);
            if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
            // End of our input: the container's stdin stays open for later attaches, as
            // with Podman; we keep relaying its output until it exits.
            if (n <= 0) {
                stdin_live = false;
                continue;
            }
            DetachKeyMatcher::Result r = matcher.feed(std::string_view(buf, static_cast<size_t>(n)));
            if (!r.forward.empty() && !send_packet(sock.get(), attach_msg::kInput, r.forward.data(), r.forward.size()))
                return outcome_from_state(containers, c);
            if (r.detach) return AttachOutcome{true, 0};
        }
    }
}

}  // namespace pc::container
