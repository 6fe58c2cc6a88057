// Layer extraction against hostile tars, run directly (no user namespace): the entries are
// owned by the test's own uid, so chown needs no privilege.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include "common/atomic_file.hpp"
#include "common/error.hpp"
#include "common/fd.hpp"
#include "storage/digest.hpp"
#include "storage/tar_extract.hpp"
#include "storage_test_util.hpp"

using namespace pc::storage;
using storage_test::make_tar;
using storage_test::TarEntry;
using storage_test::TempDir;

namespace {

struct Extracted {
    ExtractResult result;
    std::string error;
};

Extracted extract(const std::string& root, const std::string& tar) {
    std::string file = root + ".tar";
    pc::write_file_atomic(file, tar);
    pc::UniqueFd in(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
    pc::UniqueFd dir(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    Extracted out;
    try {
        out.result = extract_layer(in.get(), dir.get(), ExtractOptions{});
    } catch (const pc::Error& e) {
        out.error = e.what();
    }
    return out;
}

struct ExtractFixture : ::testing::Test {
    TempDir tmp;
    std::string root = tmp.path + "/layer";
    std::string outside = tmp.path + "/outside";
    void SetUp() override {
        ::mkdir(root.c_str(), 0755);
        ::mkdir(outside.c_str(), 0755);
    }
    bool exists(const std::string& p) {
        struct stat st {};
        return ::lstat(p.c_str(), &st) == 0;
    }
};

}  // namespace

TEST_F(ExtractFixture, ExtractsAndHashesTheUncompressedStream) {
    std::string tar = make_tar({{"./", 'd', "", 0755},
                                {"bin/", 'd', "", 0755},
                                {"bin/busybox", 'f', "ELF", 04755},
                                {"bin/sh", 'l', "busybox"},
                                {"bin/ls", 'h', "bin/busybox"},
                                {"etc/passwd", 'f', "root:x:0:0::/root:/bin/sh\n", 0644},
                                {"run/fifo", 'p', "", 0600}});
    Extracted x = extract(root, tar);
    ASSERT_EQ(x.error, "");
    EXPECT_EQ(x.result.diff_id, "sha256:" + sha256_hex(tar));
    EXPECT_EQ(x.result.size, tar.size());
    struct stat st {};
    ASSERT_EQ(::stat((root + "/bin/busybox").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 04755u);
    EXPECT_EQ(st.st_mtime, 1700000000);
    EXPECT_EQ(st.st_nlink, 2u);  // bin/ls
    char target[64] = {};
    ASSERT_GT(::readlink((root + "/bin/sh").c_str(), target, sizeof(target)), 0);
    EXPECT_STREQ(target, "busybox");
    ASSERT_EQ(::lstat((root + "/run/fifo").c_str(), &st), 0);
    EXPECT_TRUE(S_ISFIFO(st.st_mode));
    EXPECT_EQ(pc::read_file(root + "/etc/passwd"), "root:x:0:0::/root:/bin/sh\n");
}

TEST_F(ExtractFixture, GzipStreamHashesDecompressedBytes) {
    std::string tar = make_tar({{"a", 'f', "hello"}});
    std::string plain = tmp.path + "/plain.tar";
    pc::write_file_atomic(plain, tar);
    ASSERT_EQ(::system(("gzip -k " + plain).c_str()), 0);
    std::string gz = pc::read_file(plain + ".gz");
    Extracted x = extract(root, gz);
    ASSERT_EQ(x.error, "");
    EXPECT_EQ(x.result.diff_id, "sha256:" + sha256_hex(tar));
    EXPECT_EQ(pc::read_file(root + "/a"), "hello");
}

TEST_F(ExtractFixture, RefusesHostileEntries) {
    struct Case {
        std::vector<TarEntry> entries;
        std::string expect;
    };
    std::vector<Case> cases = {
        {{{"../evil", 'f', "x"}}, "tar entry \"../evil\": path escapes the layer"},
        {{{"a/../../evil", 'f', "x"}}, "path escapes the layer"},
        {{{"/abs", 'f', "x"}}, "tar entry \"/abs\": absolute path not allowed"},
        {{{"x", 'h', "../../etc/passwd"}}, "hard link target"},
        {{{"x", 'h', "/etc/passwd"}}, "hard link target"},
        {{{"x", 'h', "missing"}}, "does not exist in this layer"},
        {{{"d/", 'd'}, {"x", 'h', "d"}}, "is a directory"},
        {{{"bin/sh", 'l', "../../etc"}}, "escapes the layer"},
        {{{"link", 'l', outside}, {"link/passwd", 'f', "pwned"}}, "refusing to write through it"},
        {{{"link", 'l', "."}, {"link/x", 'f', "pwned"}}, "refusing to write through it"},
        {{{"dev/null", 'c', "", 0666, -1, -1, 1, 3}}, "device nodes are not allowed (char device 1:3)"},
        {{{"x", 'f', "data"}, {"x/y", 'f', "data"}}, "refusing to write through it"},
        {{{".wh.", 'f'}}, "invalid whiteout name"},
    };
    for (const auto& c : cases) {
        TempDir t;
        std::string r = t.path + "/layer";
        ::mkdir(r.c_str(), 0755);
        Extracted x = extract(r, make_tar(c.entries));
        EXPECT_NE(x.error.find(c.expect), std::string::npos) << "got: " << x.error << " want: " << c.expect;
    }
    // Nothing was written through the absolute symlink.
    EXPECT_FALSE(exists(outside + "/passwd"));
}

TEST_F(ExtractFixture, AbsoluteSymlinkIsFineButNotFollowed) {
    Extracted x = extract(root, make_tar({{"etc", 'l', outside}, {"ok", 'l', "/etc/passwd"}}));
    ASSERT_EQ(x.error, "");
    struct stat st {};
    ASSERT_EQ(::lstat((root + "/etc").c_str(), &st), 0);
    EXPECT_TRUE(S_ISLNK(st.st_mode));
}

TEST_F(ExtractFixture, ReplacesAndMerges) {
    Extracted x = extract(root, make_tar({{"a", 'l', "b"},
                                          {"a", 'f', "file now"},
                                          {"d/", 'd', "", 0700},
                                          {"d/1", 'f', "1"},
                                          {"d/", 'd', "", 0755},
                                          {"e/", 'd', "", 0755},
                                          {"e/x", 'f', "x"},
                                          {"e", 'f', "replaced dir"}}));
    ASSERT_EQ(x.error, "");
    EXPECT_EQ(pc::read_file(root + "/a"), "file now");
    EXPECT_EQ(pc::read_file(root + "/d/1"), "1");
    struct stat st {};
    ::stat((root + "/d").c_str(), &st);
    EXPECT_EQ(st.st_mode & 0777, 0755u);
    EXPECT_EQ(pc::read_file(root + "/e"), "replaced dir");
}

TEST_F(ExtractFixture, WhiteoutsBecomeOverlayMarkers) {
    Extracted x = extract(root, make_tar({{"etc/", 'd', "", 0755}, {"etc/.wh.passwd", 'f'}, {"var/.wh..wh..opq", 'f'}}));
    ASSERT_EQ(x.error, "");
    struct stat st {};
    ASSERT_EQ(::lstat((root + "/etc/passwd").c_str(), &st), 0);
    EXPECT_TRUE(S_ISCHR(st.st_mode));
    EXPECT_EQ(st.st_rdev, makedev(0, 0));
    EXPECT_FALSE(exists(root + "/etc/.wh.passwd"));
    char v[4] = {};
    ASSERT_EQ(::getxattr((root + "/var").c_str(), "user.overlay.opaque", v, sizeof(v)), 1);
    EXPECT_EQ(v[0], 'y');
}

TEST_F(ExtractFixture, InvalidStreams) {
    Extracted x = extract(root, std::string(5000, '\x5a'));
    EXPECT_NE(x.error.find("not a valid tar archive"), std::string::npos) << x.error;
    std::string tar = make_tar({{"big", 'f', std::string(100000, 'x')}});
    Extracted t = extract(root, tar.substr(0, 20000));
    EXPECT_NE(t.error.find("truncated"), std::string::npos) << t.error;
}
