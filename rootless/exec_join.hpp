// The process `pc exec` starts inside a running container, after it has joined the
// container's namespaces (ns_join.hpp) and forked into its pid namespace. It gets what the
// container's own init got (sandbox.hpp), minus what the mount namespace already provides
// (mounts, pivot_root, masked paths): user from the container's /etc/passwd, environment,
// working directory, terminal, capabilities, no_new_privs and seccomp, then execve.
// Failures before execve are reported like exec_container's ("<code> <message>" on
// `error_fd`; 127 not found, 126 not executable, 125 otherwise).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "rootless/rlimits.hpp"
#include "rootless/seccomp.hpp"

namespace pc::rootless {

struct ExecProcessSpec {
    std::vector<std::string> args;  // argv; args[0] looked up in env's PATH
    std::vector<std::string> env;   // "K=V"; HOME/PATH/TERM/HOSTNAME added when absent
    std::string user;               // as --user: "", "uid", "name", "uid:gid", "name:group"
    std::vector<std::string> group_add;
    std::vector<Rlimit> rlimits;    // the container's --ulimit values
    std::string cwd = "/";          // must exist (unlike the init's, it is not created)
    bool single_id_mapping = false; // setgroups denied in the user namespace
    std::vector<int> capabilities;  // bounding set (and effective for a root user)
    std::vector<int> added_capabilities;  // effective for a non-root user too (--cap-add)
    bool no_new_privileges = false;
    std::optional<SeccompProfile> seccomp;  // nullopt = unconfined
    std::vector<int> seccomp_caps;  // caps the profile is compiled for (the container's)
    bool terminal = false;
    int console_socket = -1;        // master of the pty is sent here (with terminal)
    unsigned short console_rows = 0, console_cols = 0;
    unsigned umask = 022;           // the container's --umask
};

[[noreturn]] void exec_in_joined_namespaces(const ExecProcessSpec& spec, int error_fd);

}  // namespace pc::rootless
