// pc logs / pc container logs: a container's k8s-file log, stdout records to stdout and
// stderr records to stderr, as Podman prints them.
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <algorithm>
#include <functional>

#include "cli/commands.hpp"
#include "cli/time_input.hpp"
#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/time_format.hpp"
#include "container/log_file.hpp"

namespace pc::cli {

namespace {

struct LogsFlags {
    bool follow = false, timestamps = false, names = false, latest = false;
    int64_t tail = -1;
    std::string since, until;
    std::vector<std::string> containers;
};

// Records of several followed containers arrive on several threads; one record is one
// write(2) under this lock, so lines never mix.
std::mutex g_output;

void print_record(const container::LogRecord& r, const std::string& prefix, bool timestamps) {
    std::string line = prefix;
    if (timestamps) line += rfc3339_nano(r.time_ns, false) + " ";
    line += r.text;
    if (!r.partial) line += '\n';
    std::lock_guard<std::mutex> l(g_output);
    // Direct writes: a follower must show each line at once, and stdout/stderr must keep
    // their relative order as far as the log knows it.
    if (!write_all(r.stream == container::LogStream::Stderr ? 2 : 1, line.data(), line.size())) {
        // The reader went away (`pc logs -f x | head`): stop quietly, as Podman does.
        if (errno == EPIPE) std::_Exit(0);
    }
}

// Following ends when the container is gone for good: no monitor alive (the monitor
// survives restarts and their backoff), and not recorded as running without one.
bool container_alive(Context& ctx, const std::string& id) {
    auto& store = ctx.containers();
    if (::access((store.dir(id) + "/config.json").c_str(), F_OK) != 0) return false;
    container::ContainerState st = store.load_state(id);
    if (st.monitor_pid != 0) return container::process_alive(st.monitor_pid, st.monitor_start);
    return st.running();
}

container::LogReadOptions read_options(const LogsFlags& f) {
    container::LogReadOptions o;
    o.follow = f.follow;
    if (f.tail >= 0) o.tail = static_cast<size_t>(f.tail);
    if (!f.since.empty()) o.since_ns = parse_input_time(f.since, true);
    if (!f.until.empty()) o.until_ns = parse_input_time(f.until, false);
    return o;
}

void logs(Context& ctx, const LogsFlags& f) {
    if (f.latest && !f.containers.empty()) usage_error("--latest and containers cannot be used together");
    if (!f.latest && f.containers.empty()) usage_error("specify at least one container name or ID to log");
    const container::LogReadOptions o = read_options(f);

    // All names are resolved first: an unknown one fails the command before any output.
    std::vector<container::Container> targets;
    if (f.latest) {
        auto all = ctx.containers().list();
        if (all.empty()) throw Error("no containers to print logs from");
        targets.push_back(all.front());
    }
    for (const auto& n : f.containers) targets.push_back(ctx.containers().get(n));

    // Podman prefixes lines only when there are several containers (the short id, or the
    // name with --names).
    const bool multi = targets.size() > 1;
    print_logs(
        ctx, targets, o, f.timestamps,
        [&](const container::Container& c) {
            if (!multi) return std::string();
            return (f.names ? c.config.name : c.config.short_id()) + " ";
        },
        false);
}

}  // namespace

void print_logs(Context& ctx, const std::vector<container::Container>& targets, const container::LogReadOptions& o,
                bool timestamps, const std::function<std::string(const container::Container&)>& prefix_of, bool merge) {
    // A closed pipe must end us with a clean exit, not a SIGPIPE death mid-line.
    ::signal(SIGPIPE, SIG_IGN);

    auto follow_one = [&ctx, &o, timestamps](const container::Container& c, const std::string& prefix) {
        const std::string id = c.config.id;
        container::read_log(
            container::log_path(ctx.store(), id), o,
            [&](const container::LogRecord& r) { print_record(r, prefix, timestamps); },
            [&ctx, id] { return container_alive(ctx, id); });
    };

    if (!o.follow || targets.size() == 1) {
        if (merge && targets.size() > 1) {
            // Several containers: their records interleaved by time, as Podman merges them.
            std::vector<std::pair<container::LogRecord, std::string>> all;
            for (const auto& c : targets) {
                const std::string prefix = prefix_of(c);
                container::read_log(container::log_path(ctx.store(), c.config.id), o,
                                    [&](const container::LogRecord& r) { all.emplace_back(r, prefix); },
                                    [] { return false; });
            }
            std::stable_sort(all.begin(), all.end(),
                             [](const auto& a, const auto& b) { return a.first.time_ns < b.first.time_ns; });
            for (const auto& [r, prefix] : all) print_record(r, prefix, timestamps);
            return;
        }
        for (const auto& c : targets) follow_one(c, prefix_of(c));
        return;
    }
    // Several followed containers: one reader each, concurrently (no fork happens after
    // this point, so threads are safe here).
    std::vector<std::thread> readers;
    std::mutex err_lock;
    std::optional<Error> first_error;
    for (const auto& c : targets) {
        readers.emplace_back([&, c] {
            try {
                follow_one(c, prefix_of(c));
            } catch (const Error& e) {
                std::lock_guard<std::mutex> l(err_lock);
                if (!first_error) first_error = e;
            }
        });
    }
    for (auto& t : readers) t.join();
    if (first_error) throw *first_error;
}

namespace {
}  // namespace

CLI::App* add_logs(CLI::App& parent, Context& ctx, const std::string& name) {
    auto f = std::make_shared<LogsFlags>();
    CLI::App* cmd = parent.add_subcommand(name, "Fetch the logs of one or more containers");
    cmd->add_flag("-f,--follow", f->follow, "Follow log output");
    cmd->add_option("--tail", f->tail, "Output the specified number of LINES at the end of the logs (-1 = all)");
    cmd->add_option("--since", f->since, "Show logs since TIMESTAMP");
    cmd->add_option("--until", f->until, "Show logs until TIMESTAMP");
    cmd->add_flag("-t,--timestamps", f->timestamps, "Output the timestamps in the log");
    cmd->add_flag("-n,--names", f->names, "Output the container name in the log");
    cmd->add_flag("-l,--latest", f->latest, "Act on the latest container pc is aware of");
    cmd->add_option("containers", f->containers, "Containers");
    cmd->callback([&ctx, f] { logs(ctx, *f); });
    return cmd;
}

void register_logs(CLI::App& app, Context& ctx) { add_logs(app, ctx, "logs"); }

}  // namespace pc::cli
