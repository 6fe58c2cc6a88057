// Timestamps as Podman shows and stores them: RFC 3339 with nanoseconds.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace pc {

// "2026-11-22T09:00:51.123456789Z" (utc) or with the local offset "+01:00" (Go's
// time.RFC3339Nano trims trailing zeros of the fraction; so does this).
std::string rfc3339_nano(int64_t unix_ns, bool utc = true);
// Parses RFC 3339 ("2026-11-22T09:00:51Z", with optional fraction and offset); nullopt if bad.
std::optional<int64_t> parse_rfc3339(const std::string& text);

// Go's time.ParseDuration ("30s", "1m30s", "500ms", "1.5h", "-2us") in nanoseconds. Throws
// pc::Error `time: invalid duration "x"` and similar as Go does.
int64_t parse_duration_ns(const std::string& text);

}  // namespace pc
