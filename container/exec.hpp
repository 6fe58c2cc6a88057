// `pc exec`: a new process in a running container. It joins every namespace of the
// container's PID 1 through /proc/PID/ns/* (the user namespace first, then mnt, pid, uts,
// ipc, net), forks (a pid namespace is entered by the child), and runs with the
// container's security settings: its capability set (or all of them with --privileged,
// still within the container's user namespace), its seccomp profile, no_new_privs, masked
// paths (inherited from the mount namespace), and a user resolved from the container's own
// /etc/passwd.
#pragma once

#include <string>
#include <vector>

#include "container/container_store.hpp"

namespace pc::container {

struct ExecOptions {
    std::vector<std::string> args;   // command and arguments (looked up in the container's PATH)
    std::vector<std::string> env;    // "K=V" added to / overriding the container's env
    std::string user;                // "" = the container's user
    std::string workdir;             // "" = the container's working dir
    bool tty = false;
    bool interactive = false;
    bool detach = false;
    bool privileged = false;
    // Attached without a terminal: where the process's stdin/stdout/stderr go (-1 = ours).
    // Healthchecks capture output this way.
    int stdin_fd = -1, stdout_fd = -1, stderr_fd = -1;
};

// Attached: returns the process's exit code (126/127 like run when it cannot be executed,
// thrown as pc::Error). Detached: returns 0 once it runs. Throws when the container is not
// running: "can only create exec sessions on running containers: container state improper".
int exec_in_container(ContainerStore& containers, const Container& c, const ExecOptions& options);

}  // namespace pc::container
