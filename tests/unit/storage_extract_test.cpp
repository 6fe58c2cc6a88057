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

// umoci writes an entry for "/" first; `tar -C dir .` writes "./" (and GNU tar "."): each
// names the layer root, whose mode it sets; nothing is written anywhere else.
TEST_F(ExtractFixture, EveryNameOfTheRootAppliesToTheRoot) {
    for (const char* name : {"/", "./", "."}) {
        TempDir t;
        const std::string r = t.path + "/layer";
        ::mkdir(r.c_str(), 0755);
        Extracted x = extract(r, make_tar({{name, 'd', "", 0750}, {"a", 'f', "in the layer"}}));
        ASSERT_EQ(x.error, "") << name;
        struct stat st {};
        ASSERT_EQ(::stat(r.c_str(), &st), 0);
        EXPECT_EQ(st.st_mode & 07777, 0750u) << name;
        EXPECT_EQ(pc::read_file(r + "/a"), "in the layer");
        EXPECT_EQ(::system(("test \"$(ls -A " + t.path + " | tr '\\n' ' ')\" = 'layer layer.tar '").c_str()), 0) << name;
    }
    Extracted not_dir = extract(root, make_tar({{"/", 'f', "x"}}));
    EXPECT_NE(not_dir.error.find("the layer root must be a directory"), std::string::npos) << not_dir.error;
}

// Go's archive/tar writer, when Close() is not called (umoci, some registries' tools),
// ends the archive right after the last member's data: without the end-of-archive blocks,
// and without the padding to a 512-byte block. Go's reader, Docker and Podman accept
// that, and so does pc: the diff id is still the digest of the bytes as they are.
TEST_F(ExtractFixture, AcceptsAnArchiveThatEndsAfterItsLastCompleteMember) {
    const std::string data(700, 'y');
    const std::string full = make_tar({{"d/", 'd', "", 0755}, {"d/f", 'f', data}});
    const size_t data_start = full.find(data);
    ASSERT_NE(data_start, std::string::npos);
    ASSERT_EQ(data_start % 512, 0u);
    const size_t data_end = data_start + data.size();
    for (size_t end : {data_end, data_end + 100, data_start + 1024, data_start + 1536}) {
        TempDir t;
        const std::string r = t.path + "/layer";
        ::mkdir(r.c_str(), 0755);
        const std::string cut = full.substr(0, end);
        Extracted x = extract(r, cut);
        ASSERT_EQ(x.error, "") << "ending at " << end;
        EXPECT_EQ(pc::read_file(r + "/d/f"), data);
        EXPECT_EQ(x.result.diff_id, "sha256:" + sha256_hex(cut));
        EXPECT_EQ(x.result.size, cut.size());
    }
    // Also gzip-compressed, and with a directory (no data) as the last member.
    const std::string dirs = make_tar({{"a/", 'd'}, {"b/", 'd'}});
    Extracted d = extract(root, dirs.substr(0, 1024));
    EXPECT_EQ(d.error, "");
    TempDir t;
    const std::string plain = t.path + "/nopad.tar";
    pc::write_file_atomic(plain, full.substr(0, data_end));
    ASSERT_EQ(::system(("gzip -k " + plain).c_str()), 0);
    const std::string r = t.path + "/layer";
    ::mkdir(r.c_str(), 0755);
    Extracted gz = extract(r, pc::read_file(plain + ".gz"));
    ASSERT_EQ(gz.error, "");
    EXPECT_EQ(pc::read_file(r + "/d/f"), data);
    EXPECT_EQ(gz.result.diff_id, "sha256:" + sha256_hex(full.substr(0, data_end)));
}

TEST_F(ExtractFixture, AMemberOrHeaderCutShortIsStillTruncated) {
    const std::string data(700, 'y');
    const std::string full = make_tar({{"d/", 'd', "", 0755}, {"d/f", 'f', data}, {"z", 'f', ""}});
    const size_t data_start = full.find(data);
    ASSERT_NE(data_start, std::string::npos);
    // In the second header, right at the data, one byte of data short, in the next
    // header (the last member's own header without its data is not a complete member).
    for (size_t end : {size_t{700}, data_start - 1, data_start + 1, data_start + data.size() - 1, data_start + 1024 + 100}) {
        TempDir t;
        const std::string r = t.path + "/layer";
        ::mkdir(r.c_str(), 0755);
        Extracted x = extract(r, full.substr(0, end));
        EXPECT_NE(x.error.find("truncated"), std::string::npos) << "ending at " << end << ": " << x.error;
    }
}

// "etc/x -> ../../../usr/bin/x" is common in distribution images and legal: inside the
// container ".." stops at its root. Such links are stored; extraction never writes, links
// or whites out through them (nor through any link it made).
TEST_F(ExtractFixture, SymlinksClimbingAboveTheRootAreStoredAndNeverFollowed) {
    Extracted x = extract(root, make_tar({{"etc/", 'd'}, {"etc/x", 'l', "../../../usr/bin/x"}, {"a/b/up", 'l', "../../../../.."}}));
    ASSERT_EQ(x.error, "");
    char target[64] = {};
    ASSERT_GT(::readlink((root + "/etc/x").c_str(), target, sizeof(target) - 1), 0);
    EXPECT_STREQ(target, "../../../usr/bin/x");

    // Links that, followed from wherever the layer is, would reach `outside`.
    pc::write_file_atomic(outside + "/file", "host file");
    const std::string up = "../../../../../../../../../../.." + outside;
    std::vector<std::vector<TarEntry>> through = {
        {{"up", 'l', up}, {"up/pwned", 'f', "x"}},
        {{"up", 'l', up}, {"up/sub/", 'd'}},
        {{"up", 'l', up}, {"up/.wh.file", 'f'}},
        {{"up", 'l', up}, {"up/.wh..wh..opq", 'f'}},
        {{"up", 'l', up}, {"stolen", 'h', "up/file"}},
        {{"up", 'l', up}, {"up", 'l', "elsewhere"}, {"up/pwned", 'f', "x"}},
        {{"up", 'l', up}, {"up", 'd', "", 0777}, {"up/pwned", 'f', "x"}},  // replaced by a real dir: fine
    };
    for (size_t i = 0; i < through.size(); ++i) {
        TempDir t;
        const std::string r = t.path + "/layer";
        ::mkdir(r.c_str(), 0755);
        Extracted w = extract(r, make_tar(through[i]));
        if (i + 1 < through.size()) EXPECT_NE(w.error, "") << "case " << i;
        else EXPECT_EQ(pc::read_file(r + "/up/pwned"), "x");
    }
    EXPECT_EQ(pc::read_file(outside + "/file"), "host file");
    EXPECT_FALSE(exists(outside + "/pwned"));
    EXPECT_FALSE(exists(outside + "/sub"));
    struct stat st {};
    ASSERT_EQ(::stat((outside + "/file").c_str(), &st), 0);
    EXPECT_EQ(st.st_nlink, 1u);
    char v[4] = {};
    EXPECT_LT(::getxattr(outside.c_str(), "user.overlay.opaque", v, sizeof(v)), 0);
}
