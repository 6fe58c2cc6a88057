// --init: PID 1 of the container stays ours. A payload that is PID 1 gets no default signal
// actions (SIGTERM is ignored unless it installs a handler) and inherits every orphan; this
// tiny init forwards signals to it and reaps the orphans, exiting with the payload's status.
#include <signal.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>

#include "common/error.hpp"
#include "common/idle_memory.hpp"
#include "common/process.hpp"
#include "rootless/sandbox_steps.hpp"

namespace pc::rootless {

void reset_signals_for_exec() {
    // Ignored signals survive execve; handlers and the mask are the caller's business, so
    // give the payload the default state a shell would.
    for (int sig = 1; sig < NSIG; ++sig) {
        if (sig == SIGKILL || sig == SIGSTOP) continue;
        struct sigaction sa {};
        if (::sigaction(sig, nullptr, &sa) == 0 && sa.sa_handler == SIG_IGN) ::signal(sig, SIG_DFL);
    }
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
}

PC_IDLE_PATH void run_builtin_init(const std::function<void()>& exec_payload, int error_fd, bool terminal) {
    // Block everything before forking: signals arriving in between stay pending and are
    // picked up by sigwaitinfo instead of taking a default action on PID 1.
    sigset_t all;
    sigfillset(&all);
    ::sigprocmask(SIG_BLOCK, &all, nullptr);

    pid_t child = ::fork();
    if (child < 0) throw Error::sys("forking the payload under the built-in init", errno);
    if (child == 0) {
        if (terminal) {
            // The payload's own process group in the foreground, so ^C reaches it once (not
            // once from the tty and once more forwarded by init). SIGTTOU is still blocked,
            // which tcsetpgrp from a background group requires.
            ::setpgid(0, 0);
            ::tcsetpgrp(0, ::getpid());
        }
        reset_signals_for_exec();
        exec_payload();
        ::_exit(kExitEngine);  // exec_payload does not return
    }
    // The monitor waits for EOF on the error pipe to know the exec happened: only the
    // child may keep it open. Init needs no other descriptor either (console socket, sync
    // pipes): holding them would keep the monitor's ends from seeing EOF.
    if (error_fd >= 0) ::close(error_fd);
    ::close_range(3, ~0U, 0);
    // Init waits for the payload's whole life: what the launcher's code paged in (~450 KiB
    // of text, shared with nobody once the monitor has trimmed its own) goes now.
    trim_idle_memory();

    for (;;) {
        siginfo_t info{};
        int sig = ::sigwaitinfo(&all, &info);
        if (sig < 0) continue;  // EINTR
        if (sig != SIGCHLD) {
            ::kill(child, sig);
            continue;
        }
        int status = 0;
        pid_t pid;
        while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
            if (pid == child) ::_exit(ExitStatus::from_wait(status).shell_code());
        }
    }
}

}  // namespace pc::rootless
