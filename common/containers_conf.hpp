// containers.conf(5): the defaults Podman users keep in their configuration, read the way
// containers/common reads them, so the same files mean the same to pc:
//
//   $CONTAINERS_CONF alone when set; otherwise, in order (later files override key by key):
//     /usr/share/containers/containers.conf, /usr/share/containers/containers.conf.d/*.conf,
//     /etc/containers/containers.conf, /etc/containers/containers.conf.d/*.conf,
//     /etc/containers/containers.rootless.conf.d/*.conf and .../containers.rootless.conf.d/UID/*.conf
//       (rootless only; the containers.rootful.conf.d ones for root),
//     $XDG_CONFIG_HOME/containers/containers.conf (~/.config/...), its containers.conf.d/*.conf;
//   then $CONTAINERS_CONF_OVERRIDE.
// A string array ending in {append=true} appends to what earlier files set (and later ones
// keep appending) instead of replacing it.
//
// What pc applies (at `pc create`/`run`, where a flag does not say otherwise; see
// cli/create_options.cpp): [containers] default_capabilities, env, env_host, http_proxy,
// dns_servers, dns_searches, dns_options, default_ulimits, log_size_max, init, tz, umask,
// pids_limit (checked; like Podman without cgroup delegation it limits nothing here),
// netns, no_hosts; [engine] network_cmd_options, stop_timeout. pc's own settings live in a
// [pc] table (docs/configuration.md). Other keys are Podman's and ignored. A key of the
// wrong type is an error naming the file, the line and the key.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pc {

struct ContainersConf {
    // [containers]
    std::optional<std::vector<std::string>> default_capabilities;  // unset: the built-in set
    std::vector<std::string> env;
    bool env_host = false;
    bool http_proxy = true;
    std::vector<std::string> dns_servers, dns_searches, dns_options;
    std::vector<std::string> default_ulimits;
    int64_t log_size_max = -1;  // bytes; negative: unlimited
    bool init = false;
    std::string tz;             // "", "local" or an IANA name
    std::string umask = "0022";
    int64_t pids_limit = 0;     // 0: none
    std::string netns;          // default --network ("" = pc's default)
    bool no_hosts = false;
    // [engine]
    std::vector<std::string> network_cmd_options;  // default slirp4netns options
    std::optional<unsigned> stop_timeout;
    // [pc]
    bool userns_holder = true;  // share one held user namespace per user (Podman's pause process)

    std::vector<std::string> files;             // read, in order
    std::map<std::string, std::string> origin;  // "containers.netns" -> "FILE:LINE" that set it

    // "FILE:LINE" of a key's value, for messages ("containers.conf" when built in).
    std::string where(const std::string& key) const;
};

// The configuration of this process, read on first use (then cached).
const ContainersConf& containers_conf();

// Reads the files (see above); throws pc::Error naming the file, line and key.
ContainersConf load_containers_conf();
// One file's text on top of `conf`. `append` carries the {append=true} state of each
// array key from file to file.
void parse_containers_conf(const std::string& text, const std::string& path, ContainersConf& conf,
                           std::map<std::string, bool>& append);

// The user's configuration shared with Podman (containers.conf, registries.conf, auth.json,
// certs.d): $XDG_CONFIG_HOME/containers, or ~/.config/containers.
std::string containers_config_dir();

// umask text ("022", "0027") -> mode bits; nullopt when not octal or above 0777.
std::optional<unsigned> parse_umask(const std::string& text);

}  // namespace pc
