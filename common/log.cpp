#include "common/log.hpp"

#include <unistd.h>

#include <time.h>

#include <cstdio>
#include <set>

namespace pc::log {

namespace {
Level g_level = Level::Warn;
std::function<void(Level, const std::string&)>& sink() {
    static std::function<void(Level, const std::string&)> s;
    return s;
}
void emit(Level lvl, const std::string& message) {
    if (lvl < g_level) return;
    if (sink()) {
        sink()(lvl, message);
        return;
    }
    static const char* names[] = {"DEBU", "INFO", "WARN", "ERRO"};
    std::string line = std::string(names[static_cast<int>(lvl)]) + "[0000] " + message + "\n";
    (void)!::write(2, line.data(), line.size());
}
}  // namespace

void set_level(Level level) { g_level = level; }
Level level() { return g_level; }
void set_sink(std::function<void(Level, const std::string&)> s) { sink() = std::move(s); }
void debug(const std::string& m) { emit(Level::Debug, m); }
void info(const std::string& m) { emit(Level::Info, m); }
void warn(const std::string& m) { emit(Level::Warn, m); }
namespace {
// Taken during static initialisation, so that the first timing line shows what parsing
// the command line cost (the dynamic loader's work before it is not included).
const struct timespec g_start = [] {
    struct timespec t {};
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t;
}();
}  // namespace

void timing(const std::string& m) {
    if (g_level > Level::Debug) return;
    const struct timespec& start = g_start;
    struct timespec now {};
    clock_gettime(CLOCK_MONOTONIC, &now);
    double ms = static_cast<double>(now.tv_sec - start.tv_sec) * 1e3 + static_cast<double>(now.tv_nsec - start.tv_nsec) / 1e6;
    char buf[32];
    std::snprintf(buf, sizeof(buf), " (+%.3f ms)", ms);
    debug(m + buf);
}

void warn_once(const std::string& key, const std::string& m) {
    static std::set<std::string> seen;
    if (seen.insert(key).second) warn(m);
}

}  // namespace pc::log
