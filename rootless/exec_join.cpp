#include "rootless/exec_join.hpp"

#include <linux/close_range.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/atomic_file.hpp"
#include "common/error.hpp"
#include "rootless/exec_lookup.hpp"
#include "rootless/sandbox.hpp"
#include "rootless/sandbox_steps.hpp"
#include "rootless/user_lookup.hpp"

namespace pc::rootless {

namespace {



[[noreturn]] void run(const ExecProcessSpec& spec, int error_fd) {
    if (spec.args.empty()) throw Error("exec: no command given");
    // setns(CLONE_NEWNS) put our root and cwd at the container's root: these are the
    // container's own files, and their symlinks resolve inside it.
    const ResolvedUser user = resolve_user(spec.user, try_read_file("/etc/passwd").value_or(""),
                                           try_read_file("/etc/group").value_or(""), spec.group_add, false);
    char host[256] = {};
    (void)::gethostname(host, sizeof(host) - 1);
    const std::vector<std::string> env = complete_env(spec.env, user.home, host, spec.terminal);
    const std::string cwd = spec.cwd.empty() ? "/" : spec.cwd;

    if (spec.terminal) setup_terminal(spec.console_socket, user.uid, spec.console_rows, spec.console_cols, false);
    apply_rlimits(spec.rlimits);

    // As the init does (sandbox.cpp): without no_new_privs the filter must be loaded while
    // we still hold CAP_SYS_ADMIN in the container's user namespace.
    const bool early_seccomp = spec.seccomp && !spec.no_new_privileges;
    if (early_seccomp) apply_seccomp(*spec.seccomp, spec.seccomp_caps);
    // Our bounding set is the host's (we came from pc, not from the container's init):
    // always drop it to the exec's capability set.
    set_identity(user, spec.capabilities, spec.added_capabilities, true, spec.single_id_mapping);
    if (::chdir(cwd.c_str()) < 0)
        throw Error::sys("cannot chdir to working directory \"" + cwd + "\" as uid " + std::to_string(user.uid),
                         errno);
    const std::string exe = find_executable(spec.args[0], env_value(env, "PATH").value_or(""), check_executable);
    std::vector<char*> argv = c_strings(spec.args);
    std::vector<char*> envp = c_strings(env);

    ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
    ::umask(spec.umask);
    if (spec.no_new_privileges && ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        throw Error::sys("prctl(PR_SET_NO_NEW_PRIVS)", errno);
    if (spec.seccomp && !early_seccomp) apply_seccomp(*spec.seccomp, spec.seccomp_caps);

    reset_signals_for_exec();
    ::execve(exe.c_str(), argv.data(), envp.data());
    const int err = errno;
    fail(error_fd, exec_failure_code(err), "exec `" + exe + "`: " + std::strerror(err));
}

}  // namespace

void exec_in_joined_namespaces(const ExecProcessSpec& spec, int error_fd) {
    run_reporting_errors(error_fd, [&] { run(spec, error_fd); }, "exec setup");
}

}  // namespace pc::rootless
