// How `pc stats` prints container statistics, as Podman 4.3's cmd/podman/containers/stats.go:
// the default table (ID NAME CPU % MEM USAGE / LIMIT MEM % NET IO BLOCK IO PIDS CPU TIME
// AVG CPU %), Go templates over define.ContainerStats plus its formatting methods, and
// `--format json` (an array of {id, name, cpu_time, cpu_percent, ...} strings).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/output.hpp"
#include "container/stats.hpp"

namespace pc::cli {

// go-units HumanSize (decimal, 4 significant digits, no space): "0B", "1.5kB", "8.343GB".
std::string go_human_size(double bytes);
// go-units BytesSize (binary): "0B", "1.5KiB", "7.771GiB".
std::string go_bytes_size(double bytes);
// "%.2f%%" as Podman's floatToPercentString.
std::string percent_string(double value);

// The fields a template sees for one container.
nlohmann::json stats_template_row(const container::ContainerStats& s, bool no_trunc);
// One element of `--format json`.
nlohmann::json stats_json_row(const container::ContainerStats& s, bool no_trunc);

// The listing for print_listing (default table and templates).
Listing stats_listing(const std::vector<container::ContainerStats>& stats, bool no_trunc);
// `--format json`: Go's json.MarshalIndent(v, "", " ").
std::string stats_json(const std::vector<container::ContainerStats>& stats, bool no_trunc);

}  // namespace pc::cli
