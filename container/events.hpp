// The append-only events log (ROOT/events.log, JSON lines written with O_APPEND so
// concurrent writers never interleave a record), read by `pc events`.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

namespace pc::container {

struct Event {
    int64_t time_ns = 0;
    std::string type = "container";   // container, image, volume
    std::string status;               // create, init, start, died, stop, kill, remove,
                                      // health_status, exec, restart, pause, unpause, ...
    std::string id;
    std::string name;
    std::string image;
    std::map<std::string, std::string> attributes;  // e.g. containerExitCode, health_status
};

// Appends one event. Never throws: an events log that cannot be written must not make a
// container operation fail (a warning is logged once).
void record_event(const std::string& store_root, Event event);

// Reads events in order, from `since` to `until`; with `follow`, waits for new ones until
// `keep_going()` returns false.
void read_events(const std::string& store_root, std::optional<int64_t> since_ns, std::optional<int64_t> until_ns,
                 bool follow, const std::function<bool(const Event&)>& emit,
                 const std::function<bool()>& keep_going = {});

}  // namespace pc::container
