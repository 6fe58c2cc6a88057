// Signalling and stopping a running container from any pc process (not only its monitor):
// the container's PID 1 is addressed by its host pid, checked against the monitor so a
// recycled pid is never signalled.
#pragma once

#include <string>

#include "container/container_store.hpp"

namespace pc::container {

// "SIGTERM", "TERM", "term", "15" -> 15; throws pc::Error for an unknown signal.
int parse_signal(const std::string& name);

// Sends `sig` to the container's PID 1. Throws when the container is not running.
void signal_container(const Container& c, int sig);

// Waits up to `timeout_ms` for the container's monitor to record an exit (or die); true
// when it has.
bool wait_stopped(ContainerStore& containers, const std::string& id, int64_t timeout_ms);

// Podman's stop: the stop signal, then SIGKILL after `timeout_s` seconds.
// `removing`: the caller removes the container next (rm -f): no fsync of the stop flag,
// and the wait ends when the container's processes are gone rather than when its monitor
// has recorded the exit.
void stop_container(ContainerStore& containers, Container& c, unsigned timeout_s, bool removing = false);

}  // namespace pc::container
