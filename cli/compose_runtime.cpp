#include "cli/compose_runtime.hpp"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <iostream>
#include <thread>

#include "cli/compose_build.hpp"

#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/strings.hpp"
#include "common/time_format.hpp"
#include "compose/labels.hpp"
#include "compose/project_networks.hpp"
#include "compose/service_container.hpp"
#include "container/log_file.hpp"
#include "pod/pod_store.hpp"

namespace pc::cli {

namespace {

std::string label(const container::Container& c, const std::string& key) {
    auto it = c.config.labels.find(key);
    return it == c.config.labels.end() ? "" : it->second;
}

bool alive(Context& ctx, const std::string& id) {
    auto& store = ctx.containers();
    if (::access((store.dir(id) + "/config.json").c_str(), F_OK) != 0) return false;
    container::ContainerState st = store.load_state(id);
    if (st.monitor_pid != 0) return container::process_alive(st.monitor_pid, st.monitor_start);
    return st.running();
}

}  // namespace

// One write(2) per line: log readers (threads) and progress may print at once, and a
// child forked to stop the project must not wait on a lock another thread held.
void write_line(int fd, const std::string& line) {
    if (!write_all(fd, line.data(), line.size()) && errno == EPIPE) std::_Exit(0);
}

compose::Project load_runtime_project(const ComposeFlags& flags, const std::vector<std::string>& services,
                                      bool allow_no_file) {
    compose::LoadOptions o = flags.load_options();
    o.services = services;
    // --in-pod, else podman-compose's PODMAN_COMPOSE_IN_POD (both over the file's x-podman).
    std::optional<bool> in_pod;
    const char* env_in_pod = std::getenv("PODMAN_COMPOSE_IN_POD");
    if (!flags.in_pod.empty()) in_pod = compose::parse_in_pod_flag(flags.in_pod);
    else if (env_in_pod && *env_in_pod) in_pod = compose::parse_in_pod_flag(env_in_pod);
    try {
        compose::Project p = compose::load_project(o);
        p.in_pod = compose::resolve_in_pod(p, in_pod);
        return p;
    } catch (const Error& e) {
        const std::string what = e.what();
        if (!allow_no_file || what.find("no configuration file provided") == std::string::npos) throw Error(what, kExitCompose);
        std::string name = !flags.project_name.empty() ? flags.project_name : str::trim(std::getenv("COMPOSE_PROJECT_NAME") ? std::getenv("COMPOSE_PROJECT_NAME") : "");
        if (name.empty()) throw Error(what, kExitCompose);
        compose::Project p;
        p.name = compose::normalize_project_name(name);
        p.in_pod = in_pod.value_or(true);
        return p;
    }
}

std::unique_ptr<compose::Engine> make_engine(Context& ctx, const compose::Project& project, bool quiet) {
    compose::Progress progress;
    progress.event = [quiet](const std::string& resource, const std::string& status) {
        if (!quiet) write_line(STDERR_FILENO, " " + resource + "  " + status + "\n");
    };
    progress.warning = [](const std::string& message) { write_line(STDERR_FILENO, "WARN[0000] " + message + "\n"); };
    auto engine = std::make_unique<compose::Engine>(ctx.containers(), project, progress);
    ComposeBuildSettings build;
    build.quiet = quiet;
    engine->set_build_hook(compose_build_hook(ctx, build));
    return engine;
}

std::string service_of(const container::Container& c) { return label(c, compose::kLabelService); }

std::string short_name(const container::Container& c) {
    // Docker Compose's prefix: the service and replica number ("web-1"); a container_name
    // or a one-off is shown by its name.
    const std::string service = service_of(c);
    const std::string number = label(c, compose::kLabelNumber);
    const std::string project = label(c, compose::kLabelProject);
    if (!service.empty() && !number.empty() && c.config.name == compose::service_container_name(project, service, std::atoi(number.c_str())))
        return service + "-" + number;
    return c.config.name;
}

std::vector<net::PortMapping> published_ports(Context& ctx, const compose::Project& project, const container::Container& c) {
    if (!c.config.ports.empty() || c.config.pod.empty()) return c.config.ports;
    auto svc = project.services.find(service_of(c));
    auto infra = c.config.dependencies.empty() ? std::nullopt : ctx.containers().find(c.config.dependencies.front());
    if (!infra) return {};
    std::vector<net::PortMapping> out;
    for (const auto& m : infra->config.ports) {
        if (svc == project.services.end()) continue;
        for (const auto& p : svc->second.ports)
            if (p.target == static_cast<uint32_t>(m.container_port) && (p.protocol.empty() ? "tcp" : p.protocol) == m.protocol)
                out.push_back(m);
    }
    return out;
}

void stream_compose_logs(Context& ctx, const std::vector<container::Container>& ctrs, const LogStreamOptions& o,
                         const std::function<bool()>& keep_going) {
    static const char* kColors[] = {"\033[36m", "\033[33m", "\033[32m", "\033[35m", "\033[34m", "\033[96m", "\033[93m", "\033[92m"};
    // Docker Compose pads every name to one more than the longest: "web-1  | ".
    size_t width = 0;
    for (const auto& c : ctrs) width = std::max(width, short_name(c).size() + 1);
    container::LogReadOptions ro;
    ro.follow = o.follow;
    ro.tail = o.tail;
    ro.since_ns = o.since_ns;
    ro.until_ns = o.until_ns;
    ::signal(SIGPIPE, SIG_IGN);
    auto prefix_of = [&](size_t i) {
        if (!o.prefix) return std::string();
        std::string name = short_name(ctrs[i]);
        name.resize(width, ' ');
        if (o.color) return std::string(kColors[i % 8]) + name + " |\033[0m ";
        return name + " | ";
    };
    auto emit = [&](const container::LogRecord& r, const std::string& prefix) {
        std::string line = prefix;
        if (o.timestamps) line += rfc3339_nano(r.time_ns, false) + " ";
        line += r.text;
        if (!r.partial) line += '\n';
        // Docker Compose prints every container's output (stderr too) on stdout.
        write_line(STDOUT_FILENO, line);
    };
    if (!o.follow) {
        // Merged in time order.
        std::vector<std::pair<container::LogRecord, size_t>> all;
        for (size_t i = 0; i < ctrs.size(); ++i)
            container::read_log(container::log_path(ctx.store(), ctrs[i].config.id), ro,
                                [&](const container::LogRecord& r) { all.emplace_back(r, i); }, [] { return false; });
        std::stable_sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.first.time_ns < b.first.time_ns; });
        for (const auto& [r, i] : all) emit(r, prefix_of(i));
        return;
    }
    std::vector<std::thread> readers;
    for (size_t i = 0; i < ctrs.size(); ++i) {
        readers.emplace_back([&, i] {
            const std::string id = ctrs[i].config.id;
            const std::string prefix = prefix_of(i);
            try {
                container::read_log(
                    container::log_path(ctx.store(), id), ro, [&](const container::LogRecord& r) { emit(r, prefix); },
                    [&] { return keep_going() && alive(ctx, id); });
            } catch (const Error&) {
                // removed while followed
            }
        });
    }
    for (auto& t : readers) t.join();
}

}  // namespace pc::cli
