// develop.watch's ignore/include patterns and .dockerignore files, with Docker's semantics
// (moby/patternmatcher's MatchesOrParentMatches, ignorefile.ReadAll).
#include <gtest/gtest.h>

#include "common/error.hpp"
#include "compose/watch_patterns.hpp"

using pc::compose::PathPatterns;
using pc::compose::read_ignore_patterns;

namespace {

struct Case {
    std::vector<std::string> patterns;
    std::string path;
    bool matches;
};

void PrintTo(const Case& c, std::ostream* os) {
    *os << "patterns [";
    for (const auto& p : c.patterns) *os << " " << p;
    *os << " ] path \"" << c.path << "\"";
}

class WatchPatterns : public ::testing::TestWithParam<Case> {};

TEST_P(WatchPatterns, MatchAsDockerDoes) {
    const Case& c = GetParam();
    EXPECT_EQ(PathPatterns(c.patterns).matches(c.path), c.matches) << "path " << c.path;
}

INSTANTIATE_TEST_SUITE_P(
    Docker, WatchPatterns,
    ::testing::Values(
        // '*' stays within a component; a parent that matches takes what is below it.
        Case{{"*.go"}, "main.go", true}, Case{{"*.go"}, "cmd/main.go", false}, Case{{"*.go"}, "a.go/x", true},
        Case{{"docs"}, "docs", true}, Case{{"docs"}, "docs/a/b.md", true}, Case{{"docs"}, "docsx", false},
        Case{{"node_modules/"}, "node_modules/dep/index.js", true}, Case{{"./build/../out"}, "out/x", true},
        // "**": any number of components, none included.
        Case{{"**/*.log"}, "a.log", true}, Case{{"**/*.log"}, "x/y/a.log", true}, Case{{"**/*.log"}, "a.logx", false},
        Case{{"a/**/z"}, "a/z", true}, Case{{"a/**/z"}, "a/b/c/z", true}, Case{{"a/**"}, "a/b/c", true},
        Case{{"a/**"}, "a", false}, Case{{"**"}, "anything/at/all", true},
        // '?', classes, escapes, and characters that mean nothing special.
        Case{{"a?c"}, "abc", true}, Case{{"a?c"}, "a/c", false}, Case{{"[a-c].txt"}, "b.txt", true},
        Case{{"[a-c].txt"}, "d.txt", false}, Case{{"[^a].txt"}, "b.txt", true}, Case{{"\\*.txt"}, "*.txt", true},
        Case{{"\\*.txt"}, "a.txt", false}, Case{{"a.b"}, "axb", false}, Case{{"f(1)+$"}, "f(1)+$", true},
        // A leading '/' is the base; the base itself never matches.
        Case{{"/abs.txt"}, "abs.txt", true}, Case{{"*"}, "", false}, Case{{"*"}, ".", false},
        // '!' re-includes; the last pattern that decides wins.
        Case{{"*.md", "!README.md"}, "README.md", false}, Case{{"*.md", "!README.md"}, "x.md", true},
        Case{{"docs", "!docs/keep.txt"}, "docs/keep.txt", false}, Case{{"docs", "!docs/keep.txt"}, "docs/other", true},
        Case{{"!x", "x"}, "x", true}, Case{{"x", "!x", "x"}, "x/y", true}));

TEST(WatchPatternsDirs, AWholeDirectoryIsSkippedOnlyWithoutReincludes) {
    EXPECT_TRUE(PathPatterns({"node_modules"}).matches_whole_dir("node_modules"));
    EXPECT_FALSE(PathPatterns({"node_modules", "!node_modules/keep"}).matches_whole_dir("node_modules"));
    EXPECT_FALSE(PathPatterns({"*.tmp"}).matches_whole_dir("src"));
    EXPECT_TRUE(PathPatterns().empty());
    EXPECT_FALSE(PathPatterns().matches("x"));
}

TEST(WatchPatternsErrors, BadPatternsAreRefusedNamingThem) {
    try {
        PathPatterns({"!"});
        FAIL() << "a lone ! was accepted";
    } catch (const pc::Error& e) {
        EXPECT_STREQ(e.what(), "illegal exclusion pattern: \"!\"");
    }
    try {
        PathPatterns({"src/[a-"});
        FAIL() << "an unterminated class was accepted";
    } catch (const pc::Error& e) {
        EXPECT_NE(std::string(e.what()).find("src/[a-"), std::string::npos) << e.what();
    }
}

TEST(WatchPatternsFile, ReadAsIgnorefileReadAll) {
    EXPECT_EQ(read_ignore_patterns("\xEF\xBB\xBF# comment\n\n  *.o  \r\n/build/\n!  /keep/../keep.o\n # not a comment\n"),
              (std::vector<std::string>{"*.o", "build", "!keep.o", "# not a comment"}));
    EXPECT_TRUE(read_ignore_patterns("").empty());
}

}  // namespace
