#include "compose/service_container.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "common/atomic_file.hpp"
#include "common/error.hpp"
#include "common/strings.hpp"
#include "common/user_paths.hpp"
#include "compose/hash.hpp"
#include "compose/labels.hpp"
#include "compose/project_networks.hpp"
#include "compose/secret_files.hpp"
#include "container/create_options.hpp"
#include "container/network_options.hpp"
#include "pod/pod_ops.hpp"
#include "rootless/idmap.hpp"

namespace pc::compose {

namespace {

std::string duration_text(int64_t ns) { return std::to_string(ns) + "ns"; }

// "service:db" -> the db service's container; "container:x" stays; anything else as is.
std::string namespace_reference(const ServiceContainerRequest& r, const std::string& key, const std::string& value) {
    if (!str::starts_with(value, "service:")) return value;
    const std::string target = value.substr(8);
    std::string id = r.service_container ? r.service_container(target) : "";
    if (id.empty())
        throw Error("service \"" + r.service->name + "\": " + key + ": service:" + target + " has no container to join");
    return "container:" + id;
}

std::string restart_policy(const Service& s) {
    if (!s.restart.empty()) return s.restart;
    if (s.deploy && s.deploy->restart_policy) {
        const auto& p = *s.deploy->restart_policy;
        if (p.condition == "none") return "no";
        if (p.condition == "on-failure")
            return p.max_attempts ? "on-failure:" + std::to_string(*p.max_attempts) : "on-failure";
        if (p.condition == "any" || p.condition.empty()) return "always";
    }
    return "";
}

void apply_healthcheck(container::CreateOptions& o, const HealthCheck& h) {
    if (h.disable || (!h.test.empty() && h.test[0] == "NONE")) {
        o.no_healthcheck = true;
        return;
    }
    if (!h.test.empty()) o.health_cmd = nlohmann::json(h.test).dump();
    if (h.interval) o.health_interval = duration_text(*h.interval);
    if (h.timeout) o.health_timeout = duration_text(*h.timeout);
    if (h.start_period) o.health_start_period = duration_text(*h.start_period);
    if (h.start_interval) o.health_start_interval = duration_text(*h.start_interval);
    if (h.retries) o.health_retries = static_cast<unsigned>(*h.retries);
}

container::MountConfig mount_of(const Project& p, const Service& s, const ServiceVolume& v) {
    container::MountConfig m;
    m.destination = v.target;
    m.readonly = v.read_only;
    if (v.read_only) m.options.push_back("ro");
    if (v.type == "bind") {
        m.type = "bind";
        m.source = v.source;
        if (v.bind) {
            if (!v.bind->propagation.empty()) m.options.push_back(v.bind->propagation);
            // Docker Compose makes a missing host directory (create_host_path, the default).
            if (v.bind->create_host_path && ::access(m.source.c_str(), F_OK) != 0) ensure_dir(m.source);
        } else if (::access(m.source.c_str(), F_OK) != 0) {
            ensure_dir(m.source);
        }
        if (v.bind && v.bind->recursive == "disabled") m.options.push_back("bind");
    } else if (v.type == "volume") {
        m.type = "volume";
        if (v.source.empty()) {
            m.anonymous = true;  // named by the builder
        } else {
            auto it = p.volumes.find(v.source);
            m.source = it != p.volumes.end() && !it->second.name.empty() ? it->second.name : p.name + "_" + v.source;
        }
        if (v.volume && v.volume->nocopy) m.copy_up = false;
        if (v.volume && !v.volume->subpath.empty())
            throw Error("service \"" + s.name + "\": volumes: " + v.target + ": volume.subpath is not supported by pc yet");
    } else if (v.type == "tmpfs") {
        m.type = "tmpfs";
        if (v.tmpfs && v.tmpfs->size > 0) m.options.push_back("size=" + std::to_string(v.tmpfs->size));
        if (v.tmpfs && v.tmpfs->mode > 0) {
            char mode[32];
            std::snprintf(mode, sizeof(mode), "mode=%o", v.tmpfs->mode);
            m.options.emplace_back(mode);
        }
    } else {
        throw Error("service \"" + s.name + "\": volumes: " + v.target + ": type \"" + v.type +
                    "\" is not supported by pc (valid: bind, volume, tmpfs)");
    }
    return m;
}

// The labels Docker Compose puts on a service's containers.
void compose_labels(container::CreateOptions& o, const ServiceContainerRequest& r, const std::string& hash) {
    const Project& p = *r.project;
    const Service& s = *r.service;
    auto label = [&](const std::string& k, const std::string& v) { o.labels.push_back(k + "=" + v); };
    label(kLabelProject, p.name);
    label(kLabelService, s.name);
    label(kLabelNumber, std::to_string(r.number));
    label(kLabelOneoff, r.oneoff ? "True" : "False");
    label(kLabelConfigHash, hash);
    label(kLabelWorkingDir, p.working_dir);
    label(kLabelConfigFiles, str::join(p.compose_files, ","));
    label(kLabelVersion, "2.40.3");
    label(kLabelImage, s.image);
    std::vector<std::string> deps;
    for (const auto& [name, d] : s.depends_on)
        deps.push_back(name + ":" + d.condition + ":" + (d.restart ? "true" : "false"));
    label(kLabelDependsOn, str::join(deps, ","));
}

}  // namespace

bool uses_project_network(const Service& s) {
    const std::string& mode = !s.network_mode.empty() ? s.network_mode : s.net;
    return mode.empty() || mode == "bridge" || mode == "default";
}

bool runs_in_pod(const Project& p, const Service& s) { return p.in_pod && uses_project_network(s); }

std::vector<std::string> publish_specs(const Service& s) {
    std::vector<std::string> out;
    for (const auto& p : s.ports) {
        std::string spec;
        if (!p.host_ip.empty()) spec = (p.host_ip.find(':') != std::string::npos ? "[" + p.host_ip + "]" : p.host_ip) + ":";
        if (!p.published.empty()) spec += p.published + ":";
        else if (!p.host_ip.empty()) spec += ":";
        spec += std::to_string(p.target);
        if (!p.protocol.empty() && p.protocol != "tcp") spec += "/" + p.protocol;
        out.push_back(spec);
    }
    return out;
}

std::vector<std::string> project_host_names(const Project& p) {
    std::set<std::string> names;
    for (const auto& [name, s] : p.services) {
        if (!runs_in_pod(p, s)) continue;
        names.insert(name);
        if (!s.container_name.empty()) names.insert(s.container_name);
        if (!s.hostname.empty()) names.insert(s.hostname);
        for (const auto& [net, cfg] : s.networks)
            if (cfg)
                for (const auto& a : cfg->aliases) names.insert(a);
        for (const auto& link : s.links) {
            auto [target, alias] = str::split_once(link, ':');
            names.insert(target);
            if (alias) names.insert(*alias);
        }
        const int64_t replicas = std::max<int64_t>(1, s.replicas());
        if (s.container_name.empty())
            for (int64_t i = 1; i <= replicas; ++i) names.insert(service_container_name(p.name, name, static_cast<int>(i)));
    }
    return {names.begin(), names.end()};
}

namespace {

// Docker Compose's GPU requests (`gpus:`, deploy.resources.reservations.devices with the
// "gpu" capability) as `--gpus` values: "all", a count, or "device=ID,ID".
std::vector<std::string> gpu_flags(const Service& s) {
    std::vector<const DeviceRequest*> requests;
    for (const auto& r : s.gpus) requests.push_back(&r);
    if (s.deploy && s.deploy->resources.reservations)
        for (const auto& r : s.deploy->resources.reservations->devices)
            if (std::find(r.capabilities.begin(), r.capabilities.end(), "gpu") != r.capabilities.end())
                requests.push_back(&r);
    std::vector<std::string> out;
    for (const DeviceRequest* r : requests) {
        if (!r->driver.empty() && r->driver != "nvidia" && r->driver != "cdi")
            throw Error("service \"" + s.name + "\": GPU driver \"" + r->driver + "\" is not supported (nvidia, cdi)");
        if (!r->device_ids.empty()) out.push_back("device=" + str::join(r->device_ids, ","));
        else if (r->count > 0) {
            // CDI names GPUs, it does not count them: N GPUs are the first N.
            std::vector<std::string> ids;
            for (int64_t i = 0; i < r->count; ++i) ids.push_back(std::to_string(i));
            out.push_back("device=" + str::join(ids, ","));
        } else {
            out.push_back("all");
        }
    }
    return out;
}

}  // namespace

container::ExecOptions hook_exec_options(const ServiceHook& hook) {
    container::ExecOptions o;
    if (hook.command) o.args = *hook.command;
    o.user = hook.user;
    o.workdir = hook.working_dir;
    o.privileged = hook.privileged;
    for (const auto& [k, v] : hook.environment)
        if (v) o.env.push_back(k + "=" + *v);
    return o;
}

std::string service_image(const Project& p, const Service& s) { return s.image.empty() ? p.name + "-" + s.name : s.image; }

std::vector<std::string> unsupported_keys(const Project& p, const Service& s) {
    std::vector<std::string> keys;
    auto no_cgroups = [&](bool set, const std::string& key) {
        if (set) keys.push_back(key);
    };
    no_cgroups(s.cpus > 0, "cpus");
    no_cgroups(s.cpu_shares > 0, "cpu_shares");
    no_cgroups(s.cpu_quota > 0 || s.cpu_period > 0, "cpu_quota/cpu_period");
    no_cgroups(s.cpu_count > 0 || s.cpu_percent > 0, "cpu_count/cpu_percent");
    no_cgroups(!s.cpuset.empty(), "cpuset");
    no_cgroups(s.mem_limit > 0, "mem_limit");
    no_cgroups(s.mem_reservation > 0, "mem_reservation");
    no_cgroups(s.memswap_limit != 0, "memswap_limit");
    no_cgroups(s.pids_limit > 0, "pids_limit");
    no_cgroups(s.blkio_config.has_value(), "blkio_config");
    no_cgroups(s.oom_kill_disable, "oom_kill_disable");
    no_cgroups(!s.cgroup_parent.empty(), "cgroup_parent");
    if (s.deploy && s.deploy->resources.limits) keys.push_back("deploy.resources.limits");
    // Device reservations are applied (gpu_flags below); other reservations need cgroups.
    if (s.deploy && s.deploy->resources.reservations &&
        (s.deploy->resources.reservations->cpus > 0 || s.deploy->resources.reservations->memory > 0 ||
         s.deploy->resources.reservations->pids > 0))
        keys.push_back("deploy.resources.reservations");
    std::vector<std::string> out;
    for (const auto& k : keys)
        out.push_back("service \"" + s.name + "\": " + k +
                      " is not applied: pc creates no cgroups for rootless containers on this host, so resource "
                      "limits and reservations cannot be enforced");
    if (s.oom_score_adj != 0)
        out.push_back("service \"" + s.name + "\": oom_score_adj is not applied: rootless containers cannot change it here");
    const bool on_networks = !p.in_pod && s.network_mode.empty() && s.net.empty();  // addresses apply there
    if (!s.mac_address.empty() && !on_networks)
        out.push_back("service \"" + s.name + "\": mac_address is not applied: the services of a project share the pod's network");
    if (!s.runtime.empty()) out.push_back("service \"" + s.name + "\": runtime is not applied: pc is its own runtime");
    for (const auto& [net, cfg] : s.networks)
        if (cfg && !on_networks && (!cfg->ipv4_address.empty() || !cfg->ipv6_address.empty()))
            out.push_back("service \"" + s.name + "\": networks." + net +
                          ".ipv4_address/ipv6_address are not applied: the services of a project share the pod's network");
    if (s.logging && !s.logging->driver.empty() && s.logging->driver != "json-file" && s.logging->driver != "k8s-file" &&
        s.logging->driver != "local")
        out.push_back("service \"" + s.name + "\": logging.driver " + s.logging->driver +
                      " is not available: the container's output goes to pc's log (k8s-file)");
    return out;
}

ServiceContainer service_container_config(storage::Store& store, pod::PodStore& pods, const ServiceContainerRequest& r) {
    const Project& p = *r.project;
    const Service& s = *r.service;
    ServiceContainer out;
    container::CreateOptions o;
    o.name = r.name;
    o.hostname = s.hostname;
    o.workdir = s.working_dir;
    o.user = s.user;
    if (s.entrypoint) o.entrypoint = nlohmann::json(*s.entrypoint).dump();
    for (const auto& [k, v] : s.environment)
        if (v) o.env.push_back(k + "=" + *v);
    for (const auto& [k, v] : s.labels) o.labels.push_back(k + "=" + v);
    for (const auto& [k, v] : s.annotations) o.annotations.push_back(k + "=" + v);
    o.cap_add = s.cap_add;
    o.cap_drop = s.cap_drop;
    o.security_opt = s.security_opt;
    o.group_add = s.group_add;
    o.privileged = s.privileged;
    o.read_only = s.read_only;
    o.init = s.init;  // unset: containers.conf decides
    // devices: host nodes ("/dev/x:/dev/y:rwm") or CDI names; gpus and device reservations
    // become --gpus values, resolved through CDI as Podman does (container/device_options).
    for (const auto& d : s.devices) {
        std::string v = d.source;
        if (!d.target.empty()) v += ":" + d.target;
        if (!d.permissions.empty()) v += (d.target.empty() ? ":" + d.source + ":" : ":") + d.permissions;
        o.device.devices.push_back(v);
    }
    for (const auto& g : gpu_flags(s)) o.device.gpus.push_back(g);
    o.tty = s.tty;
    o.interactive = s.stdin_open;
    o.stop_signal = s.stop_signal;
    if (s.stop_grace_period)
        o.stop_timeout = static_cast<unsigned>(std::ceil(static_cast<double>(*s.stop_grace_period) / 1e9));
    o.restart = r.oneoff ? "" : restart_policy(s);
    if (s.healthcheck) apply_healthcheck(o, *s.healthcheck);
    for (const auto& [name, u] : s.ulimits)
        o.ulimits.push_back(u.single > 0 ? name + "=" + std::to_string(u.single)
                                         : name + "=" + std::to_string(u.soft) + ":" + std::to_string(u.hard));
    if (s.logging) {
        for (const auto& [k, v] : s.logging->options)
            if (k == "max-size" || k == "max-file") o.log_opts.push_back(k + "=" + v);
    }
    for (const auto& [k, v] : s.log_opt)
        if (k == "max-size" || k == "max-file") o.log_opts.push_back(k + "=" + v);
    o.tmpfs = s.tmpfs;
    o.net.expose = s.expose;
    o.ipc = namespace_reference(r, "ipc", s.ipc);
    o.pid = namespace_reference(r, "pid", s.pid);
    o.uts = s.uts;
    if (s.shm_size > 0) o.shm_size = std::to_string(s.shm_size);
    for (const auto& [k, v] : s.sysctls) o.sysctls.push_back(k + "=" + v);
    try {
        if (rootless::parse_userns(s.userns_mode).mode == rootless::UsernsMode::KeepId) o.userns = s.userns_mode;
    } catch (const Error& e) {
        throw Error("service \"" + s.name + "\": userns_mode: " + e.what());
    }
    o.pull = "never";  // the engine has made sure the image is there
    for (const auto& v : s.volumes) o.mount_configs.push_back(mount_of(p, s, v));
    for (const auto& ref : s.secrets) {
        auto it = p.secrets.find(ref.source);
        if (it == p.secrets.end()) throw Error("service \"" + s.name + "\" refers to undefined secret " + ref.source);
        o.mount_configs.push_back(secret_mount(store, it->second, ref, r.files_dir, SecretKind::Secret));
    }
    for (const auto& ref : s.configs) {
        auto it = p.configs.find(ref.source);
        if (it == p.configs.end()) throw Error("service \"" + s.name + "\" refers to undefined config " + ref.source);
        o.mount_configs.push_back(secret_mount(store, it->second, ref, r.files_dir, SecretKind::Config));
    }

    // The network: in the pod (ports on the pod), on the project's networks, or the
    // service's own mode.
    const bool in_pod = runs_in_pod(p, s) && r.pod;
    if (!in_pod) {
        const std::string& mode = !s.network_mode.empty() ? s.network_mode : s.net;
        // Outside a pod, a service without a network_mode is on the project's networks;
        // `network_mode: bridge` is the engine's default network, as in Docker.
        if (!p.in_pod && mode.empty())
            o.net.networks = service_network_values(p, s, !r.oneoff || r.use_aliases);
        else
            o.net.network = namespace_reference(r, "network_mode", mode);
        // Ports need a network of the container's own (Docker ignores them otherwise).
        const bool own_network = mode.empty() || mode == "bridge" || mode == "default" || str::starts_with(mode, "slirp4netns");
        if (own_network && (r.publish_ports || !r.oneoff)) o.net.publish = publish_specs(s);
        for (const auto& [host, addrs] : s.extra_hosts)
            for (const auto& a : addrs) o.net.add_host.push_back(host + ":" + a);
        o.net.dns = s.dns;
        o.net.dns_search = s.dns_search;
        o.net.dns_option = s.dns_opt;
    }

    std::vector<std::string> args = {service_image(p, s)};
    if (r.command) args.insert(args.end(), r.command->begin(), r.command->end());
    else if (s.command) args.insert(args.end(), s.command->begin(), s.command->end());
    const std::string hash = service_config_hash(s);
    compose_labels(o, r, hash);

    std::vector<std::string> create_command = {"pc", "compose", "-p", p.name, "up"};
    container::ContainerConfig cfg = in_pod ? pod::build_member_config(pods, *r.pod, o, args, create_command)
                                            : container::build_container_config(store, o, args, create_command);
    // `command: []` clears the image's CMD, as Docker does.
    if (!r.command && s.command && s.command->empty()) cfg.cmd.clear();
    if (cfg.entrypoint.empty() && cfg.cmd.empty())
        throw Error("service \"" + s.name + "\": no command: the service has no command or entrypoint, nor has its image");
    cfg.domainname = s.domainname;
    if (in_pod) {
        // Every service of the project on 127.0.0.1 (one network namespace), then the
        // service's own extra_hosts and DNS, in files of its own (container/spec_builder).
        container::NetworkOptions check;
        for (const auto& [host, addrs] : s.extra_hosts)
            for (const auto& a : addrs) check.add_host.push_back(host + ":" + a);
        check.dns = s.dns;
        container::check_network_options(check);
        for (const auto& name : project_host_names(p)) cfg.add_hosts.push_back(name + ":127.0.0.1");
        cfg.add_hosts.insert(cfg.add_hosts.end(), check.add_host.begin(), check.add_host.end());
        cfg.dns_servers = s.dns;
        cfg.dns_search = s.dns_search;
        cfg.dns_options = s.dns_opt;
    }
    // volumes_from: another service's (or container's) mounts, read-only with :ro.
    for (const auto& from : s.volumes_from) {
        auto [kind, rest] = str::split_once(from, ':');
        std::string target = from, mode;
        if (kind == "service" || kind == "container") {
            target = rest.value_or("");
            auto [t, m] = str::split_once(target, ':');
            target = t;
            mode = m.value_or("");
            if (kind == "service") target = r.service_container ? r.service_container(target) : "";
        } else {
            auto [t, m] = str::split_once(from, ':');
            target = r.service_container ? r.service_container(t) : "";
            mode = m.value_or("");
        }
        auto other = container::ContainerStore(store).find(target);
        if (target.empty() || !other)
            throw Error("service \"" + s.name + "\": volumes_from " + from + ": no such service or container");
        for (auto m : other->config.mounts) {
            if (std::any_of(cfg.mounts.begin(), cfg.mounts.end(),
                            [&](const container::MountConfig& x) { return x.destination == m.destination; }))
                continue;
            if (mode == "ro" && !m.readonly) {
                m.readonly = true;
                m.options.push_back("ro");
            }
            m.anonymous = false;  // it belongs to the other container
            cfg.mounts.push_back(m);
        }
    }
    out.config = std::move(cfg);
    return out;
}

}  // namespace pc::compose
