// The layer order of docs/architecture.md, enforced: every `#include "DIR/..."` in a
// library folder must name that folder or one the order puts below it. A new include
// that points upward (image/ including container/, say) fails here, so the folders keep
// the order as they grow.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <string>

namespace {

namespace fs = std::filesystem;

// Each library folder and the folders it may include (besides itself).
const std::map<std::string, std::set<std::string>>& allowed() {
    static const std::map<std::string, std::set<std::string>> table = {
        {"common", {}},
        {"rootless", {"common"}},
        {"storage", {"rootless", "common"}},
        {"image", {"storage", "rootless", "common"}},
        {"net", {"rootless", "common"}},
        {"container", {"net", "image", "storage", "rootless", "common"}},
        {"pod", {"container", "net", "image", "storage", "rootless", "common"}},
        // The builder (imagebuild/: build/ is where CMake builds).
        {"imagebuild", {"pod", "container", "net", "image", "storage", "rootless", "common"}},
        {"compose", {"imagebuild", "pod", "container", "net", "image", "storage", "rootless", "common"}},
        {"cli", {"compose", "imagebuild", "pod", "container", "net", "image", "storage", "rootless", "common"}},
    };
    return table;
}

TEST(Layering, IncludesPointDownwardOnly) {
    const fs::path root = PC_SOURCE_DIR;
    const std::regex include(R"(^\s*#\s*include\s*"([a-z_]+)/)");
    int files = 0;
    for (const auto& [folder, may] : allowed()) {
        if (!fs::exists(root / folder)) continue;
        for (const auto& entry : fs::recursive_directory_iterator(root / folder)) {
            const auto ext = entry.path().extension();
            if (ext != ".cpp" && ext != ".hpp") continue;
            ++files;
            std::ifstream in(entry.path());
            std::string line;
            int number = 0;
            while (std::getline(in, line)) {
                ++number;
                std::smatch m;
                if (!std::regex_search(line, m, include)) continue;
                const std::string target = m[1];
                if (target == folder || !allowed().count(target)) continue;
                EXPECT_TRUE(may.count(target)) << fs::relative(entry.path(), root).string() << ":" << number << ": "
                                               << folder << "/ must not include " << target
                                               << "/ (docs/architecture.md: dependencies point downward only)";
            }
        }
    }
    EXPECT_GT(files, 100);  // the tree was found
}

// A top-level folder with C++ sources that the table does not know would escape the check.
TEST(Layering, EveryLibraryFolderIsInTheOrder) {
    const fs::path root = PC_SOURCE_DIR;
    for (const auto& entry : fs::directory_iterator(root)) {
        if (!entry.is_directory()) continue;
        const std::string name = entry.path().filename().string();
        if (name == "tests" || name == "bench" || name[0] == '.' || name.rfind("build", 0) == 0) continue;
        bool has_sources = false;
        for (const auto& f : fs::directory_iterator(entry.path()))
            if (f.path().extension() == ".cpp") has_sources = true;
        if (has_sources) {
            EXPECT_TRUE(allowed().count(name)) << name << "/ has sources but no place in the layer order";
        }
    }
}

}  // namespace
