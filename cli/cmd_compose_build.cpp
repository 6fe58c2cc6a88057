// pc compose build [--no-cache] [--pull] [-q] [--build-arg K=V] [--push] [--with-dependencies]
// [SERVICE...]: the services' build sections built in dependency order, each image named as
// `up` names it (the service's image, or <project>-<service>).
#include <unistd.h>

#include <algorithm>

#include "cli/compose_build.hpp"
#include "cli/compose_runtime.hpp"
#include "cli/context.hpp"
#include "common/error.hpp"
#include "compose/project_ops.hpp"
#include "compose/service_container.hpp"
#include "image/push.hpp"

namespace pc::cli {

void add_compose_build(CLI::App& compose, Context& ctx, const std::shared_ptr<ComposeFlags>& flags) {
    struct Flags {
        ComposeBuildSettings settings;
        std::vector<std::string> services;
        bool push = false, with_dependencies = false;
    };
    auto f = std::make_shared<Flags>();
    CLI::App* cmd = compose.add_subcommand("build", "Build or rebuild services");
    cmd->add_option("--build-arg", f->settings.build_args, "Set build-time variables for services");
    cmd->add_flag("--no-cache", f->settings.no_cache, "Do not use cache when building the image");
    cmd->add_flag("--pull", f->settings.pull, "Always attempt to pull a newer version of the image");
    cmd->add_flag("--push", f->push, "Push service images");
    cmd->add_flag("-q,--quiet", f->settings.quiet, "Don't print anything to STDOUT");
    cmd->add_flag("--with-dependencies", f->with_dependencies, "Also build dependencies (transitively)");
    cmd->add_option("services", f->services, "Services");
    cmd->callback([&ctx, flags, f] {
        auto project = load_runtime_project(*flags, f->services);
        auto engine = make_engine(ctx, project, f->settings.quiet);
        compose::BuildHook hook = compose_build_hook(ctx, f->settings);
        std::vector<std::string> wanted = engine->resolve_services(f->services);
        if (f->with_dependencies && !f->services.empty()) {
            compose::Project p = project;
            compose::select_services(p, f->services, true);
            wanted = engine->resolve_services({});
            std::erase_if(wanted, [&](const std::string& s) { return !p.services.count(s); });
        }
        try {
            for (const auto& name : compose::services_in_dependency_order(project)) {
                if (std::find(wanted.begin(), wanted.end(), name) == wanted.end()) continue;
                const compose::Service& s = project.services.at(name);
                if (!s.build) continue;  // nothing to build, as Docker Compose
                const std::string image = compose::service_image(project, s);
                hook(project, s, image);
                if (f->push && !s.image.empty()) {
                    image::PushOptions o;
                    image::push_image(ctx.store(), s.image, s.image, o, image::no_progress());
                }
            }
        } catch (const Error& e) {
            throw Error(e.what(), kExitCompose);  // Docker Compose exits 1 for a failed build
        }
    });
}

}  // namespace pc::cli
