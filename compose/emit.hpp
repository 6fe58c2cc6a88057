// The typed model as `docker compose config` prints it: compose-go's field order, its
// omission of unset fields, its forms (durations "1m30s", byte sizes "52428800", modes
// "0440", published ports as strings, extra_hosts "host=ip", ulimits as a number or
// {soft, hard}), and the differences of its JSON form (no x-* below the top level,
// "command": null, "ipam": {}, ...).
#pragma once

#include <string>

#include "compose/model.hpp"
#include "compose/out_tree.hpp"

namespace pc::compose {

enum class OutputFormat { Yaml, Json };

Out project_out(const Project& project, OutputFormat format);
Out service_out(const Service& service, OutputFormat format);

// YAML (go-yaml layout, ends with a newline) or JSON (two-space MarshalIndent, no final
// newline) of the whole project.
std::string render_project(const Project& project, OutputFormat format);

// `$` doubled, as `docker compose config` prints an interpolated project: its values are
// final, and the output loads again as is (the round trip).
std::string escape_dollars(const std::string& text);

}  // namespace pc::compose
