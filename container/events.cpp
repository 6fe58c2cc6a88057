// ROOT/events.log: one JSON object per line, {"Type","Status","ID","Name","Image",
// "TimeNano","Attributes"}. Appends are one write(2) on an O_APPEND fd, which the kernel
// serialises per file, so concurrent pc processes never interleave records. Readers skip a
// line they cannot parse (a record cut short by a full disk).
#include "container/events.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <nlohmann/json.hpp>
#include <thread>

#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/log.hpp"
#include "container/state.hpp"

namespace pc::container {

namespace {

std::string events_path(const std::string& root) { return root + "/events.log"; }

std::string encode(const Event& e) {
    nlohmann::json j;
    j["Type"] = e.type;
    j["Status"] = e.status;
    if (!e.id.empty()) j["ID"] = e.id;
    if (!e.name.empty()) j["Name"] = e.name;
    if (!e.image.empty()) j["Image"] = e.image;
    j["TimeNano"] = e.time_ns;
    if (!e.attributes.empty()) j["Attributes"] = e.attributes;
    // Invalid UTF-8 (a label from a hostile image) is replaced rather than failing the dump.
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::optional<Event> decode(const std::string& line) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return std::nullopt;
    try {
        Event e;
        e.type = j.value("Type", std::string("container"));
        e.status = j.value("Status", std::string());
        e.id = j.value("ID", std::string());
        e.name = j.value("Name", std::string());
        e.image = j.value("Image", std::string());
        e.time_ns = j.value("TimeNano", int64_t{0});
        if (j.contains("Attributes") && j["Attributes"].is_object())
            for (auto& [k, v] : j["Attributes"].items())
                if (v.is_string()) e.attributes[k] = v.get<std::string>();
        return e;
    } catch (const nlohmann::json::exception&) {
        return std::nullopt;
    }
}

}  // namespace

void record_event(const std::string& store_root, Event event) {
    try {
        if (event.time_ns == 0) event.time_ns = now_ns();
        const std::string line = encode(event);
        const std::string path = events_path(store_root);
        UniqueFd fd(::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600));
        if (!fd) {
            log::warn_once("events-log", "cannot write the events log " + path + ": " + std::strerror(errno));
            return;
        }
        ssize_t n;
        do n = ::write(fd.get(), line.data(), line.size());
        while (n < 0 && errno == EINTR);
        if (n != static_cast<ssize_t>(line.size()))
            log::warn_once("events-log", "cannot write the events log " + path + ": " +
                                             (n < 0 ? std::strerror(errno) : "short write"));
    } catch (const std::exception& e) {
        log::warn_once("events-log", std::string("cannot record an event: ") + e.what());
    }
}

void read_events(const std::string& store_root, std::optional<int64_t> since_ns, std::optional<int64_t> until_ns,
                 bool follow, const std::function<bool(const Event&)>& emit,
                 const std::function<bool()>& keep_going) {
    const std::string path = events_path(store_root);
    UniqueFd fd;
    off_t offset = 0;
    std::string pending;
    char buf[65536];
    for (;;) {
        bool more = follow && (keep_going ? keep_going() : true);
        if (until_ns && now_ns() > *until_ns) more = false;
        if (!fd) {
            fd.reset(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
            if (!fd && errno != ENOENT) throw Error::sys("opening the events log " + path);
        }
        while (fd) {
            ssize_t n = ::pread(fd.get(), buf, sizeof(buf), offset);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) throw Error::sys("reading the events log " + path);
            if (n == 0) break;
            offset += n;
            pending.append(buf, static_cast<size_t>(n));
            size_t start = 0;
            for (size_t nl; (nl = pending.find('\n', start)) != std::string::npos; start = nl + 1) {
                auto e = decode(pending.substr(start, nl - start));
                if (!e) continue;
                if (since_ns && e->time_ns < *since_ns) continue;
                if (until_ns && e->time_ns > *until_ns) continue;
                if (!emit(*e)) return;
            }
            pending.erase(0, start);
        }
        if (!more) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
}

}  // namespace pc::container
