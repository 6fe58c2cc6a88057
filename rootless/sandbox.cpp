// exec_container(): the order of the in-namespace setup (sandbox.hpp, PLATFORM.md §7). Each
// step lives in its own file; this one sequences them, applies the identity and security
// steps, and turns any failure into a "<code> <message>" report on the error pipe.
#include "rootless/sandbox.hpp"

#include <fcntl.h>
#include <linux/close_range.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "common/atomic_file.hpp"
#include "common/error.hpp"
#include "common/fd.hpp"
#include "rootless/caps.hpp"
#include "rootless/exec_lookup.hpp"
#include "rootless/path_in_root.hpp"
#include "rootless/sandbox_steps.hpp"
#include "rootless/user_lookup.hpp"

namespace pc::rootless {

namespace {


std::string current_hostname() {
    char buf[256] = {};
    if (::gethostname(buf, sizeof(buf) - 1) < 0) return "";
    return buf;
}

// Podman creates a missing working directory; the new directories belong to the payload's
// user so it can use them.
void ensure_cwd(const std::string& cwd, const ResolvedUser& u) {
    auto comps = clean_path_components(cwd);
    for (size_t i = 1; i <= comps.size(); ++i) {
        const std::string p = join_components(comps, i);
        if (::mkdir(p.c_str(), 0755) == 0) {
            if (::chown(p.c_str(), u.uid, u.gid) < 0) throw Error::sys("chown of working directory " + p, errno);
        } else if (errno != EEXIST) {
            throw Error::sys("creating working directory " + p, errno);
        }
    }
}



[[noreturn]] void run(const SandboxSpec& spec, int error_fd) {
    if (spec.args.empty()) throw Error("no command or entrypoint provided");

    mount_container_filesystems(spec);
    std::string hook_state;
    if (!spec.hooks.empty()) {
        // Still in the host's /proc: "self" is our pid as the host sees it.
        char self[32] = {};
        (void)!::readlink("/proc/self", self, sizeof(self) - 1);
        hook_state = hook_state_json(spec.hook_id, "created", std::atoi(self), spec.hook_bundle);
        for (const char* stage : {"createRuntime", "prestart", "createContainer"}) run_hooks(spec.hooks, stage, hook_state);
    }
    pivot_to_rootfs(spec.rootfs);
    apply_sysctls(spec.sysctls);  // before /proc/sys is made read-only
    if (!spec.hooks.empty()) run_hooks(spec.hooks, "startContainer", hook_state);
    if (!spec.privileged) {
        mask_paths(spec.masked_paths);
        make_paths_readonly(spec.readonly_paths);
    }
    if (spec.readonly_rootfs) make_root_readonly();
    if (!spec.hostname.empty() && ::sethostname(spec.hostname.data(), spec.hostname.size()) < 0)
        throw Error::sys("sethostname " + spec.hostname, errno);
    if (!spec.domainname.empty() && ::setdomainname(spec.domainname.data(), spec.domainname.size()) < 0)
        throw Error::sys("setdomainname " + spec.domainname, errno);

    // The image's own databases, read after pivot_root so its symlinks resolve inside it.
    const ResolvedUser user = resolve_user(spec.user, try_read_file("/etc/passwd").value_or(""),
                                           try_read_file("/etc/group").value_or(""), spec.group_add,
                                           !spec.user.empty());
    const std::vector<std::string> env =
        complete_env(spec.env, user.home, spec.hostname.empty() ? current_hostname() : spec.hostname,
                     spec.terminal);
    const std::string cwd = spec.cwd.empty() ? "/" : spec.cwd;
    ::umask(spec.umask);
    ensure_cwd(cwd, user);

    if (spec.terminal) setup_terminal(spec.console_socket, user.uid, spec.console_rows, spec.console_cols);
    apply_rlimits(spec.rlimits);

    const std::vector<int> caps = spec.privileged ? all_capabilities() : spec.capabilities;
    const bool use_seccomp = spec.seccomp && !spec.privileged;
    // Without no_new_privs, loading a filter needs CAP_SYS_ADMIN, which the payload's set
    // usually lacks: load it while we still hold every capability (runc/crun do the same).
    // With no_new_privs it comes last, right before execve, so that as few of our own
    // syscalls as possible run under it.
    const bool early_seccomp = use_seccomp && !spec.no_new_privileges;
    if (early_seccomp) apply_seccomp(*spec.seccomp, caps);
    set_identity(user, caps, spec.added_capabilities, !spec.privileged, spec.single_id_mapping);
    if (::chdir(cwd.c_str()) < 0)
        throw Error::sys("cannot chdir to working directory \"" + cwd + "\" as uid " +
                             std::to_string(user.uid),
                         errno);

    // Looked up as the payload's user (permissions) and, with no_new_privs, before seccomp.
    const std::string exe = find_executable(spec.args[0], env_value(env, "PATH").value_or(""),
                                            check_executable);
    std::vector<char*> argv = c_strings(spec.args);
    std::vector<char*> envp = c_strings(env);

    // Nothing the engine opened may leak into the payload; the error pipe is CLOEXEC
    // already and is closed by a successful execve.
    ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);

    if (spec.no_new_privileges && ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        throw Error::sys("prctl(PR_SET_NO_NEW_PRIVS)", errno);
    if (use_seccomp && !early_seccomp) apply_seccomp(*spec.seccomp, caps);

    // From here on nothing may throw: the child of --init has no handler above it.
    auto exec_payload = [&]() {
        ::execve(exe.c_str(), argv.data(), envp.data());
        const int err = errno;
        fail(error_fd, exec_failure_code(err), "exec `" + exe + "`: " + std::strerror(err));
    };
    if (spec.init) run_builtin_init(exec_payload, error_fd, spec.terminal);
    reset_signals_for_exec();
    exec_payload();
    ::_exit(kExitEngine);
}

}  // namespace

// --sysctl: the namespaced settings are the container's own (its ipc and network
// namespaces); written as root of its user namespace, before /proc/sys is made read-only.
void apply_sysctls(const std::vector<std::pair<std::string, std::string>>& sysctls) {
    for (const auto& [name, value] : sysctls) {
        std::string path = "/proc/sys/" + name;
        for (size_t i = 10; i < path.size(); ++i)
            if (path[i] == '.') path[i] = '/';
        UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
        if (!fd) throw Error::sys("sysctl " + name + ": opening " + path, errno);
        if (!write_all(fd.get(), value.data(), value.size())) throw Error::sys("sysctl " + name + "=" + value, errno);
    }
}

void exec_container(const SandboxSpec& spec, int error_fd) {
    run_reporting_errors(error_fd, [&] { run(spec, error_fd); }, "container setup");
}

}  // namespace pc::rootless
