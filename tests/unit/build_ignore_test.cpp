// .containerignore / .dockerignore: Docker's pattern semantics, table-driven (the cases
// moby's patternmatcher and ignorefile tests pin down, plus the ones users trip over).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/error.hpp"
#include "imagebuild/ignore.hpp"

namespace {

using pc::build::IgnoreMatcher;
using pc::build::parse_ignore_file;

struct Case {
    std::vector<std::string> patterns;
    std::string path;
    bool excluded;
};

TEST(BuildIgnore, PatternTable) {
    const std::vector<Case> cases = {
        // plain names match themselves and everything below
        {{"dir"}, "dir", true},
        {{"dir"}, "dir/file", true},
        {{"dir"}, "dir/sub/file", true},
        {{"dir"}, "other/dir", false},
        {{"dir/"}, "dir/file", true},
        {{"/dir"}, "dir/file", true},
        {{"./dir"}, "dir", true},
        {{"a/../b"}, "b", true},
        {{"a/../b"}, "a", false},
        // * and ? stay within one component
        {{"*.o"}, "a.o", true},
        {{"*.o"}, "dir/a.o", false},
        {{"*/*.o"}, "dir/a.o", true},
        {{"a?c"}, "abc", true},
        {{"a?c"}, "ac", false},
        {{"a?c"}, "a/c", false},
        {{"foo*"}, "foo", true},
        {{"foo*"}, "foobar/x", true},
        {{"[a-c]x"}, "bx", true},
        {{"[a-c]x"}, "dx", false},
        {{"\\*"}, "*", true},
        {{"\\*"}, "a", false},
        {{"file.txt"}, "fileXtxt", false},
        // ** spans any number of components, none included
        {{"**/*.o"}, "a.o", true},
        {{"**/*.o"}, "x/y/z/a.o", true},
        {{"**"}, "anything/at/all", true},
        {{"docs/**/*.md"}, "docs/a.md", true},
        {{"docs/**/*.md"}, "docs/x/y/a.md", true},
        {{"docs/**/*.md"}, "src/a.md", false},
        {{"dir/**"}, "dir/a", true},
        {{"dir/**"}, "dir", false},
        {{"**/node_modules"}, "node_modules/x", true},
        {{"**/node_modules"}, "a/b/node_modules/x", true},
        // ! re-includes; the last pattern that matches decides
        {{"dir", "!dir/keep"}, "dir/keep", false},
        {{"dir", "!dir/keep"}, "dir/other", true},
        {{"*", "!README.md"}, "README.md", false},
        {{"*", "!README.md"}, "main.c", true},
        {{"!a", "*"}, "a", true},
        {{"*.md", "!README*.md", "README-secret.md"}, "README-secret.md", true},
        {{"*.md", "!README*.md", "README-secret.md"}, "README.md", false},
        {{"*.md", "!README*.md", "README-secret.md"}, "CHANGES.md", true},
        // the context itself is never excluded
        {{"*"}, ".", false},
        {{"**"}, "", false},
    };
    for (const auto& c : cases) {
        IgnoreMatcher m(c.patterns);
        std::string shown;
        for (const auto& p : c.patterns) shown += "\"" + p + "\" ";
        EXPECT_EQ(m.excluded(c.path), c.excluded) << "patterns " << shown << "path \"" << c.path << "\"";
    }
}

TEST(BuildIgnore, FileSyntax) {
    const std::string text =
        "\xEF\xBB\xBF"
        "# a comment\n"
        "\n"
        "  spaced.txt  \n"
        "/rooted\n"
        "trailing/\n"
        "! reincluded\n"
        "#not/a/pattern\n"
        "a/./b/../c\r\n";
    EXPECT_EQ(parse_ignore_file(text), (std::vector<std::string>{"spaced.txt", "rooted", "trailing", "!reincluded", "a/c"}));
}

TEST(BuildIgnore, BadPatternsAreErrors) {
    EXPECT_THROW(IgnoreMatcher({"!"}, ".dockerignore"), pc::Error);
    EXPECT_THROW(IgnoreMatcher({"a["}), pc::Error);
    EXPECT_THROW(IgnoreMatcher({"trailing\\"}), pc::Error);
    try {
        IgnoreMatcher({"!"}, "ctx/.dockerignore");
        FAIL();
    } catch (const pc::Error& e) {
        EXPECT_NE(std::string(e.what()).find("ctx/.dockerignore"), std::string::npos) << e.what();
    }
}

TEST(BuildIgnore, ExclusionsAreReported) {
    EXPECT_FALSE(IgnoreMatcher({"a", "b"}).has_exclusions());
    EXPECT_TRUE(IgnoreMatcher({"a", "!a/b"}).has_exclusions());
    EXPECT_TRUE(IgnoreMatcher().empty());
}

TEST(BuildIgnore, CleanPath) {
    using pc::build::clean_path;
    EXPECT_EQ(clean_path(""), ".");
    EXPECT_EQ(clean_path("a//b/./c/"), "a/b/c");
    EXPECT_EQ(clean_path("../a"), "../a");
    EXPECT_EQ(clean_path("/../a"), "/a");
    EXPECT_EQ(clean_path("a/b/../../.."), "..");
    EXPECT_EQ(clean_path("/"), "/");
}

}  // namespace
