// registries.conf read with toml++ (image/registries_conf): both formats, drop-in merging,
// what the old hand-written reader got wrong, registry rewrites, and errors that name the
// file and line.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "common/error.hpp"
#include "image/reference.hpp"
#include "image/registries_conf.hpp"

using namespace pc::image;

namespace {

std::string error_of(const std::string& text, bool drop_in = false) {
    RegistriesConf c;
    try {
        parse_registries_conf(text, "/etc/containers/test.conf", c, drop_in);
    } catch (const pc::Error& e) {
        return e.what();
    }
    return "<no error>";
}

std::vector<std::string> sources(const RegistriesConf& c, const std::string& ref) {
    std::vector<std::string> out;
    for (const auto& s : pull_sources(parse_qualified(ref), c)) out.push_back(s.ref.str() + (s.insecure ? " insecure" : ""));
    return out;
}

}  // namespace

TEST(ImageRegistriesConf, V2WithWhatTheOldReaderGotWrong) {
    RegistriesConf c;
    parse_registries_conf(R"(
unqualified-search-registries = ["quay.io",   # a comment inside the array
  "docker.io",]
short-name-mode = "disabled"
[aliases]
  "my app, with comma" = "quay.io/team/myapp"   # spaces and commas in a quoted key
  "esc\"aped" = "docker.io/library/busybox"
  'literal' = 'quay.io/x/literal'
)", "t.conf", c);
    EXPECT_EQ(c.search, (std::vector<std::string>{"quay.io", "docker.io"}));
    EXPECT_EQ(c.mode(), ShortNameMode::Disabled);
    EXPECT_EQ(c.aliases.at("my app, with comma"), "quay.io/team/myapp");
    EXPECT_EQ(c.aliases.at("esc\"aped"), "docker.io/library/busybox");  // the escape is decoded
    EXPECT_EQ(c.aliases.at("literal"), "quay.io/x/literal");
    EXPECT_EQ(c.files, std::vector<std::string>{"t.conf"});
}

TEST(ImageRegistriesConf, V1Format) {
    RegistriesConf c;
    parse_registries_conf(R"(
[registries.search]
registries = ['docker.io', "quay.io"]
[registries.insecure]
registries = ["localhost:5000"]
[registries.block]
registries = ["evil.example"]
)", "v1.conf", c);
    EXPECT_EQ(c.search, (std::vector<std::string>{"docker.io", "quay.io"}));
    EXPECT_TRUE(c.insecure("localhost:5000"));
    EXPECT_FALSE(c.insecure("localhost:5001"));
    EXPECT_THROW(pull_sources(parse_qualified("evil.example/x:1"), c), pc::Error);
    EXPECT_EQ(resolve_short_name("busybox", c),
              (std::vector<std::string>{"docker.io/library/busybox", "quay.io/busybox"}));
}

TEST(ImageRegistriesConf, RegistryRewritesMirrorsAndWildcards) {
    RegistriesConf c;
    parse_registries_conf(R"(
[[registry]]
prefix = "example.com/foo"
location = "internal.example:5000/bar"
[[registry.mirror]]
location = "mirror.example/bar"
insecure = true
[[registry.mirror]]
location = "digests.example/bar"
pull-from-mirror = "digest-only"

[[registry]]
prefix = "*.corp.example"
insecure = true

[[registry]]
location = "blocked.example"
blocked = true
)", "r.conf", c);
    EXPECT_EQ(sources(c, "example.com/foo/app:1"),
              (std::vector<std::string>{"mirror.example/bar/app:1 insecure", "internal.example:5000/bar/app:1"}));
    const std::string digest = "sha256:" + std::string(64, 'a');
    EXPECT_EQ(sources(c, "example.com/foo/app@" + digest).size(), 3u);
    EXPECT_EQ(sources(c, "example.com/foobar/app:1"), std::vector<std::string>{"example.com/foobar/app:1"});
    EXPECT_EQ(sources(c, "reg.corp.example/x:1"), std::vector<std::string>{"reg.corp.example/x:1 insecure"});
    try {
        pull_sources(parse_qualified("blocked.example/x:1"), c);
        FAIL();
    } catch (const pc::Error& e) {
        EXPECT_NE(std::string(e.what()).find("blocked"), std::string::npos);
        EXPECT_NE(std::string(e.what()).find("r.conf"), std::string::npos);
    }
}

TEST(ImageRegistriesConf, DropInsOverrideByKeyAndPrefix) {
    RegistriesConf c;
    parse_registries_conf("unqualified-search-registries = [\"a.io\"]\n[aliases]\nx = \"a.io/x\"\ny = \"a.io/y\"\n"
                          "[[registry]]\nlocation = \"r.io\"\ninsecure = true\n",
                          "main.conf", c);
    parse_registries_conf("[aliases]\nx = \"b.io/x\"\ny = \"\"\n[[registry]]\nlocation = \"r.io\"\n", "d/01.conf", c, true);
    EXPECT_EQ(c.search, std::vector<std::string>{"a.io"});  // not set by the drop-in: kept
    EXPECT_EQ(c.aliases.at("x"), "b.io/x");
    EXPECT_EQ(c.aliases.count("y"), 0u);                    // "" removes an alias
    EXPECT_FALSE(c.insecure("r.io"));                       // the drop-in's entry replaced it
    EXPECT_EQ(c.files, (std::vector<std::string>{"main.conf", "d/01.conf"}));
}

TEST(ImageRegistriesConf, ErrorsNameFileLineAndKey) {
    EXPECT_EQ(error_of("a = 1\n\nunqualified-search-registries = \"docker.io\"\n"),
              "/etc/containers/test.conf:3: unqualified-search-registries: expected an array of strings, got a string");
    std::string syntax = error_of("[aliases\n");
    EXPECT_EQ(syntax.rfind("/etc/containers/test.conf:1:", 0), 0u) << syntax;
    EXPECT_NE(error_of("[[registry]]\nlocation = \"https://x.io\"\n").find("test.conf:2: registry[0].location: invalid location"),
              std::string::npos);
    EXPECT_NE(error_of("short-name-mode = \"prompt\"\n").find("invalid short-name mode \"prompt\""), std::string::npos);
    EXPECT_NE(error_of("[aliases]\n\"docker.io/x\" = \"quay.io/x\"\n").find("test.conf:2"), std::string::npos);
    EXPECT_NE(error_of("[aliases]\nx = \"x\"\n").find("fully qualified"), std::string::npos);
    EXPECT_NE(error_of("[registries.search]\nregistries = [\"a.io\"]\n", true).find("drop-in"), std::string::npos);
    EXPECT_NE(error_of("unqualified-search-registries = [\"b.io\"]\n[registries.search]\nregistries = [\"a.io\"]\n")
                  .find("mixing"),
              std::string::npos);
    EXPECT_NE(error_of("unqualified-search-registries = [\"https://x\"]\n").find("invalid registry"), std::string::npos);
    EXPECT_NE(error_of("[[registry]]\ninsecure = true\n").find("neither location nor prefix"), std::string::npos);
}

TEST(ImageRegistriesConf, LoadsUserFileAndItsDropIns) {
    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() / ("pc-regconf-" + std::to_string(::getpid()));
    fs::create_directories(dir / "containers/registries.conf.d");
    std::ofstream(dir / "containers/registries.conf") << "unqualified-search-registries = [\"user.io\"]\n";
    std::ofstream(dir / "containers/registries.conf.d/10-a.conf") << "[aliases]\nz = \"user.io/z\"\n";
    std::ofstream(dir / "containers/registries.conf.d/ignored.txt") << "not toml [";
    ::setenv("XDG_CONFIG_HOME", dir.c_str(), 1);
    ::unsetenv("REGISTRIES_CONFIG_PATH");
    ::unsetenv("CONTAINERS_REGISTRIES_CONF");
    RegistriesConf c = load_registries_conf();
    EXPECT_EQ(c.search, std::vector<std::string>{"user.io"});
    EXPECT_EQ(c.aliases.at("z"), "user.io/z");
    ASSERT_EQ(c.files.size(), 2u);  // the user's file makes the system's drop-ins not apply
    ::setenv("CONTAINERS_REGISTRIES_CONF", (dir / "missing.conf").c_str(), 1);
    EXPECT_THROW(load_registries_conf(), pc::Error);
    ::unsetenv("CONTAINERS_REGISTRIES_CONF");
    ::unsetenv("XDG_CONFIG_HOME");
    fs::remove_all(dir);
}
