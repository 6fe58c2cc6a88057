// pc cp [options] SRC DEST  (one of them CONTAINER:PATH; "-" is a tar stream)
#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "cli/context.hpp"
#include "cli/cp_args.hpp"
#include "container/copy.hpp"

namespace pc::cli {

CLI::App* add_cp(CLI::App& parent, Context& ctx, const std::string& name) {
    struct Flags {
        bool archive = false;
        std::vector<std::string> args;
    };
    auto f = std::make_shared<Flags>();
    CLI::App* cmd = parent.add_subcommand(name, "Copy files/folders between a container and the local filesystem");
    cmd->footer("Usage: pc cp [options] [CONTAINER:]SRC_PATH [CONTAINER:]DEST_PATH");
    cmd->add_flag("-a,--archive", f->archive, "Keep the source's uid/gid on files copied into the container");
    cmd->add_option("paths", f->args, "SRC and DEST")->expected(2)->required();
    cmd->callback([&ctx, f] {
        CpArgs a = parse_cp_args(f->args.at(0), f->args.at(1));
        container::CopyOptions o;
        o.archive = f->archive;
        std::cout.flush();
        if (a.to_container()) {
            container::Container c = ctx.containers().get(*a.dest.container);
            container::copy_to_container(ctx.containers(), c, a.src.path, a.dest.path, o);
        } else {
            container::Container c = ctx.containers().get(*a.src.container);
            container::copy_from_container(ctx.containers(), c, a.src.path, a.dest.path, o);
        }
    });
    return cmd;
}

void register_cp(CLI::App& app, Context& ctx) { add_cp(app, ctx, "cp"); }

}  // namespace pc::cli
