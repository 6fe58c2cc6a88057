// pc inspect / pc container inspect / pc image inspect
#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "cli/container_views.hpp"
#include "cli/image_views.hpp"
#include "cli/network_views.hpp"
#include "cli/output.hpp"
#include "common/error.hpp"
#include "storage/image_refs.hpp"
#include "net/network_store.hpp"

namespace pc::cli {

CLI::App* add_inspect(CLI::App& parent, Context& ctx, const std::string& name, const std::string& kind) {
    struct Flags {
        std::string format, type = "all";
        bool size = false, latest = false;
        std::vector<std::string> names;
    };
    auto f = std::make_shared<Flags>();
    if (kind != "all") f->type = kind;
    CLI::App* cmd = parent.add_subcommand(name, kind == "image" ? "Display the configuration of an image"
                                                : kind == "container" ? "Display the configuration of a container"
                                                                      : "Display the configuration of object denoted by ID");
    cmd->add_option("-f,--format", f->format, "Format the output using the given Go template");
    if (kind == "all") cmd->add_option("-t,--type", f->type, "Specify inspect-object type (container, image, network, all)");
    cmd->add_flag("-s,--size", f->size, "Display total file size");
    if (kind != "image") cmd->add_flag("-l,--latest", f->latest, "Act on the latest container pc is aware of");
    cmd->add_option("names", f->names, "Objects to inspect");
    cmd->callback([&ctx, f, kind] {
        if (f->type != "all" && f->type != "container" && f->type != "image" && f->type != "network")
            usage_error("invalid type \"" + f->type + "\": must be container, image, network or all");
        if (f->latest) {
            auto all = ctx.containers().list();
            if (all.empty()) throw Error("no containers to inspect: no such container");
            f->names.push_back(all.front().config.id);
        }
        if (f->names.empty()) usage_error("inspect requires at least 1 argument");
        std::vector<nlohmann::json> found;
        std::vector<net::NetworkConfig> networks;
        std::vector<std::string> errors;
        for (const auto& n : f->names) {
            // An image is looked up by a valid reference only (a container name may be
            // anything, so `inspect NAME` without --type reports "no such object").
            if (f->type == "image") {
                try {
                    storage::check_reference_format(n);
                } catch (const Error& e) {
                    errors.push_back(e.what());
                    continue;
                }
            }
            if (f->type == "network" || f->type == "all") {
                // Containers and images first, as Podman looks them up.
                const bool other = f->type == "all" && (ctx.containers().find(n) || ctx.store().find_image(n));
                if (!other) {
                    if (auto net = net::NetworkStore(ctx.store().root()).find(n)) {
                        networks.push_back(*net);
                        found.push_back(network_template_data(*net, false, true));
                        continue;
                    }
                }
            }
            if (f->type != "image" && f->type != "network") {
                if (auto c = ctx.containers().find(n)) {
                    auto doc = container_inspect_json(ctx, *c);
                    if (f->size) {
                        uint64_t rw = ctx.store().container_rw_size(c->config.id);
                        uint64_t image_size = 0;
                        if (auto img = ctx.store().find_image(c->config.image_id)) image_size = img->size;
                        doc["SizeRw"] = rw;
                        doc["SizeRootFs"] = rw + image_size;
                    }
                    found.push_back(doc);
                    continue;
                }
            }
            if (f->type != "container" && f->type != "network") {
                if (auto img = ctx.store().find_image(n)) {
                    found.push_back(image_inspect_json(ctx, *img));
                    continue;
                }
            }
            if (f->type == "container") errors.push_back("no such container " + n);
            else if (f->type == "image") errors.push_back(n + ": image not known");
            else if (f->type == "network") errors.push_back("unable to find network with name or ID " + n + ": network not found");
            else errors.push_back("no such object: \"" + n + "\"");
        }
        if ((f->format.empty() || f->format == "json") && !networks.empty() && networks.size() == found.size()) {
            std::cout << network_inspect_text(networks) << std::endl;
        } else if (f->format.empty() || f->format == "json") {
            std::cout << podman_json(found) << std::endl;
        } else {
            print_each_with_template(found, f->format, "inspect");
        }
        if (!errors.empty()) {
            for (size_t i = 0; i + 1 < errors.size(); ++i) std::cerr << "Error: " << errors[i] << std::endl;
            throw Error(errors.back());
        }
    });
    return cmd;
}

void register_inspect(CLI::App& app, Context& ctx) { add_inspect(app, ctx, "inspect", "all"); }

}  // namespace pc::cli
