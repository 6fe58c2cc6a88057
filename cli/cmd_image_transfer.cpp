// pc load, save, pull, push, login, logout, commit, export, history (and their
// `pc image ...` forms where Podman has them).
#include <unistd.h>

#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "cli/progress_view.hpp"
#include "cli/registry_flags.hpp"
#include "cli/short_name_prompt.hpp"
#include "common/error.hpp"
#include "common/strings.hpp"
#include "image/auth_file.hpp"
#include "image/load.hpp"
#include "image/pull.hpp"
#include "image/push.hpp"
#include "image/reference.hpp"
#include "storage/image_refs.hpp"
#include "image/save.hpp"
#include "common/atomic_file.hpp"
#include "common/fd.hpp"
#include "common/time_format.hpp"
#include "cli/human_units.hpp"
#include "cli/image_views.hpp"
#include "cli/output.hpp"
#include "container/commit.hpp"
#include <fcntl.h>
#include <ctime>

namespace pc::cli {

CLI::App* add_load(CLI::App& parent, Context& ctx, const std::string& name) {
    struct Flags {
        std::string input;
        bool quiet = false;
    };
    auto f = std::make_shared<Flags>();
    CLI::App* cmd = parent.add_subcommand(name, "Load image(s) from a tar archive or an OCI layout directory");
    cmd->add_option("-i,--input", f->input, "Read from specified archive file (default: stdin)");
    cmd->add_flag("-q,--quiet", f->quiet, "Suppress the output");
    cmd->callback([&ctx, f] {
        if (f->input.empty() && ::isatty(STDIN_FILENO))
            usage_error("cannot read from terminal, use command-line redirection or the --input flag");
        auto loaded = image::load_images(ctx.store(), f->input, progress_for(f->quiet));
        for (const auto& img : loaded) {
            if (img.names.empty()) std::cout << "Loaded image: sha256:" << img.id << "\n";
            for (const auto& n : img.names) std::cout << "Loaded image: " << n << "\n";
        }
    });
    return cmd;
}

CLI::App* add_save(CLI::App& parent, Context& ctx, const std::string& name) {
    struct Flags {
        std::string output, format = "docker-archive";
        bool quiet = false, compress = false, multi = false;
        std::vector<std::string> images;
    };
    auto f = std::make_shared<Flags>();
    CLI::App* cmd = parent.add_subcommand(name, "Save image(s) to an archive");
    cmd->add_option("-o,--output", f->output, "Write to a specified file (default: stdout, which must be redirected)");
    cmd->add_option("--format", f->format, "Save image to docker-archive, oci-archive or oci-dir");
    cmd->add_flag("-q,--quiet", f->quiet, "Suppress the output");
    cmd->add_flag("--compress", f->compress, "Compress tarball image layers when saving to a directory (ignored)");
    cmd->add_flag("-m,--multi-image-archive", f->multi, "Interpret additional arguments as images not tags (always on)");
    cmd->add_option("images", f->images, "IMAGE [IMAGE...]");
    cmd->callback([&ctx, f] {
        if (f->images.empty()) usage_error("need at least 1 argument");
        auto format = image::parse_save_format(f->format);
        if (f->output.empty() && format != image::SaveFormat::OciDir && ::isatty(STDOUT_FILENO))
            usage_error("refusing to save to terminal. Use -o flag or redirect");
        image::save_images(ctx.store(), f->images, format, f->output, STDOUT_FILENO, progress_for(f->quiet));
    });
    return cmd;
}

namespace {

// "registry.example:5000/x" or "https://registry.example:5000" -> "registry.example:5000"
std::string registry_host(std::string r) {
    if (auto p = r.find("://"); p != std::string::npos) r = r.substr(p + 3);
    if (auto p = r.find('/'); p != std::string::npos) r = r.substr(0, p);
    return r;
}


}  // namespace

CLI::App* add_pull(CLI::App& parent, Context& ctx, const std::string& name) {
    struct Flags {
        RegistryFlags reg;
        std::string platform, arch, os, variant;
        bool quiet = false, all_tags = false;
        std::vector<std::string> refs;
    };
    auto f = std::make_shared<Flags>();
    CLI::App* cmd = parent.add_subcommand(name, "Pull an image from a registry");
    f->reg.add_to(cmd);
    cmd->add_option("--platform", f->platform, "Specify the platform for selecting the image (OS/ARCH[/VARIANT])");
    cmd->add_option("--arch", f->arch, "Use ARCH instead of the architecture of the machine");
    cmd->add_option("--os", f->os, "Use OS instead of the running OS");
    cmd->add_option("--variant", f->variant, "Use VARIANT instead of the running architecture variant");
    cmd->add_flag("-q,--quiet", f->quiet, "Suppress output information when pulling images");
    cmd->add_flag("-a,--all-tags", f->all_tags, "All tagged images in the repository will be pulled");
    cmd->add_option("images", f->refs, "IMAGE [IMAGE...]");
    cmd->callback([&ctx, f] {
        if (f->refs.empty()) usage_error("requires at least 1 arg(s), only received 0");
        if (f->all_tags) throw Error("--all-tags is not supported");
        image::PullOptions o;
        o.registry = f->reg.options();
        if (!f->platform.empty()) o.platform = image::parse_platform(f->platform);
        if (!f->os.empty()) o.platform.os = f->os;
        if (!f->arch.empty()) o.platform.architecture = f->arch;
        if (!f->variant.empty()) o.platform.variant = f->variant;
        if (::isatty(STDIN_FILENO) && ::isatty(STDOUT_FILENO)) o.choose_short_name = choose_short_name_interactively;
        for (const auto& r : f->refs) {
            auto img = image::pull_image(ctx.store(), r, o, progress_for(f->quiet));
            std::cout << img.id << std::endl;
        }
    });
    return cmd;
}

CLI::App* add_push(CLI::App& parent, Context& ctx, const std::string& name) {
    struct Flags {
        RegistryFlags reg;
        std::string format, digestfile, compression;
        bool quiet = false, remove_signatures = false;
        std::vector<std::string> args;
    };
    auto f = std::make_shared<Flags>();
    CLI::App* cmd = parent.add_subcommand(name, "Push an image to a specified destination");
    f->reg.add_to(cmd);
    cmd->add_option("-f,--format", f->format, "Manifest type (oci, v2s2) to use when pushing an image");
    cmd->add_option("--digestfile", f->digestfile, "Write the digest of the pushed image to the specified file");
    cmd->add_option("--compression-format", f->compression, "Compression format (layers are pushed as stored)");
    cmd->add_flag("-q,--quiet", f->quiet, "Suppress output information when pushing images");
    cmd->add_flag("--remove-signatures", f->remove_signatures, "Discard any pre-existing signatures in the image");
    cmd->add_option("image-and-destination", f->args, "IMAGE [DESTINATION]");
    cmd->callback([&ctx, f] {
        if (f->args.empty() || f->args.size() > 2) usage_error("push requires 1 or 2 arguments: IMAGE [DESTINATION]");
        image::PushOptions o;
        o.registry = f->reg.options();
        o.format = f->format;
        std::string dest = f->args.size() > 1 ? f->args[1] : "";
        if (str::starts_with(dest, "docker://")) dest = dest.substr(9);
        std::string digest = image::push_image(ctx.store(), f->args[0], dest, o, progress_for(f->quiet));
        if (!f->digestfile.empty()) write_file_atomic(f->digestfile, digest, 0644);
    });
    return cmd;
}

CLI::App* add_login(CLI::App& parent, Context& /*ctx*/, const std::string& name) {
    struct Flags {
        RegistryFlags reg;
        std::string username, password, registry;
        bool password_stdin = false, get_login = false;
    };
    auto f = std::make_shared<Flags>();
    CLI::App* cmd = parent.add_subcommand(name, "Log in to a container registry");
    cmd->add_flag("--tls-verify{true}", f->reg.tls_verify, "Require HTTPS and verify certificates when contacting registries");
    cmd->add_option("--cert-dir", f->reg.cert_dir, "Use certificates at the specified path to access the registry");
    cmd->add_option("--authfile", f->reg.authfile, "Path of the authentication file");
    cmd->add_option("-u,--username", f->username, "Username for registry");
    cmd->add_option("-p,--password", f->password, "Password for registry");
    cmd->add_flag("--password-stdin", f->password_stdin, "Take the password from stdin");
    cmd->add_flag("--get-login", f->get_login, "Return the current login user for the registry");
    cmd->add_option("registry", f->registry, "REGISTRY");
    cmd->callback([f] {
        if (f->registry.empty()) usage_error("please provide a registry to log in to");
        const std::string host = registry_host(f->registry);
        if (f->get_login) {
            auto c = image::find_credentials(host, f->reg.authfile);
            if (!c) throw Error("not logged into " + host);
            std::cout << c->username << std::endl;
            return;
        }
        std::string password = f->password;
        if (f->password_stdin) {
            std::getline(std::cin, password);
            while (!password.empty() && (password.back() == '\r' || password.back() == '\n')) password.pop_back();
        }
        if (f->username.empty() || (password.empty() && !f->password_stdin)) {
            if (!::isatty(STDIN_FILENO)) usage_error("username and password are required (-u USER -p PASS or --password-stdin)");
            if (f->username.empty()) {
                std::cerr << "Username: ";
                std::getline(std::cin, f->username);
            }
            if (password.empty()) {
                std::cerr << "Password: ";
                std::getline(std::cin, password);
            }
        }
        image::RegistryOptions o;
        o.tls.verify = f->reg.tls_verify;
        o.tls.cert_dir = f->reg.cert_dir;
        o.authfile = f->reg.authfile;
        o.creds = image::Credentials{f->username, password, ""};
        image::RegistryClient client(host, "", o, "");
        client.check_login();
        image::store_credentials(host, *o.creds, f->reg.authfile);
        std::cout << "Login Succeeded!" << std::endl;
    });
    return cmd;
}

CLI::App* add_logout(CLI::App& parent, Context& /*ctx*/, const std::string& name) {
    struct Flags {
        std::string authfile, registry;
        bool all = false;
    };
    auto f = std::make_shared<Flags>();
    CLI::App* cmd = parent.add_subcommand(name, "Log out of a container registry");
    cmd->add_option("--authfile", f->authfile, "Path of the authentication file");
    cmd->add_flag("-a,--all", f->all, "Remove the cached credentials for all registries in the auth file");
    cmd->add_option("registry", f->registry, "REGISTRY");
    cmd->callback([f] {
        if (f->all) {
            image::remove_all_credentials(f->authfile);
            std::cout << "Removed login credentials for all registries" << std::endl;
            return;
        }
        if (f->registry.empty()) usage_error("please provide a registry to log out from");
        const std::string host = registry_host(f->registry);
        if (!image::remove_credentials(host, f->authfile)) throw Error("not logged into " + host);
        std::cout << "Removed login credentials for " << host << std::endl;
    });
    return cmd;
}

CLI::App* add_commit(CLI::App& parent, Context& ctx, const std::string& name) {
    struct Flags {
        std::vector<std::string> changes;
        std::string message, author, format;
        bool quiet = false, pause = false;
        std::vector<std::string> args;
    };
    auto f = std::make_shared<Flags>();
    CLI::App* cmd = parent.add_subcommand(name, "Create new image based on the changed container");
    cmd->add_option("-c,--change", f->changes, "Apply the following possible instructions to the created image")->allow_extra_args(false);
    cmd->add_option("-m,--message", f->message, "Set commit message for imported image");
    cmd->add_option("-a,--author", f->author, "Set the author for the image committed");
    cmd->add_option("-f,--format", f->format, "Format of the image manifest and metadata (oci)");
    cmd->add_flag("-q,--quiet", f->quiet, "Suppress output");
    cmd->add_flag("-p,--pause", f->pause, "Pause container during commit (accepted; the upper dir is read as is)");
    cmd->add_option("container-and-image", f->args, "CONTAINER [IMAGE]");
    cmd->callback([&ctx, f] {
        if (f->args.empty() || f->args.size() > 2) usage_error("commit requires 1 or 2 arguments: CONTAINER [IMAGE]");
        if (f->args.size() > 1) storage::check_reference_format(f->args[1]);
        auto c = ctx.containers().get(f->args[0]);
        container::CommitOptions o;
        o.reference = f->args.size() > 1 ? f->args[1] : "";
        o.changes = f->changes;
        o.message = f->message;
        o.author = f->author;
        auto img = container::commit_container(ctx.store(), c.config, o);
        std::cout << img.id << std::endl;
    });
    return cmd;
}

CLI::App* add_export(CLI::App& parent, Context& ctx, const std::string& name) {
    struct Flags {
        std::string output, container;
    };
    auto f = std::make_shared<Flags>();
    CLI::App* cmd = parent.add_subcommand(name, "Export container's filesystem contents as a tar archive");
    cmd->add_option("-o,--output", f->output, "Write to a specified file (default: stdout, which must be redirected)");
    cmd->add_option("container", f->container, "CONTAINER");
    cmd->callback([&ctx, f] {
        if (f->container.empty()) usage_error("export requires exactly 1 argument: CONTAINER");
        auto c = ctx.containers().get(f->container);
        if (f->output.empty()) {
            if (::isatty(STDOUT_FILENO)) usage_error("refusing to export to terminal. Use -o flag or redirect");
            container::export_container(ctx.store(), c.config, STDOUT_FILENO);
            return;
        }
        const std::string tmp = f->output + ".tmp-" + std::to_string(::getpid());
        UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
        if (!fd) throw Error::sys("creating " + tmp);
        try {
            container::export_container(ctx.store(), c.config, fd.get());
            if (::rename(tmp.c_str(), f->output.c_str()) < 0) throw Error::sys("renaming " + tmp);
        } catch (...) {
            ::unlink(tmp.c_str());
            throw;
        }
    });
    return cmd;
}

CLI::App* add_history(CLI::App& parent, Context& ctx, const std::string& name) {
    struct Flags {
        bool human = true, no_trunc = false, quiet = false;
        std::string format, image;
    };
    auto f = std::make_shared<Flags>();
    CLI::App* cmd = parent.add_subcommand(name, "Show history of a specified image");
    cmd->add_flag("-H,--human{true}", f->human, "Display sizes and dates in human readable format");
    cmd->add_flag("--no-trunc", f->no_trunc, "Do not truncate the output");
    cmd->add_flag("-q,--quiet", f->quiet, "Display the numeric IDs only");
    cmd->add_option("--format", f->format, "Change the output to JSON or a Go template");
    cmd->add_option("image", f->image, "IMAGE");
    cmd->callback([&ctx, f] {
        if (f->image.empty()) usage_error("history requires exactly 1 argument: IMAGE");
        storage::check_reference_format(f->image);
        auto img = ctx.store().find_image(f->image);
        if (!img) throw Error(f->image + ": image not known");
        nlohmann::json doc = image_config_doc(ctx, *img);
        nlohmann::json hist = doc.contains("history") && doc["history"].is_array() ? doc["history"] : nlohmann::json::array();
        std::vector<uint64_t> sizes;
        for (const auto& chain : img->layers)
            if (auto l = ctx.store().find_layer(chain)) sizes.push_back(l->size);
        // Entries map to layers in order, skipping the empty_layer ones.
        struct Row { std::string created, created_by, comment; uint64_t size = 0; int64_t created_s = 0; };
        std::vector<Row> rows;
        size_t li = 0;
        for (const auto& h : hist) {
            if (!h.is_object()) continue;
            Row r;
            auto s = [&](const char* k) { return h.contains(k) && h[k].is_string() ? h[k].get<std::string>() : std::string(); };
            r.created = s("created");
            r.created_by = s("created_by");
            r.comment = s("comment");
            if (auto t = parse_rfc3339(r.created)) r.created_s = *t / 1000000000;
            bool empty = h.contains("empty_layer") && h["empty_layer"].is_boolean() && h["empty_layer"].get<bool>();
            if (!empty && li < sizes.size()) r.size = sizes[li++];
            rows.push_back(r);
        }
        Listing l;
        int64_t now = static_cast<int64_t>(std::time(nullptr));
        for (size_t i = rows.size(); i-- > 0;) {
            const Row& r = rows[i];
            std::string id = i + 1 == rows.size() ? (f->no_trunc ? img->id : img->id.substr(0, 12)) : "<missing>";
            l.json_rows.push_back({{"id", i + 1 == rows.size() ? img->id : "<missing>"}, {"created", r.created},
                                   {"CreatedBy", r.created_by}, {"size", r.size}, {"comment", r.comment},
                                   {"tags", i + 1 == rows.size() && !img->names.empty() ? nlohmann::json(img->names) : nlohmann::json(nullptr)}});
            std::string by = r.created_by;
            if (!f->no_trunc && by.size() > 45) by = by.substr(0, 42) + "...";
            l.template_rows.push_back({{"ID", id}, {"Created", f->human ? human_duration(now - r.created_s) + " ago" : r.created},
                                       {"CreatedBy", by}, {"Size", f->human ? human_size(static_cast<double>(r.size)) : std::to_string(r.size)},
                                       {"Comment", r.comment}, {"Tags", img->names.empty() ? "" : img->names.front()}});
        }
        l.default_format = "table {{.ID}}\t{{.Created}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}";
        l.headers = {{"ID", "ID"}, {"Created", "CREATED"}, {"CreatedBy", "CREATED BY"}, {"Size", "SIZE"}, {"Comment", "COMMENT"}};
        std::string format = f->format;
        if (f->quiet && format.empty()) format = "{{.ID}}";
        print_listing(l, format);
    });
    return cmd;
}

void register_image_transfer(CLI::App& app, Context& ctx) {
    add_commit(app, ctx, "commit");
    add_export(app, ctx, "export");
    add_history(app, ctx, "history");
    add_pull(app, ctx, "pull");
    add_push(app, ctx, "push");
    add_login(app, ctx, "login");
    add_logout(app, ctx, "logout");
    add_load(app, ctx, "load");
    add_save(app, ctx, "save");
}

void register_image_transfer_management(CLI::App& image, Context& ctx) {
    add_pull(image, ctx, "pull");
    add_push(image, ctx, "push");
    add_history(image, ctx, "history");
    add_load(image, ctx, "load");
    add_save(image, ctx, "save");
}

}  // namespace pc::cli
