#include "rootless/oci_hooks.hpp"

#include <poll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/process.hpp"
#include "rootless/sandbox_steps.hpp"

namespace pc::rootless {

std::string hook_state_json(const std::string& id, const std::string& status, pid_t pid, const std::string& bundle) {
    nlohmann::json j = {{"ociVersion", "1.0.2"}, {"id", id}, {"status", status}, {"bundle", bundle}};
    if (pid > 0) j["pid"] = pid;
    return j.dump();
}

namespace {

void run_hook(const HookSpec& h, const std::string& state) {
    const std::string shown = "OCI hook " + h.path + " (" + h.stage + ")";
    Pipe in = Pipe::make();
    std::vector<std::string> args = h.args.empty() ? std::vector<std::string>{h.path} : h.args;
    std::vector<char*> argv = c_strings(args);
    std::vector<char*> envp = c_strings(h.env);
    pid_t pid = ::fork();
    if (pid < 0) throw Error::sys(shown + ": fork");
    if (pid == 0) {
        ::dup2(in.read.get(), 0);
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        ::execve(h.path.c_str(), argv.data(), envp.data());
        const char* why = std::strerror(errno);
        (void)!::write(2, shown.data(), shown.size());
        (void)!::write(2, ": ", 2);
        (void)!::write(2, why, std::strlen(why));
        (void)!::write(2, "\n", 1);
        ::_exit(127);
    }
    ChildProcess child(pid);
    in.read.reset();
    // A hook that does not read its stdin is fine: EPIPE is not an error here.
    void (*old)(int) = ::signal(SIGPIPE, SIG_IGN);
    (void)!::write(in.write.get(), state.data(), state.size());
    ::signal(SIGPIPE, old);
    in.write.reset();
    if (h.timeout > 0) {
        UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
        struct pollfd p = {pidfd.get(), POLLIN, 0};
        int rc;
        while ((rc = ::poll(&p, 1, h.timeout * 1000)) < 0 && errno == EINTR) {
        }
        if (pidfd && rc == 0) {
            child.kill(SIGKILL);
            child.wait();
            throw Error(shown + " timed out after " + std::to_string(h.timeout) + " s");
        }
    }
    const ExitStatus st = child.wait();
    if (st.signaled) throw Error(shown + " was killed by signal " + std::to_string(st.signal));
    if (st.code == 127) throw Error(shown + " could not be run (exit 127)");
    if (st.code != 0) throw Error(shown + " failed with exit status " + std::to_string(st.code));
}

}  // namespace

void run_hooks(const std::vector<HookSpec>& hooks, const std::string& stage, const std::string& state_json) {
    for (const auto& h : hooks)
        if (h.stage == stage) run_hook(h, state_json);
}

}  // namespace pc::rootless
