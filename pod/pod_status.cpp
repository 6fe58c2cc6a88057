#include "pod/pod_status.hpp"

namespace pc::pod {

std::string pod_status(const std::vector<container::Container>& containers) {
    using container::Status;
    const size_t total = containers.size();
    if (total == 0) return "Created";
    size_t running = 0, paused = 0, stopped = 0, created = 0, errored = 0;
    for (const auto& c : containers) {
        switch (c.state.status) {
            case Status::Exited: ++stopped; break;
            case Status::Running: ++running; break;
            case Status::Paused: ++paused; break;
            case Status::Created: ++created; break;
            default: ++errored; break;  // stopping, removing: in between, as Podman counts them
        }
    }
    if (running == total) return "Running";
    if (running > 0) return "Degraded";
    if (paused == total) return "Paused";
    if (stopped == total) return "Exited";
    if (stopped > 0) return "Stopped";
    if (errored > 0) return "Error";
    return "Created";
}

}  // namespace pc::pod
