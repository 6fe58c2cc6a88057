// Path patterns with Docker's .dockerignore semantics (moby/patternmatcher, which Docker
// Compose's develop.watch uses for `ignore`, `include` and the build context's
// .dockerignore):
//
//  - a pattern is path-cleaned, relative to a base directory (a leading '/' is the base);
//    a leading '!' re-includes what an earlier pattern matched;
//  - '*' matches within one path component, '?' one character but '/', '[...]' a class,
//    '\' escapes the next character, "**" any number of components (also none);
//  - a path matches when it, or one of its parent directories, matches;
//  - the last pattern that decides wins.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace pc::compose {

class PathPatterns {
public:
    PathPatterns();
    // Throws pc::Error naming the bad pattern (a lone "!", an unterminated class, ...).
    explicit PathPatterns(const std::vector<std::string>& patterns);
    PathPatterns(const PathPatterns&);
    PathPatterns& operator=(const PathPatterns&);
    ~PathPatterns();

    bool empty() const { return patterns_.empty(); }
    // `rel`: '/'-separated, relative to the base ("src/a.js"). The base itself ("" or ".")
    // never matches.
    bool matches(std::string_view rel) const;
    // True when every path below the directory `rel` matches too (no '!' pattern could
    // re-include one): a watcher need not look inside it.
    bool matches_whole_dir(std::string_view rel) const { return !exclusions_ && matches(rel); }

private:
    struct Pattern;
    std::vector<std::shared_ptr<const Pattern>> patterns_;
    bool exclusions_ = false;
};

// The patterns of an ignore file (moby's ignorefile.ReadAll): a UTF-8 BOM dropped, '#'
// comment lines and blank lines skipped, each pattern trimmed and path-cleaned, a leading
// '/' dropped.
std::vector<std::string> read_ignore_patterns(std::string_view text);

}  // namespace pc::compose
