#include "compose/decode.hpp"

#include <cmath>
#include <cstdlib>
#include <stdexcept>

#include "common/log.hpp"
#include "common/strings.hpp"
#include "common/units.hpp"
#include "compose/errors.hpp"
#include "compose/interpolation.hpp"
#include "compose/short_syntax.hpp"

namespace pc::compose {

namespace {

bool is_extension(const std::string& key) { return key.rfind("x-", 0) == 0; }

[[noreturn]] void bad(const Node& n, const Path& p, const std::string& why) { fail_at(n.mark(), p.str() + ": " + why); }

// ---- scalars -----------------------------------------------------------------------

std::string str(const Node& n, const Path& p) {
    if (n.is_string()) return n.as_string();
    if (n.is_null()) return "";
    if (n.is_scalar()) return n.scalar_text();
    bad(n, p, std::string("expected a string, got a ") + kind_name(n.kind()));
}

bool boolean(const Node& n, const Path& p) {
    if (n.is_bool()) return n.as_bool();
    if (n.is_null()) return false;
    if (n.is_string()) {
        if (auto b = parse_compose_bool(n.as_string())) return *b;
        bad(n, p, "invalid boolean: " + n.as_string());
    }
    bad(n, p, std::string("expected a boolean, got a ") + kind_name(n.kind()));
}

int64_t integer(const Node& n, const Path& p) {
    if (n.is_int()) return n.as_int();
    if (n.is_float()) return static_cast<int64_t>(n.as_float());
    if (n.is_null()) return 0;
    if (n.is_string()) {
        if (auto v = str::parse_i64(n.as_string())) return *v;
        std::string s = n.as_string();
        if (!s.empty() && s[0] == '+')
            if (auto v = str::parse_i64(s.substr(1))) return *v;
        bad(n, p, "strconv.Atoi: parsing \"" + s + "\": invalid syntax");
    }
    bad(n, p, std::string("expected an integer, got a ") + kind_name(n.kind()));
}

uint64_t unsigned_integer(const Node& n, const Path& p) {
    int64_t v = integer(n, p);
    if (v < 0) bad(n, p, "cannot parse '" + n.scalar_text() + "', " + std::to_string(v) + " overflows uint");
    return static_cast<uint64_t>(v);
}

float float32(const Node& n, const Path& p) {
    if (n.is_number()) return static_cast<float>(n.as_float());
    if (n.is_null()) return 0;
    if (n.is_string()) {
        char* end = nullptr;
        const std::string& s = n.as_string();
        double v = std::strtod(s.c_str(), &end);
        if (s.empty() || end != s.c_str() + s.size())
            bad(n, p, "strconv.ParseFloat: parsing \"" + s + "\": invalid syntax");
        return static_cast<float>(v);
    }
    bad(n, p, std::string("expected a number, got a ") + kind_name(n.kind()));
}

Nanoseconds duration(const Node& n, const Path& p) {
    try {
        return parse_duration_ns(n.scalar_text(), DurationUnits::DaysAndWeeks);
    } catch (const std::exception& e) {
        bad(n, p, e.what());
    }
}

int64_t bytes(const Node& n, const Path& p) {
    if (n.is_int()) return n.as_int();
    if (!n.is_string()) return 0;  // compose-go ignores other types here
    const std::string& s = n.as_string();
    if (auto v = str::parse_i64(s)) return *v;
    try {
        return parse_size(s);
    } catch (const std::exception& e) {
        bad(n, p, e.what());
    }
}

int64_t file_mode(const Node& n, const Path& p) {
    if (n.is_int()) return n.as_int();
    if (n.is_string()) {
        const std::string& s = n.as_string();
        if (s.empty()) bad(n, p, "strconv.ParseInt: parsing \"\": invalid syntax");
        int64_t v = 0;
        for (char c : s) {
            if (c < '0' || c > '7') bad(n, p, "strconv.ParseInt: parsing \"" + s + "\": invalid syntax");
            v = v * 8 + (c - '0');
            if (v > 0xFFFFFFFFLL) bad(n, p, "strconv.ParseInt: parsing \"" + s + "\": value out of range");
        }
        return v;
    }
    bad(n, p, std::string("unexpected value type ") + kind_name(n.kind()) + " for mode");
}

// ---- collections -------------------------------------------------------------------

// Iterates a mapping, sending x-* keys to `ext` (when given) and the rest to `fn`.
template <typename Fn>
void each(const Node& n, const Path& p, Extensions* ext, Fn fn) {
    if (n.is_null()) return;
    if (!n.is_map()) bad(n, p, std::string("expected a mapping, got a ") + kind_name(n.kind()));
    for (const auto& e : n.entries()) {
        if (ext && is_extension(e.key)) {
            (*ext)[e.key] = e.value;
            continue;
        }
        fn(e.key, e.value, p.next(e.key));
    }
}

std::vector<std::string> string_list(const Node& n, const Path& p) {
    std::vector<std::string> out;
    if (n.is_null()) return out;
    if (n.is_string()) return {n.as_string()};
    if (!n.is_seq()) bad(n, p, std::string("invalid type ") + kind_name(n.kind()) + " for string list");
    for (size_t i = 0; i < n.items().size(); ++i) out.push_back(str(n.items()[i], p.item(i)));
    return out;
}

// Mapping (sysctls, annotations, ...): a mapping (null -> "") or a KEY=VALUE list.
StringMap mapping(const Node& n, const Path& p) {
    StringMap out;
    if (n.is_null()) return out;
    if (n.is_map()) {
        for (const auto& e : n.entries()) out[e.key] = e.value.scalar_text();
        return out;
    }
    if (!n.is_seq()) bad(n, p, std::string("unexpected value type ") + kind_name(n.kind()) + " for mapping");
    for (const auto& item : n.items()) {
        std::string s = item.scalar_text();
        size_t eq = s.find('=');
        out[s.substr(0, eq)] = eq == std::string::npos ? "" : s.substr(eq + 1);
    }
    return out;
}

// MappingWithEquals (environment, build args, hook environment): null values stay null.
NullableStringMap mapping_with_equals(const Node& n, const Path& p) {
    NullableStringMap out;
    if (n.is_null()) return out;
    if (n.is_map()) {
        for (const auto& e : n.entries())
            out[e.key] = e.value.is_null() ? std::nullopt : std::optional<std::string>(e.value.scalar_text());
        return out;
    }
    if (!n.is_seq()) bad(n, p, std::string("unexpected value type ") + kind_name(n.kind()) + " for mapping");
    for (size_t i = 0; i < n.items().size(); ++i) {
        std::string s = n.items()[i].scalar_text();
        size_t eq = s.find('=');
        std::string key = s.substr(0, eq);
        if (!key.empty() && std::isspace(static_cast<unsigned char>(key.back())))
            bad(n.items()[i], p.item(i), "environment variable " + key + " is declared with a trailing space");
        out[key] = eq == std::string::npos ? std::nullopt : std::optional<std::string>(s.substr(eq + 1));
    }
    return out;
}

// Options (driver_opts, logging options): a mapping, null -> "".
StringMap options(const Node& n, const Path& p) {
    StringMap out;
    if (n.is_null()) return out;
    if (!n.is_map()) bad(n, p, std::string("invalid type ") + kind_name(n.kind()) + " for options");
    for (const auto& e : n.entries()) out[e.key] = e.value.scalar_text();
    return out;
}

HostsList hosts_list(const Node& n, const Path& p) {
    HostsList out;
    if (n.is_null()) return out;
    if (n.is_map()) {
        for (const auto& e : n.entries()) {
            if (e.value.is_seq()) {
                for (const auto& ip : e.value.items()) out[e.key].push_back(ip.scalar_text());
            } else if (e.value.is_scalar()) {
                out[e.key] = {e.value.scalar_text()};
            } else {
                bad(e.value, p.next(e.key), "unexpected value type for extra_hosts entry");
            }
        }
    } else if (n.is_seq()) {
        for (size_t i = 0; i < n.items().size(); ++i) {
            std::string s = n.items()[i].scalar_text();
            size_t at = s.find('=');
            if (at == std::string::npos) at = s.find(':');
            if (at == std::string::npos) bad(n.items()[i], p.item(i), "invalid additional host, missing IP: " + s);
            for (const auto& ip : str::split(s.substr(at + 1), ',')) out[s.substr(0, at)].push_back(ip);
        }
    } else {
        bad(n, p, std::string("unexpected value type ") + kind_name(n.kind()) + " for extra_hosts");
    }
    for (auto& [host, ips] : out) {
        if (host.empty() || host.find_first_of(":=") != std::string::npos) bad(n, p, "bad host name '" + host + "'");
        for (auto& ip : ips)
            if (ip.size() > 2 && ip.front() == '[' && ip.back() == ']') ip = ip.substr(1, ip.size() - 2);
    }
    return out;
}

std::optional<std::vector<std::string>> shell_command(const Node& n, const Path& p) {
    if (n.is_null()) return std::nullopt;
    if (n.is_string()) {
        try {
            std::string dropped;
            auto words = split_command(n.as_string(), &dropped);
            if (!dropped.empty())
                log::warn(location_prefix(n.mark()) + p.str() + ": \"" + dropped +
                          "\" is not part of the command: Docker Compose splits a command string as a shell "
                          "would but stops at ; & | < >. Use a list, or [\"sh\", \"-c\", \"...\"]");
            return words;
        } catch (const std::exception& e) {
            bad(n, p, e.what());
        }
    }
    if (n.is_seq()) {
        std::vector<std::string> out;
        for (size_t i = 0; i < n.items().size(); ++i) out.push_back(str(n.items()[i], p.item(i)));
        return out;
    }
    bad(n, p, std::string("unexpected value type ") + kind_name(n.kind()) + " for a command");
}

// ---- structs -----------------------------------------------------------------------

FileReference file_reference(const Node& n, const Path& p) {
    FileReference r;
    if (n.is_string()) {
        r.source = n.as_string();
        return r;
    }
    each(n, p, &r.extensions, [&](const std::string& k, const Node& v, const Path& at) {
        if (k == "source") r.source = str(v, at);
        else if (k == "target") r.target = str(v, at);
        else if (k == "uid") r.uid = str(v, at);
        else if (k == "gid") r.gid = str(v, at);
        else if (k == "mode" && !v.is_null()) r.mode = file_mode(v, at);
    });
    return r;
}

std::vector<FileReference> file_references(const Node& n, const Path& p) {
    std::vector<FileReference> out;
    if (n.is_null()) return out;
    if (!n.is_seq()) bad(n, p, std::string("expected a list, got a ") + kind_name(n.kind()));
    for (size_t i = 0; i < n.items().size(); ++i) out.push_back(file_reference(n.items()[i], p.item(i)));
    return out;
}

Ulimit ulimit(const Node& n, const Path& p) {
    Ulimit u;
    if (n.is_int() || n.is_string()) {
        u.single = integer(n, p);
        return u;
    }
    each(n, p, &u.extensions, [&](const std::string& k, const Node& v, const Path& at) {
        if (k == "soft") u.soft = integer(v, at);
        else if (k == "hard") u.hard = integer(v, at);
    });
    return u;
}

std::map<std::string, Ulimit> ulimits(const Node& n, const Path& p) {
    std::map<std::string, Ulimit> out;
    each(n, p, nullptr, [&](const std::string& k, const Node& v, const Path& at) { out[k] = ulimit(v, at); });
    return out;
}

ServiceHook hook(const Node& n, const Path& p) {
    ServiceHook h;
    each(n, p, &h.extensions, [&](const std::string& k, const Node& v, const Path& at) {
        if (k == "command") h.command = shell_command(v, at);
        else if (k == "image") h.image = str(v, at);
        else if (k == "user") h.user = str(v, at);
        else if (k == "privileged") h.privileged = boolean(v, at);
        else if (k == "working_dir") h.working_dir = str(v, at);
        else if (k == "environment") h.environment = mapping_with_equals(v, at);
        else if (k == "per_replica") h.per_replica = boolean(v, at);
    });
    return h;
}

std::vector<ServiceHook> hooks(const Node& n, const Path& p) {
    std::vector<ServiceHook> out;
    if (n.is_null()) return out;
    if (!n.is_seq()) bad(n, p, std::string("expected a list, got a ") + kind_name(n.kind()));
    for (size_t i = 0; i < n.items().size(); ++i) out.push_back(hook(n.items()[i], p.item(i)));
    return out;
}

BuildConfig build(const Node& n, const Path& p) {
    BuildConfig b;
    if (n.is_string()) {
        b.context = n.as_string();
        return b;
    }
    each(n, p, &b.extensions, [&](const std::string& k, const Node& v, const Path& at) {
        if (k == "context") b.context = str(v, at);
        else if (k == "dockerfile") b.dockerfile = str(v, at);
        else if (k == "dockerfile_inline") b.dockerfile_inline = str(v, at);
        else if (k == "entitlements") b.entitlements = string_list(v, at);
        else if (k == "args") b.args = mapping_with_equals(v, at);
        else if (k == "provenance") b.provenance = str(v, at);
        else if (k == "sbom") b.sbom = str(v, at);
        else if (k == "ssh") {
            each(v, at, nullptr, [&](const std::string& id, const Node& path, const Path&) {
                b.ssh.push_back(SshKey{id, path.scalar_text()});
            });
        } else if (k == "labels") b.labels = mapping(v, at);
        else if (k == "cache_from") b.cache_from = string_list(v, at);
        else if (k == "cache_to") b.cache_to = string_list(v, at);
        else if (k == "no_cache") b.no_cache = boolean(v, at);
        else if (k == "no_cache_filter") b.no_cache_filter = string_list(v, at);
        else if (k == "additional_contexts") b.additional_contexts = mapping(v, at);
        else if (k == "pull") b.pull = boolean(v, at);
        else if (k == "extra_hosts") b.extra_hosts = hosts_list(v, at);
        else if (k == "isolation") b.isolation = str(v, at);
        else if (k == "network") b.network = str(v, at);
        else if (k == "target") b.target = str(v, at);
        else if (k == "secrets") b.secrets = file_references(v, at);
        else if (k == "shm_size") b.shm_size = bytes(v, at);
        else if (k == "tags") b.tags = string_list(v, at);
        else if (k == "ulimits") b.ulimits = ulimits(v, at);
        else if (k == "platforms") b.platforms = string_list(v, at);
        else if (k == "privileged") b.privileged = boolean(v, at);
    });
    return b;
}

DevelopConfig develop(const Node& n, const Path& p) {
    DevelopConfig d;
    each(n, p, &d.extensions, [&](const std::string& k, const Node& v, const Path& at) {
        if (k != "watch" || v.is_null()) return;
        if (!v.is_seq()) bad(v, at, "expected a list");
        for (size_t i = 0; i < v.items().size(); ++i) {
            WatchTrigger t;
            each(v.items()[i], at.item(i), &t.extensions, [&](const std::string& tk, const Node& tv, const Path& tat) {
                if (tk == "path") t.path = str(tv, tat);
                else if (tk == "action") t.action = str(tv, tat);
                else if (tk == "target") t.target = str(tv, tat);
                else if (tk == "exec") t.exec = hook(tv, tat);
                else if (tk == "include") t.include = string_list(tv, tat);
                else if (tk == "ignore") t.ignore = string_list(tv, tat);
                else if (tk == "initial_sync") t.initial_sync = boolean(tv, tat);
            });
            d.watch.push_back(std::move(t));
        }
    });
    return d;
}

template <typename T, typename Fn>
std::vector<T> list_of(const Node& n, const Path& p, Fn fn) {
    std::vector<T> out;
    if (n.is_null()) return out;
    if (!n.is_seq()) bad(n, p, std::string("expected a list, got a ") + kind_name(n.kind()));
    for (size_t i = 0; i < n.items().size(); ++i) out.push_back(fn(n.items()[i], p.item(i)));
    return out;
}

BlkioConfig blkio(const Node& n, const Path& p) {
    BlkioConfig b;
    auto throttle = [](const Node& v, const Path& at) {
        ThrottleDevice t;
        each(v, at, &t.extensions, [&](const std::string& k, const Node& x, const Path& xat) {
            if (k == "path") t.path = str(x, xat);
            else if (k == "rate") t.rate = bytes(x, xat);
        });
        return t;
    };
    each(n, p, &b.extensions, [&](const std::string& k, const Node& v, const Path& at) {
        if (k == "weight") b.weight = static_cast<uint16_t>(integer(v, at));
        else if (k == "weight_device")
            b.weight_device = list_of<WeightDevice>(v, at, [](const Node& x, const Path& xat) {
                WeightDevice w;
                each(x, xat, &w.extensions, [&](const std::string& wk, const Node& wv, const Path& wat) {
                    if (wk == "path") w.path = str(wv, wat);
                    else if (wk == "weight") w.weight = static_cast<uint16_t>(integer(wv, wat));
                });
                return w;
            });
        else if (k == "device_read_bps") b.device_read_bps = list_of<ThrottleDevice>(v, at, throttle);
        else if (k == "device_read_iops") b.device_read_iops = list_of<ThrottleDevice>(v, at, throttle);
        else if (k == "device_write_bps") b.device_write_bps = list_of<ThrottleDevice>(v, at, throttle);
        else if (k == "device_write_iops") b.device_write_iops = list_of<ThrottleDevice>(v, at, throttle);
    });
    return b;
}

DeviceRequest device_request(const Node& n, const Path& p) {
    DeviceRequest d;
    each(n, p, nullptr, [&](const std::string& k, const Node& v, const Path& at) {
        if (k == "capabilities") d.capabilities = string_list(v, at);
        else if (k == "driver") d.driver = str(v, at);
        else if (k == "count") {
            if (v.is_string() && str::to_lower(v.as_string()) == "all") d.count = -1;
            else if (v.is_string() && !str::parse_i64(v.as_string()))
                bad(v, at, "invalid value \"" + v.as_string() + "\", the only value allowed is 'all' or a number");
            else d.count = integer(v, at);
        } else if (k == "device_ids") d.device_ids = string_list(v, at);
        else if (k == "options") d.options = mapping(v, at);
    });
    return d;
}

Resource resource(const Node& n, const Path& p) {
    Resource r;
    each(n, p, &r.extensions, [&](const std::string& k, const Node& v, const Path& at) {
        if (k == "cpus") r.cpus = float32(v, at);
        else if (k == "memory") r.memory = bytes(v, at);
        else if (k == "pids") r.pids = integer(v, at);
        else if (k == "devices") r.devices = list_of<DeviceRequest>(v, at, device_request);
        else if (k == "generic_resources")
            r.generic_resources = list_of<GenericResource>(v, at, [](const Node& x, const Path& xat) {
                GenericResource g;
                each(x, xat, &g.extensions, [&](const std::string& gk, const Node& gv, const Path& gat) {
                    if (gk != "discrete_resource_spec") return;
                    DiscreteResource d;
                    each(gv, gat, &d.extensions, [&](const std::string& dk, const Node& dv, const Path& dat) {
                        if (dk == "kind") d.kind = str(dv, dat);
                        else if (dk == "value") d.value = integer(dv, dat);
                    });
                    g.discrete_resource_spec = d;
                });
                return g;
            });
    });
    return r;
}

UpdateConfig update_config(const Node& n, const Path& p) {
    UpdateConfig u;
    each(n, p, &u.extensions, [&](const std::string& k, const Node& v, const Path& at) {
        if (k == "parallelism") u.parallelism = unsigned_integer(v, at);
        else if (k == "delay") u.delay = duration(v, at);
        else if (k == "failure_action") u.failure_action = str(v, at);
        else if (k == "monitor") u.monitor = duration(v, at);
        else if (k == "max_failure_ratio") u.max_failure_ratio = float32(v, at);
        else if (k == "order") u.order = str(v, at);
    });
    return u;
}

DeployConfig deploy(const Node& n, const Path& p) {
    DeployConfig d;
    each(n, p, &d.extensions, [&](const std::string& k, const Node& v, const Path& at) {
        if (k == "mode") d.mode = str(v, at);
        else if (k == "replicas") d.replicas = integer(v, at);
        else if (k == "labels") d.labels = mapping(v, at);
        else if (k == "update_config") d.update_config = update_config(v, at);
        else if (k == "rollback_config") d.rollback_config = update_config(v, at);
        else if (k == "resources") {
            each(v, at, &d.resources.extensions, [&](const std::string& rk, const Node& rv, const Path& rat) {
                if (rk == "limits") d.resources.limits = resource(rv, rat);
                else if (rk == "reservations") d.resources.reservations = resource(rv, rat);
            });
        } else if (k == "restart_policy") {
            RestartPolicy r;
            each(v, at, &r.extensions, [&](const std::string& rk, const Node& rv, const Path& rat) {
                if (rk == "condition") r.condition = str(rv, rat);
                else if (rk == "delay") r.delay = duration(rv, rat);
                else if (rk == "max_attempts") r.max_attempts = unsigned_integer(rv, rat);
                else if (rk == "window") r.window = duration(rv, rat);
            });
            d.restart_policy = r;
        } else if (k == "placement") {
            each(v, at, &d.placement.extensions, [&](const std::string& pk, const Node& pv, const Path& pat) {
                if (pk == "constraints") d.placement.constraints = string_list(pv, pat);
                else if (pk == "max_replicas_per_node") d.placement.max_replicas_per_node = unsigned_integer(pv, pat);
                else if (pk == "preferences")
                    d.placement.preferences = list_of<PlacementPreference>(pv, pat, [](const Node& x, const Path& xat) {
                        PlacementPreference pref;
                        each(x, xat, &pref.extensions, [&](const std::string& xk, const Node& xv, const Path& xvat) {
                            if (xk == "spread") pref.spread = str(xv, xvat);
                        });
                        return pref;
                    });
            });
        } else if (k == "endpoint_mode") d.endpoint_mode = str(v, at);
    });
    return d;
}

HealthCheck healthcheck(const Node& n, const Path& p) {
    HealthCheck h;
    each(n, p, &h.extensions, [&](const std::string& k, const Node& v, const Path& at) {
        if (k == "test") {
            if (v.is_string()) h.test = {"CMD-SHELL", v.as_string()};
            else h.test = string_list(v, at);
        } else if (k == "timeout") h.timeout = duration(v, at);
        else if (k == "interval") h.interval = duration(v, at);
        else if (k == "retries") h.retries = unsigned_integer(v, at);
        else if (k == "start_period") h.start_period = duration(v, at);
        else if (k == "start_interval") h.start_interval = duration(v, at);
        else if (k == "disable") h.disable = boolean(v, at);
    });
    return h;
}

ServicePort port(const Node& n, const Path& p) {
    ServicePort sp;
    each(n, p, &sp.extensions, [&](const std::string& k, const Node& v, const Path& at) {
        if (k == "name") sp.name = str(v, at);
        else if (k == "mode") sp.mode = str(v, at);
        else if (k == "host_ip") sp.host_ip = str(v, at);
        else if (k == "target") {
            int64_t t = integer(v, at);
            if (t < 0 || t > 65535) bad(v, at, "invalid port " + std::to_string(t));
            sp.target = static_cast<uint32_t>(t);
        } else if (k == "published") sp.published = str(v, at);
        else if (k == "protocol") sp.protocol = str(v, at);
        else if (k == "app_protocol") sp.app_protocol = str(v, at);
    });
    return sp;
}

ServiceVolume volume(const Node& n, const Path& p) {
    ServiceVolume sv;
    each(n, p, &sv.extensions, [&](const std::string& k, const Node& v, const Path& at) {
        if (k == "type") sv.type = str(v, at);
        else if (k == "source") sv.source = str(v, at);
        else if (k == "target") sv.target = str(v, at);
        else if (k == "read_only") sv.read_only = boolean(v, at);
        else if (k == "consistency") sv.consistency = str(v, at);
        else if (k == "bind") {
            VolumeBind b;
            each(v, at, &b.extensions, [&](const std::string& bk, const Node& bv, const Path& bat) {
                if (bk == "selinux") b.selinux = str(bv, bat);
                else if (bk == "propagation") b.propagation = str(bv, bat);
                else if (bk == "create_host_path") b.create_host_path = boolean(bv, bat);
                else if (bk == "recursive") b.recursive = str(bv, bat);
            });
            sv.bind = b;
        } else if (k == "volume") {
            VolumeOptions o;
            each(v, at, &o.extensions, [&](const std::string& ok, const Node& ov, const Path& oat) {
                if (ok == "labels") o.labels = mapping(ov, oat);
                else if (ok == "nocopy") o.nocopy = boolean(ov, oat);
                else if (ok == "subpath") o.subpath = str(ov, oat);
            });
            sv.volume = o;
        } else if (k == "tmpfs") {
            TmpfsOptions t;
            each(v, at, &t.extensions, [&](const std::string& tk, const Node& tv, const Path& tat) {
                if (tk == "size") t.size = bytes(tv, tat);
                else if (tk == "mode") t.mode = static_cast<uint32_t>(integer(tv, tat));
            });
            sv.tmpfs = t;
        } else if (k == "image") {
            ImageOptions o;
            each(v, at, &o.extensions, [&](const std::string& ik, const Node& iv, const Path& iat) {
                if (ik == "subpath") o.subpath = str(iv, iat);
            });
            sv.image = o;
        }
    });
    return sv;
}

Service service(const std::string& name, const Node& n, const Path& p) {
    Service s;
    s.name = name;
    each(n, p, &s.extensions, [&](const std::string& k, const Node& v, const Path& at) {
        if (k == "profiles") s.profiles = string_list(v, at);
        else if (k == "annotations") s.annotations = mapping(v, at);
        else if (k == "attach") s.attach = boolean(v, at);
        else if (k == "build") s.build = build(v, at);
        else if (k == "develop") s.develop = develop(v, at);
        else if (k == "blkio_config") s.blkio_config = blkio(v, at);
        else if (k == "cap_add") s.cap_add = string_list(v, at);
        else if (k == "cap_drop") s.cap_drop = string_list(v, at);
        else if (k == "cgroup_parent") s.cgroup_parent = str(v, at);
        else if (k == "cgroup") s.cgroup = str(v, at);
        else if (k == "cpu_count") s.cpu_count = integer(v, at);
        else if (k == "cpu_percent") s.cpu_percent = float32(v, at);
        else if (k == "cpu_period") s.cpu_period = integer(v, at);
        else if (k == "cpu_quota") s.cpu_quota = integer(v, at);
        else if (k == "cpu_rt_period") s.cpu_rt_period = integer(v, at);
        else if (k == "cpu_rt_runtime") s.cpu_rt_runtime = integer(v, at);
        else if (k == "cpus") s.cpus = float32(v, at);
        else if (k == "cpuset") s.cpuset = str(v, at);
        else if (k == "cpu_shares") s.cpu_shares = integer(v, at);
        else if (k == "command") s.command = shell_command(v, at);
        else if (k == "configs") s.configs = file_references(v, at);
        else if (k == "container_name") s.container_name = str(v, at);
        else if (k == "credential_spec") {
            CredentialSpec c;
            each(v, at, &c.extensions, [&](const std::string& ck, const Node& cv, const Path& cat) {
                if (ck == "config") c.config = str(cv, cat);
                else if (ck == "file") c.file = str(cv, cat);
                else if (ck == "registry") c.registry = str(cv, cat);
            });
            s.credential_spec = c;
        } else if (k == "depends_on") {
            each(v, at, nullptr, [&](const std::string& dk, const Node& dv, const Path& dat) {
                ServiceDependency d;
                d.required = false;
                each(dv, dat, &d.extensions, [&](const std::string& x, const Node& xv, const Path& xat) {
                    if (x == "condition") d.condition = str(xv, xat);
                    else if (x == "restart") d.restart = boolean(xv, xat);
                    else if (x == "required") d.required = boolean(xv, xat);
                });
                s.depends_on[dk] = std::move(d);
            });
        } else if (k == "deploy") s.deploy = deploy(v, at);
        else if (k == "device_cgroup_rules") s.device_cgroup_rules = string_list(v, at);
        else if (k == "devices")
            s.devices = list_of<DeviceMapping>(v, at, [](const Node& x, const Path& xat) {
                DeviceMapping d;
                each(x, xat, &d.extensions, [&](const std::string& dk, const Node& dv, const Path& dat) {
                    if (dk == "source") d.source = str(dv, dat);
                    else if (dk == "target") d.target = str(dv, dat);
                    else if (dk == "permissions") d.permissions = str(dv, dat);
                });
                return d;
            });
        else if (k == "dns") s.dns = string_list(v, at);
        else if (k == "dns_opt") s.dns_opt = string_list(v, at);
        else if (k == "dns_search") s.dns_search = string_list(v, at);
        else if (k == "dockerfile") s.dockerfile = str(v, at);
        else if (k == "domainname") s.domainname = str(v, at);
        else if (k == "entrypoint") s.entrypoint = shell_command(v, at);
        else if (k == "provider") {
            ProviderConfig pc;
            each(v, at, &pc.extensions, [&](const std::string& pk, const Node& pv, const Path& pat) {
                if (pk == "type") pc.type = str(pv, pat);
                else if (pk == "options")
                    each(pv, pat, nullptr, [&](const std::string& ok, const Node& ov, const Path&) {
                        if (ov.is_seq())
                            for (const auto& item : ov.items()) pc.options[ok].push_back(item.scalar_text());
                        else
                            pc.options[ok].push_back(ov.scalar_text());
                    });
            });
            s.provider = pc;
        } else if (k == "environment") s.environment = mapping_with_equals(v, at);
        else if (k == "env_file")
            s.env_file = list_of<EnvFile>(v, at, [](const Node& x, const Path& xat) {
                EnvFile f;
                if (x.is_string()) {
                    f.path = x.as_string();
                    return f;
                }
                each(x, xat, nullptr, [&](const std::string& fk, const Node& fv, const Path& fat) {
                    if (fk == "path") f.path = str(fv, fat);
                    else if (fk == "required") f.required = boolean(fv, fat);
                    else if (fk == "format") f.format = str(fv, fat);
                });
                return f;
            });
        else if (k == "expose") {
            if (v.is_string()) s.expose = {v.as_string()};
            else if (v.is_seq())
                for (const auto& item : v.items()) s.expose.push_back(item.scalar_text());
        } else if (k == "extends") {
            ExtendsConfig e;
            if (v.is_string()) e.service = v.as_string();
            else
                each(v, at, nullptr, [&](const std::string& ek, const Node& ev, const Path& eat) {
                    if (ek == "file") e.file = str(ev, eat);
                    else if (ek == "service") e.service = str(ev, eat);
                });
            s.extends = e;
        } else if (k == "external_links") s.external_links = string_list(v, at);
        else if (k == "extra_hosts") s.extra_hosts = hosts_list(v, at);
        else if (k == "group_add") s.group_add = string_list(v, at);
        else if (k == "gpus") s.gpus = list_of<DeviceRequest>(v, at, device_request);
        else if (k == "hostname") s.hostname = str(v, at);
        else if (k == "healthcheck") s.healthcheck = healthcheck(v, at);
        else if (k == "image") s.image = str(v, at);
        else if (k == "init") s.init = boolean(v, at);
        else if (k == "ipc") s.ipc = str(v, at);
        else if (k == "isolation") s.isolation = str(v, at);
        else if (k == "labels") s.labels = mapping(v, at);
        else if (k == "label_file") s.label_file = string_list(v, at);
        else if (k == "links") s.links = string_list(v, at);
        else if (k == "logging") {
            LoggingConfig l;
            each(v, at, &l.extensions, [&](const std::string& lk, const Node& lv, const Path& lat) {
                if (lk == "driver") l.driver = str(lv, lat);
                else if (lk == "options") l.options = options(lv, lat);
            });
            s.logging = l;
        } else if (k == "log_driver") s.log_driver = str(v, at);
        else if (k == "log_opt") s.log_opt = options(v, at);
        else if (k == "mem_limit") s.mem_limit = bytes(v, at);
        else if (k == "mem_reservation") s.mem_reservation = bytes(v, at);
        else if (k == "memswap_limit") s.memswap_limit = bytes(v, at);
        else if (k == "mem_swappiness") s.mem_swappiness = bytes(v, at);
        else if (k == "mac_address") s.mac_address = str(v, at);
        else if (k == "models") {
            each(v, at, nullptr, [&](const std::string& mk, const Node& mv, const Path& mat) {
                if (mv.is_null()) {
                    s.models[mk] = std::nullopt;
                    return;
                }
                ServiceModel m;
                each(mv, mat, &m.extensions, [&](const std::string& xk, const Node& xv, const Path& xat) {
                    if (xk == "endpoint_var") m.endpoint_var = str(xv, xat);
                    else if (xk == "model_var") m.model_var = str(xv, xat);
                });
                s.models[mk] = m;
            });
        } else if (k == "net") s.net = str(v, at);
        else if (k == "network_mode") s.network_mode = str(v, at);
        else if (k == "networks") {
            each(v, at, nullptr, [&](const std::string& nk, const Node& nv, const Path& nat) {
                if (nv.is_null()) {
                    s.networks[nk] = std::nullopt;
                    return;
                }
                ServiceNetwork sn;
                each(nv, nat, &sn.extensions, [&](const std::string& xk, const Node& xv, const Path& xat) {
                    if (xk == "aliases") sn.aliases = string_list(xv, xat);
                    else if (xk == "driver_opts") sn.driver_opts = options(xv, xat);
                    else if (xk == "gw_priority") sn.gw_priority = integer(xv, xat);
                    else if (xk == "interface_name") sn.interface_name = str(xv, xat);
                    else if (xk == "ipv4_address") sn.ipv4_address = str(xv, xat);
                    else if (xk == "ipv6_address") sn.ipv6_address = str(xv, xat);
                    else if (xk == "link_local_ips") sn.link_local_ips = string_list(xv, xat);
                    else if (xk == "mac_address") sn.mac_address = str(xv, xat);
                    else if (xk == "priority") sn.priority = integer(xv, xat);
                });
                s.networks[nk] = sn;
            });
        } else if (k == "oom_kill_disable") s.oom_kill_disable = boolean(v, at);
        else if (k == "oom_score_adj") s.oom_score_adj = integer(v, at);
        else if (k == "pid") s.pid = str(v, at);
        else if (k == "pids_limit") s.pids_limit = integer(v, at);
        else if (k == "platform") s.platform = str(v, at);
        else if (k == "ports") s.ports = list_of<ServicePort>(v, at, port);
        else if (k == "privileged") s.privileged = boolean(v, at);
        else if (k == "pull_policy") s.pull_policy = str(v, at);
        else if (k == "read_only") s.read_only = boolean(v, at);
        else if (k == "restart") s.restart = str(v, at);
        else if (k == "runtime") s.runtime = str(v, at);
        else if (k == "scale") s.scale = integer(v, at);
        else if (k == "secrets") s.secrets = file_references(v, at);
        else if (k == "security_opt") s.security_opt = string_list(v, at);
        else if (k == "shm_size") s.shm_size = bytes(v, at);
        else if (k == "stdin_open") s.stdin_open = boolean(v, at);
        else if (k == "stop_grace_period") s.stop_grace_period = duration(v, at);
        else if (k == "stop_signal") s.stop_signal = str(v, at);
        else if (k == "storage_opt") s.storage_opt = options(v, at);
        else if (k == "sysctls") s.sysctls = mapping(v, at);
        else if (k == "tmpfs") s.tmpfs = string_list(v, at);
        else if (k == "tty") s.tty = boolean(v, at);
        else if (k == "ulimits") s.ulimits = ulimits(v, at);
        else if (k == "use_api_socket") s.use_api_socket = boolean(v, at);
        else if (k == "user") s.user = str(v, at);
        else if (k == "userns_mode") s.userns_mode = str(v, at);
        else if (k == "uts") s.uts = str(v, at);
        else if (k == "volume_driver") s.volume_driver = str(v, at);
        else if (k == "volumes") s.volumes = list_of<ServiceVolume>(v, at, volume);
        else if (k == "volumes_from") s.volumes_from = string_list(v, at);
        else if (k == "working_dir") s.working_dir = str(v, at);
        else if (k == "pre_start") s.pre_start = hooks(v, at);
        else if (k == "post_start") s.post_start = hooks(v, at);
        else if (k == "pre_stop") s.pre_stop = hooks(v, at);
    });
    return s;
}

Network network(const Node& n, const Path& p) {
    Network net;
    each(n, p, &net.extensions, [&](const std::string& k, const Node& v, const Path& at) {
        if (k == "name") net.name = str(v, at);
        else if (k == "driver") net.driver = str(v, at);
        else if (k == "driver_opts") net.driver_opts = options(v, at);
        else if (k == "ipam") {
            each(v, at, &net.ipam.extensions, [&](const std::string& ik, const Node& iv, const Path& iat) {
                if (ik == "driver") net.ipam.driver = str(iv, iat);
                else if (ik == "options") net.ipam.options = options(iv, iat);
                else if (ik == "config")
                    net.ipam.config = list_of<IpamPool>(iv, iat, [](const Node& x, const Path& xat) {
                        IpamPool pool;
                        each(x, xat, &pool.extensions, [&](const std::string& pk, const Node& pv, const Path& pat) {
                            if (pk == "subnet") pool.subnet = str(pv, pat);
                            else if (pk == "gateway") pool.gateway = str(pv, pat);
                            else if (pk == "ip_range") pool.ip_range = str(pv, pat);
                            else if (pk == "aux_addresses") pool.aux_addresses = mapping(pv, pat);
                        });
                        return pool;
                    });
            });
        } else if (k == "external") net.external = boolean(v, at);
        else if (k == "internal") net.internal = boolean(v, at);
        else if (k == "attachable") net.attachable = boolean(v, at);
        else if (k == "labels") net.labels = mapping(v, at);
        else if (k == "enable_ipv4") net.enable_ipv4 = boolean(v, at);
        else if (k == "enable_ipv6") net.enable_ipv6 = boolean(v, at);
    });
    return net;
}

Volume top_volume(const Node& n, const Path& p) {
    Volume vol;
    each(n, p, &vol.extensions, [&](const std::string& k, const Node& v, const Path& at) {
        if (k == "name") vol.name = str(v, at);
        else if (k == "driver") vol.driver = str(v, at);
        else if (k == "driver_opts") vol.driver_opts = options(v, at);
        else if (k == "external") vol.external = boolean(v, at);
        else if (k == "labels") vol.labels = mapping(v, at);
    });
    return vol;
}

FileObject file_object(const Node& n, const Path& p) {
    FileObject f;
    each(n, p, &f.extensions, [&](const std::string& k, const Node& v, const Path& at) {
        if (k == "name") f.name = str(v, at);
        else if (k == "file") f.file = str(v, at);
        else if (k == "environment") f.environment = str(v, at);
        else if (k == "content") f.content = str(v, at);
        else if (k == "external") f.external = boolean(v, at);
        else if (k == "labels") f.labels = mapping(v, at);
        else if (k == "driver") f.driver = str(v, at);
        else if (k == "driver_opts") f.driver_opts = options(v, at);
        else if (k == "template_driver") f.template_driver = str(v, at);
    });
    return f;
}

Model model_config(const Node& n, const Path& p) {
    Model m;
    each(n, p, &m.extensions, [&](const std::string& k, const Node& v, const Path& at) {
        if (k == "name") m.name = str(v, at);
        else if (k == "model") m.model = str(v, at);
        else if (k == "context_size") m.context_size = integer(v, at);
        else if (k == "runtime_flags") m.runtime_flags = string_list(v, at);
    });
    return m;
}

template <typename T, typename Fn>
std::map<std::string, T> named(const Node* n, const Path& p, Fn fn) {
    std::map<std::string, T> out;
    if (!n) return out;
    each(*n, p, nullptr, [&](const std::string& k, const Node& v, const Path& at) { out[k] = fn(v, at); });
    return out;
}

}  // namespace

Project decode_project(const Node& model) {
    Project project;
    if (const Node* services = model.find("services"))
        each(*services, Path{"services"}, nullptr, [&](const std::string& k, const Node& v, const Path& at) {
            project.services[k] = service(k, v, at);
        });
    project.networks = named<Network>(model.find("networks"), Path{"networks"}, network);
    project.volumes = named<Volume>(model.find("volumes"), Path{"volumes"}, top_volume);
    project.secrets = named<FileObject>(model.find("secrets"), Path{"secrets"}, file_object);
    project.configs = named<FileObject>(model.find("configs"), Path{"configs"}, file_object);
    project.models = named<Model>(model.find("models"), Path{"models"}, model_config);
    for (const auto& e : model.entries())
        if (is_extension(e.key)) project.extensions[e.key] = e.value;
    return project;
}

}  // namespace pc::compose
