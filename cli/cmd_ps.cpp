// pc ps / pc container ls
#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "cli/container_views.hpp"
#include "cli/human_units.hpp"
#include "cli/output.hpp"
#include "cli/table_writer.hpp"
#include "common/error.hpp"
#include "common/strings.hpp"

namespace pc::cli {

namespace {

struct PsFlags {
    bool all = false, quiet = false, no_trunc = false, latest = false, noheading = false, size = false;
    std::string format;
    std::vector<std::string> filters;
    int last = -1;
};

bool matches_filter(const container::Container& c, const std::string& filter) {
    auto [key, value] = str::split_once(filter, '=');
    if (!value) throw Error("invalid filter \"" + filter + "\": expected KEY=VALUE");
    const std::string& v = *value;
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
    throw Error("invalid filter \"" + key + "\" (valid: status, name, id, ancestor, label, exited, health)");
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
    cmd->add_option("--format", f->format, "Pretty-print containers to JSON or using a Go template");
    cmd->add_option("-f,--filter", f->filters, "Filter output based on conditions given")->allow_extra_args(false);
    cmd->callback([&ctx, f] {
        auto all = ctx.containers().list();
        std::vector<container::Container> shown;
        bool everything = f->all || f->latest || f->last >= 0 || !f->filters.empty();
        for (auto& c : all) {
            if (!everything && !c.state.running()) continue;
            bool ok = true;
            for (const auto& flt : f->filters) ok = ok && matches_filter(c, flt);
            if (ok) shown.push_back(std::move(c));  // `all` is not used afterwards
        }
        if (f->latest && shown.size() > 1) shown.resize(1);
        if (f->last >= 0 && shown.size() > static_cast<size_t>(f->last)) shown.resize(static_cast<size_t>(f->last));
        std::string format = f->format;
        if (f->quiet && (format.empty() || format == "table")) format = "{{.ID}}";
        // The default table and -q are what people (and scripts polling `ps`) run most:
        // they are rendered straight from the records, without building a JSON document
        // and running the template engine per container (most of ps's time with 1,000).
        if (!f->size && (format.empty() || format == "table" || format == "{{.ID}}")) {
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
            if (json_format) json_row = container_ps_json(c);
            else tmpl_row = container_ps_template_data(c, f->no_trunc);
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
        l.default_format = f->size
            ? "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.Created}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}\t{{.Size}}"
            : "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.Created}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}";
        l.headers = {{"ID", "CONTAINER ID"}, {"Names", "NAMES"}, {"Created", "CREATED"}, {"RunningFor", "CREATED"}, {"Size", "SIZE"}};
        print_listing(l, format, f->noheading);
    });
    return cmd;
}

}  // namespace pc::cli
