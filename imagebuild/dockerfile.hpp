// Containerfile / Dockerfile syntax: parser directives (# syntax=, # escape=), comments,
// line continuations, here-documents (RUN <<EOF, COPY <<EOF /path), instruction flags
// (--name=value) and the JSON exec form. Nothing is substituted here: variables depend on
// the build (ARG, ENV), which imagebuild/instruction.hpp handles per step.
//
// Errors are pc::Error naming "FILE:LINE".
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pc::build {

struct Heredoc {
    std::string name;         // the terminator word
    std::string content;      // the lines between, each ending in '\n'
    bool expand = true;       // an unquoted terminator: variables are expanded (COPY/ADD)
    bool strip_tabs = false;  // <<-EOF: leading tabs removed from each line
};

struct Flag {
    std::string name;                  // without "--"
    std::optional<std::string> value;  // nullopt for "--link" (a boolean flag)
};

struct Instruction {
    std::string keyword;   // upper case: "RUN"
    // The instruction as written, continuation lines joined (escape + newline removed) and
    // here-documents appended: what `STEP n/m:` prints and history's created_by records.
    std::string original;
    std::vector<Flag> flags;  // --name[=value] before the arguments (quotes removed)
    std::string args;         // the rest, raw (substitution happens when the step runs)
    // Exec form: the arguments were a JSON array of strings.
    bool json = false;
    std::vector<std::string> json_args;
    std::vector<Heredoc> heredocs;
    // ONBUILD's trigger, parsed as an instruction of its own.
    std::vector<Instruction> sub;
    std::string file;  // as named in messages
    int line = 0;      // 1-based first line
    int end_line = 0;

    std::string where() const { return file + ":" + std::to_string(line); }
    std::optional<std::string> flag(const std::string& name) const;
    bool has_flag(const std::string& name) const;
    std::vector<std::string> flag_values(const std::string& name) const;  // repeatable flags
};

struct Dockerfile {
    std::string file;
    char escape = '\\';
    std::string syntax;  // the `# syntax=` directive, informational
    std::vector<Instruction> instructions;
};

// The instructions pc knows (upper case).
bool known_instruction(std::string_view keyword);

// Parses a whole file. An unknown instruction, a here-document without its terminator, a
// malformed directive or flag is a pc::Error naming FILE:LINE.
Dockerfile parse_dockerfile(std::string_view text, const std::string& file);

// Parses the text of one instruction line (ONBUILD triggers stored in an image config).
Instruction parse_instruction_line(std::string_view line, const std::string& file, int line_no, char escape = '\\');

// Exec form: `text` (trimmed) is a JSON array of strings. nullopt for anything else.
std::optional<std::vector<std::string>> parse_json_array(std::string_view text);

}  // namespace pc::build
