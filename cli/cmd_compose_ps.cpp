// pc compose ps|ls|top|port|images, shaped as Docker Compose v2 prints them.
#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <map>

#include "cli/compose_runtime.hpp"
#include "cli/container_views.hpp"
#include "cli/human_units.hpp"
#include "cli/output.hpp"
#include "cli/table_writer.hpp"
#include "common/error.hpp"
#include "common/strings.hpp"
#include "common/time_format.hpp"
#include "compose/labels.hpp"
#include "container/top.hpp"
#include "net/port_spec.hpp"

namespace pc::cli {

namespace {

double now_s() { return static_cast<double>(container::now_ns()) / 1e9; }

// Docker's container status: "Up 5 seconds (healthy)", "Exited (0) 3 seconds ago", "Created".
std::string docker_status(const container::Container& c) {
    const auto& st = c.state;
    std::string health = st.running() && !st.health_status.empty() ? " (" + st.health_status + ")" : "";
    if (st.running()) return "Up " + human_duration(now_s() - static_cast<double>(st.started_ns) / 1e9) + health;
    if (st.status == container::Status::Exited)
        return "Exited (" + std::to_string(st.exit_code) + ") " +
               human_duration(now_s() - static_cast<double>(st.finished_ns) / 1e9) + " ago";
    std::string s = container::status_name(st.status);
    if (!s.empty()) s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
    return s;
}

// Docker's quoted, truncated COMMAND column.
std::string command_column(const container::Container& c, bool no_trunc) {
    std::string cmd = str::join(c.config.argv(), " ");
    if (!no_trunc && cmd.size() > 20) cmd = cmd.substr(0, 19) + "…";
    return "\"" + cmd + "\"";
}

// "0.0.0.0:8080->80/tcp, :::8080->80/tcp" as Docker lists published ports.
std::string ports_column(const std::vector<net::PortMapping>& ports) {
    std::vector<std::string> out;
    for (const auto& m : ports) {
        const std::string ip = m.host_ip.empty() ? "0.0.0.0" : m.host_ip;
        out.push_back(ip + ":" + std::to_string(m.host_port) + "->" + std::to_string(m.container_port) + "/" + m.protocol);
    }
    return str::join(out, ", ");
}

nlohmann::json ps_json(Context& ctx, const compose::Project& project, const container::Container& c) {
    const auto ports = published_ports(ctx, project, c);
    nlohmann::json publishers = nlohmann::json::array();
    for (const auto& m : ports)
        publishers.push_back({{"URL", m.host_ip.empty() ? "0.0.0.0" : m.host_ip},
                              {"TargetPort", m.container_port},
                              {"PublishedPort", m.host_port},
                              {"Protocol", m.protocol}});
    std::vector<std::string> labels;
    for (const auto& [k, v] : c.config.labels) labels.push_back(k + "=" + v);
    std::vector<std::string> mounts;
    for (const auto& m : c.config.mounts) mounts.push_back(m.type == "volume" ? m.source : m.source.empty() ? m.destination : m.source);
    const auto& st = c.state;
    return {{"Command", "\"" + str::join(c.config.argv(), " ") + "\""},
            {"CreatedAt", go_time_string({static_cast<time_t>(c.config.created_ns / 1000000000), 0})},
            {"ExitCode", st.exit_code},
            {"Health", st.running() ? st.health_status : ""},
            {"ID", c.config.id},
            {"Image", c.config.image_name},
            {"Labels", str::join(labels, ",")},
            {"LocalVolumes", std::to_string(std::count_if(c.config.mounts.begin(), c.config.mounts.end(),
                                                          [](const container::MountConfig& m) { return m.type == "volume"; }))},
            {"Mounts", str::join(mounts, ",")},
            {"Name", c.config.name},
            {"Names", c.config.name},
            {"Networks", c.config.pod.empty() ? "" : project.name + "_default"},
            {"Ports", ports_column(ports)},
            {"Project", project.name},
            {"Publishers", publishers},
            {"RunningFor", human_duration(now_s() - static_cast<double>(c.config.created_ns) / 1e9) + " ago"},
            {"Service", service_of(c)},
            {"Size", "0B"},
            {"State", container::status_name(st.status)},
            {"Status", docker_status(c)}};
}

void add_ps(CLI::App& compose, Context& ctx, const std::shared_ptr<ComposeFlags>& flags) {
    struct PsFlags {
        bool all = false, quiet = false, services = false, no_trunc = false, orphans = true;
        std::string format;
        std::vector<std::string> status, filters, names;
    };
    auto f = std::make_shared<PsFlags>();
    CLI::App* cmd = compose.add_subcommand("ps", "List containers");
    cmd->add_flag("-a,--all", f->all, "Show all stopped containers (including those created by the run command)");
    cmd->add_flag("-q,--quiet", f->quiet, "Only display IDs");
    cmd->add_flag("--services", f->services, "Display services");
    cmd->add_flag("--no-trunc", f->no_trunc, "Don't truncate output");
    cmd->add_option("--format", f->format, "Format output using a custom template: 'table', 'json', or a Go template");
    cmd->add_option("--status", f->status, "Filter services by status (paused, restarting, removing, running, dead, created, exited)")
        ->allow_extra_args(false);
    cmd->add_option("--filter", f->filters, "Filter services by a property (supported filters: status)")->allow_extra_args(false);
    cmd->add_option("--orphans", f->orphans, "Include orphaned services (not declared by project)");
    cmd->add_option("services", f->names, "Services");
    cmd->callback([&ctx, flags, f] {
        auto project = load_runtime_project(*flags, f->names, true);
        auto engine = make_engine(ctx, project);
        std::vector<std::string> statuses = f->status;
        for (const auto& flt : f->filters) {
            auto [k, v] = str::split_once(flt, '=');
            if (k != "status" || !v) throw Error("invalid filter \"" + flt + "\" (supported: status)", kExitCompose);
            statuses.push_back(*v);
        }
        std::vector<container::Container> shown;
        for (auto& c : engine->containers(f->all)) {
            if (!f->names.empty() && std::find(f->names.begin(), f->names.end(), service_of(c)) == f->names.end()) continue;
            if (!f->orphans && !project.services.count(service_of(c))) continue;
            const std::string state = container::status_name(c.state.status);
            if (!statuses.empty()) {
                if (std::find(statuses.begin(), statuses.end(), state) == statuses.end()) continue;
            } else if (!f->all && !c.state.running()) {
                continue;
            }
            shown.push_back(std::move(c));
        }
        // Docker Compose lists by service, then container number.
        std::stable_sort(shown.begin(), shown.end(), [](const auto& a, const auto& b) { return a.config.name < b.config.name; });
        std::string out;
        if (f->services) {
            std::vector<std::string> seen;
            for (const auto& c : shown)
                if (std::find(seen.begin(), seen.end(), service_of(c)) == seen.end()) seen.push_back(service_of(c));
            for (const auto& s : seen) out += s + "\n";
            write_line(STDOUT_FILENO, out);
            return;
        }
        if (f->quiet) {
            for (const auto& c : shown) out += (f->no_trunc ? c.config.id : c.config.short_id()) + "\n";
            write_line(STDOUT_FILENO, out);
            return;
        }
        if (f->format == "json") {
            // One JSON object per line, as Docker Compose v2.21+.
            for (const auto& c : shown) out += ps_json(ctx, project, c).dump() + "\n";
            write_line(STDOUT_FILENO, out);
            return;
        }
        Listing l;
        for (const auto& c : shown) {
            nlohmann::json row = ps_json(ctx, project, c);
            row["Command"] = command_column(c, f->no_trunc);
            row["ID"] = f->no_trunc ? c.config.id : c.config.short_id();
            row["CreatedAt"] = human_duration(now_s() - static_cast<double>(c.config.created_ns) / 1e9) + " ago";
            l.template_rows.push_back(row);
        }
        l.default_format = "table {{.Name}}\t{{.Image}}\t{{.Command}}\t{{.Service}}\t{{.CreatedAt}}\t{{.Status}}\t{{.Ports}}";
        l.headers = {{"Name", "NAME"}, {"CreatedAt", "CREATED"}, {"RunningFor", "CREATED"}, {"ID", "CONTAINER ID"}};
        print_listing(l, f->format == "table" ? "" : f->format);
    });
}

void add_ls(CLI::App& compose, Context& ctx) {
    struct LsFlags {
        bool all = false, quiet = false;
        std::string format;
        std::vector<std::string> filters;
    };
    auto f = std::make_shared<LsFlags>();
    CLI::App* cmd = compose.add_subcommand("ls", "List running compose projects");
    cmd->add_flag("-a,--all", f->all, "Show all stopped Compose projects");
    cmd->add_flag("-q,--quiet", f->quiet, "Only display project names");
    cmd->add_option("--format", f->format, "Format the output. Values: [table | json]");
    cmd->add_option("--filter", f->filters, "Filter output based on conditions provided")->allow_extra_args(false);
    cmd->callback([&ctx, f] {
        nlohmann::json rows = nlohmann::json::array();
        Listing l;
        std::string quiet;
        for (const auto& p : compose::list_projects(ctx.containers())) {
            if (!f->all && !p.states.count("running")) continue;
            bool ok = true;
            for (const auto& flt : f->filters) {
                auto [k, v] = str::split_once(flt, '=');
                if (k != "name" || !v) throw Error("invalid filter \"" + flt + "\" (supported: name)", kExitCompose);
                ok = ok && p.name.find(*v) != std::string::npos;
            }
            if (!ok) continue;
            std::vector<std::string> states;
            for (const auto& [state, n] : p.states) states.push_back(state + "(" + std::to_string(n) + ")");
            nlohmann::json row = {{"Name", p.name}, {"Status", str::join(states, ", ")}, {"ConfigFiles", str::join(p.config_files, ",")}};
            quiet += p.name + "\n";
            rows.push_back(row);
            l.template_rows.push_back(row);
        }
        if (f->quiet) {
            write_line(STDOUT_FILENO, quiet);
            return;
        }
        if (f->format == "json") {
            write_line(STDOUT_FILENO, rows.dump() + "\n");
            return;
        }
        l.default_format = "table {{.Name}}\t{{.Status}}\t{{.ConfigFiles}}";
        l.headers = {{"Name", "NAME"}, {"Status", "STATUS"}, {"ConfigFiles", "CONFIG FILES"}};
        print_listing(l, f->format == "table" ? "" : f->format);
    });
}

void add_top(CLI::App& compose, Context& ctx, const std::shared_ptr<ComposeFlags>& flags) {
    auto services = std::make_shared<std::vector<std::string>>();
    CLI::App* cmd = compose.add_subcommand("top", "Display the running processes");
    cmd->add_option("services", *services, "Services");
    cmd->callback([&ctx, flags, services] {
        auto project = load_runtime_project(*flags, *services, true);
        auto engine = make_engine(ctx, project);
        const auto descriptors = container::parse_top_descriptors({});
        std::string out;
        for (const auto& c : engine->containers(false)) {
            if (!services->empty() && std::find(services->begin(), services->end(), service_of(c)) == services->end()) continue;
            if (c.state.status != container::Status::Running || c.state.pid <= 0) continue;
            std::vector<std::string> headers;
            for (const auto& d : descriptors) headers.push_back(container::top_header(d));
            TableWriter table(headers);
            try {
                container::TopContext tc = container::top_context(c.state.pid);
                for (const auto& p : container::container_processes(c.state.pid)) {
                    std::vector<std::string> row;
                    for (const auto& d : descriptors) row.push_back(container::top_field(d, p, tc));
                    table.add_row(row);
                }
            } catch (const Error&) {
                continue;  // exited meanwhile
            }
            out += c.config.name + "\n" + table.render() + "\n";
        }
        write_line(STDOUT_FILENO, out);
    });
}

void add_port(CLI::App& compose, Context& ctx, const std::shared_ptr<ComposeFlags>& flags) {
    struct PortFlags {
        std::string protocol = "tcp";
        int index = 1;
        std::vector<std::string> args;
    };
    auto f = std::make_shared<PortFlags>();
    CLI::App* cmd = compose.add_subcommand("port", "Print the public port for a port binding");
    cmd->add_option("--protocol", f->protocol, "tcp or udp");
    cmd->add_option("--index", f->index, "Index of the container if service has multiple replicas");
    cmd->add_option("args", f->args, "SERVICE PRIVATE_PORT")->expected(2);
    cmd->callback([&ctx, flags, f] {
        auto project = load_runtime_project(*flags, {f->args[0]});
        auto engine = make_engine(ctx, project);
        auto ctrs = engine->service_containers(f->args[0]);
        auto it = std::find_if(ctrs.begin(), ctrs.end(), [&](const container::Container& c) {
            return c.config.labels.count(compose::kLabelNumber) && c.config.labels.at(compose::kLabelNumber) == std::to_string(f->index);
        });
        if (it == ctrs.end()) throw Error("service \"" + f->args[0] + "\" is not running", kExitCompose);
        auto port = str::parse_u64(f->args[1]);
        if (!port) throw Error("invalid port \"" + f->args[1] + "\"", kExitCompose);
        for (const auto& m : published_ports(ctx, project, *it)) {
            if (static_cast<uint64_t>(m.container_port) != *port || m.protocol != f->protocol) continue;
            write_line(STDOUT_FILENO, (m.host_ip.empty() ? "0.0.0.0" : m.host_ip) + ":" + std::to_string(m.host_port) + "\n");
            return;
        }
        throw Error("no port " + f->args[1] + "/" + f->protocol + " for container " + it->config.name, kExitCompose);
    });
}

}  // namespace

void add_compose_listing(CLI::App& compose, Context& ctx, const std::shared_ptr<ComposeFlags>& flags) {
    add_ps(compose, ctx, flags);
    add_ls(compose, ctx);
    add_top(compose, ctx, flags);
    add_port(compose, ctx, flags);
}

}  // namespace pc::cli
