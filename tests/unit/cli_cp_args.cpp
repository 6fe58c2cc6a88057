#include <gtest/gtest.h>

#include "cli/cp_args.hpp"
#include "common/error.hpp"
#include "container/cp_plan.hpp"

using namespace pc;
using pc::container::NodeType;

TEST(CpArgs, ContainerOrLocal) {
    auto c = cli::parse_cp_location("web:/etc/app");
    ASSERT_TRUE(c.container);
    EXPECT_EQ(*c.container, "web");
    EXPECT_EQ(c.path, "/etc/app");
    EXPECT_FALSE(cli::parse_cp_location("./a:b").container);     // '/' before ':'
    EXPECT_FALSE(cli::parse_cp_location("/abs/x:y").container);  // absolute
    EXPECT_FALSE(cli::parse_cp_location("-").container);
    EXPECT_FALSE(cli::parse_cp_location("plain").container);
    EXPECT_TRUE(cli::parse_cp_location("c:rel/x").container);
}

TEST(CpArgs, ExactlyOneContainerSide) {
    auto a = cli::parse_cp_args("f.txt", "c:tmp");
    EXPECT_TRUE(a.to_container());
    EXPECT_EQ(a.dest.path, "/tmp");  // made absolute
    auto b = cli::parse_cp_args("c:", "-");
    EXPECT_FALSE(b.to_container());
    EXPECT_EQ(b.src.path, "/");
    EXPECT_THROW(cli::parse_cp_args("a", "b"), Error);
    EXPECT_THROW(cli::parse_cp_args("c:/a", "d:/b"), Error);
    EXPECT_THROW(cli::parse_cp_args(":/a", "b"), Error);
}

TEST(CpPlan, FileRules) {
    EXPECT_EQ(container::copy_target("/tmp", NodeType::Directory, false, false, "f"), "/tmp/f");
    EXPECT_EQ(container::copy_target("/tmp/", NodeType::Directory, false, false, "f"), "/tmp/f");
    EXPECT_EQ(container::copy_target("/", NodeType::Directory, false, false, "f"), "/f");
    EXPECT_EQ(container::copy_target("/tmp/new", NodeType::Missing, false, false, "f"), "/tmp/new");
    EXPECT_EQ(container::copy_target("/etc/passwd", NodeType::Other, false, false, "f"), "/etc/passwd");
    EXPECT_THROW(container::copy_target("/tmp/new/", NodeType::Missing, false, false, "f"), Error);
    EXPECT_THROW(container::copy_target("/etc/passwd/", NodeType::Other, false, false, "f"), Error);
}

TEST(CpPlan, DirectoryRules) {
    EXPECT_EQ(container::copy_target("/new", NodeType::Missing, true, false, "src"), "/new");
    EXPECT_EQ(container::copy_target("/dir", NodeType::Directory, true, false, "src"), "/dir/src");
    EXPECT_EQ(container::copy_target("/dir", NodeType::Directory, true, true, "."), "/dir");
    EXPECT_THROW(container::copy_target("/etc/passwd", NodeType::Other, true, false, "src"), Error);
    EXPECT_EQ(container::copy_target(".", NodeType::Directory, true, false, "src"), "./src");
}

TEST(CpPlan, SourceNames) {
    auto s = container::source_name("/a/b");
    EXPECT_EQ(s.top, "b");
    EXPECT_FALSE(s.contents_only);
    EXPECT_FALSE(s.follow);
    auto dot = container::source_name("/a/b/.");
    EXPECT_EQ(dot.top, ".");
    EXPECT_TRUE(dot.contents_only);
    EXPECT_TRUE(dot.follow);
    auto slash = container::source_name("/a/b/");
    EXPECT_EQ(slash.top, "b");
    EXPECT_TRUE(slash.follow);
    EXPECT_TRUE(container::source_name("/").contents_only);
    EXPECT_EQ(container::split_parent("/a/b"), (std::pair<std::string, std::string>{"/a", "b"}));
    EXPECT_EQ(container::split_parent("b"), (std::pair<std::string, std::string>{".", "b"}));
    EXPECT_EQ(container::split_parent("/b"), (std::pair<std::string, std::string>{"/", "b"}));
}
