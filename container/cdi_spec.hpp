// Container Device Interface (CDI) spec files: what a vendor's tooling (for example
// `nvidia-ctk cdi generate`) writes to /etc/cdi or /var/run/cdi to describe its devices and
// what a container needs to use them: device nodes, mounts, environment, OCI hooks.
//
// A spec is JSON or YAML (yaml-cpp reads both: JSON is YAML). Fields and rules follow the
// CDI specification (github.com/cncf-tags/container-device-interface, SPEC.md): `cdiVersion`,
// `kind` ("vendor.com/class"), `devices[]` with `name` and `containerEdits`, and
// spec-wide `containerEdits` applied once whenever any of the spec's devices is used.
// Every error names the file, the line and the key path ("devices[0].containerEdits...").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pc::container::cdi {

struct DeviceNode {
    std::string path;       // in the container (absolute)
    std::string host_path;  // on the host; "" = same as path
    std::string type;       // "c", "b", "p" or "" (whatever the host node is)
    std::optional<int64_t> major, minor;
    std::optional<uint32_t> file_mode, uid, gid;
    std::string permissions;  // cgroup permissions "rwm" (subset); "" = rwm
};

struct Mount {
    std::string host_path, container_path;
    std::string type;  // "" = bind
    std::vector<std::string> options;
};

// OCI hook, with the lifecycle point it runs at.
struct Hook {
    std::string hook_name;  // prestart, createRuntime, createContainer, startContainer, poststart, poststop
    std::string path;
    std::vector<std::string> args, env;
    std::optional<int> timeout;  // seconds
};

struct ContainerEdits {
    std::vector<std::string> env;  // "K=V"
    std::vector<DeviceNode> device_nodes;
    std::vector<Mount> mounts;
    std::vector<Hook> hooks;
    std::vector<uint32_t> additional_gids;
    bool empty() const {
        return env.empty() && device_nodes.empty() && mounts.empty() && hooks.empty() && additional_gids.empty();
    }
};

struct Device {
    std::string name;
    ContainerEdits edits;
};

struct Spec {
    std::string file;  // where it was read from (for messages)
    std::string cdi_version, kind;
    std::vector<Device> devices;
    ContainerEdits edits;  // spec-wide
};

// Parses one spec. Throws pc::Error "FILE:LINE: KEY.PATH: what is wrong".
Spec parse_spec(const std::string& text, const std::string& file);

// "vendor.com/class=name": a CDI device name, as Podman's --device takes it (a host path
// never has this shape: it starts with '/'). On success fills kind and name.
bool parse_qualified_name(const std::string& value, std::string* kind = nullptr, std::string* name = nullptr);

// The hook stages a spec may name, in OCI order.
bool is_valid_hook_name(const std::string& name);

}  // namespace pc::container::cdi
