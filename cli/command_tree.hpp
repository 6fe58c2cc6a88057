// The whole pc command tree as data: what `pc completion`, `pc __complete`, `pc help` and
// the man pages are generated from, so none of them can drift from the commands.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "cli/context.hpp"

namespace pc::cli {

// The root app's own settings and global flags, as `pc` itself has them (cli/app.cpp).
void configure_root(CLI::App& app, Context& ctx);

// Every command of every registration on a root configured as above.
void build_full_tree(CLI::App& app, Context& ctx);

// The command at `path` (words after "pc", e.g. {"container", "ls"}); nullptr if none.
const CLI::App* find_command(const CLI::App& root, const std::vector<std::string>& path);

// Subcommands users see (hidden ones, in the "" group, left out), in registration order.
std::vector<const CLI::App*> visible_subcommands(const CLI::App& cmd);
// The flags users see (positionals and hidden flags left out), help flag included.
std::vector<const CLI::Option*> visible_flags(const CLI::App& cmd);
// Positional options in order.
std::vector<const CLI::Option*> positionals(const CLI::App& cmd);

// "pc container ls" for a command of the tree.
std::string command_path(const CLI::App& cmd);
// "pc-container-ls": its man page name.
std::string man_name(const CLI::App& cmd);

// The help text of a command, exactly as `pc ... --help` prints it.
std::string command_help(const CLI::App& cmd);

// Whether a flag takes a value in the next word ("--name x"); false for switches, which
// only take one after '=' ("--tls-verify=false").
bool takes_value(const CLI::Option& opt);

// The commands of the tree, depth first (root first).
std::vector<const CLI::App*> all_commands(const CLI::App& root);

}  // namespace pc::cli
