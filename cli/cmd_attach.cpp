// pc attach [--detach-keys KEYS] [--no-stdin] [--sig-proxy] CONTAINER
#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "cli/context.hpp"
#include "common/error.hpp"
#include "container/attach_client.hpp"
#include "container/detach_keys.hpp"

namespace pc::cli {

CLI::App* add_attach(CLI::App& parent, Context& ctx, const std::string& name) {
    struct Flags {
        std::string detach_keys = container::kDefaultDetachKeys;
        bool no_stdin = false, sig_proxy = true, latest = false;
        std::vector<std::string> names;
    };
    auto f = std::make_shared<Flags>();
    CLI::App* cmd = parent.add_subcommand(name, "Attach to a running container");
    cmd->footer("Usage: pc attach [options] CONTAINER");
    cmd->add_option("--detach-keys", f->detach_keys,
                    "Select the key sequence for detaching a container. Format is a single character [a-Z] or a comma "
                    "separated sequence of ctrl-<value>, where <value> is one of: a-z, @, ^, [, \\, ], or _");
    cmd->add_flag("--no-stdin", f->no_stdin, "Do not attach STDIN. The default is false");
    cmd->add_flag("--sig-proxy", f->sig_proxy, "Proxy received signals to the process");
    cmd->add_flag("-l,--latest", f->latest, "Act on the latest container pc is aware of");
    cmd->add_option("container", f->names, "Container");
    cmd->callback([&ctx, f] {
        if (f->names.size() > 1 || (f->names.empty() && !f->latest))
            usage_error("attach requires the name or id of one running container or the latest flag");
        container::AttachClientOptions o;
        o.detach_keys = container::parse_detach_keys(f->detach_keys);
        o.attach_stdin = !f->no_stdin;
        o.sig_proxy = f->sig_proxy;
        container::Container c;
        if (f->latest) {
            auto all = ctx.containers().list();
            if (all.empty()) throw Error("no containers to attach to: no such container");
            c = all.front();
        } else {
            c = ctx.containers().get(f->names.front());
        }
        std::cout.flush();
        container::AttachOutcome r = container::attach_running(ctx.containers(), c, o);
        // Podman ends an attach session with a newline, whether detached or exited.
        std::cout << "\n";
        std::cout.flush();
        // Detaching leaves the container running and is a success.
        ctx.exit_code = r.detached ? 0 : r.exit_code;
    });
    return cmd;
}

void register_attach(CLI::App& app, Context& ctx) { add_attach(app, ctx, "attach"); }

}  // namespace pc::cli
