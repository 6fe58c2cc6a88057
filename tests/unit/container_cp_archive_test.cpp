// The tar streams of pc cp and compose watch's sync, written and extracted on the host
// (no namespaces needed): host nodes stored under names of their own, and a raw stream
// whose entries come without their parent directories.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/atomic_file.hpp"
#include "common/error.hpp"
#include "common/fd.hpp"
#include "container/cp_archive.hpp"
#include "storage_test_util.hpp"

using namespace pc::container;
using storage_test::make_tar;
using storage_test::TempDir;

namespace {

struct CpArchive : ::testing::Test {
    TempDir tmp;
    std::string src = tmp.path + "/src";
    std::string dest = tmp.path + "/dest";
    void SetUp() override {
        ::mkdir(src.c_str(), 0755);
        ::mkdir(dest.c_str(), 0755);
    }
    static pc::UniqueFd memfd(const std::string& data = "") {
        pc::UniqueFd fd(::memfd_create("cp-archive-test", MFD_CLOEXEC));
        if (!data.empty()) {
            EXPECT_EQ(::write(fd.get(), data.data(), data.size()), static_cast<ssize_t>(data.size()));
        }
        ::lseek(fd.get(), 0, SEEK_SET);
        return fd;
    }
    // Extracts the stream in `fd` (from its start) as `pc cp - CTR:/` would; "" or the error.
    std::string extract_raw(int fd) {
        ::lseek(fd, 0, SEEK_SET);
        pc::UniqueFd root(::open(dest.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
        ExtractSpec spec;
        spec.root_fd = root.get();
        spec.dest = "/";
        spec.where = "the test";
        spec.raw = true;
        try {
            extract_copy_archive(fd, spec);
        } catch (const pc::Error& e) {
            return e.what();
        }
        return "";
    }
    static std::string content(const std::string& path) {
        std::string out;
        pc::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
        char buf[256];
        ssize_t n;
        while (fd && (n = ::read(fd.get(), buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
        return out;
    }
    static bool exists(const std::string& p) {
        struct stat st {};
        return ::lstat(p.c_str(), &st) == 0;
    }
};

}  // namespace

TEST_F(CpArchive, NodesAreStoredUnderTheirNamesAndDirectoriesWithoutContents) {
    pc::write_file_atomic(src + "/a.txt", "alpha");
    ::mkdir((src + "/sub").c_str(), 0750);
    pc::write_file_atomic(src + "/sub/inner.txt", "not listed");
    ASSERT_EQ(::symlink("a.txt", (src + "/link").c_str()), 0);
    pc::UniqueFd out = memfd();
    write_nodes_archive({{src + "/a.txt", "app/deep/a.txt"},
                         {src + "/sub", "app/sub"},
                         {src + "/link", "app/link"},
                         {src + "/vanished", "app/vanished"}},
                        out.get());
    ASSERT_EQ(extract_raw(out.get()), "");
    EXPECT_EQ(content(dest + "/app/deep/a.txt"), "alpha");
    struct stat st {};
    ASSERT_EQ(::stat((dest + "/app/deep").c_str(), &st), 0);  // made for its entry
    EXPECT_EQ(st.st_mode & 07777, 0755u);
    ASSERT_EQ(::stat((dest + "/app/sub").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0750u);
    EXPECT_FALSE(exists(dest + "/app/sub/inner.txt"));
    char target[64] = {};
    ASSERT_GT(::readlink((dest + "/app/link").c_str(), target, sizeof target - 1), 0);
    EXPECT_STREQ(target, "a.txt");
    EXPECT_FALSE(exists(dest + "/app/vanished"));
}

TEST_F(CpArchive, RawStreamsOverwriteFilesButNeverWriteThroughSymlinks) {
    pc::write_file_atomic(dest + "/old.txt", "old");
    ASSERT_EQ(::symlink(tmp.path.c_str(), (dest + "/escape").c_str()), 0);
    pc::UniqueFd ok = memfd(make_tar({{"old.txt", 'f', "new"}}));
    ASSERT_EQ(extract_raw(ok.get()), "");
    EXPECT_EQ(content(dest + "/old.txt"), "new");
    // A missing parent is made, but an existing symlink on the way is not followed.
    pc::UniqueFd bad = memfd(make_tar({{"escape/x/planted", 'f', "no"}}));
    EXPECT_NE(extract_raw(bad.get()), "");
    EXPECT_FALSE(exists(tmp.path + "/x"));
    pc::UniqueFd dots = memfd(make_tar({{"a/../../planted", 'f', "no"}}));
    EXPECT_NE(extract_raw(dots.get()), "");
    EXPECT_FALSE(exists(tmp.path + "/planted"));
}
