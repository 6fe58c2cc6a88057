// pc info / pc version
#include <sys/utsname.h>
#include <unistd.h>

#include <iostream>
#include <memory>
#include <yaml-cpp/yaml.h>

#include "cli/commands.hpp"
#include "cli/host_facts.hpp"
#include "cli/output.hpp"
#include "cli/prune.hpp"
#include "common/atomic_file.hpp"
#include "common/containers_conf.hpp"
#include "common/log.hpp"
#include "common/process.hpp"
#include "common/strings.hpp"
#include "image/registries_conf.hpp"
#include "net/network_mode.hpp"
#include "net/slirp_stack.hpp"
#include "rootless/caps.hpp"
#include "rootless/idmap.hpp"
#include "rootless/userns_holder.hpp"
#include "storage/storage_conf.hpp"

namespace pc::cli {

namespace {
using nlohmann::json;

void emit_yaml(YAML::Emitter& out, const json& v) {
    if (v.is_object()) {
        out << YAML::BeginMap;
        for (auto it = v.begin(); it != v.end(); ++it) {
            out << YAML::Key << it.key() << YAML::Value;
            emit_yaml(out, it.value());
        }
        out << YAML::EndMap;
    } else if (v.is_array()) {
        out << YAML::BeginSeq;
        for (const auto& e : v) emit_yaml(out, e);
        out << YAML::EndSeq;
    } else if (v.is_string()) {
        out << v.get<std::string>();
    } else if (v.is_null()) {
        out << YAML::Null;
    } else {
        out << v.dump();
    }
}

json id_map_json(const std::vector<rootless::IdMapEntry>& entries) {
    json out = json::array();
    for (const auto& e : entries) out.push_back({{"container_id", e.inside}, {"host_id", e.outside}, {"size", e.count}});
    return out;
}

std::string os_release_field(const std::string& key) {
    auto content = try_read_file("/etc/os-release").value_or("");
    for (const auto& line : str::split(content, '\n')) {
        auto [k, v] = str::split_once(line, '=');
        if (k == key && v) {
            std::string s = *v;
            if (s.size() >= 2 && s.front() == '"') s = s.substr(1, s.size() - 2);
            return s;
        }
    }
    return "";
}

std::string program_version(const std::vector<std::string>& argv) {
    if (find_program(argv[0]).empty()) return "";
    try {
        auto r = run_capture(argv);
        return str::trim(str::split(r.output, '\n')[0]);
    } catch (const std::exception&) {
        return "";
    }
}

json version_json() {
    struct utsname u {};
    ::uname(&u);
    return {{"Client", {{"APIVersion", PC_VERSION}, {"Version", PC_VERSION}, {"GoVersion", "n/a (C++20)"},
                        {"GitCommit", ""}, {"BuiltTime", __DATE__ " " __TIME__}, {"Built", 0},
                        {"OsArch", std::string("linux/") + (std::string(u.machine) == "x86_64" ? "amd64" : u.machine)},
                        {"Os", "linux"}}}};
}

// Podman's .Registries: the search list and one entry per [[registry]] prefix.
json registries_json(const image::RegistriesConf& conf) {
    json out = json::object();
    out["search"] = conf.search;
    auto endpoint = [](const image::RegistryEndpoint& e) {
        return json{{"Location", e.location}, {"Insecure", e.insecure}, {"PullFromMirror", e.pull_from_mirror}};
    };
    for (const auto& r : conf.registries) {
        json mirrors = json::array();
        for (const auto& m : r.mirrors) mirrors.push_back(endpoint(m));
        json e = endpoint(r.endpoint);
        e["Prefix"] = r.prefix;
        e["Blocked"] = r.blocked;
        e["MirrorByDigestOnly"] = r.mirror_by_digest_only;
        e["Mirrors"] = mirrors;
        out[r.prefix] = e;
    }
    return out;
}

// The capabilities a container gets by default (containers.conf default_capabilities).
std::string default_capabilities_text() {
    std::vector<std::string> names;
    const auto& conf = containers_conf().default_capabilities;
    for (int c : rootless::base_capabilities(conf.value_or(std::vector<std::string>{}))) names.push_back(rootless::capability_name(c));
    if (conf && conf->empty()) names.clear();
    return str::join(names, ",");
}

json info_json(Context& ctx) {
    struct utsname u {};
    ::uname(&u);
    auto& store = ctx.store();
    const auto& mapping = rootless::caller_mapping();
    int64_t running = 0, stopped = 0, total = 0;
    for (const auto& c : ctx.containers().list()) {
        ++total;
        if (c.state.running()) ++running;
        else ++stopped;
    }
    char hostname[256] = {};
    ::gethostname(hostname, sizeof(hostname) - 1);
    const MemoryFacts mem = memory_facts();
    const CpuUtilization cpu = cpu_utilization();
    const FilesystemFacts fs = filesystem_facts(store.root());
    const image::RegistriesConf registries = image::load_registries_conf();
    json host = {
        {"arch", std::string(u.machine) == "x86_64" ? "amd64" : u.machine},
        {"cgroupManager", "cgroupfs"},
        {"cgroupVersion", try_read_file("/sys/fs/cgroup/cgroup.controllers") ? "v2" : "v1"},
        {"distribution", {{"distribution", os_release_field("ID")}, {"version", os_release_field("VERSION_ID")},
                          {"codename", os_release_field("VERSION_CODENAME")}}},
        {"hostname", hostname},
        {"idMappings", {{"uidmap", id_map_json(mapping.uids)}, {"gidmap", id_map_json(mapping.gids)}}},
        {"kernel", u.release},
        {"os", "linux"},
        {"rootless", ::getuid() != 0},
        {"security", {{"rootless", ::getuid() != 0}, {"seccompEnabled", true}, {"seccompProfilePath", "built-in (Podman's default)"},
                      {"capabilities", default_capabilities_text()},
                      {"selinuxEnabled", false}, {"apparmorEnabled", false}}},
        {"networkBackend", "slirp4netns"},
        {"slirp4netns", {{"executable", "built-in (libslirp, run by each container's monitor)"},
                         {"package", "libslirp"},
                         {"version", "libslirp: " + net::slirp_version()}}},
        {"network", {{"default", "slirp4netns"},
                     {"available", json::array({"slirp4netns", "none", "host", "container:NAME", "ns:PATH"})},
                     {"tunAccessible", ::access("/dev/net/tun", R_OK | W_OK) == 0},
                     {"ipv6", net::host_has_ipv6()}}},
        {"singleIdMapping", mapping.single},
        {"monitor", "built-in (pc monitor process)"},
        {"ociRuntime", {{"name", "pc"}, {"package", "built-in"}, {"version", PC_VERSION}}},
        {"newuidmap", program_version({"newuidmap", "--version"})},
        {"fuseOverlayfs", program_version({"fuse-overlayfs", "--version"})},
        {"cpus", ::sysconf(_SC_NPROCESSORS_ONLN)},
        {"cpuUtilization", {{"userPercent", cpu.user}, {"systemPercent", cpu.system}, {"idlePercent", cpu.idle}}},
        {"memTotal", mem.total},
        {"memFree", mem.free},
        {"swapTotal", mem.swap_total},
        {"swapFree", mem.swap_free},
        {"uptime", uptime_text()},
        {"eventLogger", "file"},
        {"logDriver", "k8s-file"},
        {"linkmode", "dynamic"},
        // pc creates no cgroups: none is usable by its containers.
        {"cgroupControllers", json::array()},
        {"serviceIsRemote", false},
        // Which configuration files this pc read (containers.conf(5), registries.conf(5)).
        {"configFiles", {{"containersConf", containers_conf().files}, {"registriesConf", registries.files}}},
    };
    // Podman names the additional stores under the driver's options (the older single
    // "imagestore" key kept beside the list, as Podman 5 keeps it).
    json graph_options = json::object();
    const std::string driver = storage::driver_name(store.driver());
    if (const auto extra = storage::additional_image_stores_besides(store.root()); !extra.empty()) {
        graph_options[driver + ".additionalImageStores"] = extra;
        graph_options[driver + ".imagestore"] = extra.front();
    }
    json st = {{"configFile", storage::storage_conf_path()},
               {"containerStore", {{"number", total}, {"paused", 0}, {"running", running}, {"stopped", stopped}}},
               {"graphDriverName", storage::driver_name(store.driver())},
               {"graphOptions", graph_options},
               {"graphRoot", store.root()},
               {"graphRootAllocated", fs.allocated},
               {"graphRootUsed", fs.used},
               {"graphStatus", {{"Native Overlay Diff", store.driver() == storage::Driver::Overlay ? "true" : "false"},
                                {"Supports d_type", "true"}, {"Using metacopy", "false"},
                                {"Backing Filesystem", fs.backing}}},
               {"imageCopyTmpDir", store.root() + "/tmp"},  // transfers are staged in the store
               {"imageStore", {{"number", store.images().size()}}},
               {"runRoot", store.runroot()},
               {"volumePath", store.volumes_dir()}};
    return {{"host", host}, {"store", st}, {"registries", registries_json(registries)}, {"plugins", {{"volume", {"local"}}, {"network", json::array()}, {"log", {"k8s-file"}}, {"authorization", nullptr}}},
            {"version", version_json()["Client"]}};
}

// Podman's templates use the Go struct names (.Store.GraphDriverName, .Host.Arch): give
// them the capitalised keys as well as the JSON's lower-case ones.
json with_capitalised_keys(const json& v) {
    if (v.is_object()) {
        json out = json::object();
        for (auto it = v.begin(); it != v.end(); ++it) {
            json child = with_capitalised_keys(it.value());
            out[it.key()] = child;
            std::string cap = it.key();
            if (!cap.empty()) cap[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(cap[0])));
            out[cap] = child;
        }
        return out;
    }
    if (v.is_array()) {
        json out = json::array();
        for (const auto& e : v) out.push_back(with_capitalised_keys(e));
        return out;
    }
    return v;
}

CLI::App* add_info(CLI::App& app, Context& ctx, const std::string& name) {
    auto info_format = std::make_shared<std::string>();
    CLI::App* info = app.add_subcommand(name, "Display pc related system information");
    info->add_option("-f,--format", *info_format, "Change the output format to JSON or a Go template");
    info->callback([&ctx, info_format] {
        json j = info_json(ctx);
        if (*info_format == "json") {
            std::cout << podman_json(j) << std::endl;
        } else if (!info_format->empty()) {
            print_each_with_template({with_capitalised_keys(j)}, *info_format, "info");
        } else {
            YAML::Emitter out;
            emit_yaml(out, j);
            std::cout << out.c_str() << std::endl;
        }
    });
    return info;
}

void print_section(const char* heading, const std::vector<std::string>& ids) {
    if (ids.empty()) return;
    std::cout << heading << "\n";
    for (const auto& id : ids) std::cout << id << "\n";
}

CLI::App* add_system_prune(CLI::App& parent, Context& ctx) {
    struct Flags {
        bool all = false, force = false, volumes = false;
        std::vector<std::string> filters;
    };
    auto f = std::make_shared<Flags>();
    CLI::App* cmd = parent.add_subcommand("prune", "Remove unused data");
    cmd->add_flag("-a,--all", f->all, "Remove all unused images, not just dangling ones");
    cmd->add_flag("-f,--force", f->force, "Do not prompt for confirmation");
    cmd->add_flag("--volumes", f->volumes, "Prune volumes");
    cmd->add_option("--filter", f->filters, "Provide filter values (e.g. 'label=<key>=<value>')")->allow_extra_args(false);
    cmd->callback([&ctx, f] {
        if (!f->force) {
            std::string warning =
                "WARNING! This command removes:\n\t- all stopped containers\n\t- all networks not used by at least one container\n";
            if (f->volumes) warning += "\t- all volumes not used by at least one container\n";
            warning += f->all ? "\t- all images without at least one container associated with them\n"
                              : "\t- all dangling images\n";
            if (!confirmed(warning + "\n")) return;
        }
        print_section("Deleted Containers", prune_containers(ctx, f->filters));
        print_section("Deleted Networks", prune_networks(ctx, {}));
        if (f->volumes) print_section("Deleted Volumes", prune_volumes(ctx, {}));
        print_section("Deleted Images", prune_images(ctx, f->all));
        std::cout << std::flush;
    });
    return cmd;
}

}  // namespace

// Asks on the terminal, as Podman does without --force; anything but y/yes (including no
// input at all) declines.
bool confirmed(const std::string& warning) {
    std::cout << warning << "Are you sure you want to continue? [y/N] " << std::flush;
    std::string answer;
    if (!std::getline(std::cin, answer)) return false;
    answer = str::to_lower(str::trim(answer));
    return answer == "y" || answer == "yes";
}

void register_system(CLI::App& app, Context& ctx) {
    add_info(app, ctx, "info");

    CLI::App* system = app.add_subcommand("system", "Manage pc");
    system->require_subcommand(1);
    add_info(*system, ctx, "info");
    add_system_prune(*system, ctx);
    add_system_df(*system, ctx);
    add_system_reap(*system, ctx);
    CLI::App* migrate = system->add_subcommand(
        "migrate",
        "Stop the processes holding the user namespace of this runtime dir (--runroot), so that changed /etc/subuid or "
        "/etc/subgid ranges take effect");
    migrate->callback([&ctx] {
        // Podman's migrate stops its pause process the same way; running containers keep
        // the namespace they are in, and the next container starts a new holder. Those of
        // the runtime dir in use (--runroot), where they are recorded.
        const int stopped = rootless::stop_userns_holders(ctx.store().runroot());
        log::debug("system migrate: stopped " + std::to_string(stopped) + " user namespace holder(s)");
    });

    auto version_format = std::make_shared<std::string>();
    CLI::App* version = app.add_subcommand("version", "Display the pc version information");
    version->add_option("-f,--format", *version_format, "Change the output format to JSON or a Go template");
    version->callback([version_format] {
        json j = version_json();
        if (*version_format == "json") {
            std::cout << podman_json(j) << std::endl;
        } else if (!version_format->empty()) {
            print_each_with_template({j}, *version_format, "version");
        } else {
            const json& c = j["Client"];
            std::cout << "Client:       pc\n"
                      << "Version:      " << c["Version"].get<std::string>() << "\n"
                      << "API Version:  " << c["APIVersion"].get<std::string>() << "\n"
                      << "Built:        " << c["BuiltTime"].get<std::string>() << "\n"
                      << "OS/Arch:      " << c["OsArch"].get<std::string>() << "\n";
        }
    });
}

}  // namespace pc::cli
