// The typed compose project: what the loader produces and what the compose runtime
// consumes (pods, containers, networks, volumes). It mirrors compose-go's types (the model
// Docker Compose runs), field for field and in the same order, because that order and those
// types are what `config` prints. Conventions:
//  - an empty string / zero number / false / empty container means "not set" (omitted from
//    output), as Go's zero values with `omitempty`;
//  - std::optional where compose-go has a pointer (unset differs from zero: `init: false`,
//    `replicas: 0`, `command: []`);
//  - durations are nanoseconds (int64), byte sizes are bytes (int64), file modes are the
//    numeric mode (0440 == 288);
//  - `extensions` keeps the `x-*` keys of that level as parsed (document tree nodes).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "compose/dotenv.hpp"
#include "compose/node.hpp"

namespace pc::compose {

using Extensions = std::map<std::string, Node>;
using StringMap = std::map<std::string, std::string>;
// KEY -> value, or nullopt for a key given without a value (`environment: [FOO]` with FOO
// unset, `args: {A: }`): the runtime leaves such a variable unset.
using NullableStringMap = std::map<std::string, std::optional<std::string>>;
// extra_hosts: host -> addresses (several per host possible).
using HostsList = std::map<std::string, std::vector<std::string>>;
using Nanoseconds = int64_t;

// A service's reference to a secret or config (also build secrets).
struct FileReference {
    std::string source;
    std::string target;
    std::string uid;
    std::string gid;
    std::optional<int64_t> mode;
    Extensions extensions;
};

struct Ulimit {
    int64_t single = 0;  // `nofile: 1024` (soft = hard); 0 when soft/hard are given
    int64_t soft = 0;
    int64_t hard = 0;
    Extensions extensions;
};

struct SshKey {
    std::string id;
    std::string path;  // "" for the agent socket of `default`
};

struct BuildConfig {
    std::string context;
    std::string dockerfile;
    std::string dockerfile_inline;
    std::vector<std::string> entitlements;
    NullableStringMap args;
    std::string provenance;
    std::string sbom;
    std::vector<SshKey> ssh;
    StringMap labels;
    std::vector<std::string> cache_from;
    std::vector<std::string> cache_to;
    bool no_cache = false;
    std::vector<std::string> no_cache_filter;
    StringMap additional_contexts;
    bool pull = false;
    HostsList extra_hosts;
    std::string isolation;
    std::string network;
    std::string target;
    std::vector<FileReference> secrets;
    int64_t shm_size = 0;
    std::vector<std::string> tags;
    std::map<std::string, Ulimit> ulimits;
    std::vector<std::string> platforms;
    bool privileged = false;
    Extensions extensions;
};

struct ServiceHook {
    std::optional<std::vector<std::string>> command;
    std::string image;
    std::string user;
    bool privileged = false;
    std::string working_dir;
    NullableStringMap environment;
    bool per_replica = false;
    Extensions extensions;
};

struct WatchTrigger {
    std::string path;
    std::string action;  // sync, rebuild, restart, sync+restart, sync+exec
    std::string target;
    ServiceHook exec;
    std::vector<std::string> include;
    std::vector<std::string> ignore;
    bool initial_sync = false;
    Extensions extensions;
};

struct DevelopConfig {
    std::vector<WatchTrigger> watch;
    Extensions extensions;
};

struct ThrottleDevice {
    std::string path;
    int64_t rate = 0;  // bytes (or operations) per second
    Extensions extensions;
};

struct WeightDevice {
    std::string path;
    uint16_t weight = 0;
    Extensions extensions;
};

struct BlkioConfig {
    uint16_t weight = 0;
    std::vector<WeightDevice> weight_device;
    std::vector<ThrottleDevice> device_read_bps;
    std::vector<ThrottleDevice> device_read_iops;
    std::vector<ThrottleDevice> device_write_bps;
    std::vector<ThrottleDevice> device_write_iops;
    Extensions extensions;
};

struct CredentialSpec {
    std::string config;
    std::string file;
    std::string registry;
    Extensions extensions;
};

struct ServiceDependency {
    std::string condition;  // service_started, service_healthy, service_completed_successfully
    bool restart = false;
    bool required = true;
    Extensions extensions;
};

struct DeviceRequest {
    std::vector<std::string> capabilities;
    std::string driver;
    int64_t count = 0;  // -1: all
    std::vector<std::string> device_ids;
    StringMap options;
};

struct DiscreteResource {
    std::string kind;
    int64_t value = 0;
    Extensions extensions;
};

struct GenericResource {
    std::optional<DiscreteResource> discrete_resource_spec;
    Extensions extensions;
};

struct Resource {
    float cpus = 0;
    int64_t memory = 0;
    int64_t pids = 0;
    std::vector<DeviceRequest> devices;
    std::vector<GenericResource> generic_resources;
    Extensions extensions;
};

struct Resources {
    std::optional<Resource> limits;
    std::optional<Resource> reservations;
    Extensions extensions;
};

struct UpdateConfig {
    std::optional<uint64_t> parallelism;
    Nanoseconds delay = 0;
    std::string failure_action;
    Nanoseconds monitor = 0;
    float max_failure_ratio = 0;
    std::string order;
    Extensions extensions;
};

struct RestartPolicy {
    std::string condition;
    std::optional<Nanoseconds> delay;
    std::optional<uint64_t> max_attempts;
    std::optional<Nanoseconds> window;
    Extensions extensions;
};

struct PlacementPreference {
    std::string spread;
    Extensions extensions;
};

struct Placement {
    std::vector<std::string> constraints;
    std::vector<PlacementPreference> preferences;
    uint64_t max_replicas_per_node = 0;
    Extensions extensions;
};

struct DeployConfig {
    std::string mode;
    std::optional<int64_t> replicas;
    StringMap labels;
    std::optional<UpdateConfig> update_config;
    std::optional<UpdateConfig> rollback_config;
    Resources resources;
    std::optional<RestartPolicy> restart_policy;
    Placement placement;
    std::string endpoint_mode;
    Extensions extensions;
};

struct DeviceMapping {
    std::string source;
    std::string target;
    std::string permissions;
    Extensions extensions;
};

struct EnvFile {
    std::string path;
    bool required = true;
    std::string format;  // "" (.env syntax) or "raw"
};

struct ExtendsConfig {
    std::string file;
    std::string service;
};

struct HealthCheck {
    std::vector<std::string> test;  // ["CMD", ...], ["CMD-SHELL", "..."] or ["NONE"]
    std::optional<Nanoseconds> timeout;
    std::optional<Nanoseconds> interval;
    std::optional<uint64_t> retries;
    std::optional<Nanoseconds> start_period;
    std::optional<Nanoseconds> start_interval;
    bool disable = false;
    Extensions extensions;
};

struct LoggingConfig {
    std::string driver;
    StringMap options;
    Extensions extensions;
};

struct ServiceModel {
    std::string endpoint_var;
    std::string model_var;
    Extensions extensions;
};

struct ServiceNetwork {
    std::vector<std::string> aliases;
    StringMap driver_opts;
    int64_t gw_priority = 0;
    std::string interface_name;
    std::string ipv4_address;
    std::string ipv6_address;
    std::vector<std::string> link_local_ips;
    std::string mac_address;
    int64_t priority = 0;
    Extensions extensions;
};

struct ServicePort {
    std::string name;
    std::string mode;  // ingress or host
    std::string host_ip;
    uint32_t target = 0;
    std::string published;  // "8080", "8000-8010" or "" (random)
    std::string protocol;   // tcp, udp, sctp
    std::string app_protocol;
    Extensions extensions;
};

struct ProviderConfig {
    std::string type;
    std::map<std::string, std::vector<std::string>> options;
    Extensions extensions;
};

struct VolumeBind {
    std::string selinux;      // z or Z
    std::string propagation;  // rprivate, shared, ...
    bool create_host_path = true;
    std::string recursive;
    Extensions extensions;
};

struct VolumeOptions {
    StringMap labels;
    bool nocopy = false;
    std::string subpath;
    Extensions extensions;
};

struct TmpfsOptions {
    int64_t size = 0;
    uint32_t mode = 0;
    Extensions extensions;
};

struct ImageOptions {
    std::string subpath;
    Extensions extensions;
};

struct ServiceVolume {
    std::string type;    // bind, volume, tmpfs, image, npipe, cluster
    std::string source;  // host path (absolute) for bind, volume name, image reference
    std::string target;
    bool read_only = false;
    std::string consistency;
    std::optional<VolumeBind> bind;
    std::optional<VolumeOptions> volume;
    std::optional<TmpfsOptions> tmpfs;
    std::optional<ImageOptions> image;
    Extensions extensions;
};

struct Service {
    std::string name;
    std::vector<std::string> profiles;
    StringMap annotations;
    std::optional<bool> attach;
    std::optional<BuildConfig> build;
    std::optional<DevelopConfig> develop;
    std::optional<BlkioConfig> blkio_config;
    std::vector<std::string> cap_add;
    std::vector<std::string> cap_drop;
    std::string cgroup_parent;
    std::string cgroup;
    int64_t cpu_count = 0;
    float cpu_percent = 0;
    int64_t cpu_period = 0;
    int64_t cpu_quota = 0;
    int64_t cpu_rt_period = 0;
    int64_t cpu_rt_runtime = 0;
    float cpus = 0;
    std::string cpuset;
    int64_t cpu_shares = 0;
    std::optional<std::vector<std::string>> command;  // nullopt: the image's; []: none
    std::vector<FileReference> configs;
    std::string container_name;
    std::optional<CredentialSpec> credential_spec;
    std::map<std::string, ServiceDependency> depends_on;
    std::optional<DeployConfig> deploy;
    std::vector<std::string> device_cgroup_rules;
    std::vector<DeviceMapping> devices;
    std::vector<std::string> dns;
    std::vector<std::string> dns_opt;
    std::vector<std::string> dns_search;
    std::string dockerfile;
    std::string domainname;
    std::optional<std::vector<std::string>> entrypoint;
    std::optional<ProviderConfig> provider;
    NullableStringMap environment;
    std::vector<EnvFile> env_file;
    std::vector<std::string> expose;
    std::optional<ExtendsConfig> extends;
    std::vector<std::string> external_links;
    HostsList extra_hosts;
    std::vector<std::string> group_add;
    std::vector<DeviceRequest> gpus;
    std::string hostname;
    std::optional<HealthCheck> healthcheck;
    std::string image;
    std::optional<bool> init;
    std::string ipc;
    std::string isolation;
    StringMap labels;
    std::vector<std::string> label_file;
    std::vector<std::string> links;
    std::optional<LoggingConfig> logging;
    std::string log_driver;
    StringMap log_opt;
    int64_t mem_limit = 0;
    int64_t mem_reservation = 0;
    int64_t memswap_limit = 0;
    int64_t mem_swappiness = 0;
    std::string mac_address;
    std::map<std::string, std::optional<ServiceModel>> models;
    std::string net;
    std::string network_mode;
    std::map<std::string, std::optional<ServiceNetwork>> networks;
    bool oom_kill_disable = false;
    int64_t oom_score_adj = 0;
    std::string pid;
    int64_t pids_limit = 0;
    std::string platform;
    std::vector<ServicePort> ports;
    bool privileged = false;
    std::string pull_policy;
    bool read_only = false;
    std::string restart;
    std::string runtime;
    std::optional<int64_t> scale;
    std::vector<FileReference> secrets;
    std::vector<std::string> security_opt;
    int64_t shm_size = 0;
    bool stdin_open = false;
    std::optional<Nanoseconds> stop_grace_period;
    std::string stop_signal;
    StringMap storage_opt;
    StringMap sysctls;
    std::vector<std::string> tmpfs;
    bool tty = false;
    std::map<std::string, Ulimit> ulimits;
    bool use_api_socket = false;
    std::string user;
    std::string userns_mode;
    std::string uts;
    std::string volume_driver;
    std::vector<ServiceVolume> volumes;
    std::vector<std::string> volumes_from;
    std::string working_dir;
    std::vector<ServiceHook> pre_start;
    std::vector<ServiceHook> post_start;
    std::vector<ServiceHook> pre_stop;
    Extensions extensions;

    // Replicas to run: scale, else deploy.replicas, else 1.
    int64_t replicas() const;
};

struct IpamPool {
    std::string subnet;
    std::string gateway;
    std::string ip_range;
    StringMap aux_addresses;
    Extensions extensions;
};

struct IpamConfig {
    std::string driver;
    std::vector<IpamPool> config;
    StringMap options;
    Extensions extensions;
};

struct Network {
    std::string name;  // the engine-side name (PROJECT_KEY unless given or external)
    std::string driver;
    StringMap driver_opts;
    IpamConfig ipam;
    bool external = false;
    bool internal = false;
    bool attachable = false;
    StringMap labels;
    std::optional<bool> enable_ipv4;
    std::optional<bool> enable_ipv6;
    Extensions extensions;
};

struct Volume {
    std::string name;
    std::string driver;
    StringMap driver_opts;
    bool external = false;
    StringMap labels;
    Extensions extensions;
};

// A top-level secret or config.
struct FileObject {
    std::string name;
    std::string file;         // absolute path
    std::string environment;  // variable the content comes from
    std::string content;      // inline content (configs); the resolved value of `environment`
    bool external = false;
    StringMap labels;
    std::string driver;
    StringMap driver_opts;
    std::string template_driver;
    Extensions extensions;
};

struct Model {
    std::string name;
    std::string model;
    int64_t context_size = 0;
    std::vector<std::string> runtime_flags;
    Extensions extensions;
};

struct Project {
    std::string name;
    std::string working_dir;  // absolute project directory
    std::map<std::string, Service> services;           // enabled services
    std::map<std::string, Service> disabled_services;  // services of inactive profiles
    std::map<std::string, Network> networks;
    std::map<std::string, Volume> volumes;
    std::map<std::string, FileObject> secrets;
    std::map<std::string, FileObject> configs;
    std::map<std::string, Model> models;
    Extensions extensions;

    std::vector<std::string> compose_files;  // absolute paths ("-" for stdin)
    EnvMap environment;                      // what interpolation used (OS env + .env files)
    std::vector<std::string> profiles;       // active profiles
    // How the runtime networks the services (not part of the file's model): in one pod,
    // or each on the project's networks (compose/project_networks.hpp).
    bool in_pod = true;

    // The normalized document the model was decoded from: where every key was written,
    // for errors that point at the user's file ("compose.yaml:12:7: ...").
    std::shared_ptr<const Node> document;
    // The deepest known place of a key path such as {"services", "web", "ports"}.
    Mark locate(const Path& path) const;
};

}  // namespace pc::compose
