// pc run / pc create
#include <iostream>
#include <memory>

#include "cli/context.hpp"
#include "cli/create_options.hpp"
#include "common/log.hpp"
#include "common/error.hpp"
#include "container/exit_hook.hpp"
#include "container/lifecycle.hpp"
#include "container/monitor.hpp"
#include "storage/image_refs.hpp"

namespace pc::cli {

void register_run(CLI::App& app, Context& ctx) {
    auto flags = std::make_shared<container::CreateOptions>();
    auto image = std::make_shared<ImageFlags>();

    CLI::App* run = app.add_subcommand("run", "Run a command in a new container");
    run->footer("Usage: pc run [options] IMAGE [COMMAND [ARG...]]");
    add_create_flags(run, *flags, *image);
    run->add_flag("-d,--detach", flags->detach, "Run container in background and print container ID");
    run->callback([&ctx, run, flags, image] {
        log::timing("command line parsed");
        auto args = image_and_command(run);
        storage::check_reference_format(args.at(0));  // before any lookup, as Podman
        container::Container c = create_container(ctx, *flags, *image, args);
        log::timing("container created");
        if (flags->detach) {
            try {
                container::start_detached(ctx.containers(), c);
            } catch (const Error&) {
                if (c.config.auto_remove) {
                    if (auto now = ctx.containers().find(c.config.id)) ctx.containers().remove(*now, true);
                    container::run_exit_hook(ctx.containers(), c.config);  // a pod made for it goes too
                }
                throw;
            }
            std::cout << c.config.id << std::endl;
            return;
        }
        container::AttachOptions opts;
        opts.tty = flags->tty;
        opts.stdin_open = flags->interactive;
        opts.sig_proxy = flags->sig_proxy;
        std::cout.flush();
        ctx.exit_code = container::run_attached(ctx.containers(), c, opts);
    });

}

void register_create(CLI::App& app, Context& ctx) {
    auto cflags = std::make_shared<container::CreateOptions>();
    auto cimage = std::make_shared<ImageFlags>();
    CLI::App* create = app.add_subcommand("create", "Create but do not start a container");
    create->footer("Usage: pc create [options] IMAGE [COMMAND [ARG...]]");
    add_create_flags(create, *cflags, *cimage);
    create->callback([&ctx, create, cflags, cimage] {
        auto args = image_and_command(create);
        storage::check_reference_format(args.at(0));
        container::Container c = create_container(ctx, *cflags, *cimage, args);
        std::cout << c.config.id << "\n";
    });
}

}  // namespace pc::cli
