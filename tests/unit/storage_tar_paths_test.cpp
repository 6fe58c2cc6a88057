#include <gtest/gtest.h>

#include "storage/tar_paths.hpp"
#include "storage/whiteouts.hpp"

using namespace pc::storage;

namespace {
std::string norm(const std::string& n) {
    PathCheck c = normalize_entry_path(n);
    return c.path ? c.path->joined() : "ERR:" + c.error;
}
EntryPath at(const std::string& n) { return *normalize_entry_path(n).path; }
}  // namespace

TEST(StorageTarPaths, NormalizesHarmlessNames) {
    EXPECT_EQ(norm("bin/sh"), "bin/sh");
    EXPECT_EQ(norm("./bin/sh"), "bin/sh");
    EXPECT_EQ(norm("././bin//sh/"), "bin/sh");
    EXPECT_EQ(norm("./"), "");
    EXPECT_EQ(norm("."), "");
    EXPECT_EQ(norm(""), "");
    EXPECT_EQ(norm("a/./b"), "a/b");
    EXPECT_EQ(norm("..a/b.."), "..a/b..");  // dots inside names are ordinary characters
    EXPECT_EQ(norm("...") , "...");
}

TEST(StorageTarPaths, RefusesEscapes) {
    for (const char* n : {"..", "../x", "./../x", "a/../../x", "a/..", "a/../b", "a//..//b", "x/y/../../..",
                          "./.."}) {
        EXPECT_EQ(norm(n), "ERR:path escapes the layer") << n;
    }
    for (const char* n : {"/etc/passwd", "//etc", "/./x", "/...", "/.."})
        EXPECT_EQ(norm(n), "ERR:absolute path not allowed") << n;
    EXPECT_EQ(norm(std::string("a\0b", 3)), "ERR:name contains a NUL byte");
}

// umoci (and other Go tools) write an entry for "/" itself: the layer root, like "./".
TEST(StorageTarPaths, EveryNameOfTheRootIsTheRoot) {
    for (const char* n : {"/", "//", "/.", "/./", "./", ".", "./.", ".//"}) EXPECT_EQ(norm(n), "") << n;
}

TEST(StorageTarPaths, HardLinkTargets) {
    EXPECT_TRUE(check_hardlink_target("bin/busybox").path);
    EXPECT_TRUE(check_hardlink_target("./bin/busybox").path);
    EXPECT_FALSE(check_hardlink_target("../../etc/passwd").path);
    EXPECT_FALSE(check_hardlink_target("/etc/passwd").path);
    EXPECT_FALSE(check_hardlink_target("a/../../b").path);
    EXPECT_FALSE(check_hardlink_target("./").path);
    EXPECT_FALSE(check_hardlink_target("/").path);
    EXPECT_FALSE(check_hardlink_target("").path);
    EXPECT_NE(check_hardlink_target("../x").error.find("hard link target"), std::string::npos);
}

TEST(StorageTarPaths, SymlinkTargets) {
    EXPECT_EQ(check_symlink_target(at("bin/sh"), "busybox"), "");
    EXPECT_EQ(check_symlink_target(at("bin/sh"), "/bin/busybox"), "");      // absolute: resolved in the container
    EXPECT_EQ(check_symlink_target(at("bin/sh"), "/../../etc/passwd"), "");  // still inside at run time
    EXPECT_EQ(check_symlink_target(at("usr/bin/sh"), "../../bin/busybox"), "");
    EXPECT_EQ(check_symlink_target(at("a/b/c/d"), "../../x/../y"), "");
    EXPECT_EQ(check_symlink_target(at("a/b"), "./c/./d"), "");
    // Climbing above the layer root is legal (distribution images have such links, and
    // inside the container ".." stops at the root): stored, never followed by extraction.
    EXPECT_EQ(check_symlink_target(at("x"), "../etc/passwd"), "");
    EXPECT_EQ(check_symlink_target(at("etc/x"), "../../../usr/bin/x"), "");
    EXPECT_EQ(check_symlink_target(at("a/b"), "x/y/../../../../z"), "");
    EXPECT_EQ(check_symlink_target(at("a"), ".."), "");
    EXPECT_NE(check_symlink_target(at("a"), ""), "");
    EXPECT_NE(check_symlink_target(at("a"), std::string_view("x\0y", 3)), "");
    EXPECT_NE(check_symlink_target(at(""), "x"), "");  // the root cannot be a symlink
}

TEST(StorageTarPaths, ExhaustiveDotDotCombinations) {
    // Every name made of up to 4 components from {a, ., .., ""} is either refused or
    // normalizes to a path without "." or ".." components.
    const char* parts[] = {"a", ".", "..", ""};
    for (int len = 1; len <= 4; ++len) {
        int total = 1;
        for (int i = 0; i < len; ++i) total *= 4;
        for (int code = 0; code < total; ++code) {
            std::string name;
            bool has_dotdot = false;
            for (int i = 0, c = code; i < len; ++i, c /= 4) {
                if (i) name += '/';
                name += parts[c % 4];
                has_dotdot |= (c % 4) == 2;
            }
            for (const std::string& n : {name, "/" + name, "./" + name}) {
                PathCheck r = normalize_entry_path(n);
                const bool names_root = n.front() == '/' && n.find_first_not_of("/.") == std::string::npos &&
                                        !has_dotdot;
                if (names_root) {
                    ASSERT_TRUE(r.path) << n;
                    EXPECT_TRUE(r.path->components.empty()) << n;
                } else if (has_dotdot || n.front() == '/') {
                    EXPECT_FALSE(r.path) << n;
                } else {
                    ASSERT_TRUE(r.path) << n;
                    for (const auto& c : r.path->components) {
                        EXPECT_NE(c, "..");
                        EXPECT_NE(c, ".");
                        EXPECT_NE(c, "");
                    }
                }
            }
        }
    }
}

TEST(StorageWhiteouts, NameMapping) {
    EXPECT_EQ(classify_whiteout("passwd").kind, WhiteoutKind::None);
    EXPECT_EQ(classify_whiteout(".whatever").kind, WhiteoutKind::None);
    auto w = classify_whiteout(".wh.passwd");
    EXPECT_EQ(w.kind, WhiteoutKind::Whiteout);
    EXPECT_EQ(w.target, "passwd");
    EXPECT_EQ(classify_whiteout(".wh..hidden").target, ".hidden");
    EXPECT_EQ(classify_whiteout(".wh..wh..opq").kind, WhiteoutKind::Opaque);
    EXPECT_EQ(classify_whiteout(".wh..wh.plnk").kind, WhiteoutKind::Ignored);
    EXPECT_EQ(classify_whiteout(".wh.").kind, WhiteoutKind::Invalid);
    EXPECT_EQ(classify_whiteout(".wh..").kind, WhiteoutKind::Invalid);
    EXPECT_EQ(classify_whiteout(".wh...").kind, WhiteoutKind::Invalid);
}
