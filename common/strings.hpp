// Small string helpers used across the project.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pc::str {

std::vector<std::string> split(std::string_view s, char sep);
// Splits at the first `sep`: ("a=b=c", '=') -> {"a", "b=c"}; no sep -> {s, nullopt}.
std::pair<std::string, std::optional<std::string>> split_once(std::string_view s, char sep);
std::string join(const std::vector<std::string>& parts, std::string_view sep);
std::string trim(std::string_view s);
bool starts_with(std::string_view s, std::string_view prefix);
bool ends_with(std::string_view s, std::string_view suffix);
std::string to_lower(std::string_view s);

// Strict unsigned parse of the whole string (no sign, no spaces); nullopt on any error.
std::optional<uint64_t> parse_u64(std::string_view s);
std::optional<int64_t> parse_i64(std::string_view s);

// Go's strconv.Quote for error messages that quote values as Go tools do ("\"x\""): quotes,
// backslashes and control characters escaped.
std::string go_quote(std::string_view s);

// Quotes a string for a shell-like display ("sh -c 'echo hi'").
std::string shell_quote(std::string_view s);

// A random 64-hex-digit id (container ids, volume ids).
std::string random_hex_id();
// Lowercase hex of bytes.
std::string to_hex(const unsigned char* data, size_t len);
// A stable 32-hex-digit name for a text (two independent 64-bit FNV-1a hashes): for cache
// and file names derived from a key, not for anything an attacker chooses.
std::string fingerprint(std::string_view text);

}  // namespace pc::str
