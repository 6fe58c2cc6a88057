// compose-go's full example (nearly every attribute, short and long syntax) must print
// exactly as compose-go prints it, in YAML and JSON, and load again to the same output.
#include <gtest/gtest.h>

#include "compose/emit.hpp"
#include "compose/loader.hpp"
#include "compose_test_util.hpp"

namespace {

using namespace pc::compose;

const char* kHome = "/home/pc-test";

LoadOptions full_example_options() {
    std::string dir = pctest::compose_fixture("compose-go/full-example");
    LoadOptions o = pctest::options_in(dir, {dir + "/full-example.yml"},
                                       {{"HOME", kHome}, {"BAR", "this is a secret"}, {"QUX", "qux_from_environment"}});
    // As compose-go's test loaded it: no normalization, no consistency checks (it depends
    // on services it does not define), env_file and label_file kept, every resource kept.
    o.normalize = false;
    o.consistency = false;
    o.all_resources = true;
    o.discard_env_files = false;
    return o;
}

std::string expected(const char* name) {
    std::string dir = pctest::compose_fixture("compose-go/full-example");
    std::string text = pctest::read_file_text(dir + "/" + name);
    text = pctest::replace_all(text, "{{WORKING_DIR}}", dir);
    return pctest::replace_all(text, "{{HOME_DIR}}", kHome);
}

TEST(ComposeFullExample, YamlIsComposeGosCanonicalForm) {
    Project p = load_project(full_example_options());
    EXPECT_EQ(render_project(p, OutputFormat::Yaml), expected("full-example.expected.tmpl.yml"));
}

}  // namespace

namespace {

TEST(ComposeFullExample, JsonIsComposeGosJson) {
    Project p = load_project(full_example_options());
    EXPECT_EQ(render_project(p, OutputFormat::Json), expected("full-example.expected.tmpl.json"));
}

TEST(ComposeFullExample, OutputLoadsAgainToTheSameOutput) {
    pctest::TempDir tmp;
    std::string first = render_project(load_project(full_example_options()), OutputFormat::Yaml);
    std::string again_file = tmp.write("compose.yaml", first);
    LoadOptions o = full_example_options();
    o.files = {again_file};
    EXPECT_EQ(render_project(load_project(o), OutputFormat::Yaml), first);
}

}  // namespace
