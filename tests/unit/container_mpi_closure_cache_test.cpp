// --mpi=host's closure cache: used while nothing it read has changed, found again when a
// library is rebuilt, a plugin directory appears or the variables steering the search
// change.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/atomic_file.hpp"
#include "compose_test_util.hpp"
#include "container/mpi_closure_cache.hpp"

using namespace pc::container;
using pctest::TempDir;
namespace fs = std::filesystem;

namespace {

// A fake MPI: a small real shared library (it needs only the C library) named libmpi.so.40.
struct FakeMpi {
    TempDir dir;
    std::string lib = dir.path() + "/mpi/lib/libmpi.so.40";
    std::string runroot = dir.path() + "/run";
    std::vector<std::string> env = {"PATH=/nonexistent", "PC_MPI_LIBRARY=" + lib};
    FakeMpi() {
        fs::create_directories(dir.path() + "/mpi/lib");
        fs::create_directories(runroot);
        fs::copy_file("/usr/lib/x86_64-linux-gnu/libz.so.1", lib);
    }
    // Marks the cached entry, so that a hit can be told from a search.
    void mark_cache() const {
        auto j = pc::read_json(mpi_closure_cache_path(runroot));
        j["library_path"] = {"/marked"};
        pc::write_json_atomic(mpi_closure_cache_path(runroot), j);
    }
    static bool marked(const HostMpi& m) { return m.library_path == std::vector<std::string>{"/marked"}; }
};

}  // namespace

TEST(MpiClosureCache, SecondLaunchUsesTheCache) {
    if (!fs::exists("/usr/lib/x86_64-linux-gnu/libz.so.1")) GTEST_SKIP() << "no libz.so.1 to play libmpi";
    FakeMpi f;
    HostMpi first = cached_host_mpi(f.env, f.runroot);
    EXPECT_EQ(first.library, f.lib);
    bool bound = false;  // in the tmpfs of the closure's libraries
    for (const auto& m : first.mounts)
        bound |= m.source == f.lib && m.destination == std::string(kMpiLibraryDir) + "/libmpi.so.40";
    EXPECT_TRUE(bound);
    ASSERT_TRUE(fs::exists(mpi_closure_cache_path(f.runroot)));
    f.mark_cache();
    EXPECT_TRUE(FakeMpi::marked(cached_host_mpi(f.env, f.runroot)));
}

TEST(MpiClosureCache, ARebuiltLibraryIsFoundAgain) {
    if (!fs::exists("/usr/lib/x86_64-linux-gnu/libz.so.1")) GTEST_SKIP() << "no libz.so.1 to play libmpi";
    FakeMpi f;
    cached_host_mpi(f.env, f.runroot);
    f.mark_cache();
    std::ofstream(f.lib, std::ios::app) << "rebuilt";
    HostMpi again = cached_host_mpi(f.env, f.runroot);
    EXPECT_FALSE(FakeMpi::marked(again));
    EXPECT_EQ(again.library, f.lib);
}

TEST(MpiClosureCache, APluginDirectoryAppearingIsFound) {
    if (!fs::exists("/usr/lib/x86_64-linux-gnu/libz.so.1")) GTEST_SKIP() << "no libz.so.1 to play libmpi";
    FakeMpi f;
    cached_host_mpi(f.env, f.runroot);
    f.mark_cache();
    fs::create_directories(f.dir.path() + "/mpi/lib/openmpi");
    HostMpi again = cached_host_mpi(f.env, f.runroot);
    EXPECT_FALSE(FakeMpi::marked(again));
    bool plugins = false;
    for (const auto& m : again.mounts) plugins |= m.destination == f.dir.path() + "/mpi/lib/openmpi";
    EXPECT_TRUE(plugins);
}

TEST(MpiClosureCache, OtherSteeringVariablesSearchAgain) {
    if (!fs::exists("/usr/lib/x86_64-linux-gnu/libz.so.1")) GTEST_SKIP() << "no libz.so.1 to play libmpi";
    FakeMpi f;
    cached_host_mpi(f.env, f.runroot);
    f.mark_cache();
    const std::string extra = f.dir.write("site/mpi.conf", "x");
    auto env = f.env;
    env.push_back("PC_MPI_BIND=" + extra);
    HostMpi again = cached_host_mpi(env, f.runroot);
    EXPECT_FALSE(FakeMpi::marked(again));
    bool bound = false;
    for (const auto& m : again.mounts) bound |= m.destination == extra;
    EXPECT_TRUE(bound);
}

TEST(MpiClosureCache, AnUnreadableEntryIsReplaced) {
    if (!fs::exists("/usr/lib/x86_64-linux-gnu/libz.so.1")) GTEST_SKIP() << "no libz.so.1 to play libmpi";
    FakeMpi f;
    pc::write_file_atomic(mpi_closure_cache_path(f.runroot), "{\"format\": 1, \"key\": ");
    EXPECT_EQ(cached_host_mpi(f.env, f.runroot).library, f.lib);
    EXPECT_EQ(pc::read_json(mpi_closure_cache_path(f.runroot)).value("library", ""), f.lib);
}

TEST(MpiClosureCache, AnotherPcsEntryIsNotUsed) {
    if (!fs::exists("/usr/lib/x86_64-linux-gnu/libz.so.1")) GTEST_SKIP() << "no libz.so.1 to play libmpi";
    FakeMpi f;
    cached_host_mpi(f.env, f.runroot);
    f.mark_cache();
    auto j = pc::read_json(mpi_closure_cache_path(f.runroot));
    j["program"] = "another build of pc";  // which may bind the closure another way
    pc::write_json_atomic(mpi_closure_cache_path(f.runroot), j);
    EXPECT_FALSE(FakeMpi::marked(cached_host_mpi(f.env, f.runroot)));
}
