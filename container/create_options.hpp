// The options of a new container as `pc run`/`pc create` take them (and as pods and compose
// produce them, without a command line), and turning them plus the image into a container
// configuration (Podman's precedence: image config < --env-file < --env, a command given
// on the command line replaces the image's CMD, --entrypoint resets it). Every check and
// message of the flags lives here, so a compose file's `ports:` and `-p` say the same.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "container/config.hpp"
#include "container/device_options.hpp"
#include "container/network_options.hpp"
#include "storage/store.hpp"

namespace pc::container {

struct CreateOptions {
    std::string name;
    std::string hostname;
    std::string workdir;
    std::string user;
    std::optional<std::string> entrypoint;
    std::string userns;
    std::string memory, memory_swap, pids_limit, cpus, cpu_shares;
    std::string stop_signal;
    std::optional<unsigned> stop_timeout;
    std::string pull = "missing";
    std::string cgroups = "enabled";
    bool rm = false, interactive = false, tty = false, privileged = false, read_only = false;
    bool read_only_tmpfs = true, sig_proxy = true, quiet = false;
    std::optional<bool> init;  // unset: containers.conf decides
    std::string tz, umask;
    bool detach = false, no_healthcheck = false;
    // --env-host, --http-proxy; unset: containers.conf decides (Podman's defaults: false, true).
    std::optional<bool> env_host, http_proxy;
    std::string restart, detach_keys, log_driver;
    std::string health_cmd, health_interval, health_timeout, health_start_period, health_on_failure;
    std::string health_start_interval;
    std::optional<unsigned> health_retries;
    std::vector<std::string> log_opts;
    std::vector<std::string> env, env_file, volumes, mounts, tmpfs, labels, cap_add, cap_drop;
    std::vector<std::string> security_opt, group_add, annotations, ulimits;
    std::string ipc, uts, pid;            // --ipc, --uts, --pid: host, private, container:NAME...
    std::string shm_size;                 // --shm-size
    // Mounts already in their parsed form (compose's long syntax: paths may hold commas),
    // after those of -v/--mount/--tmpfs.
    std::vector<MountConfig> mount_configs;
    std::vector<std::string> sysctls;     // --sysctl NAME=VALUE
    NetworkOptions net;
    DeviceOptions device;  // --device, --device-cgroup-rule, --gpus
    // --mpi PRESET: "host" (container/mpi_preset.hpp); the flags above that are given win.
    std::string mpi;
    // --pod NAME|ID|new:NAME and --pod-id-file: used by pod/ (pod::build_member_config), not
    // by build_container_config.
    std::string pod, pod_id_file;
    std::vector<std::string> label_files;  // --label-file: KEY=VALUE lines, before -l
    // --unsetenv NAME: a default variable (Podman's, containers.conf's, the image's) left out;
    // --unsetenv-all: all of them (-e and --env-file still apply).
    std::vector<std::string> unset_env;
    bool unset_env_all = false;
    // Resource flags that need a cgroup (--cpu-period, --cpuset-cpus, ...), as given:
    // refused with the reason, as --memory is.
    std::vector<std::string> cgroup_flags;
    // The command line's own: --cidfile (written after the container is made) and --replace
    // (a container of the same name is removed first); cli/create_options.
    std::string cidfile;
    bool replace = false;
};

// --shm-size (run, create and build's RUN steps): bytes, more than 0; throws pc::Error
// naming the flag and the value.
uint64_t parse_shm_size(const std::string& value);

// Checks the options, resolves the image and builds the configuration. `args` is
// IMAGE [COMMAND [ARG...]]; `create_command` is what inspect shows as CreateCommand.
// Throws pc::Error (exit 125) naming the bad option or value.
ContainerConfig build_container_config(storage::Store& store, const CreateOptions& options,
                                       const std::vector<std::string>& args,
                                       const std::vector<std::string>& create_command);

}  // namespace pc::container
