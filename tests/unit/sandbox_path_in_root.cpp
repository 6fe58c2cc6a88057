// Container path resolution below a rootfs: symlinks must never lead out of it.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "common/error.hpp"
#include "rootless/path_in_root.hpp"

using namespace pc::rootless;

namespace {

class SandboxPathInRootFs : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/pc-sandbox-test-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
        outside_ = dir_ + "/outside";
        root_ = dir_ + "/root";
        ASSERT_EQ(::mkdir(outside_.c_str(), 0755), 0);
        ASSERT_EQ(::mkdir(root_.c_str(), 0755), 0);
        ASSERT_EQ(::mkdir((root_ + "/etc").c_str(), 0755), 0);
        fd_ = pc::UniqueFd(::open(root_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
        ASSERT_TRUE(fd_);
    }
    void TearDown() override {
        std::string cmd = "rm -rf '" + dir_ + "'";
        ASSERT_EQ(::system(cmd.c_str()), 0);
    }
    bool exists(const std::string& p) {
        struct stat st {};
        return ::lstat(p.c_str(), &st) == 0;
    }
    std::string dir_, root_, outside_;
    pc::UniqueFd fd_;
};

}  // namespace

TEST(SandboxPathInRoot, CleansPathsLexically) {
    EXPECT_EQ(clean_path_components("/a//b/./c/"), (std::vector<std::string>{"a", "b", "c"}));
    EXPECT_EQ(clean_path_components("/../../a/../b"), (std::vector<std::string>{"b"}));
    EXPECT_TRUE(clean_path_components("/").empty());
    EXPECT_EQ(join_components({"a", "b"}, 2), "/a/b");
    EXPECT_EQ(join_components({"a", "b"}, 1), "/a");
    EXPECT_EQ(join_components({}, 0), "/");
}

TEST_F(SandboxPathInRootFs, CreatesMissingDirectoriesAndFiles) {
    create_in_root(fd_.get(), "/x/y/z", NodeKind::Directory);
    EXPECT_TRUE(exists(root_ + "/x/y/z"));
    create_in_root(fd_.get(), "/etc/hosts", NodeKind::File);
    struct stat st {};
    ASSERT_EQ(::stat((root_ + "/etc/hosts").c_str(), &st), 0);
    EXPECT_TRUE(S_ISREG(st.st_mode));
}

TEST_F(SandboxPathInRootFs, AbsoluteSymlinkStaysInsideRoot) {
    // /escape -> /etc inside the container must mean ROOT/etc, never the host's path.
    ASSERT_EQ(::symlink(outside_.c_str(), (root_ + "/escape").c_str()), 0);
    create_in_root(fd_.get(), "/escape/planted", NodeKind::Directory);
    EXPECT_FALSE(exists(outside_ + "/planted"));
    EXPECT_TRUE(exists(root_ + outside_ + "/planted"));
}

TEST_F(SandboxPathInRootFs, DotDotSymlinkStaysInsideRoot) {
    ASSERT_EQ(::symlink("../../../../outside", (root_ + "/up").c_str()), 0);
    create_in_root(fd_.get(), "/up/file", NodeKind::File);
    EXPECT_FALSE(exists(outside_ + "/file"));
    EXPECT_TRUE(exists(root_ + "/outside/file"));
}

TEST_F(SandboxPathInRootFs, OpenInRootReportsMissing) {
    pc::UniqueFd fd = open_in_root(fd_.get(), "/nothing/here", O_PATH);
    EXPECT_FALSE(fd);
    EXPECT_EQ(errno, ENOENT);
    EXPECT_TRUE(open_in_root(fd_.get(), "/", O_PATH | O_DIRECTORY));
}

TEST_F(SandboxPathInRootFs, FileParentIsAnError) {
    create_in_root(fd_.get(), "/f", NodeKind::File);
    EXPECT_THROW(create_in_root(fd_.get(), "/f/sub", NodeKind::Directory), pc::Error);
}
