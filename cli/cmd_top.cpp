// pc top CONTAINER [DESCRIPTORS...]
#include <memory>
#include <optional>

#include "cli/commands.hpp"
#include "cli/context.hpp"
#include "cli/table_writer.hpp"
#include "common/error.hpp"
#include "container/exec.hpp"
#include "container/top.hpp"

namespace pc::cli {

CLI::App* add_top(CLI::App& parent, Context& ctx, const std::string& name) {
    struct Flags {
        bool latest = false;
    };
    auto f = std::make_shared<Flags>();
    CLI::App* cmd = parent.add_subcommand(name, "Display the running processes of a container");
    cmd->footer("Usage: pc top [options] CONTAINER [FORMAT-DESCRIPTORS...]");
    cmd->add_flag("-l,--latest", f->latest, "Act on the latest container pc is aware of");
    // The container and what follows it (descriptors or ps(1) options such as -eo pid,comm)
    // are taken as they are, in order.
    cmd->prefix_command();
    cmd->callback([&ctx, f, cmd] {
        std::vector<std::string> args = cmd->remaining();
        std::string target;
        if (f->latest) {
            auto all = ctx.containers().list();
            if (all.empty()) throw Error("no containers to show: no such container");
            target = all.front().config.id;
        } else {
            if (args.empty()) usage_error("you must provide the name or ID of a running container or use --latest");
            target = args.front();
            args.erase(args.begin());
        }
        // AIX format descriptors (pid user args...) are answered from /proc; anything else
        // (ps(1) options such as -eo pid,comm) runs the container's own ps with those
        // arguments, as Podman does.
        std::optional<std::vector<std::string>> descriptors;
        try {
            descriptors = container::parse_top_descriptors(args);
        } catch (const Error&) {
        }
        container::Container c = ctx.containers().get(target);
        if (c.state.status != container::Status::Running || c.state.pid <= 0)
            throw Error("top can only be used on running containers");
        if (!descriptors) {
            container::ExecOptions ps;
            ps.args = {"ps"};
            ps.args.insert(ps.args.end(), args.begin(), args.end());
            const int code = container::exec_in_container(ctx.containers(), c, ps);
            if (code != 0) throw Error("ps(1) failed with exit code " + std::to_string(code), code);
            return;
        }
        std::vector<container::ProcessInfo> procs = container::container_processes(c.state.pid);
        container::TopContext tc = container::top_context(c.state.pid);
        std::vector<std::string> headers;
        for (const auto& d : *descriptors) headers.push_back(container::top_header(d));
        TableWriter table(headers);
        for (const auto& p : procs) {
            std::vector<std::string> row;
            for (const auto& d : *descriptors) row.push_back(container::top_field(d, p, tc));
            table.add_row(row);
        }
        print(table.render());
    });
    return cmd;
}

void register_top(CLI::App& app, Context& ctx) { add_top(app, ctx, "top"); }

}  // namespace pc::cli
