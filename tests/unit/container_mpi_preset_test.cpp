// --mpi=host: which options the preset fills in (and leaves to explicit flags), where its
// mounts and LD_LIBRARY_PATH go, and the ELF reader that finds an MPI's library closure.
#include <gtest/gtest.h>

#include "common/error.hpp"
#include "container/elf_deps.hpp"
#include "container/mpi_preset.hpp"

using namespace pc::container;

TEST(MpiPreset, FillsWhatTheFlagsLeaveOpen) {
    CreateOptions f;
    f.env = {"A=1"};
    CreateOptions o = with_mpi_options(f);
    EXPECT_EQ(o.userns, "keep-id");
    EXPECT_EQ(o.pid, "host");
    EXPECT_EQ(o.ipc, "host");
    EXPECT_EQ(o.net.network, "host");
    ASSERT_GE(o.env.size(), 2u);
    EXPECT_EQ(o.env.front(), "PMIX_*");
    EXPECT_EQ(o.env.back(), "A=1");  // after the patterns: -e wins
}

TEST(MpiPreset, ExplicitFlagsWin) {
    CreateOptions f;
    f.pid = "private";
    f.ipc = "shareable";
    f.net.networks = {"mynet"};
    CreateOptions o = with_mpi_options(f);
    EXPECT_EQ(o.pid, "private");
    EXPECT_EQ(o.ipc, "shareable");
    EXPECT_EQ(o.net.network, "");
}

TEST(MpiPreset, UnknownNameIsAnError) {
    try {
        mpi_preset("mpich", {}, "");
        FAIL() << "no error";
    } catch (const pc::Error& e) {
        EXPECT_STREQ(e.what(), "invalid --mpi \"mpich\" (valid: host)");
    }
}

TEST(MpiPreset, MountsGoFirstUnlessAFlagMountsTheSamePlace) {
    MpiPreset p;
    p.mounts = {{"bind", "/dev/shm", "/dev/shm", {}, false, false, false}, {"bind", "/tmp", "/tmp", {}, false, false, false}};
    std::vector<MountConfig> mounts = {{"bind", "/scratch/shm", "/dev/shm", {}, false, false, false},
                                       {"bind", "/data", "/tmp/data", {}, false, false, false}};
    add_mpi_mounts(mounts, p);
    ASSERT_EQ(mounts.size(), 3u);
    EXPECT_EQ(mounts[0].destination, "/tmp");  // below /tmp/data, which is mounted on top
    EXPECT_EQ(mounts[1].source, "/scratch/shm");
}

TEST(MpiPreset, LibraryPathComesBeforeTheImagesValue) {
    MpiPreset p;
    p.library_path = {"/opt/mpi/lib", "/usr/lib/x86_64-linux-gnu"};
    std::vector<std::string> env = {"PATH=/bin", "LD_LIBRARY_PATH=/app/lib"};
    prepend_library_path(env, p);
    EXPECT_EQ(env[1], "LD_LIBRARY_PATH=/opt/mpi/lib:/usr/lib/x86_64-linux-gnu:/app/lib");
    std::vector<std::string> none = {"PATH=/bin"};
    prepend_library_path(none, p);
    EXPECT_EQ(none.back(), "LD_LIBRARY_PATH=/opt/mpi/lib:/usr/lib/x86_64-linux-gnu");
}

TEST(ElfDeps, ReadsNeededLibrariesOfThisTestBinary) {
    auto deps = read_elf_deps("/proc/self/exe");
    ASSERT_TRUE(deps);
    EXPECT_NE(deps->machine, 0);
    bool libc = false;
    for (const auto& n : deps->needed) libc |= n.rfind("libc.so", 0) == 0;
    EXPECT_TRUE(libc);
    EXPECT_FALSE(read_elf_deps("/etc/passwd"));
    EXPECT_FALSE(read_elf_deps("/nonexistent"));
}
