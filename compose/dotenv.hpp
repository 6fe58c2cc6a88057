// `.env` files as Docker Compose reads them: `KEY=VALUE`, `export KEY=VALUE`, `KEY: VALUE`,
// single quotes (literal), double quotes (escapes and `${...}` substitution), unquoted
// values (substitution, ` #` comments), a bare `KEY` (taken from the lookup), and the
// `raw` format of `env_file: {format: raw}` (docker run --env-file lines, no quoting or
// substitution).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "compose/interpolation.hpp"

namespace pc::compose {

using EnvMap = std::map<std::string, std::string>;

// Parses `text` into `vars` (existing entries are overwritten and are visible to later
// substitutions, after `lookup`). `format` is "" (the .env format) or "raw". Throws
// std::runtime_error with "line N: ..." on a syntax error.
void parse_env_text(std::string_view text, EnvMap& vars, const Lookup& lookup, const std::string& format = "");

// The variables of `files`, read in order (later files win); values substitute from
// `current` first, then from what the files set so far. Throws pc::Error (exit 1) for a
// missing file ("couldn't find env file: PATH"), a directory or a syntax error.
// `allow_pipes`: the files were named on the command line (--env-file <(...)).
EnvMap read_env_files(const EnvMap& current, const std::vector<std::string>& files, bool allow_pipes = false);

// Reads a whole small text file (env, label and compose files), refusing more than
// `limit` bytes, and with `regular_only` anything but a regular file (a FIFO would block,
// a device never ends); throws pc::Error (exit 1 for a missing file or a directory).
std::string read_text_file(const std::string& path, size_t limit, bool regular_only = true);
// The same for an open descriptor (stdin for `-f -`); `what` names it in errors.
std::string read_limited(int fd, const std::string& what, size_t limit);

}  // namespace pc::compose
