#include "container/device_options.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>

#include "common/error.hpp"
#include "common/strings.hpp"
#include "container/cdi_registry.hpp"
#include "container/exec_spec.hpp"

namespace pc::container {

namespace fs = std::filesystem;

namespace {

// Podman's IsValidDeviceMode: some of r, w, m, each once.
bool valid_device_mode(const std::string& mode) {
    if (mode.empty()) return false;
    std::string seen;
    for (char c : mode) {
        if ((c != 'r' && c != 'w' && c != 'm') || seen.find(c) != std::string::npos) return false;
        seen += c;
    }
    return true;
}

bool is_device(const struct stat& st) { return S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode); }

// One --device value (not a CDI name): the node, or every node below a directory (symlinks
// skipped, as Podman's walk does), with container paths under the destination.
void add_host_devices(std::vector<DeviceConfig>& out, const std::string& value) {
    const DeviceConfig d = parse_device_flag(value);
    struct stat st {};
    if (::stat(d.host_path.c_str(), &st) < 0) throw Error::sys("--device " + value + ": stat " + d.host_path);
    if (is_device(st)) {
        out.push_back(d);
        return;
    }
    if (!S_ISDIR(st.st_mode)) throw Error("--device " + value + ": " + d.host_path + " is not a character or block device");
    size_t found = 0;
    std::error_code ec;
    for (fs::recursive_directory_iterator it(d.host_path, fs::directory_options::skip_permission_denied, ec), end;
         !ec && it != end; it.increment(ec)) {
        struct stat entry {};
        if (::lstat(it->path().c_str(), &entry) < 0 || !is_device(entry)) continue;
        const std::string rel = it->path().lexically_relative(d.host_path).string();
        out.push_back({it->path().string(), d.container_path + "/" + rel, d.permissions});
        ++found;
    }
    if (ec) throw Error("--device " + value + ": reading " + d.host_path + ": " + ec.message());
    if (found == 0) throw Error("--device " + value + ": no devices found in " + d.host_path);
}

MountConfig cdi_mount(const cdi::Mount& m, const std::string& device_names) {
    MountConfig mc;
    mc.source = m.host_path;
    mc.destination = m.container_path;
    mc.options = m.options;
    mc.copy_up = false;
    const bool bind_options = std::any_of(m.options.begin(), m.options.end(),
                                          [](const std::string& o) { return o == "bind" || o == "rbind"; });
    if (m.type == "tmpfs" && !bind_options) {
        mc.type = "tmpfs";
    } else if (m.type.empty() || m.type == "bind" || m.type == "none" || bind_options) {
        mc.type = "bind";
        struct stat st {};
        if (::stat(m.host_path.c_str(), &st) < 0)
            throw Error::sys("CDI device " + device_names + ": mount source " + m.host_path);
    } else {
        throw Error("CDI device " + device_names + ": mount of " + m.container_path + " has type \"" + m.type +
                    "\", which a rootless container cannot mount (bind or tmpfs)");
    }
    mc.readonly = std::find(m.options.begin(), m.options.end(), "ro") != m.options.end();
    return mc;
}

void apply_cdi(ContainerConfig& cfg, const std::vector<std::string>& names, const std::vector<std::string>& dirs) {
    const cdi::ContainerEdits edits = cdi::resolve_devices(names, cdi::spec_dirs(dirs));
    const std::string shown = str::join(names, ", ");
    cfg.env = merge_env(std::move(cfg.env), edits.env);
    for (const auto& n : edits.device_nodes) {
        DeviceConfig d{n.host_path.empty() ? n.path : n.host_path, n.path, n.permissions.empty() ? "rwm" : n.permissions};
        struct stat st {};
        if (::stat(d.host_path.c_str(), &st) < 0) throw Error::sys("CDI device " + shown + ": device node " + d.host_path);
        if (!is_device(st)) throw Error("CDI device " + shown + ": " + d.host_path + " is not a character or block device");
        cfg.devices.push_back(d);
    }
    for (const auto& m : edits.mounts) {
        MountConfig mc = cdi_mount(m, shown);
        for (const auto& other : cfg.mounts)
            if (other.destination == mc.destination)
                throw Error("CDI device " + shown + ": " + mc.destination + ": duplicate mount destination");
        cfg.mounts.push_back(std::move(mc));
    }
    for (const auto& h : edits.hooks) cfg.hooks.push_back({h.hook_name, h.path, h.args, h.env, h.timeout.value_or(0)});
    for (uint32_t gid : edits.additional_gids) cfg.group_add.push_back(std::to_string(gid));
}

// Podman's device cgroup rule: "TYPE MAJOR:MINOR PERMS", TYPE a, b or c, numbers or "*".
void check_cgroup_rule(const std::string& rule) {
    const auto parts = str::split(rule, ' ');
    auto number = [](const std::string& s) { return s == "*" || str::parse_u64(s).has_value(); };
    bool ok = parts.size() == 3 && (parts[0] == "a" || parts[0] == "b" || parts[0] == "c") && valid_device_mode(parts[2]);
    if (ok) {
        auto [major, minor] = str::split_once(parts[1], ':');
        ok = minor && number(major) && number(*minor);
    }
    if (!ok) throw Error("invalid device cgroup rule \"" + rule + "\" (format: TYPE MAJOR:MINOR PERMS, e.g. \"c 1:3 rwm\")");
}

}  // namespace

DeviceConfig parse_device_flag(const std::string& value) {
    const auto parts = str::split(value, ':');
    DeviceConfig d;
    if (parts.empty() || parts.size() > 3 || parts[0].empty()) throw Error("invalid device specification: " + value);
    d.host_path = parts[0];
    if (parts.size() == 3) {
        if (!valid_device_mode(parts[2])) throw Error("invalid device mode: " + parts[2]);
        d.permissions = parts[2];
    }
    if (parts.size() >= 2) {
        if (valid_device_mode(parts[1]) && parts.size() == 2) {
            d.permissions = parts[1];
        } else {
            if (parts[1].empty() || parts[1][0] != '/') throw Error("invalid device mode: " + parts[1]);
            d.container_path = parts[1];
        }
    }
    if (d.host_path[0] != '/') throw Error("invalid device specification: " + value + ": " + d.host_path + " is not an absolute path");
    if (d.container_path.empty()) d.container_path = d.host_path;
    return d;
}

std::vector<std::string> gpu_cdi_names(const std::string& value) {
    std::vector<std::string> out;
    auto [key, rest] = str::split_once(value, '=');
    if (rest && key == "count") {
        if (*rest == "all") return {"nvidia.com/gpu=all"};
        auto n = str::parse_u64(*rest);
        if (!n || *n == 0 || *n > 1024) throw Error("invalid --gpus \"" + value + "\": count must be all or a positive number");
        for (uint64_t i = 0; i < *n; ++i) out.push_back("nvidia.com/gpu=" + std::to_string(i));
        return out;
    }
    const std::string list = rest && key == "device" ? *rest : value;
    if (rest && key != "device") throw Error("invalid --gpus \"" + value + "\" (valid: all, N, device=N[,M], count=N)");
    for (const auto& g : str::split(list, ',')) {
        if (g.empty() || !cdi::parse_qualified_name("nvidia.com/gpu=" + g))
            throw Error("invalid --gpus \"" + value + "\" (valid: all, N, device=N[,M], count=N)");
        out.push_back("nvidia.com/gpu=" + g);
    }
    return out;
}

void apply_device_options(ContainerConfig& cfg, const DeviceOptions& o) {
    for (const auto& rule : o.device_cgroup_rules) check_cgroup_rule(rule);
    cfg.device_cgroup_rules = o.device_cgroup_rules;
    std::vector<std::string> cdi_names;
    for (const auto& v : o.devices) {
        if (cdi::parse_qualified_name(v)) cdi_names.push_back(v);
        else add_host_devices(cfg.devices, v);
    }
    for (const auto& g : o.gpus)
        for (auto& n : gpu_cdi_names(g)) cdi_names.push_back(std::move(n));
    if (!cdi_names.empty()) apply_cdi(cfg, cdi_names, o.cdi_spec_dirs);
    cfg.cdi_devices = cdi_names;
    for (size_t i = 0; i < cfg.devices.size(); ++i)
        for (size_t j = i + 1; j < cfg.devices.size(); ++j)
            if (cfg.devices[i].container_path == cfg.devices[j].container_path)
                throw Error(cfg.devices[i].container_path + ": the same device path is given twice (" +
                            cfg.devices[i].host_path + ", " + cfg.devices[j].host_path + ")");
}

}  // namespace pc::container
