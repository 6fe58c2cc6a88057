#include "compose/emit.hpp"

#include <cstdio>

#include "compose/go_format.hpp"

namespace pc::compose {

namespace {

// Builds the Out of one struct, applying `omitempty` as compose-go's tags do.
class Fields {
public:
    explicit Fields(bool json) : json_(json), out_(Out::map(false)) {}

    Fields& str(const char* key, const std::string& v) {
        if (!v.empty()) out_.add(key, Out::string(v));
        return *this;
    }
    Fields& always_str(const char* key, const std::string& v) {
        out_.add(key, Out::string(v));
        return *this;
    }
    Fields& flag(const char* key, bool v) {
        if (v) out_.add(key, Out::boolean(true));
        return *this;
    }
    Fields& opt_bool(const char* key, const std::optional<bool>& v) {
        if (v) out_.add(key, Out::boolean(*v));
        return *this;
    }
    Fields& num(const char* key, int64_t v) {
        if (v != 0) out_.add(key, Out::integer(v));
        return *this;
    }
    Fields& always_num(const char* key, int64_t v) {
        out_.add(key, Out::integer(v));
        return *this;
    }
    template <typename T>
    Fields& opt_num(const char* key, const std::optional<T>& v) {
        if (v) out_.add(key, Out::integer(static_cast<int64_t>(*v)));
        return *this;
    }
    Fields& f32(const char* key, float v) {
        if (v != 0) out_.add(key, Out::floating(static_cast<double>(v), 32));
        return *this;
    }
    Fields& bytes(const char* key, int64_t v) {
        if (v != 0) out_.add(key, Out::string(std::to_string(v)));
        return *this;
    }
    Fields& duration(const char* key, Nanoseconds v) {
        if (v != 0) out_.add(key, Out::string(go_duration_string(v)));
        return *this;
    }
    Fields& opt_duration(const char* key, const std::optional<Nanoseconds>& v) {
        if (v) out_.add(key, Out::string(go_duration_string(*v)));
        return *this;
    }
    Fields& list(const char* key, const std::vector<std::string>& v) {
        if (v.empty()) return *this;
        Out seq = Out::seq();
        for (const auto& s : v) seq.items.push_back(Out::string(s));
        out_.add(key, std::move(seq));
        return *this;
    }
    Fields& string_map(const char* key, const StringMap& m) {
        if (m.empty()) return *this;
        Out o = Out::map(true);
        for (const auto& [k, v] : m) o.add(k, Out::string(v));
        out_.add(key, std::move(o));
        return *this;
    }
    Fields& nullable_map(const char* key, const NullableStringMap& m) {
        if (m.empty()) return *this;
        Out o = Out::map(true);
        for (const auto& [k, v] : m) o.add(k, v ? Out::string(*v) : Out::null());
        out_.add(key, std::move(o));
        return *this;
    }
    Fields& hosts(const char* key, const HostsList& h) {
        if (h.empty()) return *this;
        std::vector<std::string> items;
        for (const auto& [host, ips] : h)
            for (const auto& ip : ips) items.push_back(host + "=" + ip);
        std::sort(items.begin(), items.end());
        return list(key, items);
    }
    // A shell command: YAML omits an unset one, JSON prints null (compose-go's tags).
    Fields& command(const char* key, const std::optional<std::vector<std::string>>& v) {
        if (!v) {
            if (json_) out_.add(key, Out::null());
            return *this;
        }
        Out seq = Out::seq();
        for (const auto& s : *v) seq.items.push_back(Out::string(s));
        out_.add(key, std::move(seq));
        return *this;
    }
    Fields& value(const char* key, Out v) {
        out_.add(key, std::move(v));
        return *this;
    }
    // A non-pointer struct field with omitempty: YAML omits it when all its fields are
    // zero, encoding/json never omits a struct.
    Fields& embedded(const char* key, Out v) {
        if (json_ || !v.fields.empty()) out_.add(key, std::move(v));
        return *this;
    }
    template <typename T, typename Fn>
    Fields& seq_of(const char* key, const std::vector<T>& v, Fn fn) {
        if (v.empty()) return *this;
        Out seq = Out::seq();
        for (const auto& item : v) seq.items.push_back(fn(item));
        out_.add(key, std::move(seq));
        return *this;
    }
    // x-* keys: inline at the end in YAML, absent from compose-go's JSON.
    Fields& extensions(const Extensions& ext);

    Out done() { return std::move(out_); }

private:
    bool json_;
    Out out_;
};

Out node_out(const Node& n) {
    switch (n.kind()) {
    case Node::Kind::Null: return Out::null();
    case Node::Kind::Bool: return Out::boolean(n.as_bool());
    case Node::Kind::Int: return Out::integer(n.as_int());
    case Node::Kind::Float: return Out::floating(n.as_float(), 64);
    case Node::Kind::String: return Out::string(n.as_string());
    case Node::Kind::Seq: {
        Out s = Out::seq();
        for (const auto& i : n.items()) s.items.push_back(node_out(i));
        return s;
    }
    case Node::Kind::Map: {
        Out m = Out::map(true);
        for (const auto& e : n.entries()) m.add(e.key, node_out(e.value));
        return m;
    }
    }
    return Out::null();
}

Fields& Fields::extensions(const Extensions& ext) {
    if (json_) return *this;
    for (const auto& [k, v] : ext) out_.add(k, node_out(v));
    return *this;
}

std::string file_mode(int64_t mode) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "0%llo", static_cast<unsigned long long>(mode));
    return buf;
}

class Emitter {
public:
    explicit Emitter(bool json) : json_(json) {}

    Fields fields() const { return Fields(json_); }

    Out file_reference(const FileReference& r) const {
        Fields f = fields();
        f.str("source", r.source).str("target", r.target).str("uid", r.uid).str("gid", r.gid);
        if (r.mode) f.value("mode", Out::string(file_mode(*r.mode)));
        return f.extensions(r.extensions).done();
    }

    Out ulimit(const Ulimit& u) const {
        if (u.single != 0) return Out::integer(u.single);
        if (json_) return fields().num("soft", u.soft).num("hard", u.hard).done();
        return fields().always_num("soft", u.soft).always_num("hard", u.hard).done();
    }

    Out ulimits(const std::map<std::string, Ulimit>& m) const {
        Out o = Out::map(true);
        for (const auto& [k, v] : m) o.add(k, ulimit(v));
        return o;
    }

    Out hook(const ServiceHook& h) const {
        Fields f = fields();
        f.command("command", h.command)
            .str("image", h.image)
            .str("user", h.user)
            .flag("privileged", h.privileged)
            .str("working_dir", h.working_dir)
            .nullable_map("environment", h.environment)
            .flag("per_replica", h.per_replica);
        return f.extensions(h.extensions).done();
    }

    Out build(const BuildConfig& b) const {
        Fields f = fields();
        f.str("context", b.context)
            .str("dockerfile", b.dockerfile)
            .str("dockerfile_inline", b.dockerfile_inline)
            .list("entitlements", b.entitlements)
            .nullable_map("args", b.args)
            .str("provenance", b.provenance)
            .str("sbom", b.sbom);
        if (!b.ssh.empty()) {
            std::vector<std::string> keys;
            for (const auto& k : b.ssh)
                keys.push_back(k.path.empty() ? k.id : k.id + (json_ ? "=" : ": ") + k.path);
            std::sort(keys.begin(), keys.end());
            f.list("ssh", keys);
        }
        f.string_map("labels", b.labels)
            .list("cache_from", b.cache_from)
            .list("cache_to", b.cache_to)
            .flag("no_cache", b.no_cache)
            .list("no_cache_filter", b.no_cache_filter)
            .string_map("additional_contexts", b.additional_contexts)
            .flag("pull", b.pull)
            .hosts("extra_hosts", b.extra_hosts)
            .str("isolation", b.isolation)
            .str("network", b.network)
            .str("target", b.target)
            .seq_of("secrets", b.secrets, [&](const FileReference& r) { return file_reference(r); })
            .bytes("shm_size", b.shm_size)
            .list("tags", b.tags);
        if (!b.ulimits.empty()) f.value("ulimits", ulimits(b.ulimits));
        f.list("platforms", b.platforms).flag("privileged", b.privileged);
        return f.extensions(b.extensions).done();
    }

    Out develop(const DevelopConfig& d) const {
        Fields f = fields();
        f.seq_of("watch", d.watch, [&](const WatchTrigger& t) {
            Fields w = fields();
            w.always_str("path", t.path).always_str("action", t.action).str("target", t.target);
            w.embedded("exec", hook(t.exec));
            w.list("include", t.include).list("ignore", t.ignore).flag("initial_sync", t.initial_sync);
            return w.extensions(t.extensions).done();
        });
        return f.extensions(d.extensions).done();
    }

    Out blkio(const BlkioConfig& b) const {
        auto throttle = [&](const ThrottleDevice& t) {
            Fields f = fields();
            f.always_str(json_ ? "Path" : "path", t.path).always_str(json_ ? "Rate" : "rate", std::to_string(t.rate));
            return f.extensions(t.extensions).done();
        };
        Fields f = fields();
        f.num("weight", b.weight)
            .seq_of("weight_device", b.weight_device,
                    [&](const WeightDevice& w) {
                        Fields x = fields();
                        x.always_str(json_ ? "Path" : "path", w.path).always_num(json_ ? "Weight" : "weight", w.weight);
                        return x.extensions(w.extensions).done();
                    })
            .seq_of("device_read_bps", b.device_read_bps, throttle)
            .seq_of("device_read_iops", b.device_read_iops, throttle)
            .seq_of("device_write_bps", b.device_write_bps, throttle)
            .seq_of("device_write_iops", b.device_write_iops, throttle);
        return f.extensions(b.extensions).done();
    }

    Out device_request(const DeviceRequest& d) const {
        return fields()
            .list("capabilities", d.capabilities)
            .str("driver", d.driver)
            .num("count", d.count)
            .list("device_ids", d.device_ids)
            .string_map("options", d.options)
            .done();
    }

    Out resource(const Resource& r) const {
        Fields f = fields();
        f.f32("cpus", r.cpus)
            .bytes("memory", r.memory)
            .num("pids", r.pids)
            .seq_of("devices", r.devices, [&](const DeviceRequest& d) { return device_request(d); })
            .seq_of("generic_resources", r.generic_resources, [&](const GenericResource& g) {
                Fields x = fields();
                if (g.discrete_resource_spec) {
                    const auto& d = *g.discrete_resource_spec;
                    x.value("discrete_resource_spec",
                            fields().always_str("kind", d.kind).always_num("value", d.value).extensions(d.extensions).done());
                }
                return x.extensions(g.extensions).done();
            });
        return f.extensions(r.extensions).done();
    }

    Out update_config(const UpdateConfig& u) const {
        Fields f = fields();
        f.opt_num("parallelism", u.parallelism)
            .duration("delay", u.delay)
            .str("failure_action", u.failure_action)
            .duration("monitor", u.monitor);
        if (u.max_failure_ratio != 0) f.value("max_failure_ratio", Out::floating(u.max_failure_ratio, 32));
        f.str("order", u.order);
        return f.extensions(u.extensions).done();
    }

    Out deploy(const DeployConfig& d) const {
        Fields f = fields();
        f.str("mode", d.mode).opt_num("replicas", d.replicas).string_map("labels", d.labels);
        if (d.update_config) f.value("update_config", update_config(*d.update_config));
        if (d.rollback_config) f.value("rollback_config", update_config(*d.rollback_config));
        Fields res = fields();
        if (d.resources.limits) res.value("limits", resource(*d.resources.limits));
        if (d.resources.reservations) res.value("reservations", resource(*d.resources.reservations));
        f.embedded("resources", res.extensions(d.resources.extensions).done());
        if (d.restart_policy) {
            const auto& r = *d.restart_policy;
            Fields rp = fields();
            rp.str("condition", r.condition)
                .opt_duration("delay", r.delay)
                .opt_num("max_attempts", r.max_attempts)
                .opt_duration("window", r.window);
            f.value("restart_policy", rp.extensions(r.extensions).done());
        }
        Fields pl = fields();
        pl.list("constraints", d.placement.constraints)
            .seq_of("preferences", d.placement.preferences,
                    [&](const PlacementPreference& p) { return fields().str("spread", p.spread).extensions(p.extensions).done(); })
            .num("max_replicas_per_node", static_cast<int64_t>(d.placement.max_replicas_per_node));
        f.embedded("placement", pl.extensions(d.placement.extensions).done());
        f.str("endpoint_mode", d.endpoint_mode);
        return f.extensions(d.extensions).done();
    }

    Out healthcheck(const HealthCheck& h) const {
        Fields f = fields();
        f.list("test", h.test)
            .opt_duration("timeout", h.timeout)
            .opt_duration("interval", h.interval)
            .opt_num("retries", h.retries)
            .opt_duration("start_period", h.start_period)
            .opt_duration("start_interval", h.start_interval)
            .flag("disable", h.disable);
        return f.extensions(h.extensions).done();
    }

    Out port(const ServicePort& p) const {
        Fields f = fields();
        f.str("name", p.name)
            .str("mode", p.mode)
            .str("host_ip", p.host_ip)
            .num("target", p.target)
            .str("published", p.published)
            .str("protocol", p.protocol)
            .str("app_protocol", p.app_protocol);
        return f.extensions(p.extensions).done();
    }

    Out volume(const ServiceVolume& v) const {
        Fields f = fields();
        f.str("type", v.type).str("source", v.source).str("target", v.target).flag("read_only", v.read_only);
        f.str("consistency", v.consistency);
        if (v.bind) {
            Fields b = fields();
            b.str("selinux", v.bind->selinux).str("propagation", v.bind->propagation);
            if (!v.bind->create_host_path) b.value("create_host_path", Out::boolean(false));
            b.str("recursive", v.bind->recursive);
            f.value("bind", b.extensions(v.bind->extensions).done());
        }
        if (v.volume) {
            Fields o = fields();
            o.string_map("labels", v.volume->labels).flag("nocopy", v.volume->nocopy).str("subpath", v.volume->subpath);
            f.value("volume", o.extensions(v.volume->extensions).done());
        }
        if (v.tmpfs) {
            Fields t = fields();
            t.bytes("size", v.tmpfs->size).num("mode", v.tmpfs->mode);
            f.value("tmpfs", t.extensions(v.tmpfs->extensions).done());
        }
        if (v.image) f.value("image", fields().str("subpath", v.image->subpath).extensions(v.image->extensions).done());
        return f.extensions(v.extensions).done();
    }

    Out service(const Service& s) const {
        Fields f = fields();
        f.list("profiles", s.profiles).string_map("annotations", s.annotations).opt_bool("attach", s.attach);
        if (s.build) f.value("build", build(*s.build));
        if (s.develop) f.value("develop", develop(*s.develop));
        if (s.blkio_config) f.value("blkio_config", blkio(*s.blkio_config));
        f.list("cap_add", s.cap_add)
            .list("cap_drop", s.cap_drop)
            .str("cgroup_parent", s.cgroup_parent)
            .str("cgroup", s.cgroup)
            .num("cpu_count", s.cpu_count)
            .f32("cpu_percent", s.cpu_percent)
            .num("cpu_period", s.cpu_period)
            .num("cpu_quota", s.cpu_quota)
            .num("cpu_rt_period", s.cpu_rt_period)
            .num("cpu_rt_runtime", s.cpu_rt_runtime)
            .f32("cpus", s.cpus)
            .str("cpuset", s.cpuset)
            .num("cpu_shares", s.cpu_shares)
            .command("command", s.command)
            .seq_of("configs", s.configs, [&](const FileReference& r) { return file_reference(r); })
            .str("container_name", s.container_name);
        if (s.credential_spec) {
            const auto& c = *s.credential_spec;
            f.value("credential_spec",
                    fields().str("config", c.config).str("file", c.file).str("registry", c.registry).extensions(c.extensions).done());
        }
        if (!s.depends_on.empty()) {
            Out deps = Out::map(true);
            for (const auto& [name, d] : s.depends_on) {
                Fields x = fields();
                x.str("condition", d.condition).flag("restart", d.restart).value("required", Out::boolean(d.required));
                deps.add(name, x.extensions(d.extensions).done());
            }
            f.value("depends_on", std::move(deps));
        }
        if (s.deploy) f.value("deploy", deploy(*s.deploy));
        f.list("device_cgroup_rules", s.device_cgroup_rules)
            .seq_of("devices", s.devices,
                    [&](const DeviceMapping& d) {
                        return fields()
                            .str("source", d.source)
                            .str("target", d.target)
                            .str("permissions", d.permissions)
                            .extensions(d.extensions)
                            .done();
                    })
            .list("dns", s.dns)
            .list("dns_opt", s.dns_opt)
            .list("dns_search", s.dns_search)
            .str("dockerfile", s.dockerfile)
            .str("domainname", s.domainname)
            .command("entrypoint", s.entrypoint);
        if (s.provider) {
            Fields p = fields();
            p.str("type", s.provider->type);
            if (!s.provider->options.empty()) {
                Out o = Out::map(true);
                for (const auto& [k, vs] : s.provider->options) {
                    Out seq = Out::seq();
                    for (const auto& v : vs) seq.items.push_back(Out::string(v));
                    o.add(k, std::move(seq));
                }
                p.value("options", std::move(o));
            }
            f.value("provider", p.extensions(s.provider->extensions).done());
        }
        f.nullable_map("environment", s.environment)
            .seq_of("env_file", s.env_file,
                    [&](const EnvFile& e) {
                        Fields x = fields();
                        x.str("path", e.path);
                        if (!e.required) x.value("required", Out::boolean(false));
                        return x.str("format", e.format).done();
                    })
            .list("expose", s.expose);
        if (s.extends) f.value("extends", fields().str("file", s.extends->file).str("service", s.extends->service).done());
        f.list("external_links", s.external_links)
            .hosts("extra_hosts", s.extra_hosts)
            .list("group_add", s.group_add)
            .seq_of("gpus", s.gpus, [&](const DeviceRequest& d) { return device_request(d); })
            .str("hostname", s.hostname);
        if (s.healthcheck) f.value("healthcheck", healthcheck(*s.healthcheck));
        f.str("image", s.image)
            .opt_bool("init", s.init)
            .str("ipc", s.ipc)
            .str("isolation", s.isolation)
            .string_map("labels", s.labels)
            .list("label_file", s.label_file)
            .list("links", s.links);
        if (s.logging)
            f.value("logging", fields()
                                   .str("driver", s.logging->driver)
                                   .string_map("options", s.logging->options)
                                   .extensions(s.logging->extensions)
                                   .done());
        f.str("log_driver", s.log_driver)
            .string_map("log_opt", s.log_opt)
            .bytes("mem_limit", s.mem_limit)
            .bytes("mem_reservation", s.mem_reservation)
            .bytes("memswap_limit", s.memswap_limit)
            .bytes("mem_swappiness", s.mem_swappiness)
            .str("mac_address", s.mac_address);
        if (!s.models.empty()) {
            Out m = Out::map(true);
            for (const auto& [name, cfg] : s.models)
                m.add(name, cfg ? fields()
                                      .str("endpoint_var", cfg->endpoint_var)
                                      .str("model_var", cfg->model_var)
                                      .extensions(cfg->extensions)
                                      .done()
                                : Out::null());
            f.value("models", std::move(m));
        }
        f.str("net", s.net).str("network_mode", s.network_mode);
        if (!s.networks.empty()) {
            Out nets = Out::map(true);
            for (const auto& [name, cfg] : s.networks) {
                if (!cfg) {
                    nets.add(name, Out::null());
                    continue;
                }
                Fields n = fields();
                n.list("aliases", cfg->aliases)
                    .string_map("driver_opts", cfg->driver_opts)
                    .num("gw_priority", cfg->gw_priority)
                    .str("interface_name", cfg->interface_name)
                    .str("ipv4_address", cfg->ipv4_address)
                    .str("ipv6_address", cfg->ipv6_address)
                    .list("link_local_ips", cfg->link_local_ips)
                    .str("mac_address", cfg->mac_address)
                    .num("priority", cfg->priority);
                nets.add(name, n.extensions(cfg->extensions).done());
            }
            f.value("networks", std::move(nets));
        }
        f.flag("oom_kill_disable", s.oom_kill_disable)
            .num("oom_score_adj", s.oom_score_adj)
            .str("pid", s.pid)
            .num("pids_limit", s.pids_limit)
            .str("platform", s.platform)
            .seq_of("ports", s.ports, [&](const ServicePort& p) { return port(p); })
            .flag("privileged", s.privileged)
            .str("pull_policy", s.pull_policy)
            .flag("read_only", s.read_only)
            .str("restart", s.restart)
            .str("runtime", s.runtime)
            .opt_num("scale", s.scale)
            .seq_of("secrets", s.secrets, [&](const FileReference& r) { return file_reference(r); })
            .list("security_opt", s.security_opt)
            .bytes("shm_size", s.shm_size)
            .flag("stdin_open", s.stdin_open)
            .opt_duration("stop_grace_period", s.stop_grace_period)
            .str("stop_signal", s.stop_signal)
            .string_map("storage_opt", s.storage_opt)
            .string_map("sysctls", s.sysctls)
            .list("tmpfs", s.tmpfs)
            .flag("tty", s.tty);
        if (!s.ulimits.empty()) f.value("ulimits", ulimits(s.ulimits));
        f.flag("use_api_socket", s.use_api_socket)
            .str("user", s.user)
            .str("userns_mode", s.userns_mode)
            .str("uts", s.uts)
            .str("volume_driver", s.volume_driver)
            .seq_of("volumes", s.volumes, [&](const ServiceVolume& v) { return volume(v); })
            .list("volumes_from", s.volumes_from)
            .str("working_dir", s.working_dir)
            .seq_of("pre_start", s.pre_start, [&](const ServiceHook& h) { return hook(h); })
            .seq_of("post_start", s.post_start, [&](const ServiceHook& h) { return hook(h); })
            .seq_of("pre_stop", s.pre_stop, [&](const ServiceHook& h) { return hook(h); });
        return f.extensions(s.extensions).done();
    }

    Out network(const Network& n) const {
        Fields f = fields();
        f.str("name", n.name).str("driver", n.driver).string_map("driver_opts", n.driver_opts);
        Fields ipam = fields();
        ipam.str("driver", n.ipam.driver)
            .seq_of("config", n.ipam.config,
                    [&](const IpamPool& p) {
                        Fields x = fields();
                        x.str("subnet", p.subnet)
                            .str("gateway", p.gateway)
                            .str("ip_range", p.ip_range)
                            .string_map("aux_addresses", p.aux_addresses);
                        return x.extensions(p.extensions).done();
                    })
            .string_map("options", n.ipam.options);
        f.embedded("ipam", ipam.extensions(n.ipam.extensions).done());
        f.flag("external", n.external)
            .flag("internal", n.internal)
            .flag("attachable", n.attachable)
            .string_map("labels", n.labels)
            .opt_bool("enable_ipv4", n.enable_ipv4)
            .opt_bool("enable_ipv6", n.enable_ipv6);
        return f.extensions(n.extensions).done();
    }

    Out volume(const Volume& v) const {
        Fields f = fields();
        f.str("name", v.name)
            .str("driver", v.driver)
            .string_map("driver_opts", v.driver_opts)
            .flag("external", v.external)
            .string_map("labels", v.labels);
        return f.extensions(v.extensions).done();
    }

    // Secrets never print their content; configs print it unless it came from a variable.
    Out file_object(const FileObject& o, bool secret) const {
        Fields f = fields();
        f.str("name", o.name).str("file", o.file).str("environment", o.environment);
        if (!secret && o.environment.empty()) f.str("content", o.content);
        f.flag("external", o.external)
            .string_map("labels", o.labels)
            .str("driver", o.driver)
            .string_map("driver_opts", o.driver_opts)
            .str("template_driver", o.template_driver);
        return f.extensions(o.extensions).done();
    }

    Out model(const Model& m) const {
        Fields f = fields();
        f.str("name", m.name).str("model", m.model).num("context_size", m.context_size).list("runtime_flags", m.runtime_flags);
        return f.extensions(m.extensions).done();
    }

private:
    bool json_;
};

template <typename T, typename Fn>
Out named_map(const std::map<std::string, T>& m, Fn fn) {
    Out o = Out::map(true);
    for (const auto& [k, v] : m) o.add(k, fn(v));
    return o;
}

}  // namespace

Out service_out(const Service& service, OutputFormat format) { return Emitter(format == OutputFormat::Json).service(service); }

Out project_out(const Project& p, OutputFormat format) {
    bool json = format == OutputFormat::Json;
    Emitter e(json);
    // YAML: compose-go's Project struct order; JSON: its MarshalJSON map (sorted keys).
    Out root = Out::map(json);
    if (json || !p.name.empty()) root.add("name", Out::string(p.name));
    root.add("services", named_map(p.services, [&](const Service& s) { return e.service(s); }));
    if (!p.networks.empty()) root.add("networks", named_map(p.networks, [&](const Network& n) { return e.network(n); }));
    if (!p.volumes.empty()) root.add("volumes", named_map(p.volumes, [&](const Volume& v) { return e.volume(v); }));
    if (!p.secrets.empty())
        root.add("secrets", named_map(p.secrets, [&](const FileObject& s) { return e.file_object(s, true); }));
    if (!p.configs.empty())
        root.add("configs", named_map(p.configs, [&](const FileObject& c) { return e.file_object(c, false); }));
    if (!p.models.empty()) root.add("models", named_map(p.models, [&](const Model& m) { return e.model(m); }));
    // Top-level x-* keys: inline (sorted) after the rest in YAML, mixed in the map in JSON.
    Out ext = Out::map(true);
    for (const auto& [k, v] : p.extensions) ext.add(k, node_out(v));
    if (!json) std::stable_sort(ext.fields.begin(), ext.fields.end(), [](const auto& a, const auto& b) {
        return yaml_key_less(a.first, b.first);
    });
    for (auto& f : ext.fields) root.add(f.first, std::move(f.second));
    return root;
}

std::string render_project(const Project& project, OutputFormat format) {
    Out root = project_out(project, format);
    return format == OutputFormat::Json ? write_json(root, true) : write_yaml(root);
}

std::string escape_dollars(const std::string& text) {
    std::string escaped;
    escaped.reserve(text.size());
    for (char c : text) {
        escaped.push_back(c);
        if (c == '$') escaped.push_back('$');
    }
    return escaped;
}

}  // namespace pc::compose
