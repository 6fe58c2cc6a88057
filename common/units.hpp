// Parsers for the size and duration values that flags, compose files and Containerfiles
// carry, with the syntax and error messages of the Go libraries Podman and Docker Compose
// use (go-units RAMInBytes, time.ParseDuration), so a value one of them accepts means the
// same here. Below cli/: the configuration builders of container/, pod/ and compose/ use them.
#pragma once

#include <cstdint>
#include <string>

namespace pc {

// go-units RAMInBytes: "64m", "1g", "512k", "1024", "1.5GB", "2 MiB" -> bytes. Suffixes are
// binary multiples (k = 1024) and case-insensitive, with optional "b"/"ib". Throws
// pc::Error "invalid size: 'abc'" or "invalid suffix: 'x'".
int64_t parse_size(const std::string& text);

// Go's time.ParseDuration ("30s", "1m30s", "500ms", "1.5h", "-2us") in nanoseconds /
// milliseconds (truncated toward zero). Throws pc::Error `time: invalid duration "x"` and
// similar as Go does. DaysAndWeeks also takes "d" and "w", as compose-go's durations
// (str2duration) do.
enum class DurationUnits { Go, DaysAndWeeks };
int64_t parse_duration_ns(const std::string& text, DurationUnits units = DurationUnits::Go);
int64_t parse_duration(const std::string& text);

}  // namespace pc
