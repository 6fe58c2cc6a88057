#include "container/infra_pause.hpp"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>

#include "common/error.hpp"
#include "common/process.hpp"

namespace pc::container {

std::string infra_pause_program() {
    std::string program = sibling_program("pc-monitor");
    return program.empty() ? self_exe() : program;
}

void exec_infra_pause(const std::string& program) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // dies with the infra's P1, as a container's init does
    int null = ::open("/dev/null", O_RDWR);
    if (null >= 0) {
        for (int fd = 0; fd <= 2; ++fd) ::dup2(null, fd);
    }
    ::syscall(SYS_close_range, 3U, ~0U, 0U);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    char arg0[] = "pc";
    char arg1[] = "__pause";
    char* argv[] = {arg0, arg1, nullptr};
    ::execv(program.c_str(), argv);
    ::_exit(kExitEngine);
}

void infra_pause_main() {
    sigset_t set;
    sigemptyset(&set);
    for (int s : {SIGCHLD, SIGTERM, SIGINT, SIGHUP}) sigaddset(&set, s);
    ::sigprocmask(SIG_BLOCK, &set, nullptr);
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
