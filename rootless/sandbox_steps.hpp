// The steps exec_container() runs, one file each (internal to rootless/; see sandbox.hpp
// for the order and the contract).
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

#include "rootless/sandbox.hpp"
#include "rootless/user_lookup.hpp"

namespace pc::rootless {

// container_mounts.cpp: /proc, /dev (via setup_dev), /sys, then spec.mounts and the
// etc_files, all below spec.rootfs and resolved inside it.
void mount_container_filesystems(const SandboxSpec& spec);
// container_mounts.cpp: pivot_root into spec.rootfs, detach the old root, chdir("/").
void pivot_to_rootfs(const std::string& rootfs);

// dev_setup.cpp: tmpfs /dev with the host's harmless nodes bound in, standard symlinks, a
// private devpts, /dev/shm and /dev/mqueue. `root_fd` is the rootfs (O_PATH).
void setup_dev(int root_fd, const SandboxSpec& spec);

// volume_copy_up.cpp: when the volume `m` (m.source) needs its copy-up (see MountSpec), is
// empty, and `image_dir` (an fd of the image's directory at the mount destination) has
// content, copies it in (owners, modes, timestamps, symlinks kept) and marks it done.
void copy_up_volume(int image_dir_fd, const MountSpec& m, const std::string& shown);

// masked_paths.cpp (after pivot_root): mask, make read-only, and make "/" read-only.
void mask_paths(const std::vector<std::string>& paths);
void make_paths_readonly(const std::vector<std::string>& paths);
void make_root_readonly();

// pty.cpp: opens a pty in the container's devpts, sends the master over `console_socket`,
// makes the slave (owned by `uid`) the controlling terminal and stdio of this process.
// `bind_console`: also bind the slave on /dev/console (the container's init only: an exec
// session must not change the container's mount namespace).
void setup_terminal(int console_socket, uid_t uid, unsigned short rows, unsigned short cols,
                    bool bind_console = true);

// identity.cpp: bounding set (when `drop_bounding`), setgroups (unless the mapping denies
// it), setresgid/setresuid, then the capability sets (caps.hpp apply_capabilities). The
// order matters (PLATFORM.md §7); shared by the container's init and `pc exec`.
void set_identity(const ResolvedUser& user, const std::vector<int>& caps, const std::vector<int>& added,
                  bool drop_bounding, bool single_id_mapping);

// builtin_init.cpp: restores a default signal state (empty mask, no ignored signals) for
// the payload.
void reset_signals_for_exec();
// builtin_init.cpp: forks a child that runs `exec_payload` (which must not return) and
// stays as PID 1: forwards signals to it, reaps zombies, exits with its status.
[[noreturn]] void run_builtin_init(const std::function<void()>& exec_payload, int error_fd,
                                   bool terminal);

// Reports `message` on the error pipe and exits with `code` (a child before execve).
[[noreturn]] void fail(int error_fd, int code, const std::string& message);
// Runs the setup of a child that ends in execve (`body` never returns normally); any
// exception becomes a report on the error pipe and the matching exit code.
[[noreturn]] void run_reporting_errors(int error_fd, const std::function<void()>& body, const std::string& what);
// argv/envp arrays for execve (pointing into `v`, which must outlive them).
std::vector<char*> c_strings(const std::vector<std::string>& v);

}  // namespace pc::rootless
