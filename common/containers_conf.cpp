#include "common/containers_conf.hpp"

#include <unistd.h>

#include <algorithm>
#include <memory>

#include "common/atomic_file.hpp"
#include "common/error.hpp"
#include "common/log.hpp"
#include "common/strings.hpp"
#include "common/toml_config.hpp"
#include "common/user_paths.hpp"

namespace pc {

namespace {

using toml_config::Reader;

// A string array, possibly ending in {append=true|false}: appends to `list` or replaces it.
void read_list(const Reader& r, const toml::table& t, std::string_view key, const std::string& path,
               std::vector<std::string>& list, std::map<std::string, bool>& append, ContainersConf& conf) {
    const toml::node* n = t.get(key);
    if (!n) return;
    const toml::array* a = n->as_array();
    if (!a) r.fail(*n, path, "expected an array of strings, got " + toml_config::type_name(*n));
    std::vector<std::string> values;
    for (size_t i = 0; i < a->size(); ++i) {
        const toml::node& e = *a->get(i);
        if (e.is_string()) {
            values.push_back(e.as_string()->get());
            continue;
        }
        const toml::table* attr = e.as_table();
        if (!attr || i + 1 != a->size())
            r.fail(e, path + "[" + std::to_string(i) + "]", "expected a string, got " + toml_config::type_name(e));
        for (const auto& [k, v] : *attr) {
            if (k.str() != "append" || !v.is_boolean())
                r.fail(v, path, "the attribute table of an array takes only append = true|false");
            append[path] = v.as_boolean()->get();
        }
    }
    if (append[path]) list.insert(list.end(), values.begin(), values.end());
    else list = std::move(values);
    conf.origin[path] = toml_config::where(*n, r.origin());
}

template <typename T>
void set(std::optional<T> v, T& field, const std::string& path, const toml::table& t, std::string_view key,
         const Reader& r, ContainersConf& conf) {
    if (!v) return;
    field = std::move(*v);
    conf.origin[path] = toml_config::where(*t.get(key), r.origin());
}

void warn_unknown(const toml::table& t, const std::string& table, const std::vector<std::string_view>& used,
                  const Reader& r) {
    for (const auto& [k, v] : t)
        if (std::find(used.begin(), used.end(), k.str()) == used.end())
            log::debug("containers.conf " + toml_config::where(v, r.origin()) + ": " + table + "." +
                       std::string(k.str()) + " is not used by pc");
}

void read_containers(const Reader& r, const toml::table& t, ContainersConf& c, std::map<std::string, bool>& append) {
    const std::string p = "containers.";
    if (t.contains("default_capabilities")) {
        std::vector<std::string> caps = c.default_capabilities.value_or(std::vector<std::string>{});
        read_list(r, t, "default_capabilities", p + "default_capabilities", caps, append, c);
        c.default_capabilities = caps;
    }
    read_list(r, t, "env", p + "env", c.env, append, c);
    read_list(r, t, "dns_servers", p + "dns_servers", c.dns_servers, append, c);
    read_list(r, t, "dns_searches", p + "dns_searches", c.dns_searches, append, c);
    read_list(r, t, "dns_options", p + "dns_options", c.dns_options, append, c);
    read_list(r, t, "default_ulimits", p + "default_ulimits", c.default_ulimits, append, c);
    set(r.boolean(t, "env_host", p + "env_host"), c.env_host, p + "env_host", t, "env_host", r, c);
    set(r.boolean(t, "http_proxy", p + "http_proxy"), c.http_proxy, p + "http_proxy", t, "http_proxy", r, c);
    set(r.boolean(t, "init", p + "init"), c.init, p + "init", t, "init", r, c);
    set(r.boolean(t, "no_hosts", p + "no_hosts"), c.no_hosts, p + "no_hosts", t, "no_hosts", r, c);
    set(r.string(t, "tz", p + "tz"), c.tz, p + "tz", t, "tz", r, c);
    set(r.string(t, "netns", p + "netns"), c.netns, p + "netns", t, "netns", r, c);
    if (auto u = r.string(t, "umask", p + "umask")) {
        if (!parse_umask(*u)) r.fail(*t.get("umask"), p + "umask", "invalid umask \"" + *u + "\" (an octal mode such as 0022)");
        set(u, c.umask, p + "umask", t, "umask", r, c);
    }
    if (auto v = r.integer(t, "log_size_max", p + "log_size_max")) {
        if (*v >= 0 && *v < 8192)
            r.fail(*t.get("log_size_max"), p + "log_size_max", "must be negative (no limit) or at least 8192 bytes");
        set(v, c.log_size_max, p + "log_size_max", t, "log_size_max", r, c);
    }
    if (auto v = r.integer(t, "pids_limit", p + "pids_limit")) {
        if (*v < 0) r.fail(*t.get("pids_limit"), p + "pids_limit", "must not be negative (0: no limit)");
        set(v, c.pids_limit, p + "pids_limit", t, "pids_limit", r, c);
    }
    warn_unknown(t, "containers",
                 {"default_capabilities", "env", "dns_servers", "dns_searches", "dns_options", "default_ulimits",
                  "env_host", "http_proxy", "init", "no_hosts", "tz", "netns", "umask", "log_size_max", "pids_limit"},
                 r);
}

void read_engine(const Reader& r, const toml::table& t, ContainersConf& c, std::map<std::string, bool>& append) {
    read_list(r, t, "network_cmd_options", "engine.network_cmd_options", c.network_cmd_options, append, c);
    if (auto v = r.integer(t, "stop_timeout", "engine.stop_timeout")) {
        if (*v < 0 || *v > UINT32_MAX) r.fail(*t.get("stop_timeout"), "engine.stop_timeout", "must be a number of seconds");
        c.stop_timeout = static_cast<unsigned>(*v);
        c.origin["engine.stop_timeout"] = toml_config::where(*t.get("stop_timeout"), r.origin());
    }
    warn_unknown(t, "engine", {"network_cmd_options", "stop_timeout"}, r);
}

void read_pc(const Reader& r, const toml::table& t, ContainersConf& c) {
    set(r.boolean(t, "userns_holder", "pc.userns_holder"), c.userns_holder, "pc.userns_holder", t, "userns_holder", r, c);
    for (const auto& [k, v] : t)
        if (k.str() != "userns_holder")
            r.fail(v, "pc." + std::string(k.str()), "unknown pc setting (valid: userns_holder)");
}

void read_file(const std::string& path, ContainersConf& conf, std::map<std::string, bool>& append) {
    if (auto text = try_read_file(path)) parse_containers_conf(*text, path, conf, append);
}

void read_dir(const std::string& dir, ContainersConf& conf, std::map<std::string, bool>& append) {
    for (const auto& path : toml_config::drop_in_files(dir)) read_file(path, conf, append);
}

}  // namespace

std::string containers_config_dir() {
    const char* xdg = ::getenv("XDG_CONFIG_HOME");
    return (xdg && *xdg ? std::string(xdg) : caller().home + "/.config") + "/containers";
}

std::optional<unsigned> parse_umask(const std::string& text) {
    if (text.empty() || text.size() > 4) return std::nullopt;
    unsigned v = 0;
    for (char c : text) {
        if (c < '0' || c > '7') return std::nullopt;
        v = v * 8 + static_cast<unsigned>(c - '0');
    }
    if (v > 0777) return std::nullopt;
    return v;
}

std::string ContainersConf::where(const std::string& key) const {
    auto it = origin.find(key);
    return it != origin.end() ? it->second : "containers.conf";
}

void parse_containers_conf(const std::string& text, const std::string& path, ContainersConf& conf,
                           std::map<std::string, bool>& append) {
    const toml::table t = toml_config::parse(text, path);
    const Reader r(path);
    if (const toml::table* c = r.table(t, "containers", "containers")) read_containers(r, *c, conf, append);
    if (const toml::table* e = r.table(t, "engine", "engine")) read_engine(r, *e, conf, append);
    if (const toml::table* p = r.table(t, "pc", "pc")) read_pc(r, *p, conf);
    conf.files.push_back(path);
}

ContainersConf load_containers_conf() {
    ContainersConf conf;
    std::map<std::string, bool> append;
    if (const char* only = ::getenv("CONTAINERS_CONF"); only && *only) {
        if (!try_read_file(only)) throw Error(std::string("CONTAINERS_CONF=") + only + ": no such file");
        read_file(only, conf, append);
    } else {
        const bool rootless = caller().uid != 0;
        const std::string uid = std::to_string(caller().uid);
        for (const std::string base : {"/usr/share/containers", "/etc/containers"}) {
            read_file(base + "/containers.conf", conf, append);
            read_dir(base + "/containers.conf.d", conf, append);
            if (rootless) {
                read_dir(base + "/containers.rootless.conf.d", conf, append);
                read_dir(base + "/containers.rootless.conf.d/" + uid, conf, append);
            } else {
                read_dir(base + "/containers.rootful.conf.d", conf, append);
            }
        }
        const std::string user = containers_config_dir();
        read_file(user + "/containers.conf", conf, append);
        read_dir(user + "/containers.conf.d", conf, append);
    }
    if (const char* over = ::getenv("CONTAINERS_CONF_OVERRIDE"); over && *over) read_file(over, conf, append);
    return conf;
}

const ContainersConf& containers_conf() {
    static const std::unique_ptr<const ContainersConf> conf = [] {
        auto c = std::make_unique<const ContainersConf>(load_containers_conf());
        log::timing("containers.conf read (" + std::to_string(c->files.size()) + " files)");
        return c;
    }();
    return *conf;
}

}  // namespace pc
