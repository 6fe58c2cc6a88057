#include "container/attach.hpp"

#include <poll.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>

#include "common/error.hpp"
#include "common/poll_loop.hpp"
#include "container/job_step.hpp"
#include "container/log_file.hpp"
#include "container/stdio_relay.hpp"

namespace pc::container {

namespace {

void copy_window_size(int from, int to) {
    struct winsize ws {};
    if (::ioctl(from, TIOCGWINSZ, &ws) == 0) ::ioctl(to, TIOCSWINSZ, &ws);
}

// Moves what is readable on `from` to `to`; false on EOF/error of `from`.
bool pump(int from, int to, LogWriter* log = nullptr) {
    char buf[16384];
    ssize_t n = ::read(from, buf, sizeof(buf));
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
    if (n <= 0) return false;
    write_all(to, buf, static_cast<size_t>(n));
    if (log) log->write(LogStream::Stdout, buf, static_cast<size_t>(n));
    return true;
}

}  // namespace

RawTerminal::RawTerminal(int fd) : fd_(fd) {
    if (::tcgetattr(fd_, &saved_) != 0) {
        fd_ = -1;
        return;
    }
    struct termios raw = saved_;
    ::cfmakeraw(&raw);
    raw.c_oflag |= OPOST;  // keep "\n" -> "\r\n" on our side as Podman does
    ::tcsetattr(fd_, TCSADRAIN, &raw);
}

RawTerminal::~RawTerminal() {
    if (fd_ >= 0) ::tcsetattr(fd_, TCSADRAIN, &saved_);
}

ForwardedSignals::ForwardedSignals() {
    sigemptyset(&set_);
    for (int s : {SIGCHLD, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGALRM, SIGCONT})
        sigaddset(&set_, s);
    // SIGPIPE is blocked too, but not read: the container's network runs in this process,
    // and libslirp's send() to a host peer that has gone must fail with EPIPE rather than
    // kill the monitor (so must a write to a closed stdout).
    sigset_t blocked = set_;
    sigaddset(&blocked, SIGPIPE);
    ::sigprocmask(SIG_BLOCK, &blocked, &old_);
    fd_.reset(::signalfd(-1, &set_, SFD_CLOEXEC | SFD_NONBLOCK));
    if (!fd_) throw Error::sys("signalfd");
}

ForwardedSignals::~ForwardedSignals() {
    // Signals that came after the container's exit were for it, not for us: they must not
    // end this process (with a status that is not the payload's) once the mask is restored.
    struct timespec now {};
    while (::sigtimedwait(&set_, nullptr, &now) > 0) {
    }
    // A SIGPIPE left pending would kill us the moment the old mask comes back.
    if (!sigismember(&old_, SIGPIPE)) {
        sigset_t pipe_set;
        sigemptyset(&pipe_set);
        sigaddset(&pipe_set, SIGPIPE);
        struct timespec none {};
        while (::sigtimedwait(&pipe_set, nullptr, &none) == SIGPIPE) {
        }
    }
    ::sigprocmask(SIG_SETMASK, &old_, nullptr);
}

int attach_until_exit(Launched& launched, const AttachOptions& options, ForwardedSignals& signals) {
    AttachOptions with_network = options;
    with_network.network = launched.network.get();
    return relay_until_exit(launched.p1.process(), launched.init_pid, launched.pty_master.get(), with_network, signals);
}

int relay_until_exit(ChildProcess& waiter, pid_t signal_pid, int master, const AttachOptions& options,
                     ForwardedSignals& signals) {
    const bool relay = options.tty && master >= 0;
    std::optional<RawTerminal> raw;
    if (relay) {
        if (::isatty(STDIN_FILENO)) copy_window_size(STDIN_FILENO, master);
        else if (::isatty(STDOUT_FILENO)) copy_window_size(STDOUT_FILENO, master);
        if (options.stdin_open && ::isatty(STDIN_FILENO)) raw.emplace(STDIN_FILENO);
    }
    bool stdin_live = relay && options.stdin_open;
    bool master_live = relay;
    int tee_out = options.tee_stdout, tee_err = options.tee_stderr;
    auto tee = [&](int& fd, int to, LogStream stream) {
        char buf[65536];
        ssize_t n = ::read(fd, buf, sizeof(buf));
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
        if (n <= 0) {
            fd = -1;
            return;
        }
        write_all(to, buf, static_cast<size_t>(n));
        if (options.log) options.log->write(stream, buf, static_cast<size_t>(n));
    };

    std::optional<ExitStatus> status = waiter.try_wait();
    StdinFeed* feed = options.stdin_feed;
    size_t first_fd = 0;
    CallbackSource own(
        [&](std::vector<struct pollfd>& fds, int& /*timeout_ms*/) {
            first_fd = fds.size();
            fds.insert(fds.end(), {{signals.fd(), POLLIN, 0}, {master_live ? master : -1, POLLIN, 0},
                                   {stdin_live ? STDIN_FILENO : -1, POLLIN, 0}, {tee_out, POLLIN, 0},
                                   {tee_err, POLLIN, 0},
                                   {feed ? feed->poll_fd() : -1, feed ? feed->poll_events() : short{0}, 0}});
        },
        [&](const std::vector<struct pollfd>& all) {
            const struct pollfd* fds = all.data() + first_fd;
            bool child_changed = false;
            if (fds[0].revents & POLLIN) {
                struct signalfd_siginfo si {};
                while (::read(signals.fd(), &si, sizeof(si)) == sizeof(si)) {
                    int sig = static_cast<int>(si.ssi_signo);
                    if (sig == SIGCHLD) {
                        child_changed = true;
                        continue;
                    }
                    if (sig == SIGWINCH) {
                        if (relay) copy_window_size(::isatty(STDIN_FILENO) ? STDIN_FILENO : STDOUT_FILENO, master);
                        continue;
                    }
                    // Slurm signals a step's processes itself: the payload has this one already.
                    if (sent_to_payload_too(static_cast<pid_t>(si.ssi_pid), signal_pid)) continue;
                    if (options.sig_proxy && signal_pid > 0) ::kill(signal_pid, sig);
                }
            }
            if (master_live && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) master_live = pump(master, STDOUT_FILENO, options.log);
            if (tee_out >= 0 && (fds[3].revents & (POLLIN | POLLHUP | POLLERR))) tee(tee_out, STDOUT_FILENO, LogStream::Stdout);
            if (tee_err >= 0 && (fds[4].revents & (POLLIN | POLLHUP | POLLERR))) tee(tee_err, STDERR_FILENO, LogStream::Stderr);
            if (feed && fds[5].fd >= 0) feed->on_ready(fds[5].revents);
            if (stdin_live && (fds[2].revents & (POLLIN | POLLHUP | POLLERR))) {
                if (!pump(STDIN_FILENO, master)) {
                    stdin_live = false;
                    // End of input: send the terminal's EOF character, as a typed ^D would.
                    char eof = 4;
                    write_all(master, &eof, 1);
                }
            }
            // Only a SIGCHLD can mean the waited-for process ended (no waitpid per wakeup:
            // the loop also carries the container's network traffic).
            if (child_changed) status = waiter.try_wait();
        });
    PollLoop loop;
    // The container's network (slirp, port proxy) serves a round's traffic first.
    if (options.network) loop.add(*options.network);
    loop.add(own);
    if (loop.run_until([&] { return status.has_value(); }) < 0) throw Error::sys("waiting for the container");
    if (relay) {
        // Drain what the payload wrote just before exiting.
        int on = 1;
        ::ioctl(master, FIONBIO, &on);
        while (pump(master, STDOUT_FILENO, options.log)) {
            struct pollfd p {master, POLLIN, 0};
            if (::poll(&p, 1, 0) <= 0) break;
        }
    }
    // What the payload wrote just before exiting; a daemon it left behind may keep the
    // pipes open, so only what is there now is taken.
    for (int* fd : {&tee_out, &tee_err}) {
        while (*fd >= 0) {
            struct pollfd p {*fd, POLLIN, 0};
            if (::poll(&p, 1, 50) <= 0) break;
            tee(*fd, fd == &tee_out ? STDOUT_FILENO : STDERR_FILENO, fd == &tee_out ? LogStream::Stdout : LogStream::Stderr);
        }
    }
    return status->signaled ? 128 + status->signal : status->code;
}

}  // namespace pc::container
