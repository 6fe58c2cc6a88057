// What every command needs: the global flags and the store they select, opened lazily so
// that `pc --help` or `pc version` touch nothing on disk.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "container/container_store.hpp"
#include "storage/store.hpp"

namespace pc::cli {

struct GlobalOptions {
    std::string root;
    std::string runroot;
    std::string storage_driver;
    std::string log_level = "warn";
    bool show_version = false;  // -v/--version
    std::vector<std::string> cdi_spec_dirs;  // --cdi-spec-dir
};

class Context {
public:
    GlobalOptions globals;
    std::vector<std::string> argv;  // the whole command line (for CreateCommand)

    storage::Store& store();
    container::ContainerStore& containers();

    // Exit code set by a command (0 unless it says otherwise).
    int exit_code = 0;

private:
    std::unique_ptr<storage::Store> store_;
    std::unique_ptr<container::ContainerStore> containers_;
};

// Each command file registers its commands with this signature.
using Registrar = void (*)(CLI::App& parent, Context& ctx);

void register_run(CLI::App& app, Context& ctx);        // run
void register_create(CLI::App& app, Context& ctx);     // create
void register_ps(CLI::App& app, Context& ctx);         // ps
void register_rm(CLI::App& app, Context& ctx);         // rm
void register_inspect(CLI::App& app, Context& ctx);    // inspect
void register_images(CLI::App& app, Context& ctx);     // images, rmi, tag, untag, import
void register_system(CLI::App& app, Context& ctx);     // info, system ..., version
void register_volume(CLI::App& app, Context& ctx);     // volume ...
void register_management(CLI::App& app, Context& ctx); // container ..., image ...
void register_image_transfer(CLI::App& app, Context& ctx);  // load, save, pull, push, login, logout, commit, export, history
// The same commands under `pc image ...` (called from register_management).
void register_image_transfer_management(CLI::App& image, Context& ctx);
void register_exec(CLI::App& app, Context& ctx);       // exec
void register_cp(CLI::App& app, Context& ctx);         // cp
void register_top(CLI::App& app, Context& ctx);        // top
void register_logs(CLI::App& app, Context& ctx);       // logs
void register_events(CLI::App& app, Context& ctx);     // events
void register_lifecycle(CLI::App& app, Context& ctx);  // start, stop, kill, restart, wait, ...
void register_attach(CLI::App& app, Context& ctx);     // attach
void register_stats(CLI::App& app, Context& ctx);      // stats
void register_unshare(CLI::App& app, Context& ctx);    // unshare
void register_pod(CLI::App& app, Context& ctx);        // pod ...
void register_compose(CLI::App& app, Context& ctx);    // compose
void register_build(CLI::App& app, Context& ctx);      // build, buildx
void register_completion(CLI::App& app, Context& ctx); // completion, help
void register_network(CLI::App& app, Context& ctx);    // network ...

// Errors for problems with the command line itself (exit 125, Podman's wording).
[[noreturn]] void usage_error(const std::string& message);

// Writes to stdout (all user-facing output goes through here or std::cout).
void print(const std::string& text);

}  // namespace pc::cli
