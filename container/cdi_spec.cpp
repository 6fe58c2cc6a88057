#include "container/cdi_spec.hpp"

#include <yaml-cpp/yaml.h>

#include <cctype>

#include "common/error.hpp"
#include "common/strings.hpp"

namespace pc::container::cdi {

namespace {

bool is_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
bool is_alpha(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }

// The CDI name rules: a vendor starts with a letter, a class and a device name with
// a letter or digit (a class: a letter); all end with a letter or digit; inside, letters,
// digits and the listed punctuation.
bool valid_word(const std::string& s, bool letter_first, const std::string& inner) {
    if (s.empty()) return false;
    if (letter_first ? !is_alpha(s.front()) : !is_alnum(s.front())) return false;
    if (!is_alnum(s.back())) return false;
    for (char c : s)
        if (!is_alnum(c) && inner.find(c) == std::string::npos) return false;
    return true;
}

bool valid_vendor(const std::string& v) { return valid_word(v, true, "-_."); }
bool valid_class(const std::string& c) { return valid_word(c, true, "-_"); }
bool valid_device_name(const std::string& n) { return valid_word(n, false, "-_.:"); }

// Walks a YAML document with the key path and line of each value, for messages.
class Reader {
public:
    Reader(const std::string& file) : file_(file) {}

    [[noreturn]] void fail(const YAML::Node& at, const std::string& path, const std::string& what) const {
        std::string where = file_;
        if (at.IsDefined() && at.Mark().line >= 0) where += ":" + std::to_string(at.Mark().line + 1);
        throw Error(where + ": " + (path.empty() ? "" : path + ": ") + what);
    }

    std::string string(const YAML::Node& n, const std::string& path) const {
        if (!n.IsScalar()) fail(n, path, "must be a string");
        return n.Scalar();
    }
    std::string optional_string(const YAML::Node& map, const char* key, const std::string& path) const {
        YAML::Node n = map[key];
        if (!n.IsDefined() || n.IsNull()) return "";
        return string(n, join(path, key));
    }
    std::string required_string(const YAML::Node& map, const char* key, const std::string& path) const {
        std::string v = optional_string(map, key, path);
        if (v.empty()) fail(map, join(path, key), "required");
        return v;
    }
    std::optional<int64_t> optional_int(const YAML::Node& map, const char* key, const std::string& path, int64_t min,
                                        int64_t max) const {
        YAML::Node n = map[key];
        if (!n.IsDefined() || n.IsNull()) return std::nullopt;
        auto v = n.IsScalar() ? str::parse_i64(n.Scalar()) : std::nullopt;
        if (!v || *v < min || *v > max) fail(n, join(path, key), "must be an integer from " + std::to_string(min) + " to " + std::to_string(max));
        return v;
    }
    std::vector<std::string> strings(const YAML::Node& map, const char* key, const std::string& path) const {
        std::vector<std::string> out;
        YAML::Node n = map[key];
        if (!n.IsDefined() || n.IsNull()) return out;
        if (!n.IsSequence()) fail(n, join(path, key), "must be a list of strings");
        for (size_t i = 0; i < n.size(); ++i) out.push_back(string(n[i], join(path, key) + "[" + std::to_string(i) + "]"));
        return out;
    }
    // Calls `item(node, path)` for each element of the list at map[key].
    template <typename F>
    void list(const YAML::Node& map, const char* key, const std::string& path, F item) const {
        YAML::Node n = map[key];
        if (!n.IsDefined() || n.IsNull()) return;
        if (!n.IsSequence()) fail(n, join(path, key), "must be a list");
        for (size_t i = 0; i < n.size(); ++i) {
            const std::string p = join(path, key) + "[" + std::to_string(i) + "]";
            if (!n[i].IsMap()) fail(n[i], p, "must be an object");
            item(n[i], p);
        }
    }
    static std::string join(const std::string& path, const char* key) { return path.empty() ? key : path + "." + key; }

private:
    std::string file_;
};

void check_absolute(const Reader& r, const YAML::Node& n, const std::string& path, const std::string& value) {
    if (value.empty() || value[0] != '/') r.fail(n, path, "\"" + value + "\" is not an absolute path");
}

ContainerEdits read_edits(const Reader& r, const YAML::Node& n, const std::string& path) {
    ContainerEdits e;
    if (!n.IsDefined() || n.IsNull()) return e;
    if (!n.IsMap()) r.fail(n, path, "must be an object");
    e.env = r.strings(n, "env", path);
    for (size_t i = 0; i < e.env.size(); ++i)
        if (e.env[i].find('=') == std::string::npos || e.env[i][0] == '=')
            r.fail(n["env"], Reader::join(path, "env") + "[" + std::to_string(i) + "]", "\"" + e.env[i] + "\" is not KEY=VALUE");
    r.list(n, "deviceNodes", path, [&](const YAML::Node& d, const std::string& p) {
        DeviceNode node;
        node.path = r.required_string(d, "path", p);
        check_absolute(r, d["path"], p + ".path", node.path);
        node.host_path = r.optional_string(d, "hostPath", p);
        if (!node.host_path.empty()) check_absolute(r, d["hostPath"], p + ".hostPath", node.host_path);
        node.type = r.optional_string(d, "type", p);
        if (!node.type.empty() && node.type != "c" && node.type != "b" && node.type != "u" && node.type != "p")
            r.fail(d["type"], p + ".type", "\"" + node.type + "\" is not a device type (b, c, u, p)");
        node.major = r.optional_int(d, "major", p, 0, 0xffffffffLL);
        node.minor = r.optional_int(d, "minor", p, 0, 0xffffffffLL);
        if (auto m = r.optional_int(d, "fileMode", p, 0, 07777)) node.file_mode = static_cast<uint32_t>(*m);
        if (auto u = r.optional_int(d, "uid", p, 0, 0xffffffffLL)) node.uid = static_cast<uint32_t>(*u);
        if (auto g = r.optional_int(d, "gid", p, 0, 0xffffffffLL)) node.gid = static_cast<uint32_t>(*g);
        node.permissions = r.optional_string(d, "permissions", p);
        if (node.permissions.find_first_not_of("rwm") != std::string::npos)
            r.fail(d["permissions"], p + ".permissions", "\"" + node.permissions + "\" is not a subset of rwm");
        e.device_nodes.push_back(std::move(node));
    });
    r.list(n, "mounts", path, [&](const YAML::Node& m, const std::string& p) {
        Mount mount;
        mount.host_path = r.required_string(m, "hostPath", p);
        mount.container_path = r.required_string(m, "containerPath", p);
        check_absolute(r, m["containerPath"], p + ".containerPath", mount.container_path);
        mount.type = r.optional_string(m, "type", p);
        mount.options = r.strings(m, "options", p);
        e.mounts.push_back(std::move(mount));
    });
    r.list(n, "hooks", path, [&](const YAML::Node& h, const std::string& p) {
        Hook hook;
        hook.hook_name = r.required_string(h, "hookName", p);
        if (!is_valid_hook_name(hook.hook_name))
            r.fail(h["hookName"], p + ".hookName",
                   "\"" + hook.hook_name + "\" is not a hook name (prestart, createRuntime, createContainer, startContainer, poststart, poststop)");
        hook.path = r.required_string(h, "path", p);
        check_absolute(r, h["path"], p + ".path", hook.path);
        hook.args = r.strings(h, "args", p);
        hook.env = r.strings(h, "env", p);
        if (auto t = r.optional_int(h, "timeout", p, 1, 86400)) hook.timeout = static_cast<int>(*t);
        e.hooks.push_back(std::move(hook));
    });
    YAML::Node gids = n["additionalGids"];
    if (gids.IsDefined() && !gids.IsNull()) {
        if (!gids.IsSequence()) r.fail(gids, Reader::join(path, "additionalGids"), "must be a list of group ids");
        for (size_t i = 0; i < gids.size(); ++i) {
            auto g = gids[i].IsScalar() ? str::parse_u64(gids[i].Scalar()) : std::nullopt;
            if (!g || *g > 0xffffffffULL)
                r.fail(gids[i], Reader::join(path, "additionalGids") + "[" + std::to_string(i) + "]", "must be a group id");
            e.additional_gids.push_back(static_cast<uint32_t>(*g));
        }
    }
    return e;
}

}  // namespace

bool is_valid_hook_name(const std::string& name) {
    for (const char* h : {"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"})
        if (name == h) return true;
    return false;
}

bool parse_qualified_name(const std::string& value, std::string* kind, std::string* name) {
    auto [k, n] = str::split_once(value, '=');
    if (!n) return false;
    auto [vendor, cls] = str::split_once(k, '/');
    if (!cls || !valid_vendor(vendor) || !valid_class(*cls) || !valid_device_name(*n)) return false;
    if (kind) *kind = k;
    if (name) *name = *n;
    return true;
}

Spec parse_spec(const std::string& text, const std::string& file) {
    Reader r(file);
    YAML::Node root;
    try {
        root = YAML::Load(text);
    } catch (const YAML::Exception& e) {
        throw Error(file + ":" + std::to_string(e.mark.line + 1) + ": not valid YAML or JSON: " + e.msg);
    }
    if (!root.IsMap()) r.fail(root, "", "a CDI spec must be an object");
    Spec s;
    s.file = file;
    s.cdi_version = r.required_string(root, "cdiVersion", "");
    s.kind = r.required_string(root, "kind", "");
    auto [vendor, cls] = str::split_once(s.kind, '/');
    if (!cls || !valid_vendor(vendor) || !valid_class(*cls))
        r.fail(root["kind"], "kind", "\"" + s.kind + "\" is not vendor.com/class");
    s.edits = read_edits(r, root["containerEdits"], "containerEdits");
    r.list(root, "devices", "", [&](const YAML::Node& d, const std::string& p) {
        Device dev;
        dev.name = r.required_string(d, "name", p);
        if (!valid_device_name(dev.name)) r.fail(d["name"], p + ".name", "\"" + dev.name + "\" is not a valid device name");
        for (const auto& other : s.devices)
            if (other.name == dev.name) r.fail(d["name"], p + ".name", "device \"" + dev.name + "\" is defined twice");
        if (!d["containerEdits"].IsDefined()) r.fail(d, p + ".containerEdits", "required");
        dev.edits = read_edits(r, d["containerEdits"], p + ".containerEdits");
        if (dev.edits.empty()) r.fail(d["containerEdits"], p + ".containerEdits", "a device must edit the container (deviceNodes, mounts, env or hooks)");
        s.devices.push_back(std::move(dev));
    });
    if (s.devices.empty()) r.fail(root, "devices", "a spec must define at least one device");
    return s;
}

}  // namespace pc::container::cdi
