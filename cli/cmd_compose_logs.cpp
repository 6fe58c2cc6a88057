// pc compose logs: the services' output with Docker Compose's "web-1  | " prefixes, in time
// order (followed with -f as it comes, until every container is gone).
#include <unistd.h>

#include <algorithm>

#include "cli/compose_runtime.hpp"
#include "cli/time_input.hpp"
#include "common/error.hpp"
#include "common/strings.hpp"
#include "compose/labels.hpp"

namespace pc::cli {

void add_compose_logs(CLI::App& compose, Context& ctx, const std::shared_ptr<ComposeFlags>& flags) {
    struct LogsFlags {
        bool follow = false, timestamps = false, no_color = false, no_log_prefix = false;
        std::string tail = "all", since, until;
        int index = 0;
        std::vector<std::string> services;
    };
    auto f = std::make_shared<LogsFlags>();
    CLI::App* cmd = compose.add_subcommand("logs", "View output from containers");
    cmd->add_flag("-f,--follow", f->follow, "Follow log output");
    cmd->add_flag("-t,--timestamps", f->timestamps, "Show timestamps");
    cmd->add_flag("--no-color", f->no_color, "Produce monochrome output");
    cmd->add_flag("--no-log-prefix", f->no_log_prefix, "Don't print prefix in logs");
    cmd->add_option("-n,--tail", f->tail, "Number of lines to show from the end of the logs for each container");
    cmd->add_option("--since", f->since, "Show logs since timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)");
    cmd->add_option("--until", f->until, "Show logs before a timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)");
    cmd->add_option("--index", f->index, "index of the container if service has multiple replicas");
    cmd->add_option("services", f->services, "Services");
    cmd->callback([&ctx, flags, f] {
        auto project = load_runtime_project(*flags, f->services, true);
        auto engine = make_engine(ctx, project);
        for (const auto& s : f->services)
            if (!project.services.empty() && !project.services.count(s)) throw Error("no such service: " + s, kExitCompose);
        std::vector<container::Container> ctrs;
        for (auto& c : engine->containers(false)) {
            if (!f->services.empty() && std::find(f->services.begin(), f->services.end(), service_of(c)) == f->services.end())
                continue;
            if (f->index > 0) {
                auto it = c.config.labels.find(compose::kLabelNumber);
                if (it == c.config.labels.end() || it->second != std::to_string(f->index)) continue;
            }
            ctrs.push_back(std::move(c));
        }
        LogStreamOptions o;
        o.follow = f->follow;
        o.prefix = !f->no_log_prefix;
        o.color = !f->no_color && ::isatty(STDOUT_FILENO);
        o.timestamps = f->timestamps;
        if (f->tail != "all") {
            auto n = str::parse_u64(f->tail);
            if (!n) throw Error("invalid --tail \"" + f->tail + "\": a number or all", kExitCompose);
            o.tail = static_cast<size_t>(*n);
        }
        if (!f->since.empty()) o.since_ns = parse_input_time(f->since, true);
        if (!f->until.empty()) o.until_ns = parse_input_time(f->until, false);
        stream_compose_logs(ctx, ctrs, o, [] { return true; });
    });
}

}  // namespace pc::cli
