// pc unshare [COMMAND [ARG...]]: a command (default $SHELL) as root of a user namespace
// with the caller's mapping, the one pc's storage and containers use, and a mount
// namespace of its own: how a rootless user reads, changes or removes files owned by
// subordinate ids (`pc unshare rm -rf dir`), as with `podman unshare`.
#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <memory>

#include "cli/context.hpp"
#include "common/error.hpp"
#include "common/process.hpp"
#include "rootless/idmap.hpp"
#include "rootless/userns.hpp"

namespace pc::cli {

namespace {

// Ignores the terminal's signals while waiting, as system(3) does: they reach the
// command in the same process group, and its exit status is what matters.
class IgnoredTerminalSignals {
public:
    IgnoredTerminalSignals() {
        struct sigaction ign {};
        ign.sa_handler = SIG_IGN;
        ::sigaction(SIGINT, &ign, &int_);
        ::sigaction(SIGQUIT, &ign, &quit_);
    }
    ~IgnoredTerminalSignals() {
        ::sigaction(SIGINT, &int_, nullptr);
        ::sigaction(SIGQUIT, &quit_, nullptr);
    }
    IgnoredTerminalSignals(const IgnoredTerminalSignals&) = delete;
    IgnoredTerminalSignals& operator=(const IgnoredTerminalSignals&) = delete;

private:
    struct sigaction int_ {}, quit_ {};
};

}  // namespace

void register_unshare(CLI::App& app, Context& ctx) {
    CLI::App* cmd = app.add_subcommand("unshare", "Run a command in a modified user namespace");
    cmd->footer("Usage: pc unshare [COMMAND [ARG...]]  (default: $SHELL)");
    // Everything after `unshare` is the command, options included.
    cmd->prefix_command();
    cmd->callback([&ctx, cmd] {
        std::vector<std::string> argv = cmd->remaining();
        if (argv.empty()) {
            const char* shell = std::getenv("SHELL");
            if (!shell || !*shell) throw Error("no command specified and no $SHELL specified");
            argv = {shell};
        }
        const std::string program = find_program(argv[0]);
        if (program.empty())
            throw Error("exec: \"" + argv[0] + "\": executable file not found in $PATH", kExitNotFound);
        // Where this user's store is, for scripts run inside (Podman's variable names).
        ::setenv("CONTAINERS_GRAPHROOT", ctx.store().root().c_str(), 1);
        ::setenv("CONTAINERS_RUNROOT", ctx.store().runroot().c_str(), 1);
        std::vector<char*> args;
        for (auto& a : argv) args.push_back(a.data());
        args.push_back(nullptr);
        IgnoredTerminalSignals quiet;
        auto child = rootless::UsernsChild::enter(rootless::caller_mapping(), CLONE_NEWNS, [&]() -> int {
            ::signal(SIGINT, SIG_DFL);
            ::signal(SIGQUIT, SIG_DFL);
            ::execv(program.c_str(), args.data());
            const int err = errno;
            const std::string m = "Error: exec: \"" + argv[0] + "\": " + std::strerror(err) + "\n";
            (void)!::write(STDERR_FILENO, m.data(), m.size());
            ::_exit(err == ENOENT ? kExitNotFound : kExitCannotInvoke);
        });
        child.map_and_release(rootless::caller_mapping());
        const ExitStatus st = child.wait();
        ctx.exit_code = st.shell_code();
    });
}

}  // namespace pc::cli
