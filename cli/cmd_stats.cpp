// pc stats [--no-stream] [--format json|TEMPLATE] [-a] [-i SECONDS] [CONTAINER...]
#include <time.h>
#include <unistd.h>

#include <iostream>
#include <map>
#include <memory>

#include "cli/commands.hpp"
#include "cli/context.hpp"
#include "cli/output.hpp"
#include "cli/stats_collector.hpp"
#include "cli/stats_view.hpp"
#include "common/error.hpp"
#include "common/strings.hpp"
#include "container/stats.hpp"

namespace pc::cli {

namespace {

// CPU % needs two samples; the first frame takes them this far apart, so that
// `--no-stream` answers quickly yet sees a few clock ticks (10 ms each) of work.
constexpr long kFirstWindowMs = 250;

struct StatsFlags {
    bool all = false, latest = false, no_stream = false, no_trunc = false, no_reset = false;
    int interval = 5;
    std::string format;
    std::vector<std::string> names;
};

void sleep_ms(long ms) {
    struct timespec ts {ms / 1000, (ms % 1000) * 1000000};
    while (::nanosleep(&ts, &ts) < 0) {
    }
}

// The containers of one frame, re-resolved each time as Podman does (a container started
// meanwhile appears; a named one that was removed is an error).
std::vector<container::Container> targets(Context& ctx, const StatsFlags& f) {
    std::vector<container::Container> out;
    if (!f.names.empty()) {
        for (const auto& n : f.names) out.push_back(ctx.containers().get(n));
        return out;
    }
    auto all = ctx.containers().list();
    if (f.latest) {
        if (all.empty()) throw Error("no containers to show stats for: no such container");
        out.push_back(all.front());
        return out;
    }
    for (auto& c : all)
        if (f.all || c.state.status == container::Status::Running) out.push_back(std::move(c));
    return out;
}

bool is_json_format(const std::string& format) {
    std::string f = str::trim(format);
    return f == "json" || f == "{{json .}}" || f == "{{ json . }}";
}

void print_frame(const StatsFlags& f, const std::vector<container::ContainerStats>& stats) {
    if (is_json_format(f.format)) {
        std::cout << stats_json(stats, f.no_trunc) << std::endl;
        return;
    }
    print_listing(stats_listing(stats, f.no_trunc), f.format);
}

}  // namespace

CLI::App* add_stats(CLI::App& parent, Context& ctx, const std::string& name) {
    auto f = std::make_shared<StatsFlags>();
    CLI::App* cmd = parent.add_subcommand(name, "Display a live stream of container resource usage statistics");
    cmd->footer("Usage: pc stats [options] [CONTAINER...]");
    cmd->add_flag("-a,--all", f->all, "Show all containers. Only running containers are shown by default. The default is false");
    cmd->add_option("--format", f->format, "Pretty-print container statistics to JSON or using a Go template");
    cmd->add_flag("--no-trunc", f->no_trunc, "Do not truncate output");
    cmd->add_flag("--no-reset", f->no_reset, "Disable resetting the screen between intervals");
    cmd->add_flag("--no-stream", f->no_stream, "Disable streaming stats and only pull the first result, default setting is false");
    cmd->add_option("-i,--interval", f->interval, "Time in seconds between stats reports");
    cmd->add_flag("-l,--latest", f->latest, "Act on the latest container pc is aware of");
    cmd->add_option("containers", f->names, "Containers");
    cmd->callback([&ctx, f] {
        if (int(f->all) + int(f->latest) + int(!f->names.empty()) > 1)
            usage_error("--all, --latest and containers cannot be used together");
        if (f->interval < 1) throw Error("invalid interval, must be a positive number greater zero");
        StatsCollector collector(container::host_memory_total());
        collector.prime(targets(ctx, *f));
        sleep_ms(kFirstWindowMs);
        // Clearing only makes sense on a screen; redirected output gets plain frames.
        const bool clear = !f->no_stream && !f->no_reset && ::isatty(STDOUT_FILENO);
        for (;;) {
            auto stats = collector.collect(targets(ctx, *f));
            if (clear) std::cout << "\033[2J\033[H";
            print_frame(*f, stats);
            if (f->no_stream) return;
            sleep_ms(static_cast<long>(f->interval) * 1000);
        }
    });
    return cmd;
}

void register_stats(CLI::App& app, Context& ctx) { add_stats(app, ctx, "stats"); }

}  // namespace pc::cli
