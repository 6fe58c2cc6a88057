// Times given on the command line (--since/--until of logs and events), read the way
// Podman's util.ParseInputTime reads them: RFC 3339 (with or without fraction and zone),
// "2006-01-02T15:04:05[.fraction]" and "2006-01-02" in the local zone, "2006-01-02Z07:00",
// Unix timestamps ("1700000000", "1700000000.5"), or Go durations relative to now
// ("10m", "1h30m": in the past for --since, in the future for --until, as Podman does).
#pragma once

#include <cstdint>
#include <string>

namespace pc::cli {

// Unix time in nanoseconds. Throws pc::Error (exit 125) when the text is none of the above.
int64_t parse_input_time(const std::string& text, bool since);

}  // namespace pc::cli
