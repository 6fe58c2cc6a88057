// A container's runtime state (ROOT/containers/<id>/state.json), written atomically by the
// process that changes it (the monitor, `pc start`, `pc rm`), under the container's lock.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/endpoint.hpp"

namespace pc::container {

enum class Status { Created, Running, Paused, Stopping, Exited, Removing };
std::string status_name(Status s);  // Podman's words: "created", "running", ...
std::optional<Status> status_from_name(const std::string& s);

struct ContainerState {
    Status status = Status::Created;
    pid_t pid = 0;                  // host pid of the container's PID 1
    pid_t monitor_pid = 0;          // host pid of the monitor (0 when none)
    uint64_t monitor_start = 0;     // its start time (clock ticks, /proc/PID/stat field 22)
    int exit_code = 0;
    int64_t started_ns = 0;
    int64_t finished_ns = 0;
    bool oom_killed = false;
    unsigned restart_count = 0;
    std::string error;              // why the last start failed, if it did
    bool stopped_by_user = false;   // `pc stop`/`kill`/`rm -f`: no restart, not a failure
    // The Slurm job it was last started in, or created in when never started (SLURM_JOB_ID);
    // "" outside one. `pc system reap --job` finds it by this.
    std::string slurm_job;
    // On user-defined networks, while it runs: the addresses it was given.
    std::vector<net::Endpoint> endpoints;

    // Healthcheck (Podman's .State.Health): "", "starting", "healthy", "unhealthy".
    std::string health_status;
    unsigned health_failing_streak = 0;
    nlohmann::json health_log = nlohmann::json::array();  // last results {Start, End, ExitCode, Output}

    bool running() const { return status == Status::Running || status == Status::Paused ||
                                  status == Status::Stopping; }
};

void to_json(nlohmann::json& j, const ContainerState& s);
void from_json(const nlohmann::json& j, ContainerState& s);
// The same decoding straight from state.json's text (see from_json_text for the config):
// false for anything it does not handle; then use nlohmann from a fresh ContainerState.
bool from_json_text(std::string_view text, ContainerState& s);

// Start time of a process in clock ticks since boot (0 when it does not exist): with the pid
// it identifies a process across pid reuse.
uint64_t process_start_time(pid_t pid);
// True when the process (pid, start) still exists.
bool process_alive(pid_t pid, uint64_t start);

int64_t now_ns();

}  // namespace pc::container
