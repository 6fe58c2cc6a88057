#include "cli/app.hpp"

#include <unistd.h>

#include <iostream>

#include "cli/context.hpp"
#include "common/error.hpp"
#include "common/log.hpp"
#include "storage/store.hpp"

namespace pc::cli {

storage::Store& Context::store() {
    if (!store_) {
        storage::StoreOptions o;
        o.root = globals.root;
        o.runroot = globals.runroot;
        if (!globals.storage_driver.empty()) {
            o.driver = storage::driver_from_name(globals.storage_driver);
            if (!o.driver)
                throw Error("unknown storage driver \"" + globals.storage_driver +
                            "\" (valid: overlay, fuse-overlayfs, vfs)");
        }
        store_ = std::make_unique<storage::Store>(o);
    }
    return *store_;
}

container::ContainerStore& Context::containers() {
    if (!containers_) containers_ = std::make_unique<container::ContainerStore>(store());
    return *containers_;
}

void usage_error(const std::string& message) { throw Error(message, kExitEngine); }

void print(const std::string& text) { std::cout << text; }

namespace {

void configure_logging(const std::string& level) {
    if (level == "debug" || level == "trace") log::set_level(log::Level::Debug);
    else if (level == "info") log::set_level(log::Level::Info);
    else if (level == "warn" || level == "warning") log::set_level(log::Level::Warn);
    else if (level == "error" || level == "fatal" || level == "panic") log::set_level(log::Level::Error);
    else usage_error("invalid --log-level \"" + level + "\" (valid: debug, info, warn, error)");
    log::set_sink([](log::Level lvl, const std::string& m) {
        static const char* names[] = {"DEBU", "INFO", "WARN", "ERRO"};
        std::cerr << names[static_cast<int>(lvl)] << "[0000] " << m << std::endl;
    });
}

// CLI11's messages, reworded the way Podman (cobra) says them.
std::string podman_style(const CLI::ParseError& e) {
    std::string what = e.what();
    const std::string extras = "The following arguments were not expected: ";
    if (what.rfind(extras, 0) == 0) {
        std::string rest = what.substr(extras.size());
        std::string first = rest.substr(0, rest.find(' '));
        if (!first.empty() && first[0] == '-') return "unknown flag: " + first;
        return "unexpected argument: " + first;
    }
    return what;
}

}  // namespace

int main(int argc, char** argv) {
    Context ctx;
    ctx.argv.assign(argv, argv + argc);
    CLI::App app{"Manage pods, containers and images, rootless and without a daemon", "pc"};
    app.require_subcommand(0, 1);
    app.fallthrough(false);
    app.add_option("--root", ctx.globals.root, "Path to the root directory in which data is stored");
    app.add_option("--runroot", ctx.globals.runroot, "Path to the runtime directory");
    app.add_option("--storage-driver", ctx.globals.storage_driver, "Storage driver: overlay, fuse-overlayfs or vfs");
    app.add_option("--log-level", ctx.globals.log_level, "Log messages at and above this level (debug, info, warn, error)");
    bool show_version = false;
    app.add_flag("-v,--version", show_version, "Version of pc");

    app.parse_complete_callback([&] { configure_logging(ctx.globals.log_level); });

    register_run(app, ctx);
    register_ps(app, ctx);
    register_rm(app, ctx);
    register_inspect(app, ctx);
    register_images(app, ctx);
    register_system(app, ctx);
    register_volume(app, ctx);
    register_lifecycle(app, ctx);
    register_management(app, ctx);
    register_image_transfer(app, ctx);
    register_exec(app, ctx);
    register_cp(app, ctx);
    register_top(app, ctx);
    register_logs(app, ctx);
    register_events(app, ctx);
    register_attach(app, ctx);
    register_stats(app, ctx);

    try {
        try {
            app.parse(argc, argv);
        } catch (const CLI::CallForHelp& e) {
            return app.exit(e);
        } catch (const CLI::CallForAllHelp& e) {
            return app.exit(e);
        } catch (const CLI::ParseError& e) {
            if (e.get_exit_code() == 0) return app.exit(e);
            std::string cmd = "pc";
            std::cerr << "Error: " << podman_style(e) << "\nSee '" << cmd << " --help'" << std::endl;
            return kExitEngine;
        }
    } catch (const Error& e) {
        std::cout.flush();
        std::cerr << "Error: " << e.what() << std::endl;
        return e.exit_code();
    } catch (const std::exception& e) {
        std::cout.flush();
        std::cerr << "Error: " << e.what() << std::endl;
        return kExitEngine;
    }
    if (show_version && app.get_subcommands().empty()) {
        std::cout << "pc version " << PC_VERSION << std::endl;
        return 0;
    }
    if (app.get_subcommands().empty()) {
        std::cout << app.help();
        std::cerr << "Error: missing command 'pc COMMAND'" << std::endl;
        return kExitEngine;
    }
    std::cout.flush();
    return ctx.exit_code;
}

}  // namespace pc::cli
