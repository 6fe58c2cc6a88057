#include "container/state.hpp"

#include <time.h>

#include <array>

#include "common/atomic_file.hpp"
#include "common/json_integer.hpp"
#include "common/process_start.hpp"
#include "common/strings.hpp"
#include "container/record_json.hpp"

namespace pc::container {

namespace {
constexpr std::array<std::pair<Status, const char*>, 6> kNames{{
    {Status::Created, "created"},
    {Status::Running, "running"},
    {Status::Paused, "paused"},
    {Status::Stopping, "stopping"},
    {Status::Exited, "exited"},
    {Status::Removing, "removing"},
}};
}  // namespace

std::string status_name(Status s) {
    for (const auto& [st, name] : kNames)
        if (st == s) return name;
    return "unknown";
}

std::optional<Status> status_from_name(const std::string& s) {
    for (const auto& [st, name] : kNames)
        if (s == name) return st;
    return std::nullopt;
}

void to_json(nlohmann::json& j, const ContainerState& s) {
    j = {{"status", status_name(s.status)},
         {"pid", s.pid},
         {"monitor_pid", s.monitor_pid},
         {"monitor_start", s.monitor_start},
         {"exit_code", s.exit_code},
         {"started_ns", s.started_ns},
         {"finished_ns", s.finished_ns},
         {"oom_killed", s.oom_killed},
         {"restart_count", s.restart_count},
         {"error", s.error},
         {"stopped_by_user", s.stopped_by_user},
         {"slurm_job", s.slurm_job},
         {"health_status", s.health_status},
         {"health_failing_streak", s.health_failing_streak},
         {"health_log", s.health_log}};
    if (!s.endpoints.empty()) j["endpoints"] = s.endpoints;
}

void from_json(const nlohmann::json& j, ContainerState& s) {
    s.status = status_from_name(j.value("status", "created")).value_or(Status::Created);
    s.pid = json_integer<pid_t>(j, "pid");
    s.monitor_pid = json_integer<pid_t>(j, "monitor_pid");
    s.monitor_start = json_integer<uint64_t>(j, "monitor_start");
    s.exit_code = json_integer<int>(j, "exit_code");
    s.started_ns = json_integer<int64_t>(j, "started_ns");
    s.finished_ns = json_integer<int64_t>(j, "finished_ns");
    s.oom_killed = j.value("oom_killed", false);
    s.restart_count = json_integer<unsigned>(j, "restart_count");
    s.error = j.value("error", "");
    s.stopped_by_user = j.value("stopped_by_user", false);
    s.slurm_job = j.value("slurm_job", "");
    s.health_status = j.value("health_status", "");
    s.health_failing_streak = json_integer<unsigned>(j, "health_failing_streak");
    s.health_log = j.value("health_log", nlohmann::json::array());
    s.endpoints = j.value("endpoints", std::vector<net::Endpoint>{});
}

bool from_json_text(std::string_view text, ContainerState& s) {
    recjson::Cursor cur(text);
    bool ok = cur.object([&](const std::string& key) {
        // from_json's j.value() rejects a null; so does this reader (the fallback then
        // reports it as before).
        if (cur.peek('n')) return false;
        if (key == "status") {
            std::string name;
            if (!cur.string(name)) return false;
            s.status = status_from_name(name).value_or(Status::Created);
            return true;
        }
        if (key == "pid") return recjson::read(cur, s.pid);
        if (key == "monitor_pid") return recjson::read(cur, s.monitor_pid);
        if (key == "monitor_start") return recjson::read(cur, s.monitor_start);
        if (key == "exit_code") return recjson::read(cur, s.exit_code);
        if (key == "started_ns") return recjson::read(cur, s.started_ns);
        if (key == "finished_ns") return recjson::read(cur, s.finished_ns);
        if (key == "oom_killed") return recjson::read(cur, s.oom_killed);
        if (key == "restart_count") return recjson::read(cur, s.restart_count);
        if (key == "error") return recjson::read(cur, s.error);
        if (key == "stopped_by_user") return recjson::read(cur, s.stopped_by_user);
        if (key == "slurm_job") return recjson::read(cur, s.slurm_job);
        if (key == "health_status") return recjson::read(cur, s.health_status);
        if (key == "health_failing_streak") return recjson::read(cur, s.health_failing_streak);
        if (key == "health_log") return recjson::read(cur, s.health_log);
        if (key == "endpoints") return recjson::read(cur, s.endpoints);
        return false;  // a key from_json does not know either: it ignores it, we fall back
    });
    return ok && cur.at_end();
}

uint64_t process_start_time(pid_t pid) {
    return start_time_of(pid).value_or(0);  // a zombie is not a live monitor
}

bool process_alive(pid_t pid, uint64_t start) { return is_same_process(pid, start); }

int64_t now_ns() {
    struct timespec ts {};
    clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

}  // namespace pc::container
