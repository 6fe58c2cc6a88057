// A container's configuration as created (ROOT/containers/<id>/config.json). Immutable after
// `create` except for the name (rename). Everything `start` needs is here, already merged
// with the image's config, so starting never re-reads the image.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "net/endpoint.hpp"
#include "net/port_spec.hpp"

namespace pc::container {

struct MountConfig {
    std::string type;         // "bind", "volume", "tmpfs"
    std::string source;       // host path (bind), volume name (volume), "" (tmpfs)
    std::string destination;  // path inside the container
    std::vector<std::string> options;  // as given: "ro", "rw", "z", "size=64m", "mode=1777"...
    bool readonly = false;
    bool copy_up = true;      // volumes: copy image content into an empty volume
    bool anonymous = false;   // volumes: made for this container (-v /dst, image VOLUME)
};

// A device made available in the container (--device, a CDI device node): rootless, the
// host's node is bind-mounted, as rootless Podman does (no mknod in a user namespace).
struct DeviceConfig {
    std::string host_path, container_path;
    std::string permissions = "rwm";  // recorded (inspect); no device cgroup rootless
};

// An OCI hook (from a CDI spec): run at `stage` with the container's state on stdin.
struct HookConfig {
    std::string stage;  // prestart, createRuntime, createContainer, startContainer, poststart, poststop
    std::string path;
    std::vector<std::string> args, env;
    int timeout = 0;  // seconds; 0 = none
};

struct ContainerConfig {
    std::string id;
    std::string name;
    int64_t created_ns = 0;  // unix time in nanoseconds

    // Image
    std::string image_id;    // hex
    std::string image_name;  // as resolved, e.g. "localhost/busybox:latest"
    std::string image_ref;   // as the user typed it
    std::vector<std::string> layers;  // chain ids, base first

    // Process
    std::vector<std::string> entrypoint;  // effective entrypoint
    std::vector<std::string> cmd;         // effective cmd
    std::vector<std::string> env;         // "K=V", image env merged with -e/--env-file
    std::string working_dir = "/";
    std::string user;                     // as given or from the image ("" = root)
    std::vector<std::string> group_add;
    std::vector<std::string> ulimits;  // --ulimit "NAME=SOFT:HARD" (checked), or "host"
    bool tty = false;
    bool interactive = false;
    bool init = false;
    std::string umask = "0022";  // --umask (octal), applied to the init and exec sessions
    std::string timezone;        // --tz: "", "local" or an IANA name (/etc/localtime)

    // Metadata
    std::map<std::string, std::string> labels;
    std::map<std::string, std::string> annotations;
    std::string stop_signal = "SIGTERM";
    unsigned stop_timeout = 10;
    std::vector<std::string> create_command;  // argv of the creating pc invocation

    // Filesystem
    std::vector<MountConfig> mounts;
    bool readonly_rootfs = false;
    bool readonly_tmpfs = true;  // --read-only-tmpfs: tmpfs on /tmp /var/tmp /run with --read-only

    // Security
    bool privileged = false;
    // containers.conf default_capabilities, the base --cap-add/--cap-drop apply to; empty:
    // the built-in default (Podman's).
    std::vector<std::string> default_caps;
    std::vector<std::string> cap_add, cap_drop;
    std::string seccomp_profile;   // "" = default, "unconfined", or a file path (read at start)
    bool no_new_privileges = false;
    std::vector<std::string> security_opt;  // raw, for inspect

    // Network (--network in net::to_string's canonical form; container:<full id>)
    std::string network_mode = "slirp4netns";
    // With network_mode "bridge": the networks it is on, in order (eth0, eth1...).
    std::vector<net::EndpointOptions> networks;
    std::vector<net::PortMapping> ports;      // -p/-P, host ports already chosen
    std::vector<std::string> exposed_ports;   // "80/tcp": the image's EXPOSE and --expose
    std::vector<std::string> add_hosts;       // --add-host "name:ip"
    std::vector<std::string> dns_servers, dns_search, dns_options;
    bool no_hosts = false;                    // --no-hosts: the image's own /etc/hosts

    // Devices (--device, --gpus and CDI names, resolved at create time as Podman does).
    std::vector<DeviceConfig> devices;
    std::vector<std::string> device_cgroup_rules;  // accepted; no device cgroup rootless
    std::vector<std::string> cdi_devices;          // the CDI names asked for
    std::vector<HookConfig> hooks;

    // Namespaces and identity
    std::string hostname;               // "" = first 12 chars of the id
    std::string userns;                 // "" (default mapping) or "keep-id"
    // The other namespaces, as Podman's --ipc/--uts/--pid: "" (or "private", "shareable")
    // = its own, "host" = the host's, "container:<full id>" = that container's (a pod's
    // members join their infra's); ipc also "none" (its own, without /dev/shm).
    std::string ipc_mode, uts_mode, pid_mode;
    std::string domainname;             // NIS domain name in its uts namespace (compose)
    uint64_t shm_size = 0;              // /dev/shm size in bytes (0 = Podman's 64 MiB)
    std::vector<std::string> sysctls;   // "name=value", namespaced ones only

    // Pods (pod/): the pod's id, and whether this is its infra container, which holds the
    // pod's namespaces (and runs its network) with no payload of its own.
    std::string pod;
    bool infra = false;
    // Containers started before this one when they are not running (a member's infra).
    std::vector<std::string> dependencies;

    // Lifecycle
    bool auto_remove = false;  // --rm
    std::string restart_policy;     // "", "no", "on-failure", "always", "unless-stopped"
    unsigned restart_max = 0;       // on-failure:N (0 = unlimited)
    uint64_t log_max_size = 0;      // --log-opt max-size (0 = unlimited)

    // Healthcheck (from --health-* or the image's HEALTHCHECK); empty cmd = none.
    std::vector<std::string> health_cmd;  // ["CMD-SHELL", "..."] or ["CMD", ...]
    int64_t health_interval_ns = 30'000'000'000;
    int64_t health_timeout_ns = 30'000'000'000;
    int64_t health_start_period_ns = 0;
    // Between checks during the start period (Docker's --health-start-interval, compose's
    // start_interval); 0: the interval.
    int64_t health_start_interval_ns = 0;
    unsigned health_retries = 3;
    std::string health_on_failure = "none";  // none, kill, restart, stop
    std::string storage_driver;  // driver the container's storage was made with

    std::string short_id() const { return id.substr(0, 12); }
    // Entrypoint + cmd: the payload's argv.
    std::vector<std::string> argv() const;
    bool has_healthcheck() const { return !health_cmd.empty() && health_cmd[0] != "NONE"; }
};

void to_json(nlohmann::json& j, const MountConfig& m);
void from_json(const nlohmann::json& j, MountConfig& m);
void to_json(nlohmann::json& j, const ContainerConfig& c);
void from_json(const nlohmann::json& j, ContainerConfig& c);
// The same decoding straight from config.json's text, without building a JSON document
// (the hot path of `pc ps`). Returns false, with `c` partly filled, for anything it does
// not handle; then decode with nlohmann from a fresh ContainerConfig.
bool from_json_text(std::string_view text, ContainerConfig& c);

}  // namespace pc::container
