#include "cli/app.hpp"

#include <unistd.h>

#include <iostream>
#include <optional>

#include "cli/command_tree.hpp"
#include "cli/context.hpp"
#include "common/error.hpp"
#include "common/log.hpp"
#include "container/exit_hook.hpp"
#include "container/pod_guard.hpp"
#include "pod/member_guard.hpp"
#include "pod/pod_ops.hpp"
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

// The value-taking global flags, which command_word() must skip with their values.
bool global_flag_takes_value(const std::string& arg) {
    return arg == "--root" || arg == "--runroot" || arg == "--storage-driver" || arg == "--log-level";
}

// The n-th (from 0) word of a command line: an argument that is not a flag or a global
// flag's value; after "--", every argument is one.
std::optional<std::string> nth_word(const std::vector<std::string>& argv, size_t n) {
    bool flags_done = false;
    for (size_t i = 1; i < argv.size(); ++i) {
        const std::string& arg = argv[i];
        if (!flags_done && arg == "--") {
            flags_done = true;
            continue;
        }
        if (!flags_done && global_flag_takes_value(arg)) {
            ++i;
            continue;
        }
        if (!flags_done && (arg.empty() || arg[0] == '-')) continue;
        if (n-- == 0) return arg;
    }
    return std::nullopt;
}

// The command that was being parsed: `app`'s deepest selected subcommand.
const CLI::App* parsed_command(const CLI::App& app) {
    const CLI::App* at = &app;
    for (;;) {
        auto subs = at->get_subcommands();
        if (subs.empty()) return at;
        at = subs.front();
    }
}

// "pc container ls" for the command being parsed.
std::string command_path(const CLI::App* command) {
    std::string path;
    for (const CLI::App* at = command; at != nullptr; at = at->get_parent())
        path = at->get_name() + (path.empty() ? "" : " " + path);
    return path;
}

// Prints CLI11's parse errors the way Podman (cobra) words them, and returns the exit code.
int report_parse_error(const CLI::App& app, const CLI::ParseError& e, const std::vector<std::string>& argv) {
    const CLI::App* command = parsed_command(app);
    const std::string path = command_path(command);
    std::string what = e.what();
    std::string message = what;
    std::string hint = "See '" + path + " --help'";
    for (const std::string extras : {"The following arguments were not expected: ",
                                     "The following argument was not expected: "}) {
        if (what.rfind(extras, 0) != 0) continue;
        std::string rest = what.substr(extras.size());
        std::string first = rest.substr(0, rest.find(' '));
        if (!first.empty() && first[0] == '-') {
            message = "unknown flag: " + first;
        } else if (!command->get_subcommands({}).empty()) {
            message = "unrecognized command `" + path + " " + first + "`";
            hint = "Try '" + path + " --help' for more information";
        } else {
            message = "unexpected argument: " + first;
        }
    }
    if (dynamic_cast<const CLI::RequiredError*>(&e) != nullptr &&
        what.find("subcommand is required") != std::string::npos) {
        // The word after the command's own (skipping flags) is an unknown subcommand.
        size_t depth = 0;
        for (const CLI::App* at = command; at->get_parent() != nullptr; at = at->get_parent()) ++depth;
        if (auto unknown = nth_word(argv, depth)) {
            std::cerr << "Error: unrecognized command `" << path << " " << *unknown << "`\nTry '" << path
                      << " --help' for more information" << std::endl;
            return kExitEngine;
        }
        std::cout << command->help();
        std::cerr << "Error: missing command '" << path << " COMMAND'" << std::endl;
        return kExitEngine;
    }
    const std::string needs = ": 1 required ";
    if (auto at = what.find(needs); at != std::string::npos && what[0] == '-')
        message = "flag needs an argument: " + what.substr(0, at);
    std::cerr << "Error: " << message << "\n" << hint << std::endl;
    return kExitEngine;
}

}  // namespace

const std::vector<CommandRegistration>& command_registrations() {
    static const std::vector<CommandRegistration> table = {
        {{"run"}, register_run},
        {{"create"}, register_create},
        {{"ps"}, register_ps},
        {{"rm"}, register_rm},
        {{"inspect"}, register_inspect},
        {{"images", "rmi", "tag", "untag", "import"}, register_images},
        {{"info", "system", "version"}, register_system},
        {{"volume"}, register_volume},
        {{"start", "stop", "kill", "restart", "wait", "pause", "unpause", "rename", "port", "healthcheck"},
         register_lifecycle},
        {{"container", "image"}, register_management},
        {{"commit", "export", "history", "pull", "push", "login", "logout", "load", "save"},
         register_image_transfer},
        {{"exec"}, register_exec},
        {{"cp"}, register_cp},
        {{"top"}, register_top},
        {{"logs"}, register_logs},
        {{"events"}, register_events},
        {{"attach"}, register_attach},
        {{"stats"}, register_stats},
        {{"unshare"}, register_unshare},
        {{"pod"}, register_pod},
        {{"compose"}, register_compose},
        {{"build", "buildx"}, register_build},
        {{"completion", "help"}, register_completion},
        {{"network"}, register_network},
    };
    return table;
}

std::string command_word(int argc, char** argv) {
    return nth_word(std::vector<std::string>(argv, argv + argc), 0).value_or("");
}

void register_commands(CLI::App& app, Context& ctx, const std::string& word) {
    // Building CLI11's tree costs ~1 ms for all commands (run and create have ~130 flags
    // each, twice over with `pc container`), on every start. Only the named
    // command's part is built; the whole tree when no known command is named, for the
    // help listing and CLI11's own error about an unknown one.
    for (const auto& entry : command_registrations()) {
        for (const char* name : entry.commands) {
            if (word == name) {
                entry.add(app, ctx);
                return;
            }
        }
    }
    for (const auto& entry : command_registrations()) entry.add(app, ctx);
}

void configure_root(CLI::App& app, Context& ctx) {
    app.description("Manage pods, containers and images, rootless and without a daemon");
    app.name("pc");
    app.require_subcommand(0, 1);
    app.fallthrough(false);
    // A flag given twice takes its last value, as with Podman (cobra); inherited by every
    // command added below. Repeatable flags (-e, -v, ...) are vectors and keep all values.
    app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    app.add_option("--root", ctx.globals.root, "Path to the root directory in which data is stored");
    app.add_option("--runroot", ctx.globals.runroot, "Path to the runtime directory");
    app.add_option("--storage-driver", ctx.globals.storage_driver, "Storage driver: overlay, fuse-overlayfs or vfs");
    app.add_option("--cdi-spec-dir", ctx.globals.cdi_spec_dirs, "Directory to search for CDI spec files (repeatable)")->allow_extra_args(false);
    app.add_option("--log-level", ctx.globals.log_level, "Log messages at and above this level (debug, info, warn, error)");
    app.add_flag("-v,--version", ctx.globals.show_version, "Version of pc");
    app.parse_complete_callback([&ctx] { configure_logging(ctx.globals.log_level); });
}

int main(int argc, char** argv) {
    // A foreground container's exit applies its pod's exit policy (pod/pod_ops.hpp).
    container::set_exit_hook(pod::on_container_exit);
    container::set_pod_guard(pod::guard_member);  // no member starts while its pod is removed
    Context ctx;
    ctx.argv.assign(argv, argv + argc);
    CLI::App app;
    configure_root(app, ctx);
    const bool& show_version = ctx.globals.show_version;

    register_commands(app, ctx, command_word(argc, argv));

    try {
        try {
            app.parse(argc, argv);
        } catch (const CLI::CallForHelp& e) {
            return app.exit(e);
        } catch (const CLI::CallForAllHelp& e) {
            return app.exit(e);
        } catch (const CLI::ParseError& e) {
            if (e.get_exit_code() == 0) return app.exit(e);
            return report_parse_error(app, e, ctx.argv);
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
