// What the runtime subcommands of `pc compose` (up, down, ps, logs, exec, run, ...) share:
// loading the project, the engine with Docker Compose's progress lines on stderr, and the
// shape of a container as `compose ps` shows it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cli/compose_commands.hpp"
#include "compose/engine.hpp"

namespace pc::cli {

// Docker Compose exits 1 for its own errors (a bad file, an unknown service...).
inline constexpr int kExitCompose = 1;

// The project of the compose files. With `allow_no_file` (down, ps, logs, stop... of a
// project given by -p alone), a project with no file is the name and nothing else: its
// containers are found by their labels. `services`: named on the command line (a profiled
// one is enabled, with what it depends on).
compose::Project load_runtime_project(const ComposeFlags& flags, const std::vector<std::string>& services = {},
                                      bool allow_no_file = false);

// An engine printing " Container p-web-1  Started" lines (and warnings) on stderr, as
// Docker Compose does without a terminal.
std::unique_ptr<compose::Engine> make_engine(Context& ctx, const compose::Project& project, bool quiet = false);

// "web-1" for p-web-1 (Docker Compose's log prefix and `ps` service names).
std::string short_name(const container::Container& c);
std::string service_of(const container::Container& c);

// The host ports a container of the project's pod publishes (its pod's, for its service's
// own ports).
std::vector<net::PortMapping> published_ports(Context& ctx, const compose::Project& project, const container::Container& c);

// A line on stdout or stderr in one write(2) (see compose_runtime.cpp).
void write_line(int fd, const std::string& line);

// Adds `pc compose` runtime subcommands (one function per file).
void add_compose_lifecycle(CLI::App& compose, Context& ctx, const std::shared_ptr<ComposeFlags>& flags);
void add_compose_listing(CLI::App& compose, Context& ctx, const std::shared_ptr<ComposeFlags>& flags);
void add_compose_logs(CLI::App& compose, Context& ctx, const std::shared_ptr<ComposeFlags>& flags);
void add_compose_exec_run(CLI::App& compose, Context& ctx, const std::shared_ptr<ComposeFlags>& flags);
void add_compose_images(CLI::App& compose, Context& ctx, const std::shared_ptr<ComposeFlags>& flags);
void add_compose_build(CLI::App& compose, Context& ctx, const std::shared_ptr<ComposeFlags>& flags);
void add_compose_watch(CLI::App& compose, Context& ctx, const std::shared_ptr<ComposeFlags>& flags);

// Follows the logs of `containers` with Docker Compose's prefixes until `done()` says so
// (and every followed log has been drained); used by `logs -f` and attached `up`.
struct LogStreamOptions {
    bool prefix = true, color = false, timestamps = false;
    std::optional<size_t> tail;
    std::optional<int64_t> since_ns, until_ns;
    bool follow = true;
};
void stream_compose_logs(Context& ctx, const std::vector<container::Container>& containers, const LogStreamOptions& o,
                         const std::function<bool()>& keep_going);

}  // namespace pc::cli
