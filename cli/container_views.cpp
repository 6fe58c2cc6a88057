#include "cli/container_views.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <ctime>
#include <optional>

#include "cli/human_units.hpp"
#include "cli/network_views.hpp"
#include "common/strings.hpp"
#include "common/time_format.hpp"
#include "container/control.hpp"
#include "container/spec_builder.hpp"
#include "net/network_config.hpp"
#include "net/network_mode.hpp"
#include "net/port_spec.hpp"
#include "rootless/caps.hpp"
#include "rootless/idmap.hpp"
#include "rootless/rlimits.hpp"
#include "storage/volumes.hpp"

namespace pc::cli {

namespace {

using nlohmann::json;
using container::Container;

// Go's zero time, which Podman prints for "never".
constexpr const char* kZeroTime = "0001-01-01T00:00:00Z";

std::string time_or_zero(int64_t ns) { return ns ? pc::rfc3339_nano(ns, false) : kZeroTime; }

int64_t now_seconds() { return static_cast<int64_t>(std::time(nullptr)); }

json capability_names(const std::vector<int>& caps) {
    json out = json::array();
    for (int c : caps) out.push_back(rootless::capability_name(c));
    return out;
}

json mounts_json(Context& ctx, const Container& c) {
    json out = json::array();
    for (const auto& m : c.config.mounts) {
        json o;
        o["Type"] = m.type;
        if (m.type == "volume") {
            o["Name"] = m.source;
            o["Source"] = storage::Volumes(ctx.store()).mountpoint(m.source);
            o["Driver"] = "local";
        } else {
            o["Source"] = m.source;
            o["Driver"] = "";
        }
        o["Destination"] = m.destination;
        o["Mode"] = "";
        json opts = json::array();
        for (const auto& opt : m.options)
            if (opt != "ro" && opt != "rw") opts.push_back(opt);
        if (m.type != "tmpfs") opts.push_back("rbind");
        o["Options"] = opts;
        o["RW"] = !m.readonly;
        o["Propagation"] = m.type == "bind" ? "rprivate" : "";
        out.push_back(o);
    }
    return out;
}

json binds_json(const Container& c) {
    json out = json::array();
    for (const auto& m : c.config.mounts) {
        if (m.type == "tmpfs") continue;
        std::string b = m.source + ":" + m.destination;
        std::vector<std::string> opts = m.options;
        if (opts.empty()) opts.push_back("rw");
        out.push_back(b + ":" + str::join(opts, ","));
    }
    return out;
}

json tmpfs_json(const Container& c) {
    json out = json::object();
    for (const auto& m : c.config.mounts)
        if (m.type == "tmpfs") out[m.destination] = str::join(m.options, ",");
    return out;
}

json health_json(const Container& c) {
    // Podman 4's shape for a container without a healthcheck, so that templates such as
    // {{.State.Health.Status}} print "" rather than fail.
    if (!c.config.has_healthcheck()) return {{"Status", ""}, {"FailingStreak", 0}, {"Log", nullptr}};
    return {{"Status", c.state.health_status.empty() ? "starting" : c.state.health_status},
            {"FailingStreak", c.state.health_failing_streak},
            {"Log", c.state.health_log.is_array() ? c.state.health_log : json::array()}};
}

// inspect's HostConfig.Devices: every device bound in (--device, CDI device nodes), with
// Podman's keys.
json devices_json(const container::ContainerConfig& cfg) {
    json out = json::array();
    for (const auto& d : cfg.devices)
        out.push_back({{"PathOnHost", d.host_path}, {"PathInContainer", d.container_path}, {"CgroupPermissions", d.permissions}});
    return out;
}

// inspect's HostConfig.Ulimits: what the container runs with, as Podman lists it. Without
// --ulimit, open files and processes are pc's own (open files raised to the hard limit
// when the container starts).
json ulimits_json(const container::ContainerConfig& cfg) {
    const std::vector<rootless::Rlimit> given = container::container_rlimits(cfg);
    std::vector<rootless::Rlimit> limits;
    for (int resource : {RLIMIT_NOFILE, RLIMIT_NPROC}) {
        bool set = false;
        for (const auto& l : given) set = set || l.resource == resource;
        struct rlimit rl {};
        if (set || ::getrlimit(static_cast<__rlimit_resource_t>(resource), &rl) != 0) continue;
        if (resource == RLIMIT_NOFILE) rl.rlim_cur = rl.rlim_max;
        limits.push_back({resource, rl.rlim_cur, rl.rlim_max});
    }
    limits.insert(limits.end(), given.begin(), given.end());
    auto value = [](rlim_t v) { return v == RLIM_INFINITY ? json(-1) : json(static_cast<uint64_t>(v)); };
    json out = json::array();
    for (const auto& l : limits)
        out.push_back({{"Name", rootless::rlimit_name(l.resource)}, {"Soft", value(l.soft)}, {"Hard", value(l.hard)}});
    return out;
}

}  // namespace

std::string container_status_text(const Container& c) {
    return container_status(container::status_name(c.state.status), c.state.exit_code,
                            static_cast<double>(c.state.started_ns) / 1e9, static_cast<double>(c.state.finished_ns) / 1e9,
                            static_cast<double>(now_seconds()), c.state.running() ? c.state.health_status : "");
}

std::string container_command_text(const Container& c, bool no_trunc) {
    std::string cmd = str::join(c.config.argv(), " ");
    if (!no_trunc && cmd.size() > 17) cmd = cmd.substr(0, 17) + "...";
    return cmd;
}

namespace {

// `ps --format json`'s Ports: Podman's port mapping records.
json ports_ps_json(const std::vector<net::PortMapping>& ports) {
    if (ports.empty()) return nullptr;
    json out = json::array();
    for (const auto& m : ports)
        out.push_back({{"host_ip", m.host_ip}, {"container_port", m.container_port}, {"host_port", m.host_port},
                       {"range", 1}, {"protocol", m.protocol}});
    return out;
}

// The networks by name a container is on (ps's Networks).
std::vector<std::string> network_names(const container::ContainerConfig& cfg) {
    std::vector<std::string> out;
    for (const auto& e : cfg.networks) out.push_back(e.network);
    std::sort(out.begin(), out.end());
    return out;
}

json exposed_ports_json(const std::vector<std::string>& exposed) {
    if (exposed.empty()) return nullptr;
    json out = json::object();
    for (const auto& p : exposed) out[p] = json::object();
    return out;
}

// What a running container's network looks like from outside: its slirp address, its
// networks by name (each network's address; the top-level fields only for the default
// "podman" network alone, as Podman shows them), or nothing for none, host and shared
// namespaces (a pod's members show their infra's networks, as Podman does).
json network_settings_json(Context& ctx, const Container& c) {
    const auto& cfg = c.config;
    const bool running = c.state.running() && c.state.pid > 0;
    const net::NetworkMode mode = net::parse_network_mode(cfg.network_mode);
    const bool own = mode.kind == net::NetworkKind::Slirp && running;
    const net::SlirpAddresses a = net::slirp_addresses(mode.slirp);
    json out = {{"EndpointID", ""},
                {"Gateway", own ? a.gateway : ""},
                {"IPAddress", own ? a.guest : ""},
                {"IPPrefixLen", own ? a.prefix : 0},
                {"IPv6Gateway", ""},
                {"GlobalIPv6Address", ""},
                {"GlobalIPv6PrefixLen", 0},
                {"MacAddress", ""},
                {"Bridge", ""},
                {"SandboxID", ""},
                {"HairpinMode", false},
                {"LinkLocalIPv6Address", ""},
                {"LinkLocalIPv6PrefixLen", 0},
                {"Ports", net::ports_json(cfg.ports, cfg.exposed_ports)},
                {"SandboxKey", running && mode.kind != net::NetworkKind::Host ? "/proc/" + std::to_string(c.state.pid) + "/ns/net" : ""}};
    std::optional<Container> holder;
    if (mode.kind == net::NetworkKind::Bridge) holder = c;
    else if (mode.kind == net::NetworkKind::Container && !cfg.pod.empty()) holder = ctx.containers().find(mode.target);
    if (!holder || net::parse_network_mode(holder->config.network_mode).kind != net::NetworkKind::Bridge) return out;
    out["Networks"] = container_networks_json(*holder);
    const bool alone_on_default = holder->config.networks.size() == 1 &&
                                  holder->config.networks[0].network == net::kDefaultNetworkName;
    if (alone_on_default && mode.kind == net::NetworkKind::Bridge) {
        const json& n = out["Networks"][net::kDefaultNetworkName];
        for (const char* key : {"Gateway", "IPAddress", "IPPrefixLen", "IPv6Gateway", "GlobalIPv6Address",
                                "GlobalIPv6PrefixLen", "MacAddress"})
            out[key] = n[key];
    }
    return out;
}

}  // namespace

json container_ps_json(const Container& c) {
    const auto& cfg = c.config;
    const auto& st = c.state;
    json mounts = json::array();
    for (const auto& m : cfg.mounts) mounts.push_back(m.destination);
    return {{"AutoRemove", cfg.auto_remove},
            {"Command", cfg.argv()},
            {"CreatedAt", human_duration(now_seconds() - cfg.created_ns / 1000000000) + " ago"},
            {"Exited", st.status == container::Status::Exited},
            {"ExitedAt", st.finished_ns / 1000000000},
            {"ExitCode", st.exit_code},
            {"Id", cfg.id},
            {"Image", cfg.image_name},
            {"ImageID", cfg.image_id},
            {"IsInfra", cfg.infra},
            {"Labels", cfg.labels.empty() ? json(nullptr) : json(cfg.labels)},
            {"Mounts", mounts},
            {"Names", json::array({cfg.name})},
            {"Namespaces", json::object()},
            {"Networks", network_names(cfg)},
            {"Pid", st.running() ? st.pid : 0},
            {"Pod", cfg.pod},
            {"PodName", ""},  // filled in by the caller, which knows the pods
            {"Ports", ports_ps_json(cfg.ports)},
            {"Restarts", st.restart_count},
            {"Size", nullptr},
            {"StartedAt", st.started_ns / 1000000000},
            {"State", container::status_name(st.status)},
            {"Status", container_status_text(c)},
            {"Created", cfg.created_ns / 1000000000}};
}

json container_ps_template_data(const Container& c, bool no_trunc) {
    json d = container_ps_json(c);
    d["ID"] = no_trunc ? c.config.id : c.config.short_id();
    d["Names"] = c.config.name;
    d["Command"] = container_command_text(c, no_trunc);
    d["Created"] = d["CreatedAt"];
    d["CreatedHuman"] = d["CreatedAt"];
    d["CreatedAt"] = pc::rfc3339_nano(c.config.created_ns, false);
    d["Ports"] = net::format_ps_ports(c.config.ports);
    d["Mounts"] = str::join(d["Mounts"].get<std::vector<std::string>>(), ",");
    d["Networks"] = str::join(network_names(c.config), ",");
    d["Size"] = "";
    d["Labels"] = c.config.labels;
    d["RunningFor"] = human_duration(now_seconds() - c.config.created_ns / 1000000000);
    return d;
}

std::string container_ps_table_row(const Container& c, bool no_trunc) {
    const auto& cfg = c.config;
    std::string row = no_trunc ? cfg.id : cfg.short_id();
    row += '\t';
    row += cfg.image_name;
    row += '\t';
    row += container_command_text(c, no_trunc);
    row += '\t';
    row += human_duration(now_seconds() - cfg.created_ns / 1000000000) + " ago";
    row += '\t';
    row += container_status_text(c);
    row += '\t';
    row += net::format_ps_ports(cfg.ports);
    row += '\t';
    row += cfg.name;
    row += '\n';
    return row;
}

// .Config.Healthcheck, with Docker's StartInterval when one is set.
static json health_config_json(const container::ContainerConfig& cfg) {
    json h = {{"Test", cfg.health_cmd},
              {"Interval", cfg.health_interval_ns},
              {"Timeout", cfg.health_timeout_ns},
              {"StartPeriod", cfg.health_start_period_ns},
              {"Retries", cfg.health_retries}};
    if (cfg.health_start_interval_ns > 0) h["StartInterval"] = cfg.health_start_interval_ns;
    return h;
}

json container_inspect_json(Context& ctx, const Container& c) {
    const auto& cfg = c.config;
    const auto& st = c.state;
    const std::string dir = ctx.store().container_dir(cfg.id);
    std::vector<int> caps;
    try {
        caps = container::container_capabilities(cfg);
    } catch (const std::exception&) {
    }
    std::vector<std::string> argv = cfg.argv();
    json state = {{"OciVersion", "1.1.0"},
                  {"Status", container::status_name(st.status)},
                  {"Running", st.status == container::Status::Running},
                  {"Paused", st.status == container::Status::Paused},
                  {"Restarting", false},
                  {"OOMKilled", st.oom_killed},
                  {"Dead", false},
                  {"Pid", st.running() ? st.pid : 0},
                  {"ConmonPid", st.running() ? st.monitor_pid : 0},
                  {"ExitCode", st.exit_code},
                  {"Error", st.error},
                  {"StartedAt", time_or_zero(st.started_ns)},
                  {"FinishedAt", time_or_zero(st.finished_ns)},
                  {"Health", health_json(c)},
                  {"CheckpointedAt", kZeroTime},
                  {"RestoredAt", kZeroTime}};
    const bool overlay = cfg.storage_driver != "vfs";
    json graph_data = json::object();
    if (overlay) {
        std::vector<std::string> lowers;
        for (auto it = cfg.layers.rbegin(); it != cfg.layers.rend(); ++it)
            lowers.push_back(ctx.store().layer_diff_dir(*it));
        graph_data = {{"LowerDir", str::join(lowers, ":")},
                      {"UpperDir", dir + "/upper"},
                      {"WorkDir", dir + "/work"},
                      {"MergedDir", dir + "/merged"}};
    }
    json labels = cfg.labels.empty() ? json(nullptr) : json(cfg.labels);
    json annotations = cfg.annotations;
    if (cfg.tty) annotations["io.podman.annotations.tty"] = "true";
    // The annotations Podman derives from the configuration, with its spelling.
    const int stop_signal = container::parse_signal(cfg.stop_signal.empty() ? "SIGTERM" : cfg.stop_signal);
    auto flag = [](bool b) { return b ? "TRUE" : "FALSE"; };
    annotations["io.podman.annotations.autoremove"] = flag(cfg.auto_remove);
    annotations["io.podman.annotations.init"] = flag(cfg.init);
    annotations["io.podman.annotations.privileged"] = flag(cfg.privileged);
    annotations["io.podman.annotations.publish-all"] = "FALSE";
    annotations["org.opencontainers.image.stopSignal"] = std::to_string(stop_signal);
    json config = {{"Hostname", container::container_hostname(cfg)},
                   {"Domainname", ""},
                   {"User", cfg.user},
                   {"AttachStdin", cfg.interactive},
                   {"AttachStdout", true},
                   {"AttachStderr", true},
                   {"Tty", cfg.tty},
                   {"OpenStdin", cfg.interactive},
                   {"StdinOnce", false},
                   {"Env", cfg.env},
                   {"Cmd", cfg.cmd.empty() ? json(nullptr) : json(cfg.cmd)},
                   {"Image", cfg.image_name},
                   {"Volumes", nullptr},
                   {"ExposedPorts", exposed_ports_json(cfg.exposed_ports)},
                   {"WorkingDir", cfg.working_dir},
                   {"Entrypoint", str::join(cfg.entrypoint, " ")},
                   {"OnBuild", nullptr},
                   {"Labels", labels},
                   {"Annotations", annotations},
                   {"StopSignal", stop_signal},  // a number, as Podman 4 prints it
                   {"Healthcheck", cfg.has_healthcheck()
                                       ? health_config_json(cfg)
                                       : json(nullptr)},
                   {"HealthcheckOnFailureAction", cfg.health_on_failure},
                   {"CreateCommand", cfg.create_command},
                   {"Umask", cfg.umask},
                   {"Timezone", cfg.timezone},
                   {"Timeout", 0},
                   {"StopTimeout", cfg.stop_timeout},
                   {"Passwd", true},
                   {"sdNotifyMode", "container"}};
    json host_config = {{"Binds", binds_json(c)},
                        {"CgroupManager", "cgroupfs"},
                        {"CgroupMode", "private"},
                        {"ContainerIDFile", ""},
                        {"LogConfig", {{"Type", "k8s-file"}, {"Config", nullptr}, {"Path", dir + "/ctr.log"}, {"Tag", ""},
                                       {"Size", cfg.log_max_size ? std::to_string(cfg.log_max_size) + "B" : "0B"}}},
                        {"NetworkMode", cfg.network_mode},
                        {"PortBindings", net::ports_json(cfg.ports, {})},
                        {"RestartPolicy", {{"Name", cfg.restart_policy}, {"MaximumRetryCount", cfg.restart_max}}},
                        {"AutoRemove", cfg.auto_remove},
                        {"VolumeDriver", ""},
                        {"VolumesFrom", nullptr},
                        {"CapAdd", cfg.cap_add},
                        {"CapDrop", cfg.cap_drop},
                        {"Dns", cfg.dns_servers},
                        {"DnsOptions", cfg.dns_options},
                        {"DnsSearch", cfg.dns_search},
                        {"ExtraHosts", cfg.add_hosts},
                        {"GroupAdd", cfg.group_add},
                        {"IpcMode", cfg.ipc_mode.empty() ? "private" : cfg.ipc_mode},
                        {"Cgroup", ""},
                        {"Cgroups", "default"},
                        {"Links", nullptr},
                        {"OomScoreAdj", 0},
                        {"PidMode", cfg.pid_mode.empty() ? "private" : cfg.pid_mode},
                        {"Privileged", cfg.privileged},
                        {"PublishAllPorts", false},
                        {"ReadonlyRootfs", cfg.readonly_rootfs},
                        {"SecurityOpt", cfg.security_opt},
                        {"Tmpfs", tmpfs_json(c)},
                        {"UTSMode", cfg.uts_mode.empty() ? "private" : cfg.uts_mode},
                        {"UsernsMode", cfg.userns.empty() ? "" : cfg.userns},
                        {"ShmSize", 65536000},
                        {"Runtime", "oci"},
                        {"ConsoleSize", {0, 0}},
                        {"CgroupParent", ""},
                        // Resource limits are refused (pc creates no cgroups): all unset,
                        // with Podman's key names and zero values.
                        {"BlkioWeight", 0},
                        {"BlkioWeightDevice", nullptr},
                        {"BlkioDeviceReadBps", nullptr},
                        {"BlkioDeviceWriteBps", nullptr},
                        {"BlkioDeviceReadIOps", nullptr},
                        {"BlkioDeviceWriteIOps", nullptr},
                        {"CgroupConf", nullptr},
                        {"CpuCount", 0},
                        {"CpuPercent", 0},
                        {"CpuPeriod", 0},
                        {"CpuQuota", 0},
                        {"CpuRealtimePeriod", 0},
                        {"CpuRealtimeRuntime", 0},
                        {"CpuShares", 0},
                        {"CpusetCpus", ""},
                        {"CpusetMems", ""},
                        {"Devices", devices_json(cfg)},
                        {"DeviceCgroupRules", cfg.device_cgroup_rules},
                        {"DiskQuota", 0},
                        {"IOMaximumBandwidth", 0},
                        {"IOMaximumIOps", 0},
                        {"Isolation", ""},
                        {"KernelMemory", 0},
                        {"Memory", 0},
                        {"MemoryReservation", 0},
                        {"MemorySwap", 0},
                        {"MemorySwappiness", 0},
                        {"NanoCpus", 0},
                        {"OomKillDisable", false},
                        {"PidsLimit", 0},
                        {"Init", cfg.init},
                        {"Ulimits", ulimits_json(cfg)}};
    const auto& mapping = rootless::caller_mapping(rootless::parse_userns(cfg.userns));
    json idmappings = {{"UidMap", json::array()}, {"GidMap", json::array()}};
    for (const auto& e : mapping.uids)
        idmappings["UidMap"].push_back(std::to_string(e.inside) + ":" + std::to_string(e.outside) + ":" + std::to_string(e.count));
    for (const auto& e : mapping.gids)
        idmappings["GidMap"].push_back(std::to_string(e.inside) + ":" + std::to_string(e.outside) + ":" + std::to_string(e.count));
    host_config["IDMappings"] = idmappings;

    return {{"Id", cfg.id},
            {"Created", pc::rfc3339_nano(cfg.created_ns, false)},
            {"Path", argv.empty() ? "" : argv[0]},
            {"Args", argv.size() > 1 ? json(std::vector<std::string>(argv.begin() + 1, argv.end())) : json::array()},
            {"State", state},
            {"Image", cfg.image_id},
            {"ImageDigest", ""},
            {"ImageName", cfg.image_name},
            {"Rootfs", ""},
            {"Pod", cfg.pod},
            {"ResolvConfPath", dir + "/resolv.conf"},
            {"HostnamePath", dir + "/hostname"},
            {"HostsPath", dir + "/hosts"},
            {"StaticDir", dir},
            {"OCIRuntime", "pc"},
            {"ConmonPidFile", ""},
            {"PidFile", ""},
            {"Name", cfg.name},
            {"RestartCount", st.restart_count},
            {"Driver", cfg.storage_driver},
            {"MountLabel", ""},
            {"ProcessLabel", ""},
            {"AppArmorProfile", ""},
            {"EffectiveCaps", capability_names(caps)},
            {"BoundingCaps", capability_names(caps)},
            {"ExecIDs", json::array()},
            {"GraphDriver", {{"Name", cfg.storage_driver}, {"Data", graph_data}}},
            {"Mounts", mounts_json(ctx, c)},
            {"Dependencies", cfg.dependencies},
            {"NetworkSettings", network_settings_json(ctx, c)},
            {"Namespace", ""},
            {"IsInfra", cfg.infra},
            {"IsService", false},
            {"Config", config},
            {"HostConfig", host_config}};
}

}  // namespace pc::cli
