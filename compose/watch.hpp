// `compose watch`: the services' develop.watch triggers, applied as Docker Compose v2
// applies them. Files below each trigger's path are watched (compose/watch_tree.hpp);
// a burst of changes is taken as one batch once 500 ms pass without another; each changed
// path that a trigger includes and does not ignore (its `ignore` patterns, the build
// context's .dockerignore, .git and editors' temporary files) sets off the trigger's
// action:
//
//   sync          the changed files copied into the service's containers at `target`,
//                 removed ones deleted there (compose/watch_sync.hpp)
//   sync+restart  the same, then the service's containers restarted
//   sync+exec     the same, then `exec.command` run in each running container
//   restart       the containers restarted
//   rebuild       the image built again (the engine's build hook) and the containers
//                 recreated; without a builder, an error for that trigger only
//
// in that order per batch: rebuild, sync, restart, exec. A failure is reported and
// watching goes on. Nothing here prints: messages go to the callbacks, in Docker
// Compose's words.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "compose/engine.hpp"

namespace pc::compose {

struct WatchCallbacks {
    // "Watch enabled", "Syncing service \"web\" after 2 changes were detected",
    // "service(s) [\"web\"] restarted", ...
    std::function<void(const std::string&)> log;
    // Something the user should know (a path also bind-mounted, a trigger pc cannot run).
    std::function<void(const std::string&)> warning;
    // A batch's action that failed ("Error handling changed files: ...").
    std::function<void(const std::string&)> error;
};

struct WatchOptions {
    std::vector<std::string> services;  // empty: every enabled service
    bool prune = true;                  // images left dangling by a rebuild are removed
    int exec_out = 1, exec_err = 2;     // where sync+exec commands write
};

class ProjectWatch {
public:
    // Checks every trigger of the selected services before anything runs: a path outside
    // the project directory, `rebuild` without a build section, `sync+exec` without a
    // command, a bad pattern (pc::Error, exit 1, naming the file, line and key); no
    // service with develop.watch at all is an error too.
    ProjectWatch(container::ContainerStore& containers, Engine& engine, WatchOptions options, WatchCallbacks callbacks);
    ~ProjectWatch();

    // Runs the initial syncs, watches, says "Watch enabled", and applies batches until
    // `stop_fd` (a signalfd) is readable.
    void run(int stop_fd);

    struct Rule;

private:
    void handle(const std::vector<std::string>& batch);
    void rebuild(const std::vector<std::string>& services);

    container::ContainerStore& containers_;
    Engine& engine_;
    WatchOptions options_;
    WatchCallbacks cb_;
    std::vector<Rule> rules_;
};

}  // namespace pc::compose
