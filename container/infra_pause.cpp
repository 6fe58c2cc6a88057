#include "container/infra_pause.hpp"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <initializer_list>

#include "common/idle_memory.hpp"

namespace pc::container {

namespace {

// /proc/PID/cmdline shows the process's own argument area (no privilege is needed to
// write it: the setproctitle technique). The area starts at argv[0]; its length is what
// /proc/self/cmdline holds.
void rename_self(const char* title) {
    char buf[4096];
    int fd = ::open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    ssize_t n = ::read(fd, buf, sizeof(buf));
    ::close(fd);
    const size_t want = std::strlen(title) + 1;
    if (n <= 0 || static_cast<size_t>(n) < want || program_invocation_name == nullptr) return;
    char* area = program_invocation_name;
    std::memset(area, 0, static_cast<size_t>(n));
    std::memcpy(area, title, want);
    ::prctl(PR_SET_NAME, "pause");
}

}  // namespace

// Hot (see PC_IDLE_PATH): what runs after the trim shares its pages with the idle loops.
PC_IDLE_PATH void become_infra_pause(int parent) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // dies with the infra's P1, as a container's init does
    struct pollfd gone = {parent, POLLIN, 0};
    if (parent >= 0 && ::poll(&gone, 1, 0) > 0) ::_exit(0);  // P1 already exited
    int null = ::open("/dev/null", O_RDWR);
    if (null >= 0) {
        for (int fd = 0; fd <= 2; ++fd) ::dup2(null, fd);
    }
    // Nothing of the launcher stays open: its pipes report to the monitor.
    ::syscall(SYS_close_range, 3U, ~0U, 0U);
    rename_self("pc __pause");
    trim_idle_memory();
    sigset_t set;
    sigemptyset(&set);
    for (int s : {SIGCHLD, SIGTERM, SIGINT, SIGHUP}) sigaddset(&set, s);
    ::sigprocmask(SIG_SETMASK, &set, nullptr);
    for (;;) {
        int sig = ::sigwaitinfo(&set, nullptr);
        if (sig == SIGCHLD) {
            while (::waitpid(-1, nullptr, WNOHANG) > 0) {
            }
            continue;
        }
        if (sig > 0) ::_exit(0);
    }
}

}  // namespace pc::container
