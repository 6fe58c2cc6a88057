// compose-go's 72 merge fixtures (tests/fixtures/compose/compose-go/merge): loading
// `-f compose.yaml -f compose.override.yaml` must give the model that loading expected.yaml
// alone gives (for unicity-*: compose.yaml alone, whose keyed lists hold duplicates).
#include <gtest/gtest.h>

#include <filesystem>

#include "compose/loader.hpp"
#include "compose_test_util.hpp"

namespace {

using namespace pc::compose;

std::vector<std::string> merge_dirs() {
    std::vector<std::string> dirs;
    for (const auto& e : std::filesystem::directory_iterator(pctest::compose_fixture("compose-go/merge")))
        if (e.is_directory()) dirs.push_back(e.path().filename().string());
    std::sort(dirs.begin(), dirs.end());
    return dirs;
}

LoadOptions merge_options(const std::string& dir, const std::vector<std::string>& files) {
    LoadOptions o = pctest::options_in(dir, files);
    o.project_name = "test";
    // Only the merged model is compared, as compose-go's tests compared the merged trees:
    // some files are not valid compose files (build.platform, ulimits without hard) or
    // name env files, networks and services that do not exist.
    o.validate = false;
    o.consistency = false;
    o.resolve_environment = false;
    o.discard_env_files = false;
    o.all_resources = true;
    return o;
}

class ComposeMerge : public testing::TestWithParam<std::string> {};

TEST_P(ComposeMerge, FilesMergeToExpected) {
    if (GetParam() == "models-runtime-flags-merge")
        GTEST_SKIP() << "compose-go comments this test out: its merge appends runtime_flags like any list, as pc does";
    std::string dir = pctest::compose_fixture("compose-go/merge/" + GetParam());
    bool unicity = GetParam().rfind("unicity-", 0) == 0;
    std::vector<std::string> files = {dir + "/compose.yaml"};
    if (!unicity) files.push_back(dir + "/compose.override.yaml");
    std::string merged = pctest::config_yaml(merge_options(dir, files));
    std::string expected = pctest::config_yaml(merge_options(dir, {dir + "/expected.yaml"}));
    EXPECT_EQ(merged, expected);
    EXPECT_EQ(merged.rfind("ERROR", 0), std::string::npos) << merged;
}

INSTANTIATE_TEST_SUITE_P(ComposeGo, ComposeMerge, testing::ValuesIn(merge_dirs()),
                         [](const testing::TestParamInfo<std::string>& info) {
                             std::string n = info.param;
                             for (auto& c : n)
                                 if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                             return n;
                         });

TEST(ComposeMergeFixtures, All72ArePresent) { EXPECT_EQ(merge_dirs().size(), 72u); }

}  // namespace
