// The arguments of each instruction, after substitution, in the forms the image config and
// the build need. Pure functions of an Instruction and the variables in scope (unit-tested);
// errors are pc::Error naming FILE:LINE.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "imagebuild/dockerfile.hpp"
#include "imagebuild/shell_lex.hpp"

namespace pc::build {

using KeyValues = std::vector<std::pair<std::string, std::string>>;

// ENV and LABEL: "k=v k2='v 2'" pairs, or the legacy one-pair form "KEY value words".
KeyValues parse_key_values(const Instruction& ins, const ShellLex& lex, const VarLookup& vars);

// ARG: names with their defaults (expanded), as written.
std::vector<std::pair<std::string, std::optional<std::string>>> parse_arg(const Instruction& ins, const ShellLex& lex,
                                                                         const VarLookup& vars);

// EXPOSE: "80/tcp" style, ranges ("8000-8002") expanded, protocols checked.
std::vector<std::string> parse_expose(const Instruction& ins, const ShellLex& lex, const VarLookup& vars);

// VOLUME: JSON array or words.
std::vector<std::string> parse_volume(const Instruction& ins, const ShellLex& lex, const VarLookup& vars);

// CMD, ENTRYPOINT (and RUN's command): the exec form as written, or the shell form run by
// `shell` (["/bin/sh", "-c"] unless SHELL changed it).
std::vector<std::string> command_of(const Instruction& ins, const std::vector<std::string>& shell);

// HEALTHCHECK: the config's Healthcheck object ({"Test": ["NONE"]} for NONE).
nlohmann::json parse_healthcheck(const Instruction& ins, const std::vector<std::string>& shell);

// RUN --mount=type=...: the fields of one mount (not yet checked against the build).
struct RunMount {
    std::string type = "bind";  // bind, cache, tmpfs, secret, ssh
    std::string target;         // target / dst / destination
    std::string source;         // source / src
    std::string from;
    std::string id;
    std::string sharing = "shared";  // cache: shared, private, locked
    std::optional<mode_t> mode;
    std::optional<uint32_t> uid, gid;
    std::string size;           // tmpfs
    bool readonly = true;       // bind: ro unless rw; cache: rw unless ro
    bool required = false;      // secret, ssh
    std::string env;            // secret: also (or only) as this environment variable
};
RunMount parse_run_mount(const std::string& spec, const std::string& where);

// COPY / ADD: sources and destination (JSON or words, expanded).
struct CopyArgs {
    std::vector<std::string> sources;
    std::string dest;      // expanded
    std::string dest_raw;  // as written (history's "in DEST")
};
CopyArgs parse_copy_args(const Instruction& ins, const ShellLex& lex, const VarLookup& vars);

}  // namespace pc::build
