// pc ps / pc container ls
#include <algorithm>
#include <iostream>
#include <map>
#include <memory>

#include "cli/commands.hpp"
#include "cli/container_views.hpp"
#include "cli/human_units.hpp"
#include "cli/output.hpp"
#include "cli/table_writer.hpp"
#include "common/error.hpp"
#include "common/strings.hpp"
#include "pod/pod_store.hpp"

namespace pc::cli {

namespace {

struct PsFlags {
    bool all = false, quiet = false, no_trunc = false, latest = false, noheading = false, size = false, pod = false;
    std::string format;
    std::vector<std::string> filters;
    int last = -1;
};

bool matches_filter(const container::Container& c, const std::string& filter, const std::map<std::string, std::string>& pod_names) {
    auto [key, value] = str::split_once(filter, '=');
    if (!value) throw Error("invalid filter \"" + filter + "\": expected KEY=VALUE");
    const std::string& v = *value;
    if (key == "pod") {
        if (c.config.pod.empty()) return false;
        auto it = pod_names.find(c.config.pod);
        return str::starts_with(c.config.pod, v) || (it != pod_names.end() && it->second == v);
    }
    if (key == "status") return container::status_name(c.state.status) == v;
    if (key == "name") return c.config.name.find(v) != std::string::npos;
    if (key == "id") return str::starts_with(c.config.id, v);
    if (key == "ancestor") return c.config.image_ref == v || c.config.image_name == v || str::starts_with(c.config.image_id, v) ||
                                  str::starts_with(c.config.image_name, v + ":");
    if (key == "label") {
        auto [lk, lv] = str::split_once(v, '=');
        auto it = c.config.labels.find(lk);
        return it != c.config.labels.end() && (!lv || it->second == *lv);
    }
    if (key == "health") return c.state.running() && c.state.health_status == v;
    if (key == "exited") return c.state.status == container::Status::Exited && std::to_string(c.state.exit_code) == v;
    if (key == "network")
        return std::any_of(c.config.networks.begin(), c.config.networks.end(),
                           [&](const net::EndpointOptions& e) { return e.network == v; });
    throw Error("invalid filter \"" + key + "\" (valid: status, name, id, ancestor, label, exited, health, pod, network)");
}

}  // namespace

CLI::App* add_ps(CLI::App& parent, Context& ctx, const std::string& name) {
    auto f = std::make_shared<PsFlags>();
    CLI::App* cmd = parent.add_subcommand(name, "List containers");
    cmd->add_flag("-a,--all", f->all, "Show all the containers, default is only running containers");
    cmd->add_flag("-q,--quiet", f->quiet, "Print the numeric IDs of the containers only");
    cmd->add_flag("--no-trunc", f->no_trunc, "Display the extended information");
    cmd->add_flag("-l,--latest", f->latest, "Act on the latest container pc is aware of");
    cmd->add_option("-n,--last", f->last, "Print the n last created containers (all states)");
    cmd->add_flag("--noheading", f->noheading, "Do not print headers");
    cmd->add_flag("-s,--size", f->size, "Display the total file sizes");
    cmd->add_flag("-p,--pod", f->pod, "Print the ID and name of the pod the containers are associated with");
    cmd->add_option("--format", f->format, "Pretty-print containers to JSON or using a Go template");
    cmd->add_option("-f,--filter", f->filters, "Filter output based on conditions given")->allow_extra_args(false);
    cmd->callback([&ctx, f] {
        auto all = ctx.containers().list();
        // Pods are read only when something shows or filters by them.
        std::map<std::string, std::string> pod_names;
        bool pod_filter = false;
        for (const auto& flt : f->filters) pod_filter |= str::starts_with(flt, "pod=");
        if (f->pod || pod_filter)
            for (const auto& p : pod::PodStore(ctx.containers()).list()) pod_names[p.id] = p.name;
        // A pod's members show the ports published on the pod (their infra's), as Podman.
        std::map<std::string, std::vector<net::PortMapping>> infra_ports;
        for (const auto& c : all)
            if (c.config.infra) infra_ports[c.config.id] = c.config.ports;
        std::vector<container::Container> shown;
        bool everything = f->all || f->latest || f->last >= 0 || !f->filters.empty();
        for (auto& c : all) {
            if (!everything && !c.state.running()) continue;
            bool ok = true;
            for (const auto& flt : f->filters) ok = ok && matches_filter(c, flt, pod_names);
            if (!c.config.pod.empty() && !c.config.infra && c.config.dependencies.size() == 1) {
                auto it = infra_ports.find(c.config.dependencies.front());
                if (it != infra_ports.end() && c.config.ports.empty()) c.config.ports = it->second;
            }
            if (ok) shown.push_back(std::move(c));  // `all` is not used afterwards
        }
        auto pod_columns = [&](const container::Container& c) {
            std::string id = f->no_trunc ? c.config.pod : c.config.pod.substr(0, 12);
            auto it = pod_names.find(c.config.pod);
            return std::make_pair(id, it == pod_names.end() ? std::string() : it->second);
        };
        if (f->latest && shown.size() > 1) shown.resize(1);
        if (f->last >= 0 && shown.size() > static_cast<size_t>(f->last)) shown.resize(static_cast<size_t>(f->last));
        std::string format = f->format;
        if (f->quiet && (format.empty() || format == "table")) format = "{{.ID}}";
        // The default table and -q are what people (and scripts polling `ps`) run most:
        // they are rendered straight from the records, without building a JSON document
        // and running the template engine per container (most of ps's time with 1,000).
        if (!f->size && !f->pod && (format.empty() || format == "table" || format == "{{.ID}}")) {
            std::string out;
            if (format == "{{.ID}}") {
                for (const auto& c : shown) out += (f->no_trunc ? c.config.id : c.config.short_id()) + "\n";
                std::cout << out << std::flush;
                return;
            }
            if (!f->noheading) out = "CONTAINER ID\tIMAGE\tCOMMAND\tCREATED\tSTATUS\tPORTS\tNAMES\n";
            for (const auto& c : shown) out += container_ps_table_row(c, f->no_trunc);
            std::cout << tabwriter_layout(out) << std::flush;
            return;
        }
        Listing l;
        const bool json_format = format == "json";
        for (const auto& c : shown) {
            // Only what the chosen format prints is built.
            nlohmann::json json_row, tmpl_row;
            if (json_format) {
                json_row = container_ps_json(c);
                if (f->pod) json_row["PodName"] = pod_columns(c).second;
            } else {
                tmpl_row = container_ps_template_data(c, f->no_trunc);
                auto [pod_id, pod_name] = pod_columns(c);
                tmpl_row["Pod"] = pod_id;
                tmpl_row["PodName"] = f->pod ? pod_name : "";
            }
            if (f->size) {
                uint64_t rw = ctx.store().container_rw_size(c.config.id);
                uint64_t rootfs = rw;
                if (auto img = ctx.store().find_image(c.config.image_id)) rootfs += img->size;
                if (json_format) json_row["Size"] = {{"rwSize", rw}, {"rootFsSize", rootfs}};
                else tmpl_row["Size"] = human_size_compact(static_cast<double>(rw)) + " (virtual " +
                                        human_size_compact(static_cast<double>(rootfs)) + ")";
            }
            if (json_format) l.json_rows.push_back(std::move(json_row));
            else l.template_rows.push_back(std::move(tmpl_row));
        }
        l.default_format = "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.Created}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}";
        if (f->size) l.default_format += "\t{{.Size}}";
        if (f->pod) l.default_format += "\t{{.Pod}}\t{{.PodName}}";
        l.headers = {{"ID", "CONTAINER ID"}, {"Names", "NAMES"}, {"Created", "CREATED"}, {"RunningFor", "CREATED"},
                     {"Size", "SIZE"}, {"Pod", "POD ID"}, {"PodName", "PODNAME"}};
        print_listing(l, format, f->noheading);
    });
    return cmd;
}

}  // namespace pc::cli
