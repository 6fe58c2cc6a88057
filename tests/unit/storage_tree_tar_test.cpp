#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "common/fd.hpp"
#include "storage/tree_tar.hpp"
#include "storage_test_util.hpp"

using namespace pc::storage;

namespace {

std::string tar_of(const std::string& dir, const KnownContent* known) {
    pc::UniqueFd out(::memfd_create("tree-tar-test", MFD_CLOEXEC));
    write_tree_tar({dir}, out.get(), TreeTarView::Diff, std::nullopt, known);
    std::string bytes;
    EXPECT_EQ(::lseek(out.get(), 0, SEEK_SET), 0);
    EXPECT_TRUE(pc::read_to_eof(out.get(), bytes));
    return bytes;
}

struct stat stat_of(const std::string& path) {
    struct stat st {};
    EXPECT_EQ(::stat(path.c_str(), &st), 0);
    return st;
}

}  // namespace

// A build's COPY hands the layer commit the content it has just written: a file that still
// has that size and mtime is taken from memory (the bytes in memory land in the tar, which
// is how a stale or wrong entry would show); any other file is read.
TEST(StorageTreeTar, KnownContentIsUsedOnlyWhileItMatchesTheFile) {
    storage_test::TempDir tmp;
    ASSERT_EQ(::mkdir((tmp.path + "/d").c_str(), 0755), 0);
    {
        pc::UniqueFd f(::open((tmp.path + "/d/f").c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
        ASSERT_TRUE(pc::write_all(f.get(), "disk", 4));
    }
    const std::string plain = tar_of(tmp.path, nullptr);
    ASSERT_NE(plain.find("disk"), std::string::npos);
    const struct stat st = stat_of(tmp.path + "/d/f");

    const std::string same = "disk", other = "mem!";
    KnownContent known;
    known["d/f"] = KnownFile{&same, st.st_mtim};
    EXPECT_EQ(tar_of(tmp.path, &known), plain);  // the same bytes as reading the file

    known["d/f"] = KnownFile{&other, st.st_mtim};
    const std::string from_memory = tar_of(tmp.path, &known);
    EXPECT_NE(from_memory.find("mem!"), std::string::npos);
    EXPECT_EQ(from_memory.find("disk"), std::string::npos);

    struct timespec older = st.st_mtim;
    older.tv_nsec = (older.tv_nsec + 1) % 1000000000;
    known["d/f"] = KnownFile{&other, older};  // the file changed since: read it
    EXPECT_EQ(tar_of(tmp.path, &known), plain);

    const std::string longer = "disk!";
    known["d/f"] = KnownFile{&longer, st.st_mtim};  // another size: read it
    EXPECT_EQ(tar_of(tmp.path, &known), plain);

    known.clear();
    known["d"] = KnownFile{&other, stat_of(tmp.path + "/d").st_mtim};  // not a regular file
    EXPECT_EQ(tar_of(tmp.path, &known), plain);
}
