// The compose runtime: a loaded project (compose/loader.hpp) run as Docker Compose v2 runs
// it, with pc's pods. The project's services share one pod (one network namespace: they
// reach each other on localhost and by name, and their ports are published on the pod);
// a service with a network_mode of its own runs beside it. With `--in-pod=false` there is
// no pod: each service is on the project's networks (compose/project_networks.hpp).
// Containers, volumes, networks and the pod are found again by their com.docker.compose.*
// labels, so every command converges from whatever state the store is in (a `compose up`
// killed half-way included), and a project lock keeps two commands of one project from
// racing.
//
// Nothing here prints: progress ("Container p-web-1  Started") and warnings go to the
// Progress callbacks, which cli/ renders as Docker Compose does.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/file_lock.hpp"
#include "compose/model.hpp"
#include "container/container_store.hpp"
#include "pod/pod_store.hpp"

namespace pc::compose {

struct Progress {
    // resource: "Container p-web-1", "Pod pod_p", "Volume p_data"; status: Docker Compose's
    // words ("Creating", "Created", "Starting", "Started", "Waiting", "Healthy", ...).
    std::function<void(const std::string& resource, const std::string& status)> event;
    std::function<void(const std::string& message)> warning;
};

// Builds a service's image (`build:`); returns the image id. Set by cli/ (the builder
// lives beside compose/); unset: a service that must be built is an error.
using BuildHook = std::function<std::string(const Project& project, const Service& service, const std::string& image)>;

struct UpOptions {
    std::vector<std::string> services;  // empty: every enabled service
    bool no_deps = false;
    bool force_recreate = false, no_recreate = false, always_recreate_deps = false;
    bool remove_orphans = false;
    bool no_start = false;
    bool wait = false;
    std::optional<int64_t> wait_timeout_s;
    std::map<std::string, int> scale;
    std::optional<unsigned> timeout;  // stop timeout for recreated containers
    std::string pull;                 // --pull: always, missing, never, build ("" = each service's pull_policy)
    bool build = false, no_build = false;
};

struct DownOptions {
    bool volumes = false, remove_orphans = false;
    std::string rmi;  // "", "local", "all"
    std::optional<unsigned> timeout;
    std::vector<std::string> services;  // empty: the whole project
};

struct RunOptions {
    std::string service;
    std::optional<std::vector<std::string>> command;
    std::optional<std::string> entrypoint;
    std::vector<std::string> env, volumes, labels, publish;
    std::string name, user, workdir;
    bool no_deps = false, service_ports = false, use_aliases = false, remove = false, tty = false, interactive = false;
    bool detach = false;
};

// A project known to the store (`compose ls`).
struct ProjectSummary {
    std::string name;
    std::map<std::string, int> states;  // "running" -> 2, "exited" -> 1
    std::vector<std::string> config_files;
};
std::vector<ProjectSummary> list_projects(container::ContainerStore& containers);

class Engine {
public:
    Engine(container::ContainerStore& containers, const Project& project, Progress progress);

    const Project& project() const { return project_; }
    void set_build_hook(BuildHook hook) { build_ = std::move(hook); }
    bool can_build() const { return static_cast<bool>(build_); }

    // The project's containers (newest first as `ps`; services' own, or one-offs too), the
    // pod, and containers of services the project no longer has.
    std::vector<container::Container> containers(bool oneoff = false);
    std::vector<container::Container> service_containers(const std::string& service, bool oneoff = false);
    std::optional<pod::PodConfig> pod();
    std::vector<container::Container> orphans();

    // Services named (checked: unknown ones are an error), or every enabled service.
    std::vector<std::string> resolve_services(const std::vector<std::string>& names) const;

    // Pulls the services' images (`pull`: always, missing; nothing is built).
    void pull(const std::vector<std::string>& services, const std::string& policy);

    // create + start, converging what exists (unchanged services are left running).
    void up(const UpOptions& options);
    // Starts existing containers of `services` (all when empty) in dependency order,
    // waiting on each dependency's condition.
    void start(const std::vector<std::string>& services);
    void stop(const std::vector<std::string>& services, std::optional<unsigned> timeout);
    void restart(const std::vector<std::string>& services, std::optional<unsigned> timeout);
    void kill(const std::vector<std::string>& services, int signal);
    // rm: stopped containers (running ones too with `stop_first`), with their anonymous
    // volumes when `volumes`. Returns what was removed.
    std::vector<std::string> remove(const std::vector<std::string>& services, bool stop_first, bool volumes);
    void down(const DownOptions& options);
    // Waits until the services' containers are running (and healthy, with a healthcheck);
    // throws naming the container that exited or became unhealthy, or at the timeout.
    void wait_ready(const std::vector<std::string>& services, std::optional<int64_t> timeout_s);

    // `compose run`: a one-off container of `service` (its dependencies started first
    // unless no_deps); created, not started.
    container::Container create_oneoff(const RunOptions& options);

    // The project lock (held by every command that changes the project).
    FileLock lock();

private:
    void check_before_create(const std::vector<std::string>& services, const UpOptions& options);
    void ensure_images(const std::vector<std::string>& services, const UpOptions& options);
    void ensure_pod();
    // The project's networks when it runs outside a pod (compose/engine_networks.cpp):
    // checked before anything is made, made as the services need them, removed by down.
    void check_networks(const std::vector<std::string>& services);
    void ensure_networks(const std::vector<std::string>& services);
    void remove_networks();
    void ensure_volumes(const std::vector<std::string>& services);
    // down's work, under the project lock its caller holds.
    void tear_down(const DownOptions& options);
    void undo_first_up();
    std::vector<std::string> converge(const std::vector<std::string>& services, const UpOptions& options);
    container::Container create_container(const Service& service, int number);
    void stop_containers(std::vector<container::Container> ctrs, std::optional<unsigned> timeout);
    void remove_container(const container::Container& c, bool volumes);
    std::string first_container_id(const std::string& service);
    std::string files_dir(const std::string& container_name) const;
    void run_hooks(const container::Container& c, const std::vector<ServiceHook>& hooks, const std::string& what);

    container::ContainerStore& containers_;
    pod::PodStore pods_;
    Project project_;
    Progress progress_;
    BuildHook build_;
    std::vector<std::string> created_volumes_;  // by this up, taken back when it fails
};

// `up`'s and `start`'s order: services whose dependencies are satisfied are started (their
// containers at once, independent services concurrently) as soon as those conditions hold:
// service_started, service_healthy (the monitor's health status), or
// service_completed_successfully (exit 0). A dependency that fails names the service and
// the reason; an optional one (required: false) is skipped with a warning.
void start_in_dependency_order(container::ContainerStore& containers, const Project& project,
                               const std::vector<std::string>& services,
                               const std::function<std::vector<container::Container>(const std::string&)>& containers_of,
                               const Progress& progress,
                               const std::function<void(const container::Container&)>& after_start);

// Two services of the pod that would listen on one port: an error naming both, the port and
// what to do (before anything is created). `image_exposed` gives an image's EXPOSE ports.
void check_port_clashes(const Project& project, const std::vector<std::string>& services,
                        const std::map<std::string, int>& scale,
                        const std::function<std::vector<std::string>(const std::string& image)>& image_exposed);

}  // namespace pc::compose
