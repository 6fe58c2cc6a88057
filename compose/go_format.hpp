// Number and duration text exactly as Go prints them, because `pc compose config` must
// print what Docker Compose (a Go program) prints: strconv.FormatFloat with the shortest
// round-trip precision, encoding/json's float rule, and time.Duration.String().
#pragma once

#include <cstdint>
#include <string>

namespace pc::compose {

// strconv.FormatFloat(v, fmt, -1, bits) for fmt 'g', 'e' or 'f' (bits 32 or 64).
std::string go_format_float(double v, char fmt, int bits);
// How encoding/json writes a float: 'f' unless |v| < 1e-6 or >= 1e21, then 'e' with the
// exponent's leading zero dropped ("1e-07").
std::string go_json_float(double v, int bits);
// time.Duration(ns).String(): "1m30s", "1.5s", "500ms", "0s", "-2h0m0s".
std::string go_duration_string(int64_t ns);

}  // namespace pc::compose
