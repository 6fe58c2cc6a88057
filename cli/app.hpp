// The pc command tree (CLI11) and the process entry point: global flags, every command's
// registration, and the one place where errors become "Error: ..." and an exit code.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace pc::cli {

class Context;

// One registration function and the top-level commands it adds.
struct CommandRegistration {
    std::vector<const char*> commands;
    void (*add)(CLI::App& app, Context& ctx);
};
const std::vector<CommandRegistration>& command_registrations();

// The command word of a command line: its first argument that is not a global flag or a
// global flag's value ("" when there is none).
std::string command_word(int argc, char** argv);

// Adds the commands that `word` needs to `app`: the registration that lists it, or all.
void register_commands(CLI::App& app, Context& ctx, const std::string& word);

int main(int argc, char** argv);

}  // namespace pc::cli
