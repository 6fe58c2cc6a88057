// pc-monitor: the per-container monitor process (see container/monitor.hpp), started by
// `pc run -d` / `pc start` from the directory of the pc binary.
#include <string>
#include <vector>

#include <cstring>

#include "container/exit_hook.hpp"
#include "container/monitor.hpp"
#include "pod/pod_ops.hpp"
#include "net/network_holder.hpp"
#include "rootless/userns_holder.hpp"

int main(int argc, char** argv) {
    // A monitor that starts the user's namespace holder re-executes itself as the holder.
    if (argc >= 2 && std::strcmp(argv[1], "__userns-holder") == 0) pc::rootless::userns_holder_main(argc, argv);
    // The holder of the store's user-defined networks (net/network_holder.hpp).
    if (argc > 1 && std::strcmp(argv[1], "__network-holder") == 0)
        return pc::net::network_holder_main(std::vector<std::string>(argv + 2, argv + argc));
    // A container's final exit applies its pod's exit policy (pod/pod_ops.hpp).
    pc::container::set_exit_hook(pc::pod::on_container_exit);
    return pc::container::monitor_main(std::vector<std::string>(argv + 1, argv + argc));
}
