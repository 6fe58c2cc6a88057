// Podman's prompt for an ambiguous short name (registries.conf short-name-mode enforcing or
// permissive): the candidates listed on the terminal, the user's choice read from stdin.
// `pull` and `run`/`create` (when they pull) set it when stdin and stdout are a terminal.
#pragma once

#include <string>
#include <vector>

namespace pc::cli {

std::string choose_short_name_interactively(const std::string& name, const std::vector<std::string>& candidates);

}  // namespace pc::cli
