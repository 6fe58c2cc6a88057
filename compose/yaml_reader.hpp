// YAML text -> Node documents, resolving plain scalars as Go's YAML library does (so `0440`
// is the octal 288, `yes` stays a string, `1_000` is 1000), with YAML merge keys (`<<`),
// anchors and aliases, and Compose's `!reset` / `!override` tags.
//
// The reader is the first thing that touches an untrusted file, so it bounds everything:
// the file size, UTF-8 and control characters (checked before parsing), nesting depth
// (yaml-cpp's guard), and the number of nodes, counting alias expansions (so a "billion
// laughs" document stops early with an error instead of exhausting memory).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "compose/node.hpp"

namespace pc::compose {

// Limits on one compose file. Real compose files are a few kilobytes; these are generous
// and keep the worst case at about a hundred megabytes and well under a second.
inline constexpr size_t kMaxComposeFileBytes = 8u << 20;
inline constexpr size_t kMaxNodesPerFile = 500000;
// Nodes the parser reports at one position (see Builder::count).
inline constexpr size_t kMaxNodesAtOnePosition = 1000;

struct YamlDocument {
    Node root;  // a mapping
    // Paths (map keys only) that carried `!reset` (the node is dropped from `root`) or
    // `!override` (kept): what an earlier file or an extended service had there is
    // removed before this document is merged over it.
    std::vector<Path> reset_paths;
};

// Parses every document of `content` (the text of `file`). Throws pc::Error (exit 1) with
// "FILE:LINE:COLUMN: ..." on invalid input. A document whose root is not a mapping is an
// error; empty documents are skipped.
std::vector<YamlDocument> parse_yaml(std::string_view content, const std::shared_ptr<const std::string>& file);

// Checks that `content` is valid UTF-8 without control characters other than tab, CR and
// LF (what YAML allows); throws naming the line and column of the first bad byte.
void check_yaml_text(std::string_view content, const std::shared_ptr<const std::string>& file);

// Go's YAML resolution of an unquoted scalar: null, bool, int, float or string.
Node resolve_plain_scalar(const std::string& text, Mark mark);

// True when go-yaml reads the unquoted text as a timestamp (2024-01-15, 2024-01-15T10:00:00Z):
// decoded as a string, but quoted when printed.
bool yaml_timestamp(const std::string& text);

}  // namespace pc::compose
