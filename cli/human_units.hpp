// Human-readable times and sizes exactly as Podman 4.3 prints them (docker/go-units
// v0.5.0 plus Podman's own wording), and the parsers for size and duration flags.
// Scripts match on these strings ("Exited (0)", "Up ... ago"), so wording and thresholds
// are copied from the Go behaviour, not invented.
#pragma once

#include <cstdint>
#include <ctime>
#include <string>

#include "common/time_format.hpp"

namespace pc::cli {

// go-units HumanDuration: "Less than a second", "1 second", "N seconds", "About a minute",
// "N minutes", "About an hour", "N hours" (< 48h), "N days" (< 2 weeks), "N weeks"
// (< 60 days), "N months" (< 2 years), "N years". Negative durations count as 0.
std::string human_duration(double seconds);

// "3 minutes ago" (Podman's CreatedHuman / RunningFor). Times in seconds since the epoch.
std::string created_ago(double ts, double now);

// The STATUS column of `podman ps` (Podman 4.3 psReporter.State/Status):
//   running          -> "Up 5 seconds ago"
//   exited, stopped  -> "Exited (CODE) 5 seconds ago"
//   anything else    -> the state with its first letter upper-cased ("Created", "Paused",
//                       "Stopping", "Configured", "Removing")
// followed by " (HEALTH)" when `health` is not empty ("Up 2 minutes ago (healthy)").
// started_at/exited_at/now are seconds since the epoch.
std::string container_status(const std::string& state, int exit_code, double started_at, double exited_at, double now,
                             const std::string& health = "");

// go-units HumanSizeWithPrecision(size, 3) with the space Podman inserts before the unit
// (`podman images` SIZE): "2 MB", "4.26 MB", "1.1 kB", "500 B", decimal SI units.
std::string human_size(double bytes);
// The same without the space ("2MB"), as `podman ps --size` prints it (`system df`: 4
// significant digits, "14.45MB").
std::string human_size_compact(double bytes, int significant_digits = 3);

// go-units RAMInBytes: "64m", "1g", "512k", "1024", "1.5GB", "2 MiB" -> bytes. Suffixes are
// binary multiples (k = 1024) and case-insensitive, with optional "b"/"ib". Throws
// pc::Error "invalid size: 'abc'" or "invalid suffix: 'x'".
int64_t parse_size(const std::string& text);

// Go's time.ParseDuration in nanoseconds (common/time_format.hpp) / milliseconds (truncated
// toward zero).
using pc::parse_duration_ns;
int64_t parse_duration(const std::string& text);

// time.Time.String(): "2026-11-22 09:06:32.675256245 +0000 UTC" (Podman's CreatedAt
// column), in the local zone or UTC.
std::string go_time_string(const struct timespec& ts, bool utc = false);

}  // namespace pc::cli
