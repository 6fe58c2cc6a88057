#include "compose/engine.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>

#include <algorithm>
#include <set>

#include "common/error.hpp"
#include "common/strings.hpp"
#include "common/user_paths.hpp"
#include "compose/hash.hpp"
#include "compose/labels.hpp"
#include "compose/project_networks.hpp"
#include "compose/project_ops.hpp"
#include "compose/service_container.hpp"
#include "container/control.hpp"
#include "container/exec.hpp"
#include "container/monitor.hpp"
#include "container/mount_options.hpp"
#include "image/image_config.hpp"
#include "image/pull.hpp"
#include "net/port_spec.hpp"
#include "pod/parallel.hpp"
#include "pod/pod_ops.hpp"
#include "storage/volumes.hpp"

namespace pc::compose {

namespace {

using container::Container;

std::string label_of(const Container& c, const std::string& key) {
    auto it = c.config.labels.find(key);
    return it == c.config.labels.end() ? "" : it->second;
}

int number_of(const Container& c) {
    auto n = str::parse_u64(label_of(c, kLabelNumber));
    return n ? static_cast<int>(*n) : 0;
}

bool is_oneoff(const Container& c) { return label_of(c, kLabelOneoff) == "True"; }

// Docker Compose's default image name for a service that is built and names none.

std::string pod_hash(const Project& p) {
    // What the pod is made with: the services' published ports (they are the pod's).
    std::vector<std::string> specs;
    for (const auto& [name, s] : p.services)
        if (runs_in_pod(p, s))
            for (const auto& spec : publish_specs(s)) specs.push_back(spec);
    std::sort(specs.begin(), specs.end());
    return str::fingerprint(str::join(specs, "\n")).substr(0, 16);
}

}  // namespace

Engine::Engine(container::ContainerStore& containers, const Project& project, Progress progress)
    : containers_(containers), pods_(containers), project_(project), progress_(std::move(progress)) {
    if (!progress_.event) progress_.event = [](const std::string&, const std::string&) {};
    if (!progress_.warning) progress_.warning = [](const std::string&) {};
}

FileLock Engine::lock() {
    const std::string dir = containers_.storage().root() + "/compose";
    ensure_dir(dir, 0700);
    return FileLock(dir + "/" + project_.name + ".lock");
}

std::string Engine::files_dir(const std::string& container_name) const {
    return containers_.storage().root() + "/compose/" + project_.name + "/" + container_name;
}

std::vector<Container> Engine::containers(bool oneoff) {
    std::vector<Container> out;
    for (auto& c : containers_.list()) {
        if (label_of(c, kLabelProject) != project_.name || c.config.infra) continue;
        if (!oneoff && is_oneoff(c)) continue;
        out.push_back(std::move(c));
    }
    return out;
}

std::vector<Container> Engine::service_containers(const std::string& service, bool oneoff) {
    std::vector<Container> out;
    for (auto& c : containers(oneoff))
        if (label_of(c, kLabelService) == service) out.push_back(std::move(c));
    std::stable_sort(out.begin(), out.end(), [](const Container& a, const Container& b) { return number_of(a) < number_of(b); });
    return out;
}

std::optional<pod::PodConfig> Engine::pod() { return pods_.find(pod_name(project_.name)); }

std::vector<Container> Engine::orphans() {
    std::vector<Container> out;
    for (auto& c : containers(false)) {
        const std::string service = label_of(c, kLabelService);
        if (!project_.services.count(service) && !project_.disabled_services.count(service)) out.push_back(std::move(c));
    }
    return out;
}

std::vector<std::string> Engine::resolve_services(const std::vector<std::string>& names) const {
    if (names.empty()) return services_in_dependency_order(project_);
    std::vector<std::string> out;
    for (const auto& n : names) {
        if (!project_.services.count(n)) {
            if (project_.disabled_services.count(n)) throw Error("service \"" + n + "\" is not enabled: its profile is not active");
            throw Error("no such service: " + n);
        }
        out.push_back(n);
    }
    // In dependency order.
    std::vector<std::string> ordered;
    for (const auto& s : services_in_dependency_order(project_))
        if (std::find(out.begin(), out.end(), s) != out.end()) ordered.push_back(s);
    return ordered;
}

std::string Engine::first_container_id(const std::string& service) {
    auto ctrs = service_containers(service);
    return ctrs.empty() ? "" : ctrs.front().config.id;
}

// ------------------------------------------------------------------------ images

void Engine::ensure_images(const std::vector<std::string>& services, const UpOptions& o) {
    storage::Store& store = containers_.storage();
    for (const auto& name : services) {
        const Service& s = project_.services.at(name);
        const std::string image = service_image(project_, s);
        std::string policy = !o.pull.empty() ? o.pull : s.pull_policy;
        if (policy.empty() || policy == "if_not_present" || str::starts_with(policy, "every_") || policy == "daily" ||
            policy == "weekly")
            policy = "missing";
        const bool present = store.find_image(image).has_value();
        const bool want_build = s.build && !o.no_build && (o.build || policy == "build" || !present);
        if (want_build) {
            if (!build_)
                throw Error("service \"" + name + "\" has a build section: building images is not available here");
            progress_.event("Service " + name, "Building");
            build_(project_, s, image);
            progress_.event("Service " + name, "Built");
            continue;
        }
        if (policy == "never" || (policy == "missing" && present)) {
            if (!present)
                throw Error("service \"" + name + "\": image " + image + " not known (pull_policy never)");
            continue;
        }
        if (policy != "always" && policy != "missing" && policy != "build")
            throw Error("service \"" + name + "\": invalid pull policy \"" + policy + "\"");
        if (policy == "build" && !s.build) throw Error("service \"" + name + "\": pull_policy build needs a build section");
        progress_.event("Image " + image, "Pulling");
        try {
            image::PullOptions po;
            image::pull_image(store, image, po, image::no_progress());
        } catch (const Error& e) {
            if (present && policy == "always") {
                progress_.warning("pulling " + image + " for service \"" + name + "\" failed (" + e.what() +
                                  "); using the local image");
                continue;
            }
            throw Error("service \"" + name + "\": image " + image + ": " + e.what());
        }
        progress_.event("Image " + image, "Pulled");
    }
}

void Engine::pull(const std::vector<std::string>& services, const std::string& policy) {
    UpOptions o;
    o.pull = policy;
    o.no_build = true;
    ensure_images(resolve_services(services), o);
}

// ------------------------------------------------------------------------ checks

void Engine::check_before_create(const std::vector<std::string>& services, const UpOptions& o) {
    for (const auto& name : services) {
        const Service& s = project_.services.at(name);
        auto it = o.scale.find(name);
        const int64_t replicas = it != o.scale.end() ? it->second : s.replicas();
        if (replicas > 1 && !s.container_name.empty())
            throw Error("service \"" + name + "\" has container_name \"" + s.container_name +
                        "\": it cannot be scaled to " + std::to_string(replicas) + " (container names are unique)");
        for (const auto& w : unsupported_keys(project_, s)) progress_.warning(w);
    }
    // Every service that will run in the pod (those already running count too).
    std::vector<std::string> in_pod;
    for (const auto& [name, s] : project_.services)
        if (runs_in_pod(project_, s)) in_pod.push_back(name);
    storage::Store& store = containers_.storage();
    check_port_clashes(project_, in_pod, o.scale, [&](const std::string& image) {
        auto img = store.find_image(image);
        if (!img) return std::vector<std::string>{};
        auto blob = store.get_blob("sha256:" + img->id, storage::Store::BlobRead::Trust);
        if (!blob) return std::vector<std::string>{};
        return image::runtime_config_of(nlohmann::json::parse(*blob, nullptr, false)).exposed_ports;
    });
    if (!project_.in_pod) {
        check_networks(services);
        return;
    }
    if (const std::string custom = custom_pod_name(project_); !custom.empty())
        progress_.warning("x-podman.in_pod: the pod is named " + pod_name(project_.name) + ", not \"" + custom +
                          "\" (pc finds a project's pod by that name)");
    std::set<std::string> networks;
    for (const auto& name : services)
        for (const auto& [net, cfg] : project_.services.at(name).networks) networks.insert(net);
    if (networks.size() > 1)
        progress_.warning("the networks of project \"" + project_.name + "\" (" + str::join({networks.begin(), networks.end()}, ", ") +
                          ") share the project's pod: its services reach each other on all of them, by name and alias");
}

// ------------------------------------------------------------------------ pod and volumes

void Engine::ensure_pod() {
    bool needed = false;
    for (const auto& [name, s] : project_.services) needed |= runs_in_pod(project_, s);
    if (!needed) {
        // Brought up in a pod before, now on networks: the pod goes with its members, which
        // converge() makes again outside it.
        if (auto existing = pod()) {
            progress_.event("Pod " + existing->name, "Removing");
            std::vector<Container> members;
            for (auto& m : pods_.containers_of(existing->id))
                if (!m.config.infra) members.push_back(m);
            stop_containers(members, std::nullopt);
            pod::remove_pod(pods_, *existing, true, 0);
            progress_.event("Pod " + existing->name, "Removed");
        }
        return;
    }
    const std::string hash = pod_hash(project_);
    if (auto existing = pod()) {
        auto it = existing->labels.find(kLabelPodHash);
        if (it != existing->labels.end() && it->second == hash) return;
        // Its published ports changed: the pod (and the members in it) are made again.
        progress_.event("Pod " + existing->name, "Recreate");
        auto members = pods_.containers_of(existing->id);
        std::vector<Container> running;
        for (auto& m : members)
            if (!m.config.infra) running.push_back(m);
        stop_containers(running, std::nullopt);
        pod::remove_pod(pods_, *existing, true, 0);
    }
    pod::PodCreateOptions o;
    o.name = pod_name(project_.name);
    o.share = "net";
    o.labels = {std::string(kLabelProject) + "=" + project_.name, std::string(kLabelPodHash) + "=" + hash};
    for (const auto& [name, s] : project_.services)
        if (runs_in_pod(project_, s))
            for (const auto& spec : publish_specs(s)) o.net.publish.push_back(spec);
    progress_.event("Pod " + o.name, "Creating");
    pod::create_pod(pods_, o, {"pc", "compose", "-p", project_.name, "up"});
    progress_.event("Pod " + o.name, "Created");
}

void Engine::ensure_volumes(const std::vector<std::string>& services) {
    storage::Volumes volumes(containers_.storage());
    std::set<std::string> used;
    for (const auto& name : services)
        for (const auto& v : project_.services.at(name).volumes)
            if (v.type == "volume" && !v.source.empty()) used.insert(v.source);
    for (const auto& key : used) {
        auto it = project_.volumes.find(key);
        if (it == project_.volumes.end()) continue;  // the loader checked the reference
        const Volume& v = it->second;
        const std::string name = v.name.empty() ? project_.name + "_" + key : v.name;
        if (volumes.find(name)) continue;
        if (v.external) throw Error("external volume \"" + name + "\" not found");
        if (!v.driver.empty() && v.driver != "local")
            throw Error("volume \"" + key + "\": driver \"" + v.driver + "\" is not available (pc has the local driver)");
        std::map<std::string, std::string> labels = v.labels;
        labels[kLabelProject] = project_.name;
        labels[kLabelVolume] = key;
        labels[kLabelVersion] = "2.40.3";
        progress_.event("Volume " + name, "Creating");
        try {
            volumes.create(name, labels, v.driver_opts);
            created_volumes_.push_back(name);
        } catch (const Error&) {
            if (!volumes.find(name)) throw;  // made meanwhile by a container's first use
        }
        progress_.event("Volume " + name, "Created");
    }
}

// ------------------------------------------------------------------------ containers

Container Engine::create_container(const Service& s, int number) {
    const std::string name = s.container_name.empty() ? service_container_name(project_.name, s.name, number) : s.container_name;
    auto p = pod();
    ServiceContainerRequest r;
    r.project = &project_;
    r.service = &s;
    r.number = number;
    r.name = name;
    r.pod = p ? &*p : nullptr;
    r.service_container = [this](const std::string& svc) { return first_container_id(svc); };
    r.files_dir = files_dir(name);
    progress_.event("Container " + name, "Creating");
    ServiceContainer made = service_container_config(containers_.storage(), pods_, r);
    Container c = containers_.create(made.config);
    progress_.event("Container " + name, "Created");
    return c;
}

void Engine::remove_container(const Container& c, bool volumes) {
    progress_.event("Container " + c.config.name, "Removing");
    containers_.remove(c, volumes || c.config.auto_remove, true);
    const std::string dir = files_dir(c.config.name);
    if (::access(dir.c_str(), F_OK) == 0) containers_.storage().remove_tree(dir);
    progress_.event("Container " + c.config.name, "Removed");
}

void Engine::run_hooks(const Container& c, const std::vector<ServiceHook>& hooks, const std::string& what) {
    for (const auto& h : hooks) {
        if (!h.command || h.command->empty()) continue;
        auto now = containers_.find(c.config.id);
        if (!now || !now->state.running()) return;
        container::ExecOptions o = hook_exec_options(h);
        UniqueFd null(::open("/dev/null", O_RDWR | O_CLOEXEC));
        o.stdin_fd = o.stdout_fd = o.stderr_fd = null.get();
        const int code = container::exec_in_container(containers_, *now, o);
        if (code != 0)
            throw Error("container " + c.config.name + ": " + what + " hook " + str::join(*h.command, " ") +
                        " exited with " + std::to_string(code));
    }
}

void Engine::stop_containers(std::vector<Container> ctrs, std::optional<unsigned> timeout) {
    std::vector<Container> running;
    for (auto& c : ctrs) {
        if (!c.state.running() && c.state.monitor_pid <= 0) continue;
        const std::string service = label_of(c, kLabelService);
        if (auto it = project_.services.find(service); it != project_.services.end() && !it->second.pre_stop.empty()) {
            try {
                run_hooks(c, it->second.pre_stop, "pre_stop");
            } catch (const Error& e) {
                progress_.warning(e.what());
            }
        }
        progress_.event("Container " + c.config.name, "Stopping");
        running.push_back(std::move(c));
    }
    auto errors = pod::run_in_parallel(running.size(), [&](size_t i) {
        container::stop_container(containers_, running[i], timeout.value_or(running[i].config.stop_timeout));
    });
    for (size_t i = 0; i < running.size(); ++i) {
        if (!errors[i].empty()) progress_.warning("stopping " + running[i].config.name + ": " + errors[i]);
        progress_.event("Container " + running[i].config.name, "Stopped");
    }
}

// Which containers each service needs, kept, made or made again; returns the services
// whose containers were (re)created.
std::vector<std::string> Engine::converge(const std::vector<std::string>& services, const UpOptions& o) {
    std::set<std::string> recreated;
    for (const auto& name : services) {
        const Service& s = project_.services.at(name);
        auto it = o.scale.find(name);
        const int64_t replicas = std::max<int64_t>(0, it != o.scale.end() ? it->second : s.replicas());
        const std::string hash = service_config_hash(s);
        // A container of an image that has since changed (rebuilt, pulled) is made again,
        // as Docker Compose compares the image a container runs with the service's.
        const auto image = containers_.storage().find_image(service_image(project_, s));
        bool deps_recreated = false;
        for (const auto& [dep, d] : s.depends_on) deps_recreated |= recreated.count(dep) > 0;
        auto existing = service_containers(name);
        // Extra replicas go, newest first.
        std::vector<Container> extra;
        for (auto& c : existing)
            if (number_of(c) > replicas || number_of(c) == 0) extra.push_back(c);
        if (!extra.empty()) {
            stop_containers(extra, o.timeout);
            for (const auto& c : extra) remove_container(c, false);
        }
        for (int n = 1; n <= replicas; ++n) {
            auto have = std::find_if(existing.begin(), existing.end(), [&](const Container& c) { return number_of(c) == n; });
            if (have == existing.end()) {
                create_container(s, n);
                recreated.insert(name);
                continue;
            }
            // So is one in the pod when the project now runs on networks, and the reverse.
            const bool changed = label_of(*have, kLabelConfigHash) != hash || (image && have->config.image_id != image->id) ||
                                 runs_in_pod(project_, s) == have->config.pod.empty();
            const bool recreate = !o.no_recreate &&
                                  (o.force_recreate || changed || (o.always_recreate_deps && deps_recreated) ||
                                   (deps_recreated && changed));
            if (!recreate) {
                progress_.event("Container " + have->config.name, have->state.running() ? "Running" : "Created");
                continue;
            }
            progress_.event("Container " + have->config.name, "Recreate");
            stop_containers({*have}, o.timeout);
            remove_container(*have, false);
            create_container(s, n);
            progress_.event("Container " + have->config.name, "Recreated");
            recreated.insert(name);
        }
    }
    return {recreated.begin(), recreated.end()};
}

void Engine::up(const UpOptions& o) {
    FileLock held = lock();
    std::vector<std::string> services = resolve_services(o.services);
    if (!o.no_deps && !o.services.empty()) {
        // What the named services depend on comes too.
        std::set<std::string> want(services.begin(), services.end());
        bool grew = true;
        while (grew) {
            grew = false;
            for (const auto& n : std::vector<std::string>(want.begin(), want.end()))
                for (const auto& [dep, d] : project_.services.at(n).depends_on)
                    if (project_.services.count(dep) && want.insert(dep).second) grew = true;
        }
        services = resolve_services({want.begin(), want.end()});
    }
    for (const auto& [name, n] : o.scale)
        if (!project_.services.count(name)) throw Error("no such service: " + name);

    // Everything that can fail without changing anything, first.
    check_before_create(services, o);
    ensure_images(services, o);

    auto orphan_ctrs = orphans();
    if (!orphan_ctrs.empty()) {
        if (o.remove_orphans) {
            stop_containers(orphan_ctrs, o.timeout);
            for (const auto& c : orphan_ctrs) remove_container(c, false);
        } else {
            std::vector<std::string> names;
            for (const auto& c : orphan_ctrs) names.push_back(c.config.name);
            progress_.warning("Found orphan containers ([" + str::join(names, " ") + "]) for this project. If you removed or "
                              "renamed this service in your compose file, you can run this command with the "
                              "--remove-orphans flag to clean it up.");
        }
    }
    // A first `up` that fails while making things (a service's options refused, a name
    // taken) takes back what it made: no pod, network, volume or container is left behind.
    // A project that existed before keeps its state, as Docker Compose leaves it.
    const bool fresh = containers(true).empty() && !pod();
    created_volumes_.clear();
    try {
        ensure_pod();
        ensure_networks(services);
        ensure_volumes(services);
        converge(services, o);
    } catch (const Error&) {
        if (fresh) undo_first_up();
        throw;
    }
    if (o.no_start) return;
    start_in_dependency_order(
        containers_, project_, services, [this](const std::string& s) { return service_containers(s); }, progress_,
        [this](const Container& c) {
            auto it = project_.services.find(label_of(c, kLabelService));
            if (it != project_.services.end()) run_hooks(c, it->second.post_start, "post_start");
        });
    if (o.wait) wait_ready(services, o.wait_timeout_s);
}

void Engine::start(const std::vector<std::string>& names) {
    FileLock held = lock();
    std::vector<std::string> services = resolve_services(names);
    for (const auto& s : services)
        if (service_containers(s).empty()) throw Error("service \"" + s + "\" has no container to start");
    start_in_dependency_order(
        containers_, project_, services, [this](const std::string& s) { return service_containers(s); }, progress_,
        [this](const Container& c) {
            auto it = project_.services.find(label_of(c, kLabelService));
            if (it != project_.services.end()) run_hooks(c, it->second.post_start, "post_start");
        });
}

void Engine::stop(const std::vector<std::string>& names, std::optional<unsigned> timeout) {
    FileLock held = lock();
    // Reverse dependency order: what others need stops last.
    auto services = resolve_services(names);
    std::reverse(services.begin(), services.end());
    for (const auto& s : services) stop_containers(service_containers(s), timeout);
}

void Engine::restart(const std::vector<std::string>& names, std::optional<unsigned> timeout) {
    stop(names, timeout);
    auto services = resolve_services(names);
    for (const auto& s : services)
        for (const auto& c : service_containers(s)) progress_.event("Container " + c.config.name, "Restarting");
    start(names);
}

void Engine::kill(const std::vector<std::string>& names, int signal) {
    FileLock held = lock();
    bool any = false;
    for (const auto& s : resolve_services(names)) {
        for (auto& c : service_containers(s)) {
            if (!c.state.running()) continue;
            any = true;
            progress_.event("Container " + c.config.name, "Killing");
            if (signal == SIGKILL || signal == SIGTERM || signal == SIGINT)
                containers_.update_state(c.config.id, [](container::ContainerState& st) { st.stopped_by_user = true; });
            container::signal_container(c, signal);
            progress_.event("Container " + c.config.name, "Killed");
        }
    }
    if (!any) throw Error("no container to kill");
}

std::vector<std::string> Engine::remove(const std::vector<std::string>& names, bool stop_first, bool volumes) {
    FileLock held = lock();
    std::vector<std::string> removed;
    auto services = resolve_services(names);
    std::reverse(services.begin(), services.end());
    for (const auto& s : services) {
        auto ctrs = service_containers(s, true);
        if (stop_first) stop_containers(ctrs, std::nullopt);
        for (const auto& c : ctrs) {
            auto now = containers_.find(c.config.id);
            if (!now || now->state.running()) continue;
            remove_container(*now, volumes);
            removed.push_back(c.config.name);
        }
    }
    return removed;
}

void Engine::undo_first_up() {
    DownOptions o;
    o.remove_orphans = true;
    o.timeout = 0;
    try {
        tear_down(o);
        storage::Volumes volumes(containers_.storage());
        for (const auto& name : created_volumes_) volumes.remove(name);
    } catch (const Error& e) {
        progress_.warning("taking back what the failed up made: " + std::string(e.what()));
    }
}

void Engine::down(const DownOptions& o) {
    FileLock held = lock();
    tear_down(o);
}

void Engine::tear_down(const DownOptions& o) {
    std::vector<Container> all = containers(true);
    if (o.remove_orphans) {
        // containers(true) holds them already.
    } else {
        auto orphan_ctrs = orphans();
        if (!orphan_ctrs.empty()) {
            std::vector<std::string> orphan_names;
            for (const auto& c : orphan_ctrs) orphan_names.push_back(c.config.name);
            std::erase_if(all, [&](const Container& c) {
                return std::find(orphan_names.begin(), orphan_names.end(), c.config.name) != orphan_names.end();
            });
            progress_.warning("Found orphan containers ([" + str::join(orphan_names, " ") + "]) for this project. If you "
                              "removed or renamed this service in your compose file, you can run this command with the "
                              "--remove-orphans flag to clean it up.");
        }
    }
    if (!o.services.empty()) {
        auto wanted = resolve_services(o.services);
        std::erase_if(all, [&](const Container& c) {
            return std::find(wanted.begin(), wanted.end(), label_of(c, kLabelService)) == wanted.end();
        });
    }
    // Stopped in reverse dependency order, each level at once.
    auto order = services_in_dependency_order(project_);
    std::reverse(order.begin(), order.end());
    std::vector<Container> first;  // services outside the order (orphans, one-offs of them)
    for (const auto& c : all)
        if (std::find(order.begin(), order.end(), label_of(c, kLabelService)) == order.end()) first.push_back(c);
    stop_containers(first, o.timeout);
    for (const auto& s : order) {
        std::vector<Container> level;
        for (const auto& c : all)
            if (label_of(c, kLabelService) == s) level.push_back(c);
        stop_containers(level, o.timeout);
    }
    for (const auto& c : all)
        if (auto now = containers_.find(c.config.id)) remove_container(*now, o.volumes);
    if (o.services.empty()) {
        if (auto p = pod()) {
            progress_.event("Pod " + p->name, "Removing");
            pod::remove_pod(pods_, *p, true, o.timeout.value_or(0));
            progress_.event("Pod " + p->name, "Removed");
        }
        remove_networks();
        const std::string dir = containers_.storage().root() + "/compose/" + project_.name;
        if (::access(dir.c_str(), F_OK) == 0) containers_.storage().remove_tree(dir);
    }
    if (o.volumes) {
        storage::Volumes volumes(containers_.storage());
        for (const auto& [key, v] : project_.volumes) {
            if (v.external) continue;
            const std::string name = v.name.empty() ? project_.name + "_" + key : v.name;
            if (!volumes.find(name)) continue;
            progress_.event("Volume " + name, "Removing");
            volumes.remove(name);
            progress_.event("Volume " + name, "Removed");
        }
    }
    if (!o.rmi.empty()) {
        if (o.rmi != "local" && o.rmi != "all") throw Error("invalid --rmi \"" + o.rmi + "\" (valid: local, all)");
        std::set<std::string> images;
        for (const auto& [name, s] : project_.services) {
            // local: only images without a name of their own (built for the project).
            if (o.rmi == "local" && !s.image.empty()) continue;
            images.insert(service_image(project_, s));
        }
        storage::Store& store = containers_.storage();
        for (const auto& ref : images) {
            auto img = store.find_image(ref);
            if (!img) continue;
            bool used = false;
            for (const auto& c : containers_.list()) used |= c.config.image_id == img->id;
            if (used) {
                progress_.warning("image " + ref + " is used by other containers: not removed");
                continue;
            }
            progress_.event("Image " + ref, "Removing");
            store.remove_image(img->id);
            progress_.event("Image " + ref, "Removed");
        }
    }
}

void Engine::wait_ready(const std::vector<std::string>& names, std::optional<int64_t> timeout_s) {
    auto services = resolve_services(names);
    // Services others wait to complete may end; everything else must run.
    std::set<std::string> may_exit;
    for (const auto& [name, s] : project_.services)
        for (const auto& [dep, d] : s.depends_on)
            if (d.condition == "service_completed_successfully") may_exit.insert(dep);
    const int64_t deadline = timeout_s ? container::now_ns() + *timeout_s * 1000000000LL : 0;
    std::set<std::string> announced;
    for (;;) {
        bool all_ready = true;
        for (const auto& s : services) {
            for (const auto& c : service_containers(s)) {
                const auto& st = c.state;
                const std::string res = "Container " + c.config.name;
                if (st.status == container::Status::Exited) {
                    if (may_exit.count(s) && st.exit_code == 0) continue;
                    throw Error("container " + c.config.name + " exited (" + std::to_string(st.exit_code) + ")");
                }
                if (!st.running()) {
                    all_ready = false;
                    continue;
                }
                if (c.config.has_healthcheck()) {
                    if (st.health_status == "unhealthy") throw Error("container " + c.config.name + " is unhealthy");
                    if (st.health_status != "healthy") {
                        if (announced.insert(c.config.name).second) progress_.event(res, "Waiting");
                        all_ready = false;
                        continue;
                    }
                    if (announced.erase(c.config.name)) progress_.event(res, "Healthy");
                }
            }
        }
        if (all_ready) return;
        if (deadline && container::now_ns() > deadline)
            throw Error("timeout waiting for the services of project \"" + project_.name + "\" to be running and healthy");
        struct timespec nap {0, 100 * 1000 * 1000};
        ::nanosleep(&nap, nullptr);
    }
}

container::Container Engine::create_oneoff(const RunOptions& o) {
    FileLock held = lock();
    auto services = resolve_services({o.service});
    const Service& s = project_.services.at(o.service);
    if (!o.no_deps) {
        // Its dependencies are brought up (created and started), as Docker Compose does.
        std::vector<std::string> deps;
        for (const auto& [dep, d] : s.depends_on)
            if (project_.services.count(dep)) deps.push_back(dep);
        if (!deps.empty()) {
            held.unlock();
            UpOptions up_options;
            up_options.services = deps;
            up(up_options);
            held = lock();
        }
    }
    UpOptions none;
    ensure_images({o.service}, none);
    ensure_pod();
    ensure_networks({o.service});
    ensure_volumes({o.service});
    Service adjusted = s;
    if (o.entrypoint) adjusted.entrypoint = o.entrypoint->empty() ? std::vector<std::string>{} : std::vector<std::string>{*o.entrypoint};
    if (!o.user.empty()) adjusted.user = o.user;
    if (!o.workdir.empty()) adjusted.working_dir = o.workdir;
    for (const auto& kv : o.env) {
        auto [k, v] = str::split_once(kv, '=');
        adjusted.environment[k] = v;
    }
    for (const auto& l : o.labels) {
        auto [k, v] = str::split_once(l, '=');
        adjusted.labels[k] = v.value_or("");
    }
    if (!o.service_ports) adjusted.ports.clear();
    adjusted.tty = o.tty;
    adjusted.stdin_open = o.interactive;
    adjusted.restart.clear();
    adjusted.container_name.clear();
    if (!o.use_aliases)
        for (auto& [net, cfg] : adjusted.networks)
            if (cfg) cfg->aliases.clear();
    const std::string name = o.name.empty() ? oneoff_container_name(project_.name, o.service) : o.name;
    auto p = pod();
    ServiceContainerRequest r;
    r.project = &project_;
    r.service = &adjusted;
    r.number = 1;
    r.oneoff = true;
    r.name = name;
    r.pod = runs_in_pod(project_, adjusted) ? (p ? &*p : nullptr) : nullptr;
    r.use_aliases = o.use_aliases;
    r.service_container = [this](const std::string& svc) { return first_container_id(svc); };
    r.files_dir = files_dir(name);
    r.command = o.command;
    r.publish_ports = o.service_ports;
    // Ports given to `run -p` are published on a container of its own network, outside
    // the pod (the pod's ports are fixed when it is made); outside a pod, the one-off is
    // on the project's networks already.
    if (!o.publish.empty()) {
        if (project_.in_pod) adjusted.network_mode = "bridge";
        r.pod = nullptr;
    }
    ServiceContainer made = service_container_config(containers_.storage(), pods_, r);
    if (!o.publish.empty()) {
        std::vector<net::PortMapping> ports;
        for (const auto& spec : o.publish)
            for (auto& m : net::parse_publish(spec)) ports.push_back(m);
        net::check_conflicts(ports);
        net::assign_random_ports(ports);
        made.config.ports = ports;
    }
    // `run -v`: over the service's own mounts at the same place.
    for (const auto& v : o.volumes) {
        container::MountConfig m = container::parse_volume_flag(v);
        if (m.type == "bind" && ::access(m.source.c_str(), F_OK) != 0)
            throw Error("statfs " + m.source + ": no such file or directory");
        if (m.type == "volume" && m.source.empty()) {
            m.source = str::random_hex_id();
            m.anonymous = true;
        }
        std::erase_if(made.config.mounts, [&](const container::MountConfig& x) { return x.destination == m.destination; });
        made.config.mounts.push_back(m);
    }
    made.config.auto_remove = o.remove;
    return containers_.create(made.config);
}

// ------------------------------------------------------------------------ ls

std::vector<ProjectSummary> list_projects(container::ContainerStore& containers) {
    std::map<std::string, ProjectSummary> by_name;
    for (const auto& c : containers.list()) {
        const std::string project = label_of(c, kLabelProject);
        if (project.empty() || c.config.infra) continue;
        ProjectSummary& p = by_name[project];
        p.name = project;
        p.states[container::status_name(c.state.status)]++;
        for (const auto& f : str::split(label_of(c, kLabelConfigFiles), ','))
            if (!f.empty() && std::find(p.config_files.begin(), p.config_files.end(), f) == p.config_files.end())
                p.config_files.push_back(f);
    }
    std::vector<ProjectSummary> out;
    for (auto& [name, p] : by_name) out.push_back(std::move(p));
    return out;
}

}  // namespace pc::compose
