#include "container/spec_builder.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "common/atomic_file.hpp"
#include "common/containers_conf.hpp"
#include "common/error.hpp"
#include "common/log.hpp"
#include "common/strings.hpp"
#include "container/container_store.hpp"
#include "container/namespace_plan.hpp"
#include "container/pod_hosts.hpp"
#include "net/etc_files.hpp"
#include "net/network_mode.hpp"
#include "rootless/caps.hpp"
#include "rootless/seccomp.hpp"
#include "storage/volumes.hpp"

namespace pc::container {

std::vector<int> container_capabilities(const ContainerConfig& cfg) {
    if (cfg.privileged) return rootless::all_capabilities();
    return rootless::resolve_capabilities(rootless::base_capabilities(cfg.default_caps), cfg.cap_add, cfg.cap_drop);
}

std::vector<rootless::Rlimit> container_rlimits(const ContainerConfig& cfg) {
    std::vector<rootless::Rlimit> out;
    for (const auto& u : cfg.ulimits)
        if (u != "host") out.push_back(rootless::parse_ulimit(u));
    return out;
}

std::string container_hostname(const ContainerConfig& cfg) {
    if (!cfg.hostname.empty()) return cfg.hostname;
    if (net::parse_network_mode(cfg.network_mode).kind == net::NetworkKind::Host || cfg.uts_mode == "host") {
        char buf[256] = {};
        if (::gethostname(buf, sizeof(buf) - 1) == 0) return buf;
    }
    return cfg.short_id();
}

std::string timezone_file(const std::string& tz) {
    if (tz == "local") return "/etc/localtime";
    return "/usr/share/zoneinfo/" + tz;
}

void check_timezone(const std::string& tz) {
    // IANA names are relative paths below zoneinfo ("Europe/Berlin", "UTC", "Etc/GMT+5").
    bool bad = tz.empty() || tz[0] == '/' || tz.find("..") != std::string::npos;
    struct stat st {};
    if (bad || ::stat(timezone_file(tz).c_str(), &st) != 0 || !S_ISREG(st.st_mode))
        throw Error("finding timezone: unknown time zone " + tz);
}

namespace {

rootless::MountSpec to_mount_spec(storage::Store& store, const MountConfig& m) {
    rootless::MountSpec s;
    s.destination = m.destination;
    s.readonly = m.readonly;
    if (m.type == "tmpfs") {
        s.type = "tmpfs";
        for (const auto& o : m.options)
            if (o != "ro" && o != "rw") s.options.push_back(o);
        return s;
    }
    s.type = "bind";
    for (const auto& o : m.options) {
        if (o == "ro" || o == "rw" || o == "z" || o == "Z" || o == "U") continue;
        s.options.push_back(o);
    }
    if (m.type == "volume") {
        storage::Volumes volumes(store);
        volumes.ensure(m.source, m.anonymous);
        s.source = volumes.mountpoint(m.source);
        s.copy_up = m.copy_up;
        s.copy_up_lock = volumes.lock_path(m.source);
        s.copy_up_marker = volumes.copied_up_marker(m.source);
    } else {
        s.source = m.source;
        if (::access(s.source.c_str(), F_OK) != 0)
            throw Error::sys("statfs " + s.source);  // Podman's wording for a vanished source
    }
    return s;
}

std::vector<int> capabilities_added(const ContainerConfig& cfg, const std::vector<int>& caps) {
    std::vector<int> added;
    for (const auto& name : cfg.cap_add) {
        if (str::to_lower(name) == "all") return caps;
        if (auto c = rootless::capability_from_name(name)) added.push_back(*c);
    }
    return added;
}

std::optional<rootless::SeccompProfile> seccomp_for(const ContainerConfig& cfg) {
    if (cfg.privileged || cfg.seccomp_profile == "unconfined") return std::nullopt;
    if (cfg.seccomp_profile.empty()) return rootless::default_seccomp_profile();
    return rootless::load_seccomp_profile(cfg.seccomp_profile);
}

// /etc/hosts, /etc/resolv.conf and /etc/hostname, generated in the container's directory
// at every start and bind-mounted over the image's. A container sharing another's network
// shares its hosts and resolv.conf too, as with Podman; a pod's members share their
// infra's, where each member's name is added as 127.0.0.1 (the members share one network
// namespace, so every member reaches every other on localhost, as under Podman).
std::vector<std::pair<std::string, std::string>> write_etc_files(storage::Store& store, const ContainerConfig& cfg,
                                                                 const std::string& hostname,
                                                                 const std::vector<net::Endpoint>& endpoints) {
    const std::string dir = store.container_dir(cfg.id);
    net::NetworkMode mode = net::parse_network_mode(cfg.network_mode);
    std::string hosts = dir + "/hosts", resolv = dir + "/resolv.conf";
    if (mode.kind == net::NetworkKind::Container) {
        const std::string other = store.container_dir(mode.target);
        // Its own host entries or DNS (a compose service in the project's pod): files of
        // its own, with the addresses of the network it shares; else the other's files.
        const bool own = !cfg.add_hosts.empty() || !cfg.dns_servers.empty() || !cfg.dns_search.empty() ||
                         !cfg.dns_options.empty();
        if (!own) {
            if (::access((other + "/hosts").c_str(), F_OK) == 0) hosts = other + "/hosts";
            if (::access((other + "/resolv.conf").c_str(), F_OK) == 0) resolv = other + "/resolv.conf";
        } else if (auto owner = ContainerStore(store).find(mode.target)) {
            mode = net::parse_network_mode(owner->config.network_mode);
        }
    }
    const bool host_net = mode.kind == net::NetworkKind::Host;
    const net::SlirpAddresses slirp = net::slirp_addresses(mode.slirp);
    // Regenerated at every start: atomic (a concurrent reader never sees half a file)
    // but not worth an fsync.
    if (hosts == dir + "/hosts") {
        net::HostsOptions ho;
        ho.hostname = hostname;
        ho.name = cfg.name;
        ho.host_network = host_net;
        if (host_net) ho.host_hosts_content = try_read_file("/etc/hosts").value_or("");
        for (const auto& entry : cfg.add_hosts) {
            auto [name, ip] = str::split_once(entry, ':');
            ho.extra.emplace_back(name, ip.value_or(""));
        }
        if (mode.kind == net::NetworkKind::Slirp) {
            // Its own address (in another's network, as a pod's member, the name stays local).
            if (net::parse_network_mode(cfg.network_mode).kind == net::NetworkKind::Slirp) ho.own_ip = slirp.guest;
            // The host as seen from the container: its loopback too, unless turned off.
            ho.host_gateway = slirp.gateway;
        } else if (mode.kind == net::NetworkKind::Bridge) {
            // A line per network, as Podman writes them; the host through the networks'
            // uplink (slirp's gateway, reached by way of any non-internal network).
            for (const auto& e : endpoints) {
                for (const auto& ip : {e.ip4, e.ip6}) {
                    if (ip.empty()) continue;
                    if (ho.own_ip.empty()) ho.own_ip = ip.str();
                    else ho.more_own_ips.push_back(ip.str());
                }
                if (!e.internal) ho.host_gateway = slirp.gateway;
            }
        } else if (host_net) {
            ho.host_gateway = "127.0.0.1";
        }
        write_file_atomic(hosts, net::hosts_file(ho), 0644, false);
    } else if (!cfg.pod.empty() && !cfg.infra) {
        add_pod_member_host(hosts, cfg.name);
    }
    if (resolv == dir + "/resolv.conf") {
        net::ResolvOptions ro;
        ro.host_resolv_content = try_read_file("/etc/resolv.conf").value_or("");
        ro.private_network = !host_net;
        if (mode.kind == net::NetworkKind::Slirp) ro.fallback_server = slirp.dns;
        if (mode.kind == net::NetworkKind::Bridge) {
            // Each network's name server (on its gateways), then the host's, which the
            // uplink reaches (slirp's forwarder when the host has only loopback ones).
            bool outside = false;
            for (const auto& e : endpoints) {
                outside |= !e.internal;
                if (!e.dns) continue;
                ro.network_domain = "dns.podman";
                for (const auto& gw : {e.gateway4, e.gateway6})
                    if (!gw.empty()) ro.network_servers.push_back(gw.str());
            }
            ro.host_servers = outside;
            if (outside) ro.fallback_server = slirp.dns;
        }
        ro.dns_servers = cfg.dns_servers;
        ro.dns_search = cfg.dns_search;
        ro.dns_options = cfg.dns_options;
        write_file_atomic(resolv, net::resolv_conf(ro), 0644, false);
    }
    write_file_atomic(dir + "/hostname", hostname + "\n", 0644, false);
    std::vector<std::pair<std::string, std::string>> files;
    if (!cfg.no_hosts) files.emplace_back("/etc/hosts", hosts);
    files.emplace_back("/etc/resolv.conf", resolv);
    files.emplace_back("/etc/hostname", dir + "/hostname");
    // --tz: a copy of the host's zone file (as Podman makes), so the container never reads
    // the host's /usr/share/zoneinfo through a mount.
    if (!cfg.timezone.empty()) {
        const std::string zone = timezone_file(cfg.timezone);
        auto data = try_read_file(zone);
        if (!data) throw Error("--tz " + cfg.timezone + ": " + zone + " no longer exists on the host");
        write_file_atomic(dir + "/localtime", *data, 0644, false);
        files.emplace_back("/etc/localtime", dir + "/localtime");
    }
    return files;
}

}  // namespace

void write_infra_etc_files(storage::Store& store, const ContainerConfig& cfg, const std::vector<net::Endpoint>& endpoints) {
    (void)write_etc_files(store, cfg, container_hostname(cfg), endpoints);
    // Members made while the infra was not running (or before a restart) are named too.
    if (cfg.no_hosts) return;
    const std::string hosts = store.container_dir(cfg.id) + "/hosts";
    for (const auto& c : ContainerStore(store).list())
        if (c.config.pod == cfg.pod && !c.config.infra) add_pod_member_host(hosts, c.config.name);
}

std::vector<rootless::HookSpec> container_hooks(const ContainerConfig& cfg) {
    std::vector<rootless::HookSpec> out;
    for (const auto& h : cfg.hooks) out.push_back({h.stage, h.path, h.args, h.env, h.timeout});
    return out;
}

std::string hook_bundle_dir(storage::Store& store, const ContainerConfig& cfg) {
    return store.container_dir(cfg.id) + "/bundle";
}

void run_monitor_hooks(storage::Store& store, const ContainerConfig& cfg, const std::string& stage, pid_t pid) noexcept {
    if (cfg.hooks.empty()) return;
    try {
        rootless::run_hooks(container_hooks(cfg), stage,
                            rootless::hook_state_json(cfg.id, stage == "poststop" ? "stopped" : "running", pid,
                                                      hook_bundle_dir(store, cfg)));
    } catch (const std::exception& e) {
        log::warn(std::string("container ") + cfg.short_id() + ": " + e.what());
    }
}

namespace {

// The OCI config.json of the bundle that hooks are pointed at: what they read of it.
void write_hook_bundle(storage::Store& store, const ContainerConfig& cfg, const rootless::SandboxSpec& spec) {
    const std::string dir = hook_bundle_dir(store, cfg);
    if (::mkdir(dir.c_str(), 0700) < 0 && errno != EEXIST) throw Error::sys("creating " + dir);
    nlohmann::json j = {{"ociVersion", "1.0.2"},
                        {"root", {{"path", spec.rootfs}, {"readonly", spec.readonly_rootfs}}},
                        {"process", {{"args", spec.args}, {"env", spec.env}, {"cwd", spec.cwd}}},
                        {"hostname", spec.hostname},
                        {"annotations", cfg.annotations}};
    write_file_atomic(dir + "/config.json", j.dump(2) + "\n", 0600, false);
}

}  // namespace

std::optional<rootless::SeccompProfile> container_seccomp(const ContainerConfig& cfg) { return seccomp_for(cfg); }

std::vector<int> container_added_capabilities(const ContainerConfig& cfg) {
    return capabilities_added(cfg, container_capabilities(cfg));
}

rootless::SandboxSpec build_sandbox_spec(storage::Store& store, const ContainerConfig& cfg,
                                         const rootless::IdMapping& mapping, const std::string& rootfs,
                                         const std::vector<net::Endpoint>& endpoints) {
    rootless::SandboxSpec spec;
    spec.rootfs = rootfs;
    spec.readonly_rootfs = cfg.readonly_rootfs;
    spec.hostname = container_hostname(cfg);
    spec.network = net::parse_network_mode(cfg.network_mode).kind == net::NetworkKind::Host ? rootless::NetworkMode::Host
                                                                                          : rootless::NetworkMode::Private;
    // Its own ipc namespace gets its own mqueue; the host's shows the host's.
    spec.private_ipc = cfg.ipc_mode != "host";
    spec.host_pid = cfg.pid_mode == "host";
    if (cfg.ipc_mode == "none") spec.shm_size.clear();
    else if (cfg.shm_size > 0) spec.shm_size = std::to_string(cfg.shm_size);
    spec.domainname = cfg.domainname;
    for (const auto& kv : cfg.sysctls) {
        auto [k, v] = str::split_once(kv, '=');
        spec.sysctls.emplace_back(k, v.value_or(""));
    }

    // With --read-only, Podman keeps /tmp, /var/tmp and /run writable on tmpfs.
    if (cfg.readonly_rootfs && cfg.readonly_tmpfs) {
        for (const char* d : {"/tmp", "/var/tmp", "/run"}) {
            bool covered = false;
            for (const auto& m : cfg.mounts) covered |= m.destination == d;
            if (!covered) spec.mounts.push_back({"tmpfs", "", d, false, {"nosuid", "nodev", "mode=1777"}, false});
        }
    }
    for (const auto& m : cfg.mounts) spec.mounts.push_back(to_mount_spec(store, m));

    // A container in another's uts namespace (a pod's member) keeps the hostname it finds.
    const std::string uts_owner = shared_container(cfg.uts_mode);
    std::string hostname = spec.hostname;
    if (cfg.uts_mode == "host") spec.hostname.clear();  // the host's, kept
    if (!uts_owner.empty()) {
        spec.hostname.clear();
        if (auto owner = ContainerStore(store).find(uts_owner)) hostname = container_hostname(owner->config);
    }
    spec.etc_files = write_etc_files(store, cfg, hostname, endpoints);

    spec.privileged = cfg.privileged;
    if (!cfg.privileged) {
        spec.masked_paths = rootless::kDefaultMaskedPaths;
        spec.readonly_paths = rootless::kDefaultReadonlyPaths;
    }
    spec.capabilities = container_capabilities(cfg);
    spec.added_capabilities = capabilities_added(cfg, spec.capabilities);
    spec.no_new_privileges = cfg.no_new_privileges;
    spec.seccomp = seccomp_for(cfg);

    spec.user = cfg.user;
    spec.group_add = cfg.group_add;
    spec.rlimits = container_rlimits(cfg);
    spec.single_id_mapping = mapping.single;
    spec.args = cfg.argv();
    spec.env = cfg.env;
    spec.cwd = cfg.working_dir.empty() ? "/" : cfg.working_dir;
    spec.terminal = cfg.tty;
    spec.init = cfg.init;
    spec.umask = parse_umask(cfg.umask).value_or(022);
    for (const auto& d : cfg.devices)
        spec.devices.push_back({d.host_path, d.container_path});
    if (!cfg.hooks.empty()) {
        spec.hooks = container_hooks(cfg);
        spec.hook_id = cfg.id;
        spec.hook_bundle = hook_bundle_dir(store, cfg);
        write_hook_bundle(store, cfg, spec);
    }
    return spec;
}

}  // namespace pc::container
