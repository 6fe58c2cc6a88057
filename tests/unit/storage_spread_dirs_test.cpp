// The store's containers/ and layers/ carry FS_TOPDIR_FL where the file system has it
// (storage/spread_dirs.cpp: ext4 then allocates each container's and layer's tree away
// from the inodes freed in the last seconds).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "common/fd.hpp"
#include "storage/spread_dirs.hpp"
#include "storage/store.hpp"
#include "storage_test_util.hpp"

using namespace pc::storage;

namespace {

// The dir's inode flags, or -1 where the file system has none (tmpfs).
int inode_flags(const std::string& dir) {
    pc::UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    int flags = 0;
    if (!fd || ::ioctl(fd.get(), FS_IOC_GETFLAGS, &flags) < 0) return -1;
    return flags;
}

}  // namespace

TEST(StorageSpreadDirs, StoreMarksContainersAndLayers) {
    storage_test::TempDir dir;
    if (inode_flags(dir.path) < 0) GTEST_SKIP() << dir.path << ": no inode flags on this file system";
    Store store{StoreOptions{dir.path + "/root", dir.path + "/run", Driver::Vfs}};
    store.lock();  // lays the store out
    EXPECT_TRUE(inode_flags(dir.path + "/root/containers") & FS_TOPDIR_FL);
    EXPECT_TRUE(inode_flags(dir.path + "/root/layers") & FS_TOPDIR_FL);
    EXPECT_FALSE(inode_flags(dir.path + "/root/blobs") & FS_TOPDIR_FL);
}

TEST(StorageSpreadDirs, BestEffort) {
    storage_test::TempDir dir;
    EXPECT_FALSE(spread_subdirectories(dir.path + "/missing"));
    const bool has_flags = inode_flags(dir.path) >= 0;
    EXPECT_EQ(spread_subdirectories(dir.path), has_flags);
    EXPECT_EQ(spread_subdirectories(dir.path), has_flags);  // already marked: no change
    if (has_flags) {
        EXPECT_TRUE(inode_flags(dir.path) & FS_TOPDIR_FL);
    }
    EXPECT_FALSE(spread_subdirectories("/proc/self"));  // procfs: no such flag
}
