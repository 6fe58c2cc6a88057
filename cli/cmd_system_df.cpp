// pc system df [-v] [--format TEMPLATE]: the disk space used by images, containers and
// volumes, in Podman's shape (sizes with 4 significant digits, reclaimable with its share).
#include <ctime>
#include <iostream>
#include <map>
#include <memory>
#include <set>

#include "cli/commands.hpp"
#include "cli/container_views.hpp"
#include "cli/context.hpp"
#include "cli/human_units.hpp"
#include "cli/image_views.hpp"
#include "cli/output.hpp"
#include "cli/table_writer.hpp"
#include "common/error.hpp"
#include "storage/volumes.hpp"

namespace pc::cli {

namespace {

std::string df_size(uint64_t bytes) { return human_size_compact(static_cast<double>(bytes), 4); }

std::string reclaimable(uint64_t part, uint64_t whole) {
    const uint64_t percent = whole == 0 ? 0 : part * 100 / whole;
    return df_size(part) + " (" + std::to_string(percent) + "%)";
}

struct Usage {
    struct Image {
        const storage::ImageRecord* record;
        uint64_t shared = 0;  // bytes of layers another image uses too
        int containers = 0;
    };
    struct ContainerUsage {
        const container::Container* c;
        uint64_t size = 0;
        int volumes = 0;
    };
    struct Volume {
        std::string name;
        uint64_t size = 0;
        int links = 0;
    };
    std::vector<storage::ImageRecord> image_records;
    std::vector<container::Container> container_records;
    std::vector<Image> images;
    std::vector<ContainerUsage> containers;
    std::vector<Volume> volumes;
    uint64_t images_size = 0, images_reclaimable = 0;  // each layer counted once
    uint64_t containers_size = 0, containers_reclaimable = 0;
    uint64_t volumes_size = 0, volumes_reclaimable = 0;
    int images_active = 0, containers_active = 0, volumes_active = 0;
};

Usage measure(Context& ctx) {
    Usage u;
    u.image_records = ctx.store().images();
    u.container_records = ctx.containers().list();
    std::map<std::string, int> layer_users;        // chain id -> images using it
    std::map<std::string, uint64_t> layer_sizes;   // chain id -> bytes
    for (const auto& img : u.image_records)
        for (const auto& l : img.layers) {
            if (++layer_users[l] > 1) continue;
            // The layer's keep-id copies (storage/keep_id_layers.cpp) are its disk use too.
            if (auto rec = ctx.store().find_layer(l))
                layer_sizes[l] = rec->size + storage::tree_size(ctx.store().layer_dir(l) + "/keep-id");
        }
    std::map<std::string, int> image_users, volume_users;
    for (const auto& c : u.container_records) {
        ++image_users[c.config.image_id];
        for (const auto& m : c.config.mounts)
            if (m.type == "volume") ++volume_users[m.source];
    }
    std::set<std::string> active_layers;
    for (const auto& img : u.image_records) {
        Usage::Image row{&img, 0, image_users[img.id]};
        for (const auto& l : img.layers) {
            if (layer_users[l] > 1) row.shared += layer_sizes[l];
            if (row.containers > 0) active_layers.insert(l);
        }
        if (row.containers > 0) ++u.images_active;
        u.images.push_back(row);
    }
    for (const auto& [layer, size] : layer_sizes) {
        u.images_size += size;
        if (!active_layers.count(layer)) u.images_reclaimable += size;
    }
    for (const auto& c : u.container_records) {
        Usage::ContainerUsage row{&c, ctx.store().container_rw_size(c.config.id), 0};
        for (const auto& m : c.config.mounts) row.volumes += m.type == "volume" ? 1 : 0;
        u.containers_size += row.size;
        if (c.state.running()) ++u.containers_active;
        else u.containers_reclaimable += row.size;
        u.containers.push_back(row);
    }
    storage::Volumes volumes(ctx.store());
    for (const auto& v : volumes.list()) {
        Usage::Volume row{v.name, storage::tree_size(volumes.mountpoint(v.name)), volume_users[v.name]};
        u.volumes_size += row.size;
        if (row.links > 0) ++u.volumes_active;
        else u.volumes_reclaimable += row.size;
        u.volumes.push_back(row);
    }
    return u;
}

void print_verbose(Context& ctx, const Usage& u) {
    const double now = static_cast<double>(std::time(nullptr));
    std::cout << "Images space usage:\n\n";
    TableWriter images({"REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE", "SHARED SIZE", "UNIQUE SIZE", "CONTAINERS"});
    for (const auto& i : u.images)
        // One row per name, as `images` lists them (or <none> <none>).
        for (const auto& row : image_list_template_rows(ctx, *i.record, false))
            images.add_row({row.value("Repository", ""), row.value("Tag", ""), i.record->id.substr(0, 12),
                            human_duration(now - static_cast<double>(i.record->created)), df_size(i.record->size),
                            df_size(i.shared), df_size(i.record->size - i.shared), std::to_string(i.containers)});
    std::cout << images.render() << "\nContainers space usage:\n\n";
    TableWriter containers({"CONTAINER ID", "IMAGE", "COMMAND", "LOCAL VOLUMES", "SIZE", "CREATED", "STATUS", "NAMES"});
    for (const auto& c : u.containers) {
        const auto& cfg = c.c->config;
        containers.add_row({cfg.short_id(), cfg.image_id.substr(0, 12), container_command_text(*c.c, false),
                            std::to_string(c.volumes), df_size(c.size),
                            human_duration(now - static_cast<double>(cfg.created_ns) / 1e9),
                            container::status_name(c.c->state.status), cfg.name});
    }
    std::cout << containers.render() << "\nLocal Volumes space usage:\n\n";
    TableWriter volumes({"VOLUME NAME", "LINKS", "SIZE"});
    for (const auto& v : u.volumes) volumes.add_row({v.name, std::to_string(v.links), df_size(v.size)});
    std::cout << volumes.render() << std::flush;
}

}  // namespace

CLI::App* add_system_df(CLI::App& parent, Context& ctx) {
    struct Flags {
        bool verbose = false;
        std::string format;
    };
    auto f = std::make_shared<Flags>();
    CLI::App* cmd = parent.add_subcommand("df", "Show pc disk usage");
    cmd->add_flag("-v,--verbose", f->verbose, "Show detailed information on disk usage");
    cmd->add_option("--format", f->format, "Pretty-print the summary using a Go template");
    cmd->callback([&ctx, f] {
        if (f->verbose && !f->format.empty()) throw Error("cannot combine --format and --verbose flags");
        const Usage u = measure(ctx);
        if (f->verbose) {
            print_verbose(ctx, u);
            return;
        }
        Listing l;
        auto add = [&](const char* type, size_t total, int active, uint64_t size, uint64_t free) {
            nlohmann::json row = {{"Type", type},
                                  {"Total", total},
                                  {"Active", active},
                                  {"Size", df_size(size)},
                                  {"Reclaimable", reclaimable(free, size)},
                                  {"RawSize", size},
                                  {"RawReclaimable", free}};
            l.json_rows.push_back(row);
            l.template_rows.push_back(row);
        };
        add("Images", u.images.size(), u.images_active, u.images_size, u.images_reclaimable);
        add("Containers", u.containers.size(), u.containers_active, u.containers_size, u.containers_reclaimable);
        add("Local Volumes", u.volumes.size(), u.volumes_active, u.volumes_size, u.volumes_reclaimable);
        l.default_format = "table {{.Type}}\t{{.Total}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}";
        l.headers = {{"Type", "TYPE"}, {"Total", "TOTAL"}, {"Active", "ACTIVE"}, {"Size", "SIZE"}, {"Reclaimable", "RECLAIMABLE"}};
        print_listing(l, f->format);
    });
    return cmd;
}

}  // namespace pc::cli
