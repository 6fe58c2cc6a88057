// The flags shared by `pc run` and `pc create`, and turning them plus the image into a
// container configuration (Podman's precedence: image config < --env-file < --env, a
// command given on the command line replaces the image's CMD, --entrypoint resets it).
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cli/context.hpp"
#include "cli/network_flags.hpp"
#include "container/config.hpp"

namespace pc::cli {

struct CreateFlags {
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
    std::string restart, detach_keys, log_driver;
    std::string health_cmd, health_interval, health_timeout, health_start_period, health_on_failure;
    std::optional<unsigned> health_retries;
    std::vector<std::string> log_opts;
    std::vector<std::string> env, env_file, volumes, mounts, tmpfs, labels, cap_add, cap_drop;
    std::vector<std::string> security_opt, group_add, annotations, ulimits;
    NetworkFlags net;
};

void add_create_flags(CLI::App* cmd, CreateFlags& flags);

// Checks the flags, resolves the image and builds the configuration. `args` is
// IMAGE [COMMAND [ARG...]]. Throws pc::Error (exit 125) naming the bad flag or value.
container::ContainerConfig build_container_config(Context& ctx, const CreateFlags& flags,
                                                  const std::vector<std::string>& args);

// The image and command part of the command line: with CLI11's prefix mode every word from
// the image on is left over; an unknown flag before the image must be refused, not taken
// for the image.
std::vector<std::string> image_and_command(const CLI::App* cmd);

}  // namespace pc::cli
