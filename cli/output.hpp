// Listing output shared by ps, images, volume ls...: the default table, `--format json`,
// and Go templates (plain or "table ..."), the way Podman prints them.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace pc::cli {

struct Listing {
    // One entry per row: what `--format json` prints and what templates see.
    std::vector<nlohmann::json> json_rows;
    std::vector<nlohmann::json> template_rows;
    // The default format, e.g. "table {{.ID}}\t{{.Image}}...".
    std::string default_format;
    // Header names of fields where Podman's differ from the field name ("ID" -> "CONTAINER ID").
    std::map<std::string, std::string> headers;
};

// `format`: "" (default table), "json", or a Go template. `quiet_field`: with -q, only this
// template field is printed per row.
void print_listing(const Listing& listing, const std::string& format, bool noheading = false);

// JSON as Podman prints it (4-space indent, HTML characters not escaped).
std::string podman_json(const nlohmann::json& value);

// Renders a Go template for each item (inspect -f); a non-table template per line.
void print_each_with_template(const std::vector<nlohmann::json>& items, const std::string& format,
                              const std::string& name);

}  // namespace pc::cli
