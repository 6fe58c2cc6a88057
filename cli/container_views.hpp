// Containers as Podman shows them: `inspect` documents, `ps --format json` objects, and
// the values `ps --format '{{...}}'` templates see (where .Names is a string, .Created is
// "3 minutes ago", ...).
#pragma once

#include <nlohmann/json.hpp>

#include "cli/context.hpp"
#include "container/container_store.hpp"

namespace pc::cli {

nlohmann::json container_inspect_json(Context& ctx, const container::Container& c);
nlohmann::json container_ps_json(const container::Container& c);
nlohmann::json container_ps_template_data(const container::Container& c, bool no_trunc);
// One line of the default `ps` table, tab-separated (for tabwriter_layout): exactly what
// the default template renders from container_ps_template_data.
std::string container_ps_table_row(const container::Container& c, bool no_trunc);
// "Up 3 minutes ago", "Exited (0) 2 seconds ago", "Created"...
std::string container_status_text(const container::Container& c);
// The COMMAND column ("sleep 1000", truncated unless no_trunc).
std::string container_command_text(const container::Container& c, bool no_trunc);

}  // namespace pc::cli
