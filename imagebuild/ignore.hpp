// .containerignore / .dockerignore with Docker's semantics (moby's ignorefile.ReadAll and
// patternmatcher, which Buildah's copy also follows):
//
//  - one pattern per line; lines starting with '#' are comments; blanks around are trimmed;
//    a leading '!' re-includes; each pattern is path-cleaned and a leading '/' dropped;
//  - '*' matches within one path component, '?' one character but '/', '[..]' a class,
//    '\' escapes, '**' any number of components (also none), a trailing "**" everything;
//  - a pattern matches a path and everything below it (and a path whose parent matches);
//  - the last pattern that matches decides.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace pc::build {

class IgnoreMatcher {
public:
    IgnoreMatcher();
    // Throws pc::Error naming the bad pattern ("illegal exclusion pattern: \"!\"", an
    // unterminated class...). `origin` names the file in messages.
    explicit IgnoreMatcher(const std::vector<std::string>& patterns, const std::string& origin = "");
    IgnoreMatcher(const IgnoreMatcher&);
    IgnoreMatcher& operator=(const IgnoreMatcher&);
    IgnoreMatcher(IgnoreMatcher&&) noexcept;
    IgnoreMatcher& operator=(IgnoreMatcher&&) noexcept;
    ~IgnoreMatcher();

    bool empty() const;
    // True when `path` (relative, '/'-separated, e.g. "src/a.o") is excluded.
    bool excluded(std::string_view path) const;
    // A directory that is excluded may still hold re-included paths ('!' patterns): a walk
    // must then look inside it.
    bool has_exclusions() const;
    // The patterns, as cleaned (for cache keys and messages).
    const std::vector<std::string>& patterns() const { return cleaned_; }

private:
    struct Pattern;
    std::vector<std::string> cleaned_;
    std::vector<std::shared_ptr<const Pattern>> compiled_;
    bool exclusions_ = false;
};

// The patterns of an ignore file's text (comments and blank lines dropped; '!' kept).
std::vector<std::string> parse_ignore_file(std::string_view text);

// Go's filepath.Clean on a '/'-separated path ("" -> ".").
std::string clean_path(std::string_view path);

}  // namespace pc::build
