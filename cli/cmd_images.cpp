// pc images, rmi, tag, import, image prune (also under `pc image ...`)
#include <fcntl.h>
#include <unistd.h>

#include <iostream>
#include <memory>
#include <set>

#include "cli/commands.hpp"
#include "cli/image_views.hpp"
#include "image/image_config.hpp"
#include "cli/output.hpp"
#include "cli/prune.hpp"
#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/strings.hpp"
#include "container/control.hpp"
#include "image/import.hpp"
#include "storage/image_refs.hpp"
#include "storage/storage_conf.hpp"

namespace pc::cli {

namespace {
constexpr int kExitImageUnknown = 1;
constexpr int kExitImageInUse = 2;

bool image_matches_filter(Context& ctx, const storage::ImageRecord& img, const std::string& filter) {
    auto [key, value] = str::split_once(filter, '=');
    if (!value) throw Error("invalid image filter \"" + filter + "\": expected KEY=VALUE");
    if (key == "dangling") return (img.names.empty()) == (*value == "true");
    if (key == "reference") {
        for (const auto& n : img.names)
            if (n.find(*value) != std::string::npos) return true;
        return false;
    }
    if (key == "label") {
        const nlohmann::json labels = image::image_config_facts(image_config_doc(ctx, img)).labels;
        auto [lk, lv] = str::split_once(*value, '=');
        return labels.is_object() && labels.contains(lk) && (!lv || labels[lk] == *lv);
    }
    if (key == "id") return str::starts_with(img.id, *value);
    throw Error("invalid image filter \"" + key + "\" (valid: dangling, reference, label, id)");
}

// Images some other image was built on (their ImageRecord::parent).
std::set<std::string> parent_ids(const std::vector<storage::ImageRecord>& images) {
    std::set<std::string> out;
    for (const auto& i : images)
        if (!i.parent.empty()) out.insert(i.parent);
    return out;
}

std::vector<container::Container> users_of(Context& ctx, const std::string& image_id) {
    std::vector<container::Container> out;
    for (auto& c : ctx.containers().list())
        if (c.config.image_id == image_id) out.push_back(c);
    return out;
}

}  // namespace

CLI::App* add_images(CLI::App& parent, Context& ctx, const std::string& name) {
    struct Flags {
        bool all = false, quiet = false, no_trunc = false, digests = false, noheading = false;
        std::string format;
        std::vector<std::string> filters;
        std::string reference;
    };
    auto f = std::make_shared<Flags>();
    CLI::App* cmd = parent.add_subcommand(name, "List images in local storage");
    cmd->add_flag("-a,--all", f->all, "Show all images (default hides intermediate images)");
    cmd->add_flag("-q,--quiet", f->quiet, "Display only image IDs");
    cmd->add_flag("--no-trunc", f->no_trunc, "Do not truncate output");
    cmd->add_flag("--digests", f->digests, "Show digests");
    cmd->add_flag("-n,--noheading", f->noheading, "Do not print column headings");
    cmd->add_option("--format", f->format, "Change the output format to JSON or a Go template");
    cmd->add_option("-f,--filter", f->filters, "Filter output based on conditions provided")->allow_extra_args(false);
    cmd->add_option("reference", f->reference, "Show only images matching this reference");
    cmd->callback([&ctx, f] {
        Listing l;
        std::set<std::string> seen_ids;
        const auto all_images = ctx.store().images();
        const std::set<std::string> parents = parent_ids(all_images);
        for (const auto& img : all_images) {
            // Podman hides intermediate images (a build's untagged steps that another image
            // was made from) unless -a.
            if (!f->all && img.names.empty() && parents.count(img.id)) continue;
            bool ok = true;
            for (const auto& flt : f->filters) ok = ok && image_matches_filter(ctx, img, flt);
            if (!f->reference.empty()) ok = ok && image_matches_filter(ctx, img, "reference=" + f->reference);
            if (!ok) continue;
            l.json_rows.push_back(image_list_json(ctx, img));
            auto rows = image_list_template_rows(ctx, img, f->no_trunc);
            if (f->quiet) {
                if (!seen_ids.insert(img.id).second) continue;
                rows.resize(1);
            }
            for (auto& r : rows) l.template_rows.push_back(r);
        }
        l.default_format = f->digests ? "table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.Created}}\t{{.Size}}"
                                      : "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.Created}}\t{{.Size}}";
        l.headers = {{"ID", "IMAGE ID"}, {"Repository", "REPOSITORY"}, {"Tag", "TAG"}, {"Created", "CREATED"},
                     {"Size", "SIZE"}, {"Digest", "DIGEST"}};
        std::string format = f->format;
        if (f->quiet && format.empty()) format = "{{.ID}}";
        print_listing(l, format, f->noheading);
    });
    return cmd;
}

CLI::App* add_rmi(CLI::App& parent, Context& ctx, const std::string& name) {
    struct Flags {
        bool force = false, all = false, ignore = false;
        std::vector<std::string> images;
    };
    auto f = std::make_shared<Flags>();
    CLI::App* cmd = parent.add_subcommand(name, "Remove one or more images from local storage");
    cmd->add_flag("-f,--force", f->force, "Force removal of the image and any containers using it");
    cmd->add_flag("-a,--all", f->all, "Remove all images");
    cmd->add_flag("-i,--ignore", f->ignore, "Ignore errors if a specified image does not exist");
    cmd->add_option("images", f->images, "Images to remove");
    cmd->callback([&ctx, f] {
        if (!f->all && f->images.empty()) usage_error("image name or ID must be specified");
        std::vector<std::string> refs = f->images;
        if (f->all)
            for (const auto& img : ctx.store().images())
                if (!storage::read_only_store_of(ctx.store(), img.id)) refs.push_back(img.id);
        std::string last_error;
        int rc = 0;
        for (const auto& ref : refs) {
            try {
                storage::check_reference_format(ref);
                auto img = ctx.store().find_image(ref);
                if (!img) {
                    // Podman: --force also ignores images that do not exist.
                    if (f->ignore || f->force) continue;
                    throw Error(ref + ": image not known", kExitImageUnknown);
                }
                storage::check_image_removable(ctx.store(), img->id);
                // A name given while the image has other names: only untag (Podman).
                std::string normalized = storage::normalize_image_name(ref);
                bool by_name = std::find(img->names.begin(), img->names.end(), normalized) != img->names.end();
                if (by_name && img->names.size() > 1) {
                    ctx.store().untag_image(img->id, normalized);
                    std::cout << "Untagged: " << normalized << std::endl;
                    continue;
                }
                auto users = users_of(ctx, img->id);
                if (!users.empty()) {
                    if (!f->force)
                        throw Error("image used by " + users.front().config.id +
                                        ": image is in use by a container: consider listing external containers and force-removing image",
                                    kExitImageInUse);
                    for (auto& c : users) {
                        container::stop_container(ctx.containers(), c, 0);
                        ctx.containers().remove(c, true);
                    }
                }
                for (const auto& n : img->names) std::cout << "Untagged: " << n << std::endl;
                ctx.store().remove_image(img->id);
                std::cout << "Deleted: " << img->id << std::endl;
                // Then the build steps it was made from, as long as nothing else needs them
                // (untagged, no other child, no container), as Podman does.
                for (std::string p = img->parent; !p.empty();) {
                    auto parent = ctx.store().find_image(p);
                    if (!parent || parent->id != p || !parent->names.empty() || !users_of(ctx, p).empty()) break;
                    if (parent_ids(ctx.store().images()).count(p)) break;
                    ctx.store().remove_image(p);
                    std::cout << "Deleted: " << p << std::endl;
                    p = parent->parent;
                }
            } catch (const Error& e) {
                if (!last_error.empty()) std::cerr << "Error: " << last_error << std::endl;
                last_error = e.what();
                rc = rc == 0 ? e.exit_code() : kExitEngine;
            }
        }
        if (!last_error.empty()) throw Error(last_error, rc);
    });
    return cmd;
}

CLI::App* add_tag(CLI::App& parent, Context& ctx, const std::string& name) {
    auto args = std::make_shared<std::vector<std::string>>();
    CLI::App* cmd = parent.add_subcommand(name, "Add an additional name to a local image");
    cmd->add_option("image-and-names", *args, "IMAGE TARGET_NAME [TARGET_NAME...]");
    cmd->callback([&ctx, args] {
        if (args->size() < 2) usage_error("tag requires at least 2 arguments: IMAGE TARGET_NAME [TARGET_NAME...]");
        for (const std::string& n : *args) storage::check_reference_format(n);
        for (size_t i = 1; i < args->size(); ++i)
            if ((*args)[i].find('@') != std::string::npos)
                throw Error("normalizing name \"" + (*args)[i] + "\": invalid reference format: a tag cannot be a digest");
        auto img = ctx.store().find_image(args->front());
        if (!img) throw Error(args->front() + ": image not known");
        for (size_t i = 1; i < args->size(); ++i) ctx.store().tag_image(img->id, storage::normalize_image_name((*args)[i]));
    });
    return cmd;
}

CLI::App* add_import(CLI::App& parent, Context& ctx, const std::string& name) {
    struct Flags {
        std::vector<std::string> changes;
        std::string message;
        bool quiet = false;
        std::vector<std::string> args;
    };
    auto f = std::make_shared<Flags>();
    CLI::App* cmd = parent.add_subcommand(name, "Import a tarball to create a filesystem image");
    cmd->add_option("-c,--change", f->changes, "Apply the following possible instructions to the created image: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR")
        ->allow_extra_args(false);
    cmd->add_option("-m,--message", f->message, "Set commit message for imported image");
    cmd->add_flag("-q,--quiet", f->quiet, "Suppress output");
    cmd->add_option("source-and-reference", f->args, "PATH|- [REFERENCE]");
    cmd->callback([&ctx, f] {
        if (f->args.empty() || f->args.size() > 2) usage_error("import requires 1 or 2 arguments: PATH|- [REFERENCE]");
        const std::string& source = f->args[0];
        if (f->args.size() > 1) storage::check_reference_format(f->args[1]);  // before reading anything
        UniqueFd fd;
        int in = STDIN_FILENO;
        if (source != "-") {
            fd.reset(::open(source.c_str(), O_RDONLY | O_CLOEXEC));
            if (!fd) throw Error::sys("open " + source);
            in = fd.get();
        }
        image::ImportOptions o;
        o.reference = f->args.size() > 1 ? f->args[1] : "";
        o.changes = f->changes;
        o.message = f->message;
        o.source_description = source;
        auto img = image::import_tarball(ctx.store(), in, o);
        std::cout << img.id << std::endl;
    });
    return cmd;
}

std::vector<std::string> prune_images(Context& ctx, bool all) {
    std::set<std::string> used;
    for (const auto& c : ctx.containers().list()) used.insert(c.config.image_id);
    std::vector<std::string> removed;
    // Dangling images are untagged ones that no image was built on; removing one can make
    // its parent (a build step) dangling in turn.
    for (bool again = true; again;) {
        again = false;
        const auto images = ctx.store().images();
        const std::set<std::string> parents = parent_ids(images);
        for (const auto& img : images) {
            if (used.count(img.id)) continue;
            if (!all && (!img.names.empty() || parents.count(img.id))) continue;
            if (all && parents.count(img.id)) continue;  // its children first
            ctx.store().remove_image(img.id);
            removed.push_back(img.id);
            again = true;
        }
    }
    return removed;
}

CLI::App* add_untag(CLI::App& parent, Context& ctx, const std::string& name) {
    auto args = std::make_shared<std::vector<std::string>>();
    CLI::App* cmd = parent.add_subcommand(name, "Remove a name from a local image");
    cmd->footer("Usage: pc " + name + " IMAGE [IMAGE...]\nWithout names, every name of the image is removed.");
    cmd->add_option("image-and-names", *args, "IMAGE [NAME...]");
    cmd->callback([&ctx, args] {
        if (args->empty()) usage_error("untag requires at least 1 argument: IMAGE [NAME...]");
        for (const std::string& n : *args) storage::check_reference_format(n);
        auto img = ctx.store().find_image(args->front());
        if (!img) throw Error(args->front() + ": image not known", kExitImageUnknown);
        std::vector<std::string> names(args->begin() + 1, args->end());
        if (names.empty()) names = img->names;
        for (const auto& n : names) {
            const std::string normalized = storage::normalize_image_name(n);
            if (!ctx.store().untag_image(img->id, normalized))
                throw Error("tag " + normalized + " not found in image " + img->id);
        }
    });
    return cmd;
}

CLI::App* add_image_prune(CLI::App& parent, Context& ctx, const std::string& name) {
    auto all = std::make_shared<bool>(false);
    auto force = std::make_shared<bool>(false);
    CLI::App* cmd = parent.add_subcommand(name, "Remove unused images");
    cmd->add_flag("-a,--all", *all, "Remove all images not in use by containers, not just dangling ones");
    cmd->add_flag("-f,--force", *force, "Do not prompt for confirmation");
    // `force` is captured so the flag target outlives this function (CLI11 keeps a reference).
    cmd->callback([&ctx, all, force] {
        for (const auto& id : prune_images(ctx, *all)) std::cout << id << std::endl;
    });
    return cmd;
}

void register_images(CLI::App& app, Context& ctx) {
    add_images(app, ctx, "images");
    add_rmi(app, ctx, "rmi");
    add_tag(app, ctx, "tag");
    add_untag(app, ctx, "untag");
    add_import(app, ctx, "import");
}

void register_ps(CLI::App& app, Context& ctx) { add_ps(app, ctx, "ps"); }
void register_rm(CLI::App& app, Context& ctx) { add_rm(app, ctx, "rm"); }

void register_management(CLI::App& app, Context& ctx) {
    CLI::App* container = app.add_subcommand("container", "Manage containers");
    container->require_subcommand(1);
    add_ps(*container, ctx, "ls")->alias("list")->alias("ps");
    add_rm(*container, ctx, "rm");
    add_inspect(*container, ctx, "inspect", "container");
    add_container_prune(*container, ctx, "prune");
    add_exec(*container, ctx, "exec");
    add_cp(*container, ctx, "cp");
    add_top(*container, ctx, "top");
    add_logs(*container, ctx, "logs");
    add_attach(*container, ctx, "attach");
    add_stats(*container, ctx, "stats");
    register_run(*container, ctx);
    register_create(*container, ctx);
    // start, stop, kill, restart, wait, pause, unpause, rename, port as under Podman's
    // `container`; healthcheck is top-level only.
    register_lifecycle(*container, ctx);
    container->remove_subcommand(container->get_subcommand("healthcheck"));
    add_commit(*container, ctx, "commit");
    add_export(*container, ctx, "export");
    add_exists(*container, ctx, "container",
               [](Context& c, const std::string& n) { return c.containers().find(n).has_value(); });

    CLI::App* image = app.add_subcommand("image", "Manage images");
    image->require_subcommand(1);
    add_images(*image, ctx, "ls")->alias("list");
    add_rmi(*image, ctx, "rm");
    add_tag(*image, ctx, "tag");
    add_untag(*image, ctx, "untag");
    add_exists(*image, ctx, "image", [](Context& c, const std::string& n) {
        storage::check_reference_format(n);
        return c.store().find_image(n).has_value();
    });
    add_import(*image, ctx, "import");
    add_inspect(*image, ctx, "inspect", "image");
    add_image_prune(*image, ctx, "prune");
    add_build(*image, ctx, "build");
    register_image_transfer_management(*image, ctx);
}

}  // namespace pc::cli
