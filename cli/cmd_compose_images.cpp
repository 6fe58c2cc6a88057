// pc compose images|pull|push|build|cp|events.
#include <unistd.h>

#include <algorithm>
#include <set>

#include "cli/compose_runtime.hpp"
#include "cli/cp_args.hpp"
#include "cli/human_units.hpp"
#include "cli/output.hpp"
#include "common/error.hpp"
#include "common/strings.hpp"
#include "common/time_format.hpp"
#include "compose/labels.hpp"
#include "container/copy.hpp"
#include "container/events.hpp"
#include "image/progress.hpp"
#include "image/push.hpp"
#include "image/reference.hpp"

namespace pc::cli {

namespace {

void add_images(CLI::App& compose, Context& ctx, const std::shared_ptr<ComposeFlags>& flags) {
    struct Flags {
        bool quiet = false;
        std::string format;
        std::vector<std::string> services;
    };
    auto f = std::make_shared<Flags>();
    CLI::App* cmd = compose.add_subcommand("images", "List images used by the created containers");
    cmd->add_flag("-q,--quiet", f->quiet, "Only display IDs");
    cmd->add_option("--format", f->format, "Format the output. Values: [table | json]");
    cmd->add_option("services", f->services, "Services");
    cmd->callback([&ctx, flags, f] {
        auto project = load_runtime_project(*flags, f->services, true);
        auto engine = make_engine(ctx, project);
        Listing l;
        nlohmann::json rows = nlohmann::json::array();
        std::string quiet;
        for (const auto& c : engine->containers(false)) {
            if (!f->services.empty() && std::find(f->services.begin(), f->services.end(), service_of(c)) == f->services.end()) continue;
            auto img = ctx.store().find_image(c.config.image_id);
            const std::string ref = c.config.image_name;
            auto colon = ref.rfind(':');
            const bool has_tag = colon != std::string::npos && ref.find('/', colon) == std::string::npos;
            nlohmann::json row = {{"ContainerName", c.config.name},
                                  {"Repository", has_tag ? ref.substr(0, colon) : ref},
                                  {"Tag", has_tag ? ref.substr(colon + 1) : "latest"},
                                  {"ID", c.config.image_id.substr(0, 12)},
                                  {"Size", img ? human_size_compact(static_cast<double>(img->size)) : "0B"}};
            quiet += c.config.image_id.substr(0, 12) + "\n";
            rows.push_back({{"ID", "sha256:" + c.config.image_id}, {"ContainerName", c.config.name},
                            {"Repository", row["Repository"]}, {"Tag", row["Tag"]}, {"Size", img ? img->size : 0}});
            l.template_rows.push_back(row);
        }
        if (f->quiet) return write_line(STDOUT_FILENO, quiet);
        if (f->format == "json") return write_line(STDOUT_FILENO, rows.dump() + "\n");
        l.default_format = "table {{.ContainerName}}\t{{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.Size}}";
        l.headers = {{"ContainerName", "CONTAINER"}, {"Repository", "REPOSITORY"}, {"Tag", "TAG"}, {"ID", "IMAGE ID"}, {"Size", "SIZE"}};
        print_listing(l, f->format == "table" ? "" : f->format);
    });
}

void add_pull_push(CLI::App& compose, Context& ctx, const std::shared_ptr<ComposeFlags>& flags) {
    {
        struct Flags {
            bool quiet = false, ignore_failures = false, include_deps = false, ignore_buildable = false;
            std::string policy = "always";
            std::vector<std::string> services;
        };
        auto f = std::make_shared<Flags>();
        CLI::App* cmd = compose.add_subcommand("pull", "Pull service images");
        cmd->add_flag("-q,--quiet", f->quiet, "Pull without printing progress information");
        cmd->add_flag("--ignore-pull-failures", f->ignore_failures, "Pull what it can and ignores images with pull failures");
        cmd->add_flag("--include-deps", f->include_deps, "Also pull services declared as dependencies");
        cmd->add_flag("--ignore-buildable", f->ignore_buildable, "Ignore images that can be built");
        cmd->add_option("--policy", f->policy, "Apply pull policy (\"missing\"|\"always\")");
        cmd->add_option("services", f->services, "Services");
        cmd->callback([&ctx, flags, f] {
            auto project = load_runtime_project(*flags, f->services);
            auto engine = make_engine(ctx, project, f->quiet);
            for (const auto& s : engine->resolve_services(f->services)) {
                const auto& svc = project.services.at(s);
                if (svc.image.empty() || (f->ignore_buildable && svc.build)) continue;
                try {
                    engine->pull({s}, f->policy);
                } catch (const Error& e) {
                    if (!f->ignore_failures) throw Error(e.what(), kExitCompose);
                    write_line(STDERR_FILENO, "WARN[0000] " + std::string(e.what()) + "\n");
                }
            }
        });
    }
    {
        struct Flags {
            bool ignore_failures = false, include_deps = false, quiet = false;
            std::vector<std::string> services;
        };
        auto f = std::make_shared<Flags>();
        CLI::App* cmd = compose.add_subcommand("push", "Push service images");
        cmd->add_flag("--ignore-push-failures", f->ignore_failures, "Push what it can and ignores images with push failures");
        cmd->add_flag("--include-deps", f->include_deps, "Also push images of services declared as dependencies");
        cmd->add_flag("-q,--quiet", f->quiet, "Push without printing progress information");
        cmd->add_option("services", f->services, "Services");
        cmd->callback([&ctx, flags, f] {
            auto project = load_runtime_project(*flags, f->services);
            auto engine = make_engine(ctx, project);
            for (const auto& s : engine->resolve_services(f->services)) {
                const auto& svc = project.services.at(s);
                if (svc.image.empty()) continue;  // Docker Compose pushes services that name an image
                try {
                    if (!f->quiet) write_line(STDERR_FILENO, " Pushing " + s + ": " + svc.image + "\n");
                    image::PushOptions o;
                    image::push_image(ctx.store(), svc.image, svc.image, o, image::no_progress());
                } catch (const Error& e) {
                    if (!f->ignore_failures) throw Error(e.what(), kExitCompose);
                    write_line(STDERR_FILENO, "WARN[0000] " + std::string(e.what()) + "\n");
                }
            }
        });
    }
}

void add_cp(CLI::App& compose, Context& ctx, const std::shared_ptr<ComposeFlags>& flags) {
    struct Flags {
        bool archive = false, all = false;
        int index = 1;
        std::vector<std::string> args;
    };
    auto f = std::make_shared<Flags>();
    CLI::App* cmd = compose.add_subcommand("cp", "Copy files/folders between a service container and the local filesystem");
    cmd->add_flag("-a,--archive", f->archive, "Archive mode (copy all uid/gid information)");
    cmd->add_flag("--all", f->all, "Include containers created by the run command");
    cmd->add_option("--index", f->index, "Index of the container if service has multiple replicas");
    cmd->add_option("paths", f->args, "SRC and DEST")->expected(2)->required();
    cmd->callback([&ctx, flags, f] {
        CpArgs a = parse_cp_args(f->args.at(0), f->args.at(1));
        auto project = load_runtime_project(*flags, {}, true);
        auto engine = make_engine(ctx, project);
        const std::string service = a.to_container() ? *a.dest.container : *a.src.container;
        std::optional<container::Container> target;
        for (auto& c : engine->service_containers(service, f->all))
            if (c.config.labels.count(compose::kLabelNumber) && c.config.labels.at(compose::kLabelNumber) == std::to_string(f->index))
                target = std::move(c);
        if (!target) throw Error("no container found for service \"" + service + "\"", kExitCompose);
        container::CopyOptions o;
        o.archive = f->archive;
        if (a.to_container()) container::copy_to_container(ctx.containers(), *target, a.src.path, a.dest.path, o);
        else container::copy_from_container(ctx.containers(), *target, a.src.path, a.dest.path, o);
    });
}

void add_events(CLI::App& compose, Context& ctx, const std::shared_ptr<ComposeFlags>& flags) {
    struct Flags {
        bool json = false;
        std::string since, until;
        std::vector<std::string> services;
    };
    auto f = std::make_shared<Flags>();
    CLI::App* cmd = compose.add_subcommand("events", "Receive real time events from containers");
    cmd->add_flag("--json", f->json, "Output events as a stream of json objects");
    cmd->add_option("services", f->services, "Services");
    cmd->callback([&ctx, flags, f] {
        auto project = load_runtime_project(*flags, f->services, true);
        const std::string name = project.name;
        container::read_events(ctx.store().root(), container::now_ns(), std::nullopt, true, [&](const container::Event& e) {
            if (e.type != "container") return true;
            auto c = ctx.containers().find(e.id);
            if (!c) return true;
            auto it = c->config.labels.find(compose::kLabelProject);
            if (it == c->config.labels.end() || it->second != name) return true;
            const std::string service = service_of(*c);
            if (!f->services.empty() && std::find(f->services.begin(), f->services.end(), service) == f->services.end()) return true;
            std::map<std::string, std::string> attrs = e.attributes;
            attrs["name"] = e.name;
            attrs["image"] = e.image;
            if (f->json) {
                nlohmann::json j = {{"time", rfc3339_nano(e.time_ns, false)}, {"type", "container"}, {"action", e.status},
                                    {"id", e.id}, {"service", service}, {"attributes", attrs}};
                write_line(STDOUT_FILENO, j.dump() + "\n");
            } else {
                std::vector<std::string> kv;
                for (const auto& [k, v] : attrs) kv.push_back(k + "=" + v);
                write_line(STDOUT_FILENO, rfc3339_nano(e.time_ns, false) + " container " + e.status + " " + e.id + " (" +
                                              str::join(kv, ", ") + ")\n");
            }
            return true;
        });
    });
}

}  // namespace

void add_compose_images(CLI::App& compose, Context& ctx, const std::shared_ptr<ComposeFlags>& flags) {
    add_images(compose, ctx, flags);
    add_pull_push(compose, ctx, flags);
    add_cp(compose, ctx, flags);
    add_events(compose, ctx, flags);
}

}  // namespace pc::cli
