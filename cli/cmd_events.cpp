// pc events / pc system events: the store's events log, in Podman's human line format, as
// JSON objects, or through a Go template.
#include <signal.h>
#include <time.h>

#include <cerrno>
#include <cstdlib>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "cli/context.hpp"
#include "cli/go_template.hpp"
#include "cli/human_units.hpp"
#include "cli/time_input.hpp"
#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/time_format.hpp"
#include "container/events.hpp"

namespace pc::cli {

namespace {

struct EventsFlags {
    std::string since, until, format;
    std::vector<std::string> filters;
    bool stream = true;
};

struct timespec to_timespec(int64_t ns) {
    struct timespec ts {};
    ts.tv_sec = static_cast<time_t>(ns / 1000000000);
    ts.tv_nsec = static_cast<long>(ns % 1000000000);
    return ts;
}

// Attributes that Podman keeps as fields of its event rather than in the map.
constexpr const char* kExitCodeKey = "containerExitCode";
constexpr const char* kHealthKey = "health_status";

// Podman's Event as encoding/json writes it (field order of the Go struct).
nlohmann::ordered_json podman_event_json(const container::Event& e) {
    nlohmann::ordered_json j;
    auto code = e.attributes.find(kExitCodeKey);
    if (code != e.attributes.end()) {
        char* end = nullptr;
        long v = std::strtol(code->second.c_str(), &end, 10);
        j["ContainerExitCode"] = v;
    }
    if (!e.id.empty()) j["ID"] = e.id;
    if (!e.image.empty()) j["Image"] = e.image;
    if (!e.name.empty()) j["Name"] = e.name;
    j["Status"] = e.status;
    j["Time"] = rfc3339_nano(e.time_ns, false);
    j["Type"] = e.type;
    auto health = e.attributes.find(kHealthKey);
    if (health != e.attributes.end()) j["HealthStatus"] = health->second;
    nlohmann::ordered_json attrs = nlohmann::ordered_json::object();
    for (const auto& [k, v] : e.attributes)
        if (k != kExitCodeKey && k != kHealthKey) attrs[k] = v;
    j["Attributes"] = attrs;
    return j;
}

// Podman's ToHumanReadable: "<time> <type> <status> <id> (image=..., name=..., k=v...)".
std::string human_line(const container::Event& e) {
    std::string out = go_time_string(to_timespec(e.time_ns)) + " " + e.type + " " + e.status;
    if (e.type == "image") return out + " " + e.id + " " + e.name;
    if (e.type == "volume") return out + " " + e.name;
    out += " " + e.id + " (image=" + e.image + ", name=" + e.name;
    auto health = e.attributes.find(kHealthKey);
    if (health != e.attributes.end()) out += ", health_status=" + health->second;
    for (const auto& [k, v] : e.attributes)
        if (k != kHealthKey) out += ", " + k + "=" + v;
    return out + ")";
}

// --filter: values of one key are alternatives, different keys must all match (Podman).
class EventFilter {
public:
    explicit EventFilter(const std::vector<std::string>& specs) {
        for (const auto& s : specs) {
            size_t eq = s.find('=');
            if (eq == std::string::npos || eq == 0) throw Error("invalid filter \"" + s + "\": expected key=value");
            std::string key = s.substr(0, eq);
            if (key == "status") key = "event";
            static const char* known[] = {"container", "event", "image", "label", "type", "volume", "pod"};
            bool ok = false;
            for (auto* k : known) ok = ok || key == k;
            if (!ok) throw Error("\"" + key + "\" is an invalid filter key for events");
            by_key_[key].push_back(s.substr(eq + 1));
        }
    }

    bool matches(const container::Event& e) const {
        for (const auto& [key, values] : by_key_) {
            bool any = false;
            for (const auto& v : values) any = any || match(key, v, e);
            if (!any) return false;
        }
        return true;
    }

private:
    static bool match(const std::string& key, const std::string& v, const container::Event& e) {
        if (key == "container") return e.type == "container" && (e.name == v || (!v.empty() && e.id.rfind(v, 0) == 0));
        if (key == "event") return e.status == v;
        if (key == "type") return e.type == v;
        if (key == "volume") return e.type == "volume" && e.name == v;
        if (key == "pod") return e.type == "pod" && (e.name == v || (!v.empty() && e.id.rfind(v, 0) == 0));
        if (key == "image") {
            if (e.image == v || e.image == v + ":latest" || e.image == "localhost/" + v ||
                e.image == "localhost/" + v + ":latest")
                return true;
            return e.type == "image" && (e.name == v || (!v.empty() && e.id.rfind(v, 0) == 0));
        }
        if (key == "label") {
            size_t eq = v.find('=');
            auto it = e.attributes.find(v.substr(0, eq));
            return it != e.attributes.end() && (eq == std::string::npos || it->second == v.substr(eq + 1));
        }
        return false;
    }

    std::map<std::string, std::vector<std::string>> by_key_;
};

volatile sig_atomic_t g_interrupted = 0;

void events(Context& ctx, const EventsFlags& f) {
    std::optional<int64_t> since, until;
    if (!f.since.empty()) since = parse_input_time(f.since, true);
    if (!f.until.empty()) until = parse_input_time(f.until, false);
    EventFilter filter(f.filters);
    std::optional<GoTemplate> tmpl;
    if (!f.format.empty() && f.format != "json") tmpl = GoTemplate::parse(f.format, "events");

    // Following ends with ^C (or a closed pipe): stop the read loop and exit 0, as Podman.
    struct sigaction sa {};
    sa.sa_handler = [](int) { g_interrupted = 1; };
    ::sigaction(SIGINT, &sa, nullptr);
    ::sigaction(SIGTERM, &sa, nullptr);
    ::signal(SIGPIPE, SIG_IGN);

    const bool follow = f.stream && !until;
    container::read_events(
        ctx.store().root(), since, until, follow,
        [&](const container::Event& e) {
            if (!filter.matches(e)) return true;
            std::string line;
            if (f.format == "json") {
                line = podman_event_json(e).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
            } else if (tmpl) {
                auto row = nlohmann::json::parse(podman_event_json(e).dump(-1, ' ', false,
                                                                           nlohmann::json::error_handler_t::replace));
                row["Time"] = go_time_string(to_timespec(e.time_ns));
                row["TimeNano"] = e.time_ns;
                if (!row.contains("ContainerExitCode")) row["ContainerExitCode"] = 0;
                if (!row.contains("HealthStatus")) row["HealthStatus"] = "";
                line = tmpl->render(row);
            } else {
                line = human_line(e) + "\n";
            }
            if (!write_all(1, line.data(), line.size())) return false;  // reader gone
            return g_interrupted == 0;
        },
        [] { return g_interrupted == 0; });
}

}  // namespace

static CLI::App* add_events(CLI::App& parent, Context& ctx, const std::string& name) {
    auto f = std::make_shared<EventsFlags>();
    CLI::App* cmd = parent.add_subcommand(name, "Show pc events");
    cmd->add_option("--since", f->since, "Show all events created since timestamp");
    cmd->add_option("--until", f->until, "Show all events created until timestamp");
    cmd->add_option("-f,--filter", f->filters, "Filter output (container=, event=, image=, label=, type=, volume=)");
    cmd->add_option("--format", f->format, "Format the output: json or a Go template");
    cmd->add_flag("--stream", f->stream, "Stream events and do not exit when returning the last known event (default true)");
    cmd->callback([&ctx, f] { events(ctx, *f); });
    return cmd;
}

void register_events(CLI::App& app, Context& ctx) { add_events(app, ctx, "events"); }

}  // namespace pc::cli
