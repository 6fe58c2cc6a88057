#include "compose/watch.hpp"

#include <limits.h>
#include <poll.h>
#include <stdlib.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "common/error.hpp"
#include "common/strings.hpp"
#include "compose/errors.hpp"
#include "compose/short_syntax.hpp"
#include "compose/watch_patterns.hpp"
#include "compose/watch_sync.hpp"
#include "compose/watch_tree.hpp"

namespace pc::compose {

struct ProjectWatch::Rule {
    std::string service;
    WatchTrigger trigger;  // path absolute, symlinks resolved
    PathPatterns include, ignore, dockerignore;
    std::string context;  // the build context the .dockerignore patterns are relative to
};

namespace {

using Clock = std::chrono::steady_clock;
// Docker Compose's debounce: a batch is handled once this long passed without a change.
constexpr auto kQuietPeriod = std::chrono::milliseconds(500);

// Never synced, as in Docker Compose: VCS metadata and editors' temporary files.
const PathPatterns& always_ignored() {
    static const PathPatterns patterns({"**/.git", "**/*___jb_old___", "**/*___jb_tmp___", "**/.idea", "**/.#*", "**/#*#",
                                        "**/4913", "**/*~", "**/.*.swp", "**/.*.swx", "**/.*.swo", "**/.*.swn",
                                        "**/.*.kate-swp", "**/*-go-tmp-umask"});
    return patterns;
}

// `path` relative to `dir` ("" for `dir` itself), or nothing when it is not below it.
std::optional<std::string> relative_to(const std::string& dir, const std::string& path) {
    if (path == dir) return std::string();
    if (dir == "/") return path.substr(1);
    if (path.size() > dir.size() && str::starts_with(path, dir) && path[dir.size()] == '/') return path.substr(dir.size() + 1);
    return std::nullopt;
}

// The path with its symlinks resolved; a part that does not exist yet is kept as written.
std::string resolve(const std::string& path) {
    char buf[PATH_MAX];
    if (::realpath(path.c_str(), buf)) return buf;
    const size_t slash = path.rfind('/');
    if (slash == std::string::npos || slash == 0) return path;
    const std::string parent = resolve(path.substr(0, slash));
    return (parent == "/" ? "" : parent) + path.substr(slash);
}

bool is_sync(const std::string& action) { return action == "sync" || action == "sync+restart"; }

// Go's %q of a []string: ["web" "db"].
std::string quoted(const std::vector<std::string>& names) {
    std::string out = "[";
    for (const auto& n : names) out += (out.size() > 1 ? " \"" : "\"") + n + "\"";
    return out + "]";
}

// Actions that copy files in; Docker Compose's "sync" ones (bind-mount check, initial
// sync) are the first two only.
bool copies_files(const std::string& action) { return is_sync(action) || action == "sync+exec"; }

// The build context's ignore file (Docker's order: <Dockerfile>.dockerignore, then
// .dockerignore), as patterns.
std::vector<std::string> dockerignore_of(const BuildConfig& b) {
    const std::string dockerfile = b.dockerfile.empty() ? "Dockerfile" : b.dockerfile;
    for (const std::string& name : {b.context + "/" + dockerfile + ".dockerignore", b.context + "/.dockerignore"}) {
        std::ifstream in(name);
        if (!in) continue;
        std::stringstream text;
        text << in.rdbuf();
        return read_ignore_patterns(text.str());
    }
    return {};
}

// Where a path goes in the container for `rule`, or nothing when the rule does not take it.
std::optional<std::string> target_of(const ProjectWatch::Rule& rule, const std::string& path) {
    auto rel = relative_to(rule.trigger.path, path);
    if (!rel || always_ignored().matches(*rel)) return std::nullopt;
    if (!rule.include.empty() && !rule.include.matches(*rel)) return std::nullopt;
    if (rule.ignore.matches(*rel)) return std::nullopt;
    if (!rule.context.empty())
        if (auto in_context = relative_to(rule.context, path); in_context && rule.dockerignore.matches(*in_context))
            return std::nullopt;
    return rule.trigger.target.empty() ? std::string() : clean_path(rule.trigger.target + "/" + *rel);
}

// No path below `dir` can be taken by `rule`: the watcher need not look inside.
bool ignores_whole_dir(const ProjectWatch::Rule& rule, const std::string& dir, const std::string& rel) {
    if (always_ignored().matches_whole_dir(rel) || rule.ignore.matches_whole_dir(rel)) return true;
    if (rule.context.empty()) return false;
    auto in_context = relative_to(rule.context, dir);
    return in_context && rule.dockerignore.matches_whole_dir(*in_context);
}

}  // namespace

ProjectWatch::ProjectWatch(container::ContainerStore& containers, Engine& engine, WatchOptions options, WatchCallbacks callbacks)
    : containers_(containers), engine_(engine), options_(std::move(options)), cb_(std::move(callbacks)) {
    const Project& p = engine_.project();
    const std::string project_dir = resolve(p.working_dir);
    for (const auto& name : engine_.resolve_services(options_.services)) {
        const Service& s = p.services.at(name);
        if (!s.develop) continue;
        std::vector<std::string> dockerignore;
        std::string context;
        if (s.build && s.build->context.find("://") == std::string::npos) {
            context = resolve(s.build->context);
            dockerignore = dockerignore_of(*s.build);
        }
        for (size_t i = 0; i < s.develop->watch.size(); ++i) {
            const WatchTrigger& t = s.develop->watch[i];
            const Path at = Path{"services", name, "develop", "watch"}.item(i);
            const std::string key = "services." + name + ".develop.watch[" + std::to_string(i) + "]";
            auto refuse = [&](const std::string& field, const std::string& why) {
                fail_at(p.locate(at.next(field)), key + "." + field + ": " + why);
            };
            Rule r;
            r.service = name;
            r.trigger = t;
            r.trigger.path = resolve(t.path);
            if (!relative_to(project_dir, r.trigger.path))
                refuse("path", t.path + " is outside the project directory " + p.working_dir +
                                   ": compose watch only watches the project's own files");
            if (t.action == "rebuild" && !s.build)
                refuse("action", "can't watch service \"" + name + "\" with action rebuild without a build context");
            if (t.action == "sync+exec" && (!t.exec.command || t.exec.command->empty()))
                refuse("exec", "can't watch with action \"sync+exec\" on service " + name + " without a command");
            for (auto [field, patterns, out] : {std::tuple{"include", &t.include, &r.include}, std::tuple{"ignore", &t.ignore, &r.ignore}}) {
                try {
                    *out = PathPatterns(*patterns);
                } catch (const Error& e) {
                    refuse(field, e.what());
                }
            }
            try {
                r.dockerignore = PathPatterns(dockerignore);
            } catch (const Error& e) {
                throw Error("service \"" + name + "\": the .dockerignore of " + s.build->context + ": " + e.what(), kExitInvalidProject);
            }
            r.context = context;
            if (is_sync(t.action)) {
                // Docker Compose leaves a path that is bind-mounted anyway alone.
                bool mounted = false;
                for (const auto& v : s.volumes)
                    mounted |= v.type == "bind" && relative_to(resolve(v.source), r.trigger.path).has_value();
                if (mounted) {
                    cb_.warning("path '" + t.path + "' also declared by a bind mount volume, this path won't be monitored!");
                    continue;
                }
            }
            if (t.action == "rebuild" && !engine_.can_build())
                cb_.warning("service \"" + name + "\": " + key + " rebuilds the image, but pc has no image builder here: " +
                            "changes to " + t.path + " will be reported as errors");
            rules_.push_back(std::move(r));
        }
    }
    if (rules_.empty())
        throw Error("none of the selected services is configured for watch, consider setting a 'develop' section",
                    kExitInvalidProject);
}

ProjectWatch::~ProjectWatch() = default;

void ProjectWatch::run(int stop_fd) {
    TreeWatcher tree([this](const std::string& dir) {
        bool below_a_rule = false;
        for (const auto& r : rules_) {
            auto rel = relative_to(r.trigger.path, dir);
            if (!rel) continue;
            below_a_rule = true;
            if (!ignores_whole_dir(r, dir, *rel)) return false;
        }
        return below_a_rule;
    });
    std::set<std::string> roots;
    for (const auto& r : rules_) roots.insert(r.trigger.path);
    std::vector<std::string> existing;
    for (const auto& root : roots) tree.add(root, [&](const std::string& path) { existing.push_back(path); });

    // Initial syncs (sync and sync+restart with initial_sync), before anything else, as
    // Docker Compose: what is there already, as if it had just changed.
    for (const auto& r : rules_) {
        if (!r.trigger.initial_sync || !is_sync(r.trigger.action)) continue;
        std::vector<SyncPath> paths;
        for (const auto& path : existing)
            if (auto target = target_of(r, path)) paths.push_back({path, *target});
        sync_to_containers(containers_, engine_.service_containers(r.service), paths, cb_.warning);
    }
    cb_.log("Watch enabled");

    std::set<std::string> pending;
    Clock::time_point deadline{};
    auto add = [&](const std::string& path) { pending.insert(path); };
    for (;;) {
        struct pollfd fds[2] = {{tree.fd(), POLLIN, 0}, {stop_fd, POLLIN, 0}};
        int timeout = -1;
        if (!pending.empty())
            timeout = static_cast<int>(std::max<int64_t>(
                0, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count() + 1));
        const int n = ::poll(fds, 2, timeout);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw Error::sys("waiting for file changes", errno);
        if (fds[1].revents) return;
        if (fds[0].revents) {
            if (!tree.read(add)) {
                cb_.warning("too many file changes at once: some were not seen, so every watched path is taken as changed");
                tree.rescan(add);
            }
            deadline = Clock::now() + kQuietPeriod;
        }
        if (!pending.empty() && Clock::now() >= deadline) {
            handle({pending.begin(), pending.end()});
            pending.clear();
        }
    }
}

void ProjectWatch::handle(const std::vector<std::string>& batch) {
    if (batch.size() > 1000) cb_.log("Large batch of file changes detected. If you just switched branches, this is expected.");
    std::map<std::string, std::vector<SyncPath>> sync;
    std::set<std::string> restart, rebuild;
    std::map<std::string, std::set<size_t>> exec;  // service -> rules whose command runs
    for (const auto& path : batch) {
        for (size_t i = 0; i < rules_.size(); ++i) {
            const Rule& r = rules_[i];
            auto target = target_of(r, path);
            if (!target) continue;
            const std::string& action = r.trigger.action;
            if (action == "rebuild") rebuild.insert(r.service);
            if (copies_files(action)) sync[r.service].push_back({path, *target});
            if (action == "restart" || action == "sync+restart") restart.insert(r.service);
            if (action == "sync+exec") exec[r.service].insert(i);
        }
    }
    auto report = [&](const std::function<void()>& step) {
        try {
            step();
        } catch (const Error& e) {
            cb_.error(std::string("Error handling changed files: ") + e.what());
        }
    };
    if (!rebuild.empty()) report([&] { this->rebuild({rebuild.begin(), rebuild.end()}); });
    for (const auto& entry : sync) {  // no structured binding: lambdas capture it (clang 14)
        const std::string& service = entry.first;
        const auto& paths = entry.second;
        cb_.log("Syncing service \"" + service + "\" after " + std::to_string(paths.size()) + " changes were detected");
        report([&] { sync_to_containers(containers_, engine_.service_containers(service), paths, cb_.warning); });
    }
    if (!restart.empty()) {
        const std::vector<std::string> services(restart.begin(), restart.end());
        report([&] {
            engine_.restart(services, std::nullopt);
            cb_.log("service(s) " + quoted(services) + " restarted");
        });
    }
    for (const auto& entry : exec) {
        const std::string& service = entry.first;
        for (size_t i : entry.second)
            report([&, i] {
                run_exec_hook(containers_, engine_.service_containers(service), rules_[i].trigger.exec, options_.exec_out,
                              options_.exec_err);
            });
    }
}

void ProjectWatch::rebuild(const std::vector<std::string>& services) {
    if (!engine_.can_build())
        throw Error("service(s) " + quoted(services) +
                    " cannot be rebuilt: pc has no image builder here; the containers keep running unchanged");
    cb_.log("Rebuilding service(s) " + quoted(services) + " after changes were detected...");
    const Project& p = engine_.project();
    storage::Store& store = containers_.storage();
    std::map<std::string, std::string> before;  // image -> id
    for (const auto& s : services) {
        const Service& svc = p.services.at(s);
        const std::string image = svc.image.empty() ? p.name + "-" + s : svc.image;  // Docker Compose's default name
        if (auto img = store.find_image(image)) before[image] = img->id;
    }
    UpOptions o;
    o.services = services;
    o.build = true;
    o.force_recreate = true;
    o.no_deps = true;
    try {
        engine_.up(o);
    } catch (const Error& e) {
        throw Error(std::string("Build failed. Error: ") + e.what());
    }
    cb_.log("service(s) " + quoted(services) + " successfully built");
    if (!options_.prune) return;
    // --prune: the images the rebuild left without a name, when no container uses them.
    for (const auto& [image, old_id] : before) {
        auto now = store.find_image(image);
        if (now && now->id == old_id) continue;
        bool dangling = false;
        for (const auto& img : store.images()) dangling |= img.id == old_id && img.names.empty();
        for (const auto& c : containers_.list()) dangling &= c.config.image_id != old_id;
        if (dangling) store.remove_image(old_id);
    }
}

}  // namespace pc::compose
