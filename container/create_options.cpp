#include "container/create_options.hpp"

#include <fnmatch.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "common/atomic_file.hpp"
#include "common/containers_conf.hpp"
#include "common/error.hpp"
#include "common/log.hpp"
#include "common/strings.hpp"
#include "common/units.hpp"
#include "common/user_paths.hpp"
#include "container/cgroups.hpp"
#include "container/container_store.hpp"
#include "container/control.hpp"
#include "container/env_options.hpp"
#include "container/exec_spec.hpp"
#include "container/healthcheck.hpp"
#include "container/mount_options.hpp"
#include "container/mpi_preset.hpp"
#include "container/network_options.hpp"
#include "container/spec_builder.hpp"
#include "image/image_config.hpp"
#include "net/network_mode.hpp"
#include "rootless/caps.hpp"
#include "rootless/idmap.hpp"
#include "rootless/rlimits.hpp"
#include "rootless/seccomp.hpp"

extern char** environ;

namespace pc::container {

namespace {

void set_env(std::vector<std::string>& env, const std::string& kv) {
    auto key = str::split_once(kv, '=').first;
    for (auto& e : env) {
        if (str::split_once(e, '=').first == key) {
            e = kv;
            return;
        }
    }
    env.push_back(kv);
}

std::vector<std::string> parse_entrypoint(const std::string& value) {
    if (value.empty()) return {};
    if (value[0] == '[') {
        try {
            auto j = nlohmann::json::parse(value);
            return j.get<std::vector<std::string>>();
        } catch (const std::exception&) {
            // Not a JSON array: used as a single word, as Podman does.
        }
    }
    return {value};
}

void check_bool_opt(const std::string& key, const std::string& v, const std::string& whole) {
    if (v != "true" && v != "false") throw Error("invalid --security-opt \"" + whole + "\": " + key + " must be true or false");
}

void apply_security_opts(ContainerConfig& cfg, const std::vector<std::string>& opts) {
    for (const auto& o : opts) {
        auto [k, v] = str::split_once(o, o.find('=') != std::string::npos ? '=' : ':');
        if (k == "seccomp") {
            if (!v || v->empty()) throw Error("invalid --security-opt \"" + o + "\": seccomp needs unconfined or a profile path");
            if (*v == "unconfined") {
                cfg.seccomp_profile = "unconfined";
            } else {
                rootless::load_seccomp_profile(*v);  // fail now, naming the file and field
                char* real = ::realpath(v->c_str(), nullptr);
                cfg.seccomp_profile = real ? real : *v;
                std::free(real);
            }
        } else if (k == "no-new-privileges") {
            std::string b = v ? *v : "true";
            check_bool_opt(k, b, o);
            cfg.no_new_privileges = b == "true";
        } else if (k == "label" || k == "apparmor" || k == "proc-opts") {
            // No SELinux or AppArmor on this class of host (PLATFORM: LSMs are optional):
            // accepted, like Podman on such hosts, and shown in inspect.
        } else if (k == "mask" || k == "unmask") {
            throw Error("--security-opt " + k + " is not supported yet");
        } else {
            throw Error("invalid --security-opt \"" + o + "\" (valid: seccomp=unconfined|PATH, no-new-privileges, label=..., apparmor=...)");
        }
        cfg.security_opt.push_back(o);
    }
}

void check_limits(const CreateOptions& f) {
    struct Limit {
        const char* flag;
        const std::string& value;
    };
    bool any = false;
    for (const Limit& l : {Limit{"--memory", f.memory}, Limit{"--memory-swap", f.memory_swap}}) {
        if (l.value.empty()) continue;
        if (l.value != "-1") {
            try {
                parse_size(l.value);
            } catch (const Error& e) {
                throw Error(std::string("invalid argument \"") + l.value + "\" for \"" + l.flag + "\" flag: " + e.what());
            }
        }
        any = true;
    }
    if (!f.pids_limit.empty()) {
        if (!str::parse_i64(f.pids_limit))
            throw Error("invalid argument \"" + f.pids_limit + "\" for \"--pids-limit\" flag: not an integer");
        any = true;
    }
    if (!f.cpus.empty()) {
        char* end = nullptr;
        double v = std::strtod(f.cpus.c_str(), &end);
        if (!end || *end || v <= 0) throw Error("invalid argument \"" + f.cpus + "\" for \"--cpus\" flag: not a positive number");
        any = true;
    }
    if (!f.cpu_shares.empty()) {
        if (!str::parse_u64(f.cpu_shares))
            throw Error("invalid argument \"" + f.cpu_shares + "\" for \"--cpu-shares\" flag: not an integer");
        any = true;
    }
    if (!f.cgroup_flags.empty()) {
        if (f.cgroups == "disabled") throw Error("--cgroups=disabled cannot be combined with " + str::join(f.cgroup_flags, ", "));
        throw Error(cgroup_limits_unavailable_reason() + "; " + str::join(f.cgroup_flags, ", ") +
                    " cannot be enforced for this rootless container");
    }
    if (!any) return;
    if (f.cgroups == "disabled") throw Error("--cgroups=disabled cannot be combined with resource limits");
    throw Error(cgroup_limits_unavailable_reason() +
                "; resource limits (--memory, --memory-swap, --pids-limit, --cpus, --cpu-shares) cannot be enforced for "
                "this rootless container");
}

// --ipc/--uts/--pid values, as Podman takes them; container:NAME becomes container:<id>.
std::string namespace_mode(storage::Store& store, const std::string& flag, const std::string& value) {
    if (value.empty() || value == "private") return "";
    if (value == "host") return "host";
    if (flag == "--ipc" && (value == "shareable" || value == "none")) return value == "none" ? "none" : "";
    if (str::starts_with(value, "container:")) {
        const std::string target = value.substr(10);
        auto other = ContainerStore(store).find(target);
        if (!other) throw Error(flag + " container:" + target + ": no container with name or ID \"" + target + "\" found: no such container");
        return "container:" + other->config.id;
    }
    throw Error("invalid " + flag + " \"" + value + "\" (valid: host, private, container:NAME" +
                std::string(flag == "--ipc" ? ", shareable, none" : "") + ")");
}

// --sysctl: only namespaced settings (what Podman and Docker accept): the ipc namespace's
// kernel.{msg,sem,shm}* and fs.mqueue.*, and the network namespace's net.*.
std::vector<std::string> checked_sysctls(const std::vector<std::string>& values, const ContainerConfig& cfg) {
    std::vector<std::string> out;
    for (const auto& kv : values) {
        auto [k, v] = str::split_once(kv, '=');
        if (k.empty() || !v) throw Error("invalid --sysctl \"" + kv + "\": must be NAME=VALUE");
        static const char* ipc_keys[] = {"kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
                                         "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced"};
        bool ipc = str::starts_with(k, "fs.mqueue.");
        for (const char* key : ipc_keys) ipc |= k == key;
        const bool net = str::starts_with(k, "net.");
        if (!ipc && !net) throw Error("sysctl \"" + k + "\" is not allowed: only the namespaced kernel.msg*, kernel.sem, kernel.shm*, fs.mqueue.* and net.* can be set");
        if (ipc && cfg.ipc_mode == "host") throw Error("sysctl \"" + k + "\" is not allowed in the host's IPC namespace (--ipc host)");
        if (net && net::parse_network_mode(cfg.network_mode).kind == net::NetworkKind::Host)
            throw Error("sysctl \"" + k + "\" is not allowed in the host's network namespace (--network host)");
        out.push_back(std::string(k) + "=" + *v);
    }
    return out;
}

// --ulimit values in a canonical "name=soft:hard" form (or "host": the limits pc itself
// runs with, which is what the container gets without the flag).
std::vector<std::string> checked_ulimits(const std::vector<std::string>& values) {
    std::vector<std::string> out;
    for (const auto& v : values) {
        if (v == "host") {
            out.push_back(v);
            continue;
        }
        try {
            rootless::Rlimit l = rootless::parse_ulimit(v);
            out.push_back(v.substr(0, v.find('=')) + "=" + rootless::limit_text(l.soft) + ":" + rootless::limit_text(l.hard));
        } catch (const Error& e) {
            throw Error("ulimit option \"" + v + "\" requires name=SOFT:HARD, failed to be parsed: " + e.what());
        }
    }
    return out;
}

int64_t duration_flag(const std::string& flag, const std::string& value) {
    try {
        return parse_duration_ns(value);
    } catch (const Error& e) {
        throw Error("invalid argument \"" + value + "\" for \"" + flag + "\" flag: " + e.what());
    }
}

// --restart, --health-*, --log-*: what the monitor of a detached container applies.
void apply_lifecycle_flags(ContainerConfig& cfg, const CreateOptions& f, const image::RuntimeConfig& rc) {
    if (!f.restart.empty()) {
        auto [policy, max] = str::split_once(f.restart, ':');
        if (policy != "no" && policy != "on-failure" && policy != "always" && policy != "unless-stopped")
            throw Error("invalid restart policy \"" + f.restart + "\" (valid: no, on-failure[:max_retries], always, unless-stopped)");
        if (max) {
            auto n = str::parse_u64(*max);
            if (policy != "on-failure" || !n)
                throw Error("invalid restart policy \"" + f.restart + "\": only on-failure takes a retry count, a number");
            cfg.restart_max = static_cast<unsigned>(*n);
        }
        cfg.restart_policy = policy;
        if (f.rm && policy != "no")
            throw Error("the --rm option conflicts with --restart, when the restartPolicy is not \"\" and \"no\"");
    }
    if (!f.log_driver.empty() && f.log_driver != "k8s-file")
        throw Error("unsupported --log-driver \"" + f.log_driver + "\" (valid: k8s-file)");
    for (const auto& o : f.log_opts) {
        auto [k, v] = str::split_once(o, '=');
        if (k == "max-size" && v) cfg.log_max_size = static_cast<uint64_t>(parse_size(*v));
        else if (k == "path" || k == "tag" || k == "max-file") continue;  // accepted, as Podman's k8s-file does
        else throw Error("invalid --log-opt \"" + o + "\" (valid: max-size=SIZE)");
    }
    if (f.no_healthcheck) {
        if (!f.health_cmd.empty()) throw Error("--no-healthcheck and --health-cmd conflict with each other");
        cfg.health_cmd = {"NONE"};
        return;
    }
    if (!f.health_cmd.empty()) {
        cfg.health_cmd = parse_health_cmd(f.health_cmd);
    } else if (rc.healthcheck) {
        const image::ImageHealthcheck h = image::healthcheck_of(*rc.healthcheck);
        cfg.health_cmd = h.test;
        if (h.interval_ns > 0) cfg.health_interval_ns = h.interval_ns;
        if (h.timeout_ns > 0) cfg.health_timeout_ns = h.timeout_ns;
        if (h.start_period_ns > 0) cfg.health_start_period_ns = h.start_period_ns;
        if (h.start_interval_ns > 0) cfg.health_start_interval_ns = h.start_interval_ns;
        if (h.retries > 0) cfg.health_retries = h.retries;
    }
    bool any_option = !f.health_interval.empty() || !f.health_timeout.empty() || !f.health_start_period.empty() ||
                      !f.health_start_interval.empty() ||
                      f.health_retries || !f.health_on_failure.empty();
    if (any_option && cfg.health_cmd.empty())
        throw Error("healthcheck options given without a healthcheck command (--health-cmd) in the container or its image");
    if (!f.health_interval.empty()) {
        cfg.health_interval_ns = f.health_interval == "disable" ? 0 : duration_flag("--health-interval", f.health_interval);
        if (cfg.health_interval_ns < 0) throw Error("--health-interval must not be negative");
    }
    if (!f.health_timeout.empty()) {
        cfg.health_timeout_ns = duration_flag("--health-timeout", f.health_timeout);
        if (cfg.health_timeout_ns < 1000000000) throw Error("--health-timeout must be at least 1 second");
    }
    if (!f.health_start_period.empty()) cfg.health_start_period_ns = duration_flag("--health-start-period", f.health_start_period);
    if (!f.health_start_interval.empty()) {
        cfg.health_start_interval_ns = duration_flag("--health-start-interval", f.health_start_interval);
        if (cfg.health_start_interval_ns <= 0) throw Error("--health-start-interval must be positive");
    }
    if (f.health_retries) {
        if (*f.health_retries < 1) throw Error("--health-retries must be greater than 0");
        cfg.health_retries = *f.health_retries;
    }
    if (!f.health_on_failure.empty()) {
        const std::string& a = f.health_on_failure;
        if (a != "none" && a != "kill" && a != "restart" && a != "stop")
            throw Error("invalid --health-on-failure \"" + a + "\" (valid: none, kill, restart, stop)");
        cfg.health_on_failure = a;
    }
}

// containers.conf (common/containers_conf.hpp) as the options its keys stand for, filled
// in where the command line says nothing; values from the file are checked here so that an
// error names the file and line rather than a flag the user never typed.
CreateOptions with_containers_conf(CreateOptions f, const ContainersConf& conf) {
    if (f.net.dns.empty()) f.net.dns = conf.dns_servers;
    if (f.net.dns_search.empty()) f.net.dns_search = conf.dns_searches;
    if (f.net.dns_option.empty()) f.net.dns_option = conf.dns_options;
    if (conf.no_hosts) f.net.no_hosts = true;
    const std::vector<std::string> given = f.net.all_networks();
    if (given.empty() && !conf.netns.empty() && conf.netns != "private") {
        try {
            // A mode, or "bridge" (the default network); a name of some other network (or a
            // mode pc does not have, such as pasta) is not what the key takes.
            const net::NetworkMode mode = net::parse_network_mode(conf.netns);
            if (mode.kind == net::NetworkKind::Bridge && conf.netns != "bridge")
                throw Error("not a network mode (valid: private, bridge, slirp4netns[:OPTIONS], none, host, ns:PATH)");
        } catch (const Error& e) {
            throw Error(conf.where("containers.netns") + ": netns = \"" + conf.netns + "\": " + e.what());
        }
        f.net.network = conf.netns;
    }
    // [engine] network_cmd_options: the slirp4netns options when --network names none.
    const std::string n = given.size() == 1 ? given.front() : (given.empty() ? f.net.network : "");
    if (!conf.network_cmd_options.empty() && given.size() <= 1 &&
        (n.empty() || n == "slirp4netns" || n == "private" || n == "default")) {
        const std::string with = "slirp4netns:" + str::join(conf.network_cmd_options, ",");
        try {
            net::parse_network_mode(with);
        } catch (const Error& e) {
            throw Error(conf.where("engine.network_cmd_options") + ": network_cmd_options: " + e.what());
        }
        f.net.networks.clear();
        f.net.network = with;
    }
    if (!f.init) f.init = conf.init;
    if (!f.env_host) f.env_host = conf.env_host;
    if (!f.http_proxy) f.http_proxy = conf.http_proxy;
    if (f.tz.empty() && !conf.tz.empty()) {
        try {
            check_timezone(conf.tz);
        } catch (const Error& e) {
            throw Error(conf.where("containers.tz") + ": tz: " + e.what());
        }
        f.tz = conf.tz;
    }
    if (f.umask.empty()) f.umask = conf.umask;
    // pids_limit is a default Podman drops where it cannot create cgroups (rootless on
    // cgroup v1, as here); pc creates none anywhere yet, so it is never applied: only an
    // explicit --pids-limit fails (check_limits).
    if (conf.pids_limit > 0 && f.pids_limit.empty())
        log::debug(conf.where("containers.pids_limit") + ": pids_limit = " + std::to_string(conf.pids_limit) +
                   " not applied: pc creates no cgroups");
    if (!f.stop_timeout && conf.stop_timeout) f.stop_timeout = conf.stop_timeout;
    bool has_max_size = std::any_of(f.log_opts.begin(), f.log_opts.end(),
                                    [](const std::string& o) { return str::starts_with(o, "max-size="); });
    if (!has_max_size && conf.log_size_max > 0) f.log_opts.push_back("max-size=" + std::to_string(conf.log_size_max));
    // default_ulimits: a --ulimit of the same name wins.
    std::vector<std::string> ulimits;
    for (const auto& u : conf.default_ulimits) {
        const std::string name = u.substr(0, u.find('='));
        bool overridden = std::any_of(f.ulimits.begin(), f.ulimits.end(),
                                      [&](const std::string& v) { return v.substr(0, v.find('=')) == name; });
        if (overridden) continue;
        try {
            checked_ulimits({u});
        } catch (const Error& e) {
            throw Error(conf.where("containers.default_ulimits") + ": default_ulimits: " + e.what());
        }
        ulimits.push_back(u);
    }
    f.ulimits.insert(f.ulimits.begin(), ulimits.begin(), ulimits.end());
    return f;
}

}  // namespace

uint64_t parse_shm_size(const std::string& value) {
    try {
        const int64_t bytes = parse_size(value);
        if (bytes <= 0) throw Error("must be greater than 0");
        return static_cast<uint64_t>(bytes);
    } catch (const Error& e) {
        throw Error("invalid argument \"" + value + "\" for \"--shm-size\" flag: " + e.what());
    }
}

ContainerConfig build_container_config(storage::Store& store, const CreateOptions& options,
                                       const std::vector<std::string>& args,
                                       const std::vector<std::string>& create_command) {
    ContainerConfig cfg;
    // ---- containers.conf: its defaults become options the caller did not give; the
    // capability base set and the default environment are applied below (conf.*).
    const ContainersConf& conf = containers_conf();
    std::vector<std::string> environment;
    for (char** e = environ; *e; ++e) environment.emplace_back(*e);
    // --mpi: its options are as if given on the command line, where the flags say nothing.
    std::optional<MpiPreset> mpi;
    if (!options.mpi.empty()) mpi = mpi_preset(options.mpi, environment, store.runroot());
    const CreateOptions f = with_containers_conf(mpi ? with_mpi_options(options) : options, conf);
    if (conf.default_capabilities) {
        rootless::base_capabilities(*conf.default_capabilities);  // names checked
        cfg.default_caps = *conf.default_capabilities;
        if (cfg.default_caps.empty()) cfg.cap_drop = {"ALL"};  // an empty list: no capabilities
    }
    // ---- end of containers.conf
    // Everything that can be checked without the store is checked first.
    check_limits(f);
    if (!f.workdir.empty() && f.workdir[0] != '/')
        throw Error("invalid --workdir \"" + f.workdir + "\": must be an absolute path");
    check_network_options(f.net);
    const rootless::Userns userns = rootless::parse_userns(f.userns);
    if (f.pull != "missing" && f.pull != "never" && f.pull != "always" && f.pull != "newer")
        throw Error("invalid --pull \"" + f.pull + "\" (valid: always, missing, never, newer)");
    if (f.cgroups != "enabled" && f.cgroups != "disabled" && f.cgroups != "no-conmon" && f.cgroups != "split")
        throw Error("invalid --cgroups \"" + f.cgroups + "\" (valid: enabled, disabled)");
    cfg.cap_add = f.cap_add;
    cfg.cap_drop.insert(cfg.cap_drop.end(), f.cap_drop.begin(), f.cap_drop.end());
    rootless::resolve_capabilities(rootless::base_capabilities(cfg.default_caps), cfg.cap_add, cfg.cap_drop);  // names checked
    apply_security_opts(cfg, f.security_opt);
    for (const auto& v : f.volumes) cfg.mounts.push_back(parse_volume_flag(v));
    for (const auto& v : f.mounts) cfg.mounts.push_back(parse_mount_flag(v));
    for (const auto& v : f.tmpfs) cfg.mounts.push_back(parse_tmpfs_flag(v));
    for (const auto& m : f.mount_configs) cfg.mounts.push_back(m);
    if (mpi) add_mpi_mounts(cfg.mounts, *mpi);
    for (auto& m : cfg.mounts) {
        if (m.type == "bind" && ::access(m.source.c_str(), F_OK) != 0)
            throw Error("statfs " + m.source + ": no such file or directory");
        if (m.type == "volume" && m.source.empty()) m.source = str::random_hex_id();  // anonymous
    }
    for (size_t i = 0; i < cfg.mounts.size(); ++i)
        for (size_t j = i + 1; j < cfg.mounts.size(); ++j)
            if (cfg.mounts[i].destination == cfg.mounts[j].destination)
                throw Error(cfg.mounts[i].destination + ": duplicate mount destination");
    std::vector<std::string> labels;
    for (const auto& file : f.label_files) {
        auto text = try_read_file(file);
        if (!text) throw Error("--label-file " + file + ": cannot be read");
        for (std::string line : str::split(*text, '\n')) {
            line = str::trim(line);
            if (!line.empty() && line[0] != '#') labels.push_back(line);
        }
    }
    labels.insert(labels.end(), f.labels.begin(), f.labels.end());  // -l wins over the files
    for (const auto& l : labels) {
        auto [k, v] = str::split_once(l, '=');
        if (k.empty()) throw Error("invalid label \"" + l + "\": name is empty");
        cfg.labels[k] = v.value_or("");
    }
    for (const auto& a : f.annotations) {
        auto [k, v] = str::split_once(a, '=');
        if (k.empty() || !v) throw Error("invalid annotation \"" + a + "\": must be key=value");
        cfg.annotations[k] = *v;
    }
    unsigned stop_timeout = f.stop_timeout.value_or(10);

    // The image.
    const std::string& ref = args.at(0);
    auto img = store.find_image(ref);
    if (!img) throw Error(ref + ": image not known");
    nlohmann::json image_config;
    if (auto blob = store.get_blob("sha256:" + img->id, storage::Store::BlobRead::Trust)) image_config = nlohmann::json::parse(*blob);
    image::RuntimeConfig rc = image::runtime_config_of(image_config);

    cfg.image_id = img->id;
    cfg.image_ref = ref;
    cfg.image_name = img->names.empty() ? img->id : img->names.front();
    for (const auto& n : img->names)
        if (n == ref || str::ends_with(n, "/" + ref) || str::ends_with(n, "/" + ref + ":latest")) cfg.image_name = n;
    cfg.layers = img->layers;

    // Process.
    std::vector<std::string> command(args.begin() + 1, args.end());
    if (f.entrypoint) {
        cfg.entrypoint = parse_entrypoint(*f.entrypoint);
        cfg.cmd = command;  // --entrypoint resets the image's CMD
    } else {
        cfg.entrypoint = rc.entrypoint;
        cfg.cmd = command.empty() ? rc.cmd : command;
    }
    if (cfg.entrypoint.empty() && cfg.cmd.empty())
        throw Error("no command or entrypoint provided, and no CMD or ENTRYPOINT from image");

    // Podman's order: the host's environment (--env-host) or its proxy variables
    // (--http-proxy, on by default), containers.conf's env, then the image's, then
    // --env-file and -e.
    cfg.env = merge_env(host_env_defaults(f.env_host.value_or(false), f.http_proxy.value_or(true), environment), conf.env);
    cfg.env = merge_env(std::move(cfg.env), rc.env);
    bool has_path = std::any_of(cfg.env.begin(), cfg.env.end(), [](const std::string& e) { return str::starts_with(e, "PATH="); });
    if (!has_path) cfg.env.insert(cfg.env.begin(), "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    set_env(cfg.env, "container=podman");  // what scripts test for, as under Podman
    if (mpi) prepend_library_path(cfg.env, *mpi);  // before -e: a given LD_LIBRARY_PATH wins
    // Podman's default environment has TERM=xterm, with or without a terminal.
    if (std::none_of(cfg.env.begin(), cfg.env.end(), [](const std::string& e) { return str::starts_with(e, "TERM="); }))
        cfg.env.push_back("TERM=xterm");
    // --unsetenv / --unsetenv-all take defaults away; what -e and --env-file give stays.
    if (f.unset_env_all) cfg.env.clear();
    for (const auto& name : f.unset_env)
        std::erase_if(cfg.env, [&](const std::string& e) { return str::split_once(e, '=').first == name; });
    for (const auto& kv : env_from_flags(f.env_file, f.env, environment)) set_env(cfg.env, kv);

    cfg.working_dir = f.workdir.empty() ? (rc.working_dir.empty() ? "/" : rc.working_dir) : f.workdir;
    cfg.user = f.user.empty() ? rc.user : f.user;
    // keep-id runs the payload as the caller's own ids (or keep-id:uid=,gid=) unless --user
    // says otherwise.
    if (userns.mode == rootless::UsernsMode::KeepId && f.user.empty())
        cfg.user = std::to_string(userns.keep_id.uid.value_or(caller().uid)) + ":" +
                   std::to_string(userns.keep_id.gid.value_or(caller().gid));
    cfg.group_add = f.group_add;
    cfg.ulimits = checked_ulimits(f.ulimits);
    cfg.tty = f.tty;
    cfg.interactive = f.interactive;
    cfg.init = f.init.value_or(false);
    if (!f.tz.empty()) check_timezone(f.tz);
    cfg.timezone = f.tz;
    if (!parse_umask(f.umask)) throw Error("invalid umask string " + f.umask);
    cfg.umask = f.umask;
    for (const auto& [k, v] : rc.labels) cfg.labels.emplace(k, v);  // flags win over the image
    if (!f.stop_signal.empty()) parse_signal(f.stop_signal);  // "invalid signal: FOO", as Podman
    cfg.stop_signal = !f.stop_signal.empty() ? f.stop_signal : (!rc.stop_signal.empty() ? rc.stop_signal : "SIGTERM");
    cfg.stop_timeout = stop_timeout;
    cfg.create_command = create_command;

    // Image VOLUMEs become anonymous volumes unless something is mounted there.
    for (const auto& v : rc.volumes) {
        bool covered = std::any_of(cfg.mounts.begin(), cfg.mounts.end(),
                                   [&](const MountConfig& m) { return m.destination == v; });
        if (!covered) cfg.mounts.push_back({"volume", str::random_hex_id(), v, {}, false, true, true});
    }

    cfg.readonly_rootfs = f.read_only;
    cfg.readonly_tmpfs = f.read_only_tmpfs;
    cfg.privileged = f.privileged;
    apply_network_options(store, cfg, f.net, rc.exposed_ports);
    cfg.hostname = f.hostname;
    cfg.userns = userns.mode == rootless::UsernsMode::KeepId ? f.userns : "";
    cfg.ipc_mode = namespace_mode(store, "--ipc", f.ipc);
    cfg.uts_mode = namespace_mode(store, "--uts", f.uts);
    cfg.pid_mode = namespace_mode(store, "--pid", f.pid);
    if (cfg.uts_mode == "host" && !f.hostname.empty()) throw Error("invalid config provided: cannot set hostname when running in the host UTS namespace: invalid configuration");
    if (!f.shm_size.empty()) cfg.shm_size = parse_shm_size(f.shm_size);
    cfg.sysctls = checked_sysctls(f.sysctls, cfg);
    cfg.auto_remove = f.rm;
    cfg.name = f.name;
    apply_lifecycle_flags(cfg, f, rc);
    apply_device_options(cfg, f.device);  // last: CDI edits add to the environment and mounts
    return cfg;
}

}  // namespace pc::container
