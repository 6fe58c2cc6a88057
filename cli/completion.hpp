// Shell completion: `pc __complete WORDS...` answers what can follow, from the command tree
// (cli/command_tree.hpp) and, for names, from the store; `pc completion bash|zsh|fish`
// prints the thin script each shell sources, which asks `pc __complete`.
//
// Protocol (as cobra's, so scripts stay simple): one candidate per line, "VALUE" or
// "VALUE\tDESCRIPTION", then ":N" with N a bitmask of CompletionDirective.
//
// Which names a positional argument takes is read from how the command declares it: a
// positional whose name or help text says CONTAINER(S), IMAGE(S), VOLUME(S), POD(S) or
// NETWORK(S) completes those names, PATH/SRC/FILE completes files. Flag values are
// completed by flag name (--network, --format, --pull, --restart, --cap-add, ...), so a
// new command gets both without touching this file.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

namespace pc::cli {

enum CompletionDirective : unsigned {
    kCompDefault = 0,   // the shell may fall back to file names when nothing matched
    kCompError = 1,
    kCompNoSpace = 2,   // the candidate is a prefix ("container:", "type=")
    kCompNoFiles = 4,   // no file-name fallback
};

struct Candidate {
    std::string value, description;
};

struct CompletionResult {
    std::vector<Candidate> candidates;
    unsigned directive = kCompDefault;
};

enum class NameKind { Containers, Images, Volumes, Pods, Networks };
// The names that exist of a kind (asked only when a word needs them).
using NameLister = std::function<std::vector<std::string>(NameKind)>;

// Completes the last of `words` (the words after "pc"; the last is the one being typed,
// "" for a new word) against the tree rooted at `root`.
CompletionResult complete(const CLI::App& root, const std::vector<std::string>& words, const NameLister& names);

// The global flags (and their values) at the start of `words`, to be given to what lists
// names (`pc --root X ps <TAB>` lists X's containers).
std::vector<std::string> leading_global_args(const CLI::App& root, const std::vector<std::string>& words);

// The `pc __complete` output for a result.
std::string format_completion(const CompletionResult& r, bool descriptions);

// `pc __complete [--no-desc] WORDS...` (argv after "__complete"); `pc __man DIR`.
int complete_main(int argc, char** argv);
int man_main(int argc, char** argv);

// The script for `pc completion SHELL` ("bash", "zsh", "fish"); throws pc::Error for others.
std::string completion_script(const std::string& shell, bool descriptions);

}  // namespace pc::cli
