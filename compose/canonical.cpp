#include "compose/canonical.hpp"

#include <limits.h>
#include <sys/stat.h>

#include <cstdlib>
#include <functional>
#include <vector>

#include "common/log.hpp"
#include "common/strings.hpp"
#include "compose/errors.hpp"
#include "compose/short_syntax.hpp"
#include "compose/interpolation.hpp"

namespace pc::compose {

namespace {

using Transform = void (*)(Node&, const Path&, bool);

void transform(Node& n, const Path& p, bool keep);

void transform_children(Node& n, const Path& p, bool keep) {
    if (n.is_map()) {
        for (auto& e : n.entries()) transform(e.value, p.next(e.key), keep);
    } else if (n.is_seq()) {
        for (size_t i = 0; i < n.items().size(); ++i) transform(n.items()[i], p.item(i), keep);
    }
}

[[noreturn]] void invalid_type(const Node& n, const Path& p, const std::string& what) {
    fail_at(n.mark(), p.str() + ": invalid type " + kind_name(n.kind()) + " for " + what);
}

void t_service(Node& n, const Path& p, bool keep) {
    if (n.is_map()) transform_children(n, p, keep);
}

void t_file_mount(Node& n, const Path& p, bool /*keep*/) {
    if (n.is_map()) return;
    if (!n.is_string()) fail_at(n.mark(), p.str() + ": unsupported type " + kind_name(n.kind()));
    Node m = Node::mapping(n.mark());
    m.set("source", n);
    n = std::move(m);
}

void t_string_or_x(Node& n, const Path& /*p*/, bool /*keep*/) {
    if (!n.is_string()) n = Node::string(n.scalar_text(), n.mark());
}

void t_key_value(Node& n, const Path& p, bool keep) {
    if (n.is_map()) return;
    if (!n.is_seq()) fail_at(n.mark(), p.str() + ": invalid type " + kind_name(n.kind()));
    Node m = Node::mapping(n.mark());
    for (const auto& item : n.items()) {
        std::string s = item.scalar_text();
        size_t eq = s.find('=');
        if (eq == std::string::npos) {
            if (keep) return;
            fail_at(item.mark(), p.str() + ": invalid value " + s + ", expected key=value");
        }
        m.set(s.substr(0, eq), Node::string(s.substr(eq + 1), item.mark()), item.mark());
    }
    n = std::move(m);
}

Node dependency(const Mark& mark) {
    Node d = Node::mapping(mark);
    d.set("condition", Node::string("service_started", mark));
    d.set("required", Node::boolean(true, mark));
    return d;
}

void t_depends_on(Node& n, const Path& p, bool /*keep*/) {
    if (n.is_map()) {
        for (auto& e : n.entries()) {
            if (!e.value.is_map()) fail_at(e.value.mark(), p.next(e.key).str() + ": unsupported value " + e.value.scalar_text());
            if (!e.value.has("condition")) e.value.set("condition", Node::string("service_started", e.value.mark()));
            if (!e.value.has("required")) e.value.set("required", Node::boolean(true, e.value.mark()));
        }
        return;
    }
    if (!n.is_seq()) invalid_type(n, p, "depends_on");
    Node m = Node::mapping(n.mark());
    for (const auto& item : n.items()) {
        if (!item.is_string()) fail_at(item.mark(), p.str() + ": invalid type " + kind_name(item.kind()));
        m.set(item.as_string(), dependency(item.mark()), item.mark());
    }
    n = std::move(m);
}

Node env_file_entry(const Node& v) {
    if (v.is_string()) {
        Node m = Node::mapping(v.mark());
        m.set("path", v);
        m.set("required", Node::boolean(true, v.mark()));
        return m;
    }
    if (v.is_map()) {
        Node m = v;
        if (!m.has("required")) m.set("required", Node::boolean(true, v.mark()));
        return m;
    }
    return Node::null(v.mark());
}

void t_env_file(Node& n, const Path& p, bool /*keep*/) {
    if (n.is_string()) {
        Node seq = Node::sequence(n.mark());
        seq.push_back(env_file_entry(n));
        n = std::move(seq);
        return;
    }
    if (!n.is_seq()) invalid_type(n, p, "env_file");
    for (auto& item : n.items()) item = env_file_entry(item);
}

void t_string_or_list(Node& n, const Path& /*p*/, bool /*keep*/) {
    if (n.is_string()) {
        Node seq = Node::sequence(n.mark());
        seq.push_back(n);
        n = std::move(seq);
    }
}

void t_extends(Node& n, const Path& p, bool keep) {
    if (n.is_map()) {
        transform_children(n, p, keep);
        return;
    }
    if (!n.is_string()) invalid_type(n, p, "extends");
    Node m = Node::mapping(n.mark());
    m.set("service", n);
    n = std::move(m);
}

void t_gpus(Node& n, const Path& p, bool keep) {
    if (n.is_seq()) {
        transform_children(n, p, keep);
        return;
    }
    if (!n.is_string()) invalid_type(n, p, "gpus");
    Node seq = Node::sequence(n.mark());
    Node all = Node::mapping(n.mark());
    all.set("count", Node::string("all", n.mark()));
    seq.push_back(std::move(all));
    n = std::move(seq);
}

void t_string_slice_to_map(Node& n, const Path& /*p*/, bool /*keep*/) {
    if (!n.is_seq()) return;
    Node m = Node::mapping(n.mark());
    for (const auto& item : n.items()) {
        if (!item.is_string()) fail_at(item.mark(), "expected a name, got a " + std::string(kind_name(item.kind())));
        m.set(item.as_string(), Node::null(item.mark()), item.mark());
    }
    n = std::move(m);
}

void t_volume_mount(Node& n, const Path& p, bool keep) {
    if (n.is_map()) return;
    if (!n.is_string()) invalid_type(n, p, "service volume mount");
    try {
        Node v = parse_volume_spec(n.as_string(), n.mark());
        if (Node* t = v.find("target")) t->as_string() = clean_path(t->as_string());
        n = std::move(v);
    } catch (const std::exception& e) {
        if (keep) return;
        fail_at(n.mark(), p.str() + ": " + e.what());
    }
}

void t_device(Node& n, const Path& p, bool keep) {
    if (n.is_map()) return;
    if (!n.is_string()) invalid_type(n, p, "device mapping");
    try {
        n = parse_device_spec(n.as_string(), n.mark());
    } catch (const std::exception& e) {
        if (keep) return;
        fail_at(n.mark(), p.str() + ": " + e.what());
    }
}

void t_ports(Node& n, const Path& p, bool keep) {
    if (!n.is_seq()) invalid_type(n, p, "port");
    Node out = Node::sequence(n.mark());
    for (size_t i = 0; i < n.items().size(); ++i) {
        Node& entry = n.items()[i];
        if (entry.is_int() || entry.is_string()) {
            std::string spec = entry.is_int() ? std::to_string(entry.as_int()) : entry.as_string();
            try {
                for (auto& port : parse_port_spec(spec, entry.mark())) out.push_back(std::move(port));
            } catch (const std::exception& e) {
                if (keep && entry.is_string()) return;  // uninterpolated: leave all as written
                fail_at(entry.mark(), p.item(i).str() + ": " + e.what());
            }
        } else if (entry.is_map()) {
            out.push_back(std::move(entry));
        } else {
            fail_at(entry.mark(), p.item(i).str() + ": invalid type " + kind_name(entry.kind()) + " for port");
        }
    }
    n = std::move(out);
}

void t_build(Node& n, const Path& p, bool keep) {
    if (n.is_map()) {
        transform_children(n, p, keep);
        return;
    }
    if (!n.is_string()) invalid_type(n, p, "build");
    Node m = Node::mapping(n.mark());
    m.set("context", n);
    n = std::move(m);
}

void t_ssh(Node& n, const Path& p, bool /*keep*/) {
    if (n.is_map()) return;
    if (!n.is_seq()) invalid_type(n, p, "ssh");
    Node m = Node::mapping(n.mark());
    for (const auto& item : n.items()) {
        if (!item.is_string()) fail_at(item.mark(), "invalid ssh key type " + std::string(kind_name(item.kind())));
        const std::string& s = item.as_string();
        size_t eq = s.find('=');
        if (eq == std::string::npos) {
            if (s != "default") fail_at(item.mark(), "invalid ssh key \"" + s + "\"");
            m.set(s, Node::null(item.mark()), item.mark());
            continue;
        }
        m.set(s.substr(0, eq), Node::string(s.substr(eq + 1), item.mark()), item.mark());
    }
    n = std::move(m);
}

void t_ulimits(Node& n, const Path& p, bool /*keep*/) {
    if (n.is_map() || n.is_int()) return;
    invalid_type(n, p, "ulimits");
}

void t_maybe_external(Node& n, const Path& p, bool keep) {
    if (n.is_null()) return;
    if (!n.is_map()) return;  // the schema reports it
    transform_children(n, p, keep);
    Node* ext = n.find("external");
    if (!ext || !ext->is_map()) return;
    Node legacy = *ext;
    *ext = Node::boolean(true, ext->mark());
    if (const Node* extname = legacy.find("name")) {
        log::warn(p.str() + ": external.name is deprecated. Please set name and external: true");
        const Node* name = n.find("name");
        if (name && *name != *extname) fail_at(extname->mark(), p.str() + ": name and external.name conflict; only use name");
        if (!name) n.set("name", *extname);
    }
}

void t_include(Node& n, const Path& p, bool /*keep*/) {
    if (n.is_map()) return;
    if (!n.is_string()) invalid_type(n, p, "include");
    Node m = Node::mapping(n.mark());
    m.set("path", n);
    n = std::move(m);
}

struct Rule {
    PathPattern pattern;
    Transform fn;
};

const Rule kTransforms[] = {
    {"services.*", t_service},
    {"services.*.build.secrets.*", t_file_mount},
    {"services.*.build.provenance", t_string_or_x},
    {"services.*.build.sbom", t_string_or_x},
    {"services.*.build.additional_contexts", t_key_value},
    {"services.*.depends_on", t_depends_on},
    {"services.*.env_file", t_env_file},
    {"services.*.label_file", t_string_or_list},
    {"services.*.extends", t_extends},
    {"services.*.gpus", t_gpus},
    {"services.*.networks", t_string_slice_to_map},
    {"services.*.models", t_string_slice_to_map},
    {"services.*.volumes.*", t_volume_mount},
    {"services.*.dns", t_string_or_list},
    {"services.*.devices.*", t_device},
    {"services.*.secrets.*", t_file_mount},
    {"services.*.configs.*", t_file_mount},
    {"services.*.ports", t_ports},
    {"services.*.build", t_build},
    {"services.*.build.ssh", t_ssh},
    {"services.*.ulimits.*", t_ulimits},
    {"services.*.build.ulimits.*", t_ulimits},
    {"services.*.develop.watch.*.ignore", t_string_or_list},
    {"services.*.develop.watch.*.include", t_string_or_list},
    {"volumes.*", t_maybe_external},
    {"networks.*", t_maybe_external},
    {"secrets.*", t_maybe_external},
    {"configs.*", t_maybe_external},
    {"include.*", t_include},
};

void transform(Node& n, const Path& p, bool keep) {
    for (const auto& r : kTransforms)
        if (p.matches(r.pattern)) {
            r.fn(n, p, keep);
            return;
        }
    transform_children(n, p, keep);
}

// ---- defaults ----------------------------------------------------------------------

using Default = void (*)(Node&, const Path&);

void d_build(Node& n, const Path& /*p*/) {
    if (n.is_map() && !n.has("context")) n.set("context", Node::string(".", n.mark()));
}

void d_secret(Node& n, const Path& p) {
    if (!n.is_map()) fail_at(n.mark(), p.str() + ": unsupported type " + kind_name(n.kind()));
    if (!n.has("target")) {
        const Node* src = n.find("source");
        n.set("target", Node::string("/run/secrets/" + (src ? src->scalar_text() : std::string("<nil>")), n.mark()));
    }
}

void d_port(Node& n, const Path& /*p*/) {
    if (!n.is_map()) return;
    if (!n.has("protocol")) n.set("protocol", Node::string("tcp", n.mark()));
    if (!n.has("mode")) n.set("mode", Node::string("ingress", n.mark()));
}

void d_device_request(Node& n, const Path& p) {
    if (!n.is_map()) fail_at(n.mark(), p.str() + ": invalid type " + kind_name(n.kind()) + " for device request");
    if (!n.has("count") && !n.has("device_ids")) n.set("count", Node::string("all", n.mark()));
}

void d_bind(Node& n, const Path& p) {
    if (!n.is_map()) fail_at(n.mark(), p.str() + ": invalid type " + kind_name(n.kind()) + " for service volume bind");
    if (!n.has("create_host_path")) n.set("create_host_path", Node::boolean(true, n.mark()));
}

struct DefaultRule {
    PathPattern pattern;
    Default fn;
};

const DefaultRule kDefaults[] = {
    {"services.*.build", d_build},
    {"services.*.secrets.*", d_secret},
    {"services.*.ports.*", d_port},
    {"services.*.deploy.resources.reservations.devices.*", d_device_request},
    {"services.*.gpus.*", d_device_request},
    {"services.*.volumes.*.bind", d_bind},
};

void set_defaults(Node& n, const Path& p) {
    for (const auto& r : kDefaults)
        if (p.matches(r.pattern)) {
            r.fn(n, p);
            return;
        }
    if (n.is_map()) {
        for (auto& e : n.entries()) set_defaults(e.value, p.next(e.key));
    } else if (n.is_seq()) {
        for (size_t i = 0; i < n.items().size(); ++i) set_defaults(n.items()[i], p.item(i));
    }
}

// ---- semantic checks ---------------------------------------------------------------

void check_file_object(const Node& n, const Path& p, const std::vector<std::string>& keys) {
    std::string joined;
    for (const auto& k : keys) joined += (joined.empty() ? "" : "|") + k;
    int count = 0;
    if (n.is_map())
        for (const auto& k : keys)
            if (n.has(k)) ++count;
    if (count > 1) fail_at(n.mark(), p.str() + ": " + joined + " attributes are mutually exclusive");
    if (count == 0) {
        if (n.is_map() && (n.has("driver") || n.has("external"))) return;
        fail_at(n.mark(), p.str() + ": one of " + joined + " must be set");
    }
}

// The patterns check_node and PathResolver test, split once (X: any one segment).
const PathPattern kServicesXVolumesX = "services.*.volumes.*";
const PathPattern kVolumesX = "volumes.*";
const PathPattern kSecretsX = "secrets.*";
const PathPattern kConfigsX = "configs.*";
const PathPattern kServicesXPortsX = "services.*.ports.*";
const PathPattern kServicesXDeployResourcesReservationsDevicesX = "services.*.deploy.resources.reservations.devices.*";
const PathPattern kServicesXGpusX = "services.*.gpus.*";
const PathPattern kServicesXDevelopWatchXPath = "services.*.develop.watch.*.path";
const PathPattern kServicesXBuildContext = "services.*.build.context";
const PathPattern kServicesXBuildAdditionalContextsX = "services.*.build.additional_contexts.*";
const PathPattern kServicesXBuildSshX = "services.*.build.ssh.*";
const PathPattern kConfigsXFile = "configs.*.file";
const PathPattern kSecretsXFile = "secrets.*.file";
const PathPattern kServicesXEnvFileXPath = "services.*.env_file.*.path";
const PathPattern kServicesXLabelFileX = "services.*.label_file.*";
const PathPattern kIncludePath = "include.path";
const PathPattern kIncludeProjectDirectory = "include.project_directory";
const PathPattern kIncludeEnvFile = "include.env_file";
const PathPattern kServicesXExtendsFile = "services.*.extends.file";

void check_node(const Node& n, const Path& p) {
    if (p.matches(kVolumesX)) {
        if (n.is_null()) return;
        if (!n.is_map()) fail_at(n.mark(), "expected volume, got " + n.scalar_text());
        const Node* ext = n.find("external");
        if (ext && ext->is_bool() && ext->as_bool())
            for (const auto& e : n.entries())
                if (e.key != "name" && e.key != "external" && e.key.rfind("x-", 0) != 0)
                    fail_at(e.key_mark, p.str() + ": conflicting parameters \"external\" and \"" + e.key + "\" specified");
        return;
    }
    if (p.matches(kConfigsX)) return check_file_object(n, p, {"file", "environment", "content"});
    if (p.matches(kSecretsX)) return check_file_object(n, p, {"file", "environment"});
    if (p.matches(kServicesXPortsX)) {
        if (n.is_map())
            if (const Node* ip = n.find("host_ip"); ip && !is_ip_address(ip->scalar_text()))
                fail_at(ip->mark(), p.str() + ": invalid ip address: " + ip->scalar_text());
        return;
    }
    if (p.matches(kServicesXDevelopWatchXPath)) {
        if (n.scalar_text().empty()) fail_at(n.mark(), p.str() + ": value can't be blank");
        return;
    }
    if (p.matches(kServicesXDeployResourcesReservationsDevicesX) || p.matches(kServicesXGpusX)) {
        if (n.is_map() && n.has("count") && n.has("device_ids"))
            fail_at(n.mark(), p.str() + ": \"count\" and \"device_ids\" attributes are exclusive");
        return;
    }
    if (n.is_map()) {
        for (const auto& e : n.entries()) check_node(e.value, p.next(e.key));
    } else if (n.is_seq()) {
        for (size_t i = 0; i < n.items().size(); ++i) check_node(n.items()[i], p.item(i));
    }
}

// ---- paths -------------------------------------------------------------------------

std::string join_path(const std::string& base, const std::string& rel) {
    if (base.empty()) return clean_path(rel);
    return clean_path(base + "/" + rel);
}

std::string expand_user(const std::string& p, const std::string& home) {
    if (p.empty() || p[0] != '~') return p;
    if (home.empty()) {
        log::warn_once("compose-home", "cannot expand '~', because the environment lacks HOME");
        return p;
    }
    return join_path(home, p.substr(1));
}

bool windows_abs(const std::string& p) {
    if (p.size() >= 2 && (p[0] == '\\' || p[0] == '/') && (p[1] == '\\' || p[1] == '/')) return true;
    return p.size() >= 3 && ((p[0] >= 'a' && p[0] <= 'z') || (p[0] >= 'A' && p[0] <= 'Z')) && p[1] == ':' &&
           (p[2] == '\\' || p[2] == '/');
}

struct PathResolver {
    std::string wd;
    std::string home;

    std::string abs_path(const std::string& v) const {
        std::string p = expand_user(v, home);
        if (p.empty() || p[0] == '/') return p;
        return join_path(wd, p);
    }

    std::string maybe_unix_path(const std::string& v) const {
        std::string p = expand_user(v, home);
        if (p.empty() || p[0] == '/' || windows_abs(p)) return p;
        return join_path(wd, p);
    }

    static bool remote_context(const std::string& v) {
        if (v.find("://") != std::string::npos || v.rfind("service:", 0) == 0) return true;
        for (const char* prefix : {"https://", "http://", "git://", "ssh://", "github.com/", "git@"})
            if (v.rfind(prefix, 0) == 0) return true;
        return false;
    }

    // compose-go's ResolveSymbolicLink: the first symlink component replaced by its target.
    static std::string resolve_first_symlink(const std::string& path) {
        std::string current;
        size_t pos = 1;
        while (pos <= path.size()) {
            size_t slash = path.find('/', pos);
            std::string part = path.substr(pos, slash == std::string::npos ? std::string::npos : slash - pos);
            pos = slash == std::string::npos ? path.size() + 1 : slash + 1;
            if (part.empty()) continue;
            current += "/" + part;
            struct stat st {};
            if (::lstat(current.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
                char buf[PATH_MAX];
                if (::realpath(current.c_str(), buf) == nullptr) return path;
                return std::string(buf) + path.substr(current.size());
            }
        }
        return path;
    }

    void string_at(Node& n, const std::function<std::string(const std::string&)>& fn) const {
        if (n.is_string()) n.as_string() = fn(n.as_string());
        else if (n.is_seq())
            for (auto& i : n.items()) string_at(i, fn);
    }

    void resolve(Node& n, const Path& p) const {
        if (p.matches(kServicesXBuildContext) || p.matches(kServicesXBuildAdditionalContextsX)) {
            if (n.is_string() && !remote_context(n.as_string())) n.as_string() = abs_path(n.as_string());
            return;
        }
        if (p.matches(kServicesXBuildSshX) || p.matches(kConfigsXFile) || p.matches(kSecretsXFile)) {
            if (n.is_string()) n.as_string() = maybe_unix_path(n.as_string());
            return;
        }
        if (p.matches(kServicesXEnvFileXPath) || p.matches(kServicesXLabelFileX) ||
            p.matches(kIncludePath) || p.matches(kIncludeProjectDirectory) || p.matches(kIncludeEnvFile)) {
            string_at(n, [this](const std::string& s) { return abs_path(s); });
            return;
        }
        if (p.matches(kServicesXExtendsFile)) {
            if (n.is_string()) n.as_string() = abs_path(n.as_string());
            return;
        }
        if (p.matches(kServicesXDevelopWatchXPath)) {
            if (n.is_string()) n.as_string() = resolve_first_symlink(abs_path(n.as_string()));
            return;
        }
        if (p.matches(kServicesXVolumesX)) {
            if (!n.is_map()) return;
            const std::string* type = n.find_string("type");
            if (!type || *type != "bind") return;
            Node* src = n.find("source");
            if (!src) fail_at(n.mark(), "invalid mount config for type \"bind\": field Source must not be empty");
            if (src->is_string()) src->as_string() = maybe_unix_path(src->as_string());
            return;
        }
        if (p.matches(kVolumesX)) {
            if (!n.is_map()) return;
            const std::string* driver = n.find_string("driver");
            Node* opts = n.find("driver_opts");
            if (!driver || *driver != "local" || !opts || !opts->is_map()) return;
            const std::string* o = opts->find_string("o");
            Node* dev = opts->find("device");
            if (o && *o == "bind" && dev && dev->is_string()) dev->as_string() = maybe_unix_path(dev->as_string());
            return;
        }
        if (n.is_map()) {
            for (auto& e : n.entries()) resolve(e.value, p.next(e.key));
        } else if (n.is_seq()) {
            for (size_t i = 0; i < n.items().size(); ++i) resolve(n.items()[i], p.item(i));
        }
    }
};

// ---- normalization -----------------------------------------------------------------

void normalize_networks(Node& model) {
    Node* services = model.find("services");
    bool uses_default = false;
    if (services && services->is_map()) {
        for (auto& s : services->entries()) {
            Node& svc = s.value;
            if (!svc.is_map() || svc.has("provider") || svc.has("network_mode")) continue;
            Node* nets = svc.find("networks");
            if (!nets || nets->is_null() || (nets->is_map() && nets->size() == 0)) {
                Node m = Node::mapping(svc.mark());
                m.set("default", Node::null(svc.mark()));
                svc.set("networks", std::move(m));
                uses_default = true;
            } else if (nets->is_map() && nets->has("default")) {
                uses_default = true;
            }
        }
    }
    Node* networks = model.find("networks");
    if (uses_default && (!networks || !networks->has("default"))) {
        if (!networks || !networks->is_map()) networks = &model.set("networks", Node::mapping(model.mark()));
        networks->set("default", Node::null(model.mark()));
    }
}

// Valueless keys of a build args / environment mapping or list, from `env`.
void resolve_valueless(Node& n, const EnvMap& env, bool keep_empty) {
    auto lookup = [&](const std::string& k) -> const std::string* {
        auto it = env.find(k);
        return it == env.end() ? nullptr : &it->second;
    };
    if (n.is_map()) {
        std::vector<MapEntry> out;
        for (auto& e : n.entries()) {
            if (!e.value.is_null()) {
                out.push_back(std::move(e));
            } else if (const std::string* v = lookup(e.key)) {
                e.value = Node::string(*v, e.value.mark());
                out.push_back(std::move(e));
            } else if (keep_empty) {
                out.push_back(std::move(e));
            }
        }
        n.entries() = std::move(out);
    } else if (n.is_seq()) {
        std::vector<Node> out;
        for (auto& item : n.items()) {
            if (!item.is_string() || item.as_string().find('=') != std::string::npos) {
                out.push_back(std::move(item));
            } else if (const std::string* v = lookup(item.as_string())) {
                out.push_back(Node::string(item.as_string() + "=" + *v, item.mark()));
            } else if (keep_empty) {
                out.push_back(std::move(item));
            }
        }
        n.items() = std::move(out);
    }
}

void add_dependency(Node& depends_on, const std::string& name, bool restart, const Mark& mark) {
    if (depends_on.has(name)) return;
    Node d = Node::mapping(mark);
    d.set("condition", Node::string("service_started", mark));
    d.set("restart", Node::boolean(restart, mark));
    d.set("required", Node::boolean(true, mark));
    depends_on.set(name, std::move(d), mark);
}

void normalize_service(Node& svc, const EnvMap& env) {
    if (const std::string* pp = svc.find_string("pull_policy"); pp && *pp == "if_not_present")
        svc.set("pull_policy", Node::string("missing", svc.find("pull_policy")->mark()));
    if (Node* build = svc.find("build"); build && build->is_map()) {
        if (const Node* c = build->find("context"); !c || c->is_null()) build->set("context", Node::string(".", build->mark()));
        const Node* df = build->find("dockerfile");
        const Node* dfi = build->find("dockerfile_inline");
        if ((!df || df->is_null()) && (!dfi || dfi->is_null()))
            build->set("dockerfile", Node::string("Dockerfile", build->mark()));
        if (Node* args = build->find("args")) resolve_valueless(*args, env, false);
    }
    if (Node* e = svc.find("environment")) resolve_valueless(*e, env, true);

    Node depends_on = Node::mapping(svc.mark());
    if (const Node* d = svc.find("depends_on"); d && d->is_map()) depends_on = *d;
    if (const Node* links = svc.find("links"); links && links->is_seq())
        for (const auto& l : links->items()) {
            std::string link = l.scalar_text();
            auto parts = str::split(link, ':');
            if (parts.size() == 2) link = parts[0];
            add_dependency(depends_on, link, true, l.mark());
        }
    for (const char* ns : {"network_mode", "ipc", "pid", "uts", "cgroup"})
        if (const std::string* ref = svc.find_string(ns); ref && ref->rfind("service:", 0) == 0)
            add_dependency(depends_on, ref->substr(8), true, svc.find(ns)->mark());
    if (Node* volumes = svc.find("volumes"); volumes && volumes->is_seq())
        for (auto& v : volumes->items())
            if (Node* t = v.is_map() ? v.find("target") : nullptr; t && t->is_string()) t->as_string() = clean_path(t->as_string());
    if (const Node* vf = svc.find("volumes_from"); vf && vf->is_seq())
        for (const auto& v : vf->items()) {
            std::string spec = v.scalar_text();
            if (spec.rfind("container:", 0) == 0) continue;
            add_dependency(depends_on, spec.substr(0, spec.find(':')), false, v.mark());
        }
    if (depends_on.size() > 0) svc.set("depends_on", std::move(depends_on));

    // pre_start hooks without an image run the service's image.
    const std::string* image = svc.find_string("image");
    if (Node* hooks = svc.find("pre_start"); hooks && hooks->is_seq() && image && !image->empty())
        for (auto& h : hooks->items())
            if (h.is_map() && !h.has("image")) h.set("image", Node::string(*image, h.mark()));
}

void name_resources(Node& model, const std::string& project) {
    for (const char* kind : {"networks", "volumes", "configs", "secrets"}) {
        Node* top = model.find(kind);
        if (!top || !top->is_map()) continue;
        for (auto& e : top->entries()) {
            if (e.value.is_null()) e.value = Node::mapping(e.key_mark);
            if (!e.value.is_map()) continue;
            const Node* name = e.value.find("name");
            if (name && !name->is_null()) continue;
            const Node* ext = e.value.find("external");
            bool external = ext && (ext->is_bool() ? ext->as_bool() : parse_compose_bool(ext->scalar_text()).value_or(false));
            e.value.set("name", Node::string(external ? e.key : project + "_" + e.key, e.key_mark));
        }
    }
}

}  // namespace

void canonicalize(Node& model, bool keep_unparsable) { transform(model, Path{}, keep_unparsable); }

void set_default_values(Node& model) {
    set_defaults(model, Path{});
    // compose-go's OmitEmpty: empty entries of services.*.dns are dropped.
    if (Node* services = model.find("services"); services && services->is_map())
        for (auto& s : services->entries())
            if (Node* dns = s.value.is_map() ? s.value.find("dns") : nullptr; dns && dns->is_seq()) {
                std::vector<Node> kept;
                for (auto& d : dns->items())
                    if (!d.is_null() && !(d.is_string() && d.as_string().empty())) kept.push_back(std::move(d));
                dns->items() = std::move(kept);
            }
}

void check_semantics(const Node& model) { check_node(model, Path{}); }

void resolve_relative_paths(Node& model, const std::string& working_dir, const std::string& home) {
    PathResolver{working_dir, home}.resolve(model, Path{});
}

void resolve_list_environment(Node& model, const EnvMap& env) {
    Node* services = model.find("services");
    if (!services || !services->is_map()) return;
    for (auto& s : services->entries()) {
        Node* e = s.value.is_map() ? s.value.find("environment") : nullptr;
        if (!e || !e->is_seq()) continue;
        for (auto& item : e->items()) {
            if (!item.is_string()) continue;
            auto it = env.find(item.as_string());
            if (it != env.end()) item.as_string() += "=" + it->second;
        }
    }
}

void normalize(Node& model, const std::string& project_name, const EnvMap& env) {
    normalize_networks(model);
    if (Node* services = model.find("services"); services && services->is_map())
        for (auto& s : services->entries())
            if (s.value.is_map()) normalize_service(s.value, env);
    name_resources(model, project_name);
}

}  // namespace pc::compose
