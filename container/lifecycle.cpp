#include "container/lifecycle.hpp"

#include <unistd.h>

#include "common/error.hpp"
#include "common/log.hpp"

namespace pc::container {

namespace {
// The record may have been removed under us (`pc rm -f` of a running container): then
// there is nothing left to update.
void save_if_present(ContainerStore& containers, const Container& c, const ContainerState& st) {
    const std::string& id = c.config.id;
    if (::access((containers.dir(id) + "/config.json").c_str(), F_OK) == 0)
        containers.save_state(id, st, !c.config.auto_remove);
}

void remove_quietly(ContainerStore& containers, const Container& c) {
    try {
        containers.remove(c, true, false);
    } catch (const Error& e) {
        log::warn("removing container " + c.config.name + ": " + e.what());
    }
}
}  // namespace

int run_attached(ContainerStore& containers, Container& c, const AttachOptions& options) {
    const std::string& id = c.config.id;
    {
        FileLock l = containers.lock(id);
        c.state = containers.load_state(id);
        if (c.state.running()) throw Error("container " + c.config.name + " is already running");
    }
    log::timing("starting container " + c.config.name);
    ForwardedSignals signals;
    Launched launched;
    try {
        launched = launch(containers.storage(), c.config);
    } catch (const Error& e) {
        if (c.config.auto_remove) {
            remove_quietly(containers, c);
        } else {
            c.state.error = e.what();
            save_if_present(containers, c, c.state);
        }
        throw;
    }
    c.state.status = Status::Running;
    c.state.pid = launched.init_pid;
    c.state.monitor_pid = ::getpid();
    c.state.monitor_start = process_start_time(::getpid());
    c.state.started_ns = now_ns();
    c.state.finished_ns = 0;
    c.state.exit_code = 0;
    c.state.error.clear();
    save_if_present(containers, c, c.state);
    log::timing("container running");

    int code = attach_until_exit(launched, options, signals);

    log::timing("container exited");
    c.state.status = Status::Exited;
    c.state.pid = 0;
    c.state.monitor_pid = 0;
    c.state.exit_code = code;
    c.state.finished_ns = now_ns();
    if (c.config.auto_remove) remove_quietly(containers, c);
    else save_if_present(containers, c, c.state);
    log::timing("container recorded");
    return code;
}

}  // namespace pc::container
