#include "image/registries_conf.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>

#include "common/atomic_file.hpp"
#include "common/containers_conf.hpp"
#include "common/error.hpp"
#include "common/log.hpp"
#include "common/strings.hpp"
#include "common/toml_config.hpp"
#include "common/user_paths.hpp"

namespace pc::image {

namespace {

using toml_config::Reader;

// containers/image's parseLocation: trailing slashes dropped, no URI scheme.
std::string location_value(const Reader& r, const toml::node& at, const std::string& path, std::string v) {
    while (!v.empty() && v.back() == '/') v.pop_back();
    if (str::starts_with(v, "http://") || str::starts_with(v, "https://"))
        r.fail(at, path, "invalid location \"" + v + "\": URI schemes are not supported");
    return v;
}

// host[:port] of an unqualified-search registry.
bool valid_search_registry(const std::string& s) {
    if (s.empty() || s.find('/') != std::string::npos || s.find_first_of(" \t@") != std::string::npos) return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' || c == '[' || c == ']' || c == '_';
    });
}

std::vector<std::string> checked_search_list(const Reader& r, const toml::table& t, std::string_view key,
                                             const std::string& path) {
    std::vector<std::string> list = *r.strings(t, key, path);
    const toml::array& a = *t.get(key)->as_array();
    for (size_t i = 0; i < list.size(); ++i) {
        while (!list[i].empty() && list[i].back() == '/') list[i].pop_back();
        if (!valid_search_registry(list[i]))
            r.fail(*a.get(i), path, "invalid registry \"" + list[i] + "\" (expected HOST[:PORT])");
    }
    return list;
}

std::optional<ShortNameMode> mode_from_name(const std::string& s) {
    if (s == "enforcing") return ShortNameMode::Enforcing;
    if (s == "permissive") return ShortNameMode::Permissive;
    if (s == "disabled") return ShortNameMode::Disabled;
    return std::nullopt;
}

RegistryEndpoint read_endpoint(const Reader& r, const toml::table& t, const std::string& path) {
    RegistryEndpoint e;
    if (auto v = r.string(t, "location", path + ".location")) e.location = location_value(r, *t.get("location"), path + ".location", *v);
    e.insecure = r.boolean(t, "insecure", path + ".insecure").value_or(false);
    return e;
}

RegistryEntry read_registry(const Reader& r, const toml::table& t, const std::string& path) {
    RegistryEntry reg;
    reg.endpoint = read_endpoint(r, t, path);
    reg.blocked = r.boolean(t, "blocked", path + ".blocked").value_or(false);
    reg.mirror_by_digest_only = r.boolean(t, "mirror-by-digest-only", path + ".mirror-by-digest-only").value_or(false);
    if (auto p = r.string(t, "prefix", path + ".prefix")) reg.prefix = location_value(r, *t.get("prefix"), path + ".prefix", *p);
    if (reg.prefix.empty()) {
        if (reg.endpoint.location.empty()) r.fail(t, path, "neither location nor prefix is set");
        reg.prefix = reg.endpoint.location;
    } else if (!str::starts_with(reg.prefix, "*.") && reg.endpoint.location.empty()) {
        r.fail(t, path, "location is unset and prefix \"" + reg.prefix + "\" is not of the form *.example.com");
    }
    if (t.contains("pull-from-mirror"))
        r.fail(*t.get("pull-from-mirror"), path + ".pull-from-mirror", "only mirrors take pull-from-mirror");
    if (const toml::node* m = t.get("mirror")) {
        const toml::array* mirrors = m->as_array();
        if (!mirrors) r.fail(*m, path + ".mirror", "expected [[registry.mirror]] tables, got " + toml_config::type_name(*m));
        for (size_t i = 0; i < mirrors->size(); ++i) {
            const std::string mpath = path + ".mirror[" + std::to_string(i) + "]";
            const toml::table* mt = mirrors->get(i)->as_table();
            if (!mt) r.fail(*mirrors->get(i), mpath, "expected a table, got " + toml_config::type_name(*mirrors->get(i)));
            RegistryEndpoint e = read_endpoint(r, *mt, mpath);
            if (e.location.empty()) r.fail(*mt, mpath, "mirror location is unset");
            e.pull_from_mirror = r.string(*mt, "pull-from-mirror", mpath + ".pull-from-mirror").value_or("");
            if (!e.pull_from_mirror.empty() && e.pull_from_mirror != "all" && e.pull_from_mirror != "digest-only" &&
                e.pull_from_mirror != "tag-only")
                r.fail(*mt->get("pull-from-mirror"), mpath + ".pull-from-mirror",
                       "unsupported value \"" + e.pull_from_mirror + "\" (valid: all, digest-only, tag-only)");
            if (reg.mirror_by_digest_only && !e.pull_from_mirror.empty())
                r.fail(*mt, mpath, "pull-from-mirror cannot be combined with the registry's mirror-by-digest-only");
            reg.mirrors.push_back(std::move(e));
        }
    }
    return reg;
}

// The v1 format: [registries.search] registries = [...], likewise insecure and block.
void read_v1(const Reader& r, const toml::table& v1, RegistriesConf& conf, std::vector<RegistryEntry>& found) {
    auto list = [&](const char* kind) -> std::vector<std::string> {
        const std::string path = std::string("registries.") + kind;
        const toml::table* t = r.table(v1, kind, path);
        if (!t) return {};
        if (!t->contains("registries")) return {};
        if (std::string(kind) == "search") return checked_search_list(r, *t, "registries", path + ".registries");
        std::vector<std::string> out = *r.strings(*t, "registries", path + ".registries");
        for (auto& l : out) l = location_value(r, *t->get("registries"), path + ".registries", l);
        return out;
    };
    if (v1.contains("search")) conf.search = list("search");
    auto entry = [&](const std::string& location) -> RegistryEntry& {
        for (auto& e : found)
            if (e.prefix == location) return e;
        found.push_back(RegistryEntry{location, {location, false, ""}, false, false, {}});
        return found.back();
    };
    for (const auto& l : list("block")) entry(l).blocked = true;
    for (const auto& l : list("insecure")) entry(l).endpoint.insecure = true;
}

void read_conf_d(const std::string& dir, RegistriesConf& conf) {
    for (const auto& path : toml_config::drop_in_files(dir))
        if (auto text = try_read_file(path)) parse_registries_conf(*text, path, conf, true);
}

// containers/image's refMatchingPrefix: the prefix, then the end or one of ":/@"; a
// "*.example.com" prefix matches subdomains in the host part.
bool prefix_matches(const std::string& name, const std::string& prefix) {
    if (str::starts_with(prefix, "*.")) {
        const std::string domain = prefix.substr(1);  // ".example.com"
        size_t at = name.find(domain);
        if (at == std::string::npos || name.substr(0, at).find('/') != std::string::npos) return false;
        at += domain.size();
        return at == name.size() || name[at] == ':' || name[at] == '/' || name[at] == '@';
    }
    if (!str::starts_with(name, prefix)) return false;
    if (name.size() == prefix.size()) return true;
    char c = name[prefix.size()];
    return c == ':' || c == '/' || c == '@';
}

}  // namespace

const char* to_string(ShortNameMode mode) {
    switch (mode) {
        case ShortNameMode::Enforcing: return "enforcing";
        case ShortNameMode::Permissive: return "permissive";
        case ShortNameMode::Disabled: return "disabled";
    }
    return "permissive";
}

void parse_registries_conf(const std::string& text, const std::string& path, RegistriesConf& conf, bool drop_in) {
    const toml::table t = toml_config::parse(text, path);
    const Reader r(path);
    std::vector<RegistryEntry> found;

    const toml::table* v1 = r.table(t, "registries", "registries");
    if (v1) {
        if (drop_in) r.fail(*t.get("registries"), "registries", "the v1 format ([registries.search] ...) is not allowed in a drop-in file; use unqualified-search-registries and [[registry]]");
        for (const char* v2_key : {"registry", "unqualified-search-registries", "aliases", "short-name-mode"})
            if (t.contains(v2_key))
                r.fail(*t.get(v2_key), v2_key, "mixing the v1 format ([registries.search] ...) and the v2 format in one file is not supported");
        read_v1(r, *v1, conf, found);
    }
    if (t.contains("unqualified-search-registries"))
        conf.search = checked_search_list(r, t, "unqualified-search-registries", "unqualified-search-registries");
    if (auto m = r.string(t, "short-name-mode", "short-name-mode")) {
        auto mode = mode_from_name(*m);
        if (!mode) r.fail(*t.get("short-name-mode"), "short-name-mode", "invalid short-name mode \"" + *m + "\" (valid: enforcing, permissive, disabled)");
        conf.short_name_mode = mode;
    }
    if (const toml::table* aliases = r.table(t, "aliases", "aliases")) {
        for (const auto& [key, node] : *aliases) {
            const std::string name(key.str());
            const std::string apath = "aliases.\"" + name + "\"";
            if (!node.is_string()) r.fail(node, apath, "expected a string, got " + toml_config::type_name(node));
            std::string value = node.as_string()->get();
            if (name.empty() || has_registry(name) || name.find_first_of(":@") != std::string::npos)
                r.fail(node, apath, "an alias must be a short name (no registry, tag or digest)");
            if (value.empty()) {
                conf.aliases.erase(name);  // an empty value removes an alias set by an earlier file
                continue;
            }
            if (!has_registry(value) || value.find('@') != std::string::npos)
                r.fail(node, apath, "alias value \"" + value + "\" must be a fully qualified name without a digest");
            conf.aliases[name] = value;
        }
    }
    if (const toml::node* regs = t.get("registry")) {
        const toml::array* a = regs->as_array();
        if (!a) r.fail(*regs, "registry", "expected [[registry]] tables, got " + toml_config::type_name(*regs));
        for (size_t i = 0; i < a->size(); ++i) {
            const std::string rpath = "registry[" + std::to_string(i) + "]";
            const toml::table* rt = a->get(i)->as_table();
            if (!rt) r.fail(*a->get(i), rpath, "expected a table, got " + toml_config::type_name(*a->get(i)));
            RegistryEntry e = read_registry(r, *rt, rpath);
            // Within a file the first entry of a prefix wins (containers/image).
            if (std::none_of(found.begin(), found.end(), [&](const RegistryEntry& f) { return f.prefix == e.prefix; }))
                found.push_back(std::move(e));
        }
    }
    for (const auto& [key, node] : t) {
        const std::string k(key.str());
        if (k != "registries" && k != "registry" && k != "unqualified-search-registries" && k != "short-name-mode" &&
            k != "aliases")
            log::debug("registries.conf " + toml_config::where(node, path) + ": key \"" + k + "\" not used by pc");
    }
    // A later file's entry replaces an earlier file's entry of the same prefix.
    for (auto& e : found) {
        auto it = std::find_if(conf.registries.begin(), conf.registries.end(),
                               [&](const RegistryEntry& c) { return c.prefix == e.prefix; });
        if (it != conf.registries.end()) *it = std::move(e);
        else conf.registries.push_back(std::move(e));
    }
    std::sort(conf.registries.begin(), conf.registries.end(),
              [](const RegistryEntry& a, const RegistryEntry& b) { return a.prefix < b.prefix; });
    conf.files.push_back(path);
}

RegistriesConf load_registries_conf() {
    RegistriesConf conf;
    const std::string user_dir = containers_config_dir();
    std::string main;
    bool explicit_path = false;
    for (const char* var : {"CONTAINERS_REGISTRIES_CONF", "REGISTRIES_CONFIG_PATH"}) {
        const char* p = ::getenv(var);
        if (p && *p) {
            main = p;
            explicit_path = true;
            break;
        }
    }
    bool user_file = false;
    if (main.empty()) {
        user_file = ::access((user_dir + "/registries.conf").c_str(), F_OK) == 0;
        main = user_file ? user_dir + "/registries.conf" : "/etc/containers/registries.conf";
    }
    if (auto text = try_read_file(main)) parse_registries_conf(*text, main, conf);
    else if (explicit_path) throw Error("registries configuration " + main + ": no such file");
    // With the user's own registries.conf, the system's drop-ins do not apply (containers/image).
    if (!user_file) read_conf_d("/etc/containers/registries.conf.d", conf);
    read_conf_d(user_dir + "/registries.conf.d", conf);
    return conf;
}

const RegistryEntry* RegistriesConf::find(const std::string& name) const {
    const RegistryEntry* best = nullptr;
    for (const auto& e : registries)
        if (prefix_matches(name, e.prefix) && (!best || e.prefix.size() > best->prefix.size())) best = &e;
    return best;
}

bool RegistriesConf::insecure(const std::string& registry) const {
    const RegistryEntry* e = find(registry);
    return e && e->endpoint.insecure;
}

std::vector<std::string> resolve_short_name(const std::string& name, const RegistriesConf& conf) {
    std::string repo = name, suffix;
    if (auto at = repo.find('@'); at != std::string::npos) suffix = repo.substr(at), repo = repo.substr(0, at);
    else if (auto colon = repo.rfind(':'); colon != std::string::npos) suffix = repo.substr(colon), repo = repo.substr(0, colon);
    if (auto it = conf.aliases.find(repo); it != conf.aliases.end()) return {it->second + suffix};
    if (conf.search.empty()) {
        std::string where = conf.files.empty() ? "/etc/containers/registries.conf" : str::join(conf.files, ", ");
        throw Error("short-name \"" + name +
                    "\" did not resolve to an alias and no unqualified-search registries are defined in \"" + where +
                    "\"; use a fully qualified name (e.g. docker.io/library/" + repo + ")");
    }
    std::vector<std::string> out;
    for (const auto& r : conf.search) {
        std::string path = repo;
        if (r == "docker.io" && path.find('/') == std::string::npos) path = "library/" + path;
        out.push_back(r + "/" + path + suffix);
    }
    return out;
}

std::vector<PullSource> pull_sources(const Reference& ref, const RegistriesConf& conf) {
    const std::string name = ref.name();
    const RegistryEntry* e = conf.find(name);
    if (!e) return {PullSource{ref, false, false}};
    if (e->blocked)
        throw Error("registry " + ref.registry + " is blocked in " +
                    (conf.files.empty() ? std::string("registries.conf") : str::join(conf.files, " or ")));
    const std::string suffix = ref.digest.empty() ? ":" + ref.tag : "@" + ref.digest;
    auto rewritten = [&](const std::string& location) {
        // A wildcard prefix has no location: its settings apply to the name as it is.
        if (location.empty() || str::starts_with(e->prefix, "*.")) return ref;
        const std::string text = location + name.substr(e->prefix.size()) + suffix;
        try {
            return parse_qualified(text);
        } catch (const Error& err) {
            throw Error("registries.conf: [[registry]] prefix \"" + e->prefix + "\" rewrites " + ref.str() + " to \"" +
                        text + "\": " + err.what());
        }
    };
    std::vector<PullSource> out;
    const bool by_digest = !ref.digest.empty();
    for (const auto& m : e->mirrors) {
        bool use = m.pull_from_mirror == "digest-only" ? by_digest
                   : m.pull_from_mirror == "tag-only"  ? !by_digest
                                                       : (!e->mirror_by_digest_only || by_digest);
        if (use) out.push_back({rewritten(m.location), m.insecure, true});
    }
    out.push_back({rewritten(e->endpoint.location), e->endpoint.insecure, false});
    return out;
}

}  // namespace pc::image
