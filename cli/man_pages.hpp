// Man pages generated from the command tree (cli/command_tree.hpp): one per command,
// pc(1), pc-run(1), pc-container-ls(1)..., with the same description, usage and options
// as `pc help COMMAND` prints. Made at build time (`pc __man DIR`) and installed by CMake.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace pc::cli {

// The roff source of `cmd`'s page.
std::string man_page(const CLI::App& cmd, const std::string& version);

// Writes NAME.1 for every command of the tree into `dir`; returns how many.
size_t write_man_pages(const CLI::App& root, const std::string& dir, const std::string& version);

}  // namespace pc::cli
