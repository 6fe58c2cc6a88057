// The canonical document tree -> the typed model, with compose-go's conversions: durations
// ("1m30s", "1d"), byte sizes ("512m", "2gb"), octal file modes, command strings split as
// a shell does, healthcheck strings as CMD-SHELL, KEY=VALUE lists as mappings, extra_hosts
// in either syntax, `x-*` keys as extensions. Errors name the file, line and key path.
#pragma once

#include <cstdint>
#include <string>

#include "compose/model.hpp"
#include "compose/node.hpp"

namespace pc::compose {

// Decodes services, networks, volumes, secrets, configs, models and top-level extensions
// (name, working_dir and the rest of Project are the loader's).
Project decode_project(const Node& model);

}  // namespace pc::compose
