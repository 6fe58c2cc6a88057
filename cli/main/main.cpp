#include <cstring>
#include <string>
#include <vector>

#include "cli/app.hpp"
#include "container/exit_hook.hpp"
#include "container/pod_guard.hpp"
#include "pod/member_guard.hpp"
#include "cli/completion.hpp"
#include "container/monitor.hpp"
#include "pod/pod_ops.hpp"
#include "net/network_holder.hpp"
#include "rootless/userns_holder.hpp"

int main(int argc, char** argv) {
    // A detached container's monitor is this binary re-executed; it skips the command
    // line machinery entirely (its heap stays small for the container's lifetime).
    if (argc > 1 && std::strcmp(argv[1], "__monitor") == 0) {
        pc::container::set_exit_hook(pc::pod::on_container_exit);  // its pod's exit policy
        pc::container::set_pod_guard(pc::pod::guard_member);
        return pc::container::monitor_main(std::vector<std::string>(argv + 2, argv + argc));
    }
    // The holder of the user's shared user namespace (rootless/userns_holder.hpp).
    if (argc >= 2 && std::strcmp(argv[1], "__userns-holder") == 0) pc::rootless::userns_holder_main(argc, argv);
    // Hidden helpers on the whole command tree: shell completion and the man pages.
    if (argc > 1 && std::strcmp(argv[1], "__complete") == 0) return pc::cli::complete_main(argc - 2, argv + 2);
    if (argc > 1 && std::strcmp(argv[1], "__man") == 0) return pc::cli::man_main(argc - 2, argv + 2);
    // The holder of the store's user-defined networks (net/network_holder.hpp).
    if (argc > 1 && std::strcmp(argv[1], "__network-holder") == 0)
        return pc::net::network_holder_main(std::vector<std::string>(argv + 2, argv + argc));
    return pc::cli::main(argc, argv);
}
