#include "container/config.hpp"

#include <string_view>
#include <unordered_map>

#include "container/record_json.hpp"
#include "common/json_integer.hpp"

namespace pc::container {

std::vector<std::string> ContainerConfig::argv() const {
    std::vector<std::string> out = entrypoint;
    out.insert(out.end(), cmd.begin(), cmd.end());
    return out;
}

// The on-disk key names are our own (stable, snake_case); Podman's inspect shape is built
// separately in cli/ from these records.
void to_json(nlohmann::json& j, const MountConfig& m) {
    j = {{"type", m.type},         {"source", m.source},     {"destination", m.destination},
         {"options", m.options},   {"readonly", m.readonly}, {"copy_up", m.copy_up},
         {"anonymous", m.anonymous}};
}

void from_json(const nlohmann::json& j, MountConfig& m) {
    m.type = j.value("type", "");
    m.source = j.value("source", "");
    m.destination = j.value("destination", "");
    m.options = j.value("options", std::vector<std::string>{});
    m.readonly = j.value("readonly", false);
    m.copy_up = j.value("copy_up", true);
    m.anonymous = j.value("anonymous", false);
}

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(DeviceConfig, host_path, container_path, permissions)
void to_json(nlohmann::json& j, const HookConfig& h) {
    j = {{"stage", h.stage}, {"path", h.path}, {"args", h.args}, {"env", h.env}, {"timeout", h.timeout}};
}

void from_json(const nlohmann::json& j, HookConfig& h) {
    h.stage = j.value("stage", h.stage);
    h.path = j.value("path", h.path);
    h.args = j.value("args", h.args);
    h.env = j.value("env", h.env);
    h.timeout = json_integer(j, "timeout", h.timeout);  // nlohmann's plain cast of a float is UB
}

#define PC_FIELDS(X)                                                                          \
    X(id) X(name) X(created_ns) X(image_id) X(image_name) X(image_ref) X(layers) X(entrypoint) \
    X(cmd) X(env) X(working_dir) X(user) X(group_add) X(ulimits) X(tty) X(interactive) X(init) X(labels) \
    X(annotations) X(stop_signal) X(stop_timeout) X(create_command) X(mounts)                 \
    X(readonly_rootfs) X(readonly_tmpfs) X(privileged) X(cap_add) X(cap_drop)                 \
    X(seccomp_profile) X(no_new_privileges) X(security_opt) X(network_mode) X(hostname)       \
    X(userns) X(auto_remove) X(storage_driver) X(restart_policy) X(restart_max) X(log_max_size)  \
    X(health_cmd) X(health_interval_ns) X(health_timeout_ns) X(health_start_period_ns)          \
    X(health_retries) X(health_on_failure) X(ports) X(exposed_ports) X(add_hosts) X(dns_servers)  \
    X(dns_search) X(dns_options) X(no_hosts) X(ipc_mode) X(uts_mode) X(pid_mode) X(pod) X(infra)        \
    X(dependencies) X(domainname) X(shm_size) X(sysctls)       \
    X(health_start_interval_ns) X(umask) X(timezone) X(default_caps) \
    X(devices) X(device_cgroup_rules) X(cdi_devices) X(hooks) X(networks)

void to_json(nlohmann::json& j, const ContainerConfig& c) {
    j = nlohmann::json::object();
#define PC_TO(f) j[#f] = c.f;
    PC_FIELDS(PC_TO)
#undef PC_TO
}

namespace {

template <typename T>
void read_field(const nlohmann::json& j, const char* key, T& v) {
    if (auto it = j.find(key); it != j.end() && !it->is_null()) it->get_to(v);
}

// Integers are range-checked: nlohmann's plain cast of a stored float (1e300) is UB.
template <std::integral T>
    requires(!std::same_as<T, bool>)
void read_field(const nlohmann::json& j, const char* key, T& v) {
    v = json_integer(j, key, v);
}

}  // namespace

void from_json(const nlohmann::json& j, ContainerConfig& c) {
#define PC_FROM(f) read_field(j, #f, c.f);
    PC_FIELDS(PC_FROM)
#undef PC_FROM
}

bool from_json_text(std::string_view text, ContainerConfig& c) {
    using Reader = bool (*)(recjson::Cursor&, ContainerConfig&);
    // One decoder per field, found by name: the field list is PC_FIELDS, so a field added
    // there is decoded here too.
    static const std::unordered_map<std::string_view, Reader> readers = {
#define PC_READER(f) {#f, [](recjson::Cursor& cur, ContainerConfig& cfg) { return recjson::read(cur, cfg.f); }},
        PC_FIELDS(PC_READER)
#undef PC_READER
    };
    recjson::Cursor cur(text);
    bool ok = cur.object([&](const std::string& key) {
        auto it = readers.find(key);
        return it != readers.end() && it->second(cur, c);  // an unknown key: let nlohmann decide
    });
    return ok && cur.at_end();
}

#undef PC_FIELDS

}  // namespace pc::container
