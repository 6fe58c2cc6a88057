// Diagnostics sink. Code below cli/ never prints: it reports warnings here, and cli/ decides
// how they reach the user (stderr, "WARN[0000] ..." like Podman). A warning given with a
// `once_key` is printed at most once per process.
#pragma once

#include <functional>
#include <string>

namespace pc::log {

enum class Level { Debug = 0, Info = 1, Warn = 2, Error = 3 };

void set_level(Level level);
Level level();
void set_sink(std::function<void(Level, const std::string&)> sink);

void debug(const std::string& message);
void info(const std::string& message);
void warn(const std::string& message);
void warn_once(const std::string& once_key, const std::string& message);
// At debug level: "<message> (+N.NNN ms)" since the process started; for finding where
// start-up time goes (`pc --log-level debug run ...`).
void timing(const std::string& message);

}  // namespace pc::log
