// containers.conf (common/containers_conf): the keys pc applies, file order and {append},
// [pc], and errors naming file, line and key.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "common/containers_conf.hpp"
#include "common/error.hpp"

using pc::ContainersConf;

namespace {

ContainersConf parse(const std::vector<std::string>& files) {
    ContainersConf c;
    std::map<std::string, bool> append;
    for (size_t i = 0; i < files.size(); ++i) pc::parse_containers_conf(files[i], "f" + std::to_string(i) + ".conf", c, append);
    return c;
}

std::string error_of(const std::string& text) {
    try {
        parse({text});
    } catch (const pc::Error& e) {
        return e.what();
    }
    return "<no error>";
}

}  // namespace

TEST(ContainersConf, KeysUsersSet) {
    ContainersConf c = parse({R"(
[containers]
default_capabilities = ["CHOWN", "NET_RAW"]
env = ["A=1"]
http_proxy = false
dns_servers = ["1.1.1.1"]
dns_searches = ["example.com"]
dns_options = ["ndots:2"]
default_ulimits = ["nofile=1024:2048"]
log_size_max = 1048576
init = true
tz = "UTC"
umask = "0077"
pids_limit = 2048
netns = "host"
default_sysctls = ["x=1"]   # Podman's; not used by pc

[engine]
network_cmd_options = ["mtu=1500"]
stop_timeout = 3

[pc]
userns_holder = false
)"});
    EXPECT_EQ(*c.default_capabilities, (std::vector<std::string>{"CHOWN", "NET_RAW"}));
    EXPECT_EQ(c.env, std::vector<std::string>{"A=1"});
    EXPECT_FALSE(c.http_proxy);
    EXPECT_EQ(c.dns_servers, std::vector<std::string>{"1.1.1.1"});
    EXPECT_EQ(c.dns_searches, std::vector<std::string>{"example.com"});
    EXPECT_EQ(c.dns_options, std::vector<std::string>{"ndots:2"});
    EXPECT_EQ(c.default_ulimits, std::vector<std::string>{"nofile=1024:2048"});
    EXPECT_EQ(c.log_size_max, 1048576);
    EXPECT_TRUE(c.init);
    EXPECT_EQ(c.tz, "UTC");
    EXPECT_EQ(c.umask, "0077");
    EXPECT_EQ(c.pids_limit, 2048);
    EXPECT_EQ(c.netns, "host");
    EXPECT_EQ(c.network_cmd_options, std::vector<std::string>{"mtu=1500"});
    EXPECT_EQ(*c.stop_timeout, 3u);
    EXPECT_FALSE(c.userns_holder);
    EXPECT_EQ(c.where("containers.netns"), "f0.conf:15");
    EXPECT_EQ(c.where("containers.init"), "f0.conf:11");
}

TEST(ContainersConf, LaterFilesOverrideAndArraysCanAppend) {
    ContainersConf c = parse({"[containers]\nenv = [\"A=1\"]\ninit = true\ndns_servers = [\"1.1.1.1\"]\n",
                              "[containers]\nenv = [\"B=2\", {append=true}]\ndns_servers = [\"8.8.8.8\"]\n",
                              "[containers]\nenv = [\"C=3\"]\n"});
    EXPECT_EQ(c.env, (std::vector<std::string>{"A=1", "B=2", "C=3"}));  // append stays on for later files
    EXPECT_EQ(c.dns_servers, std::vector<std::string>{"8.8.8.8"});
    EXPECT_TRUE(c.init);
    ContainersConf off = parse({"[containers]\nenv = [\"A\", {append=true}]\n", "[containers]\nenv = [\"B\", {append=false}]\n"});
    EXPECT_EQ(off.env, std::vector<std::string>{"B"});
    EXPECT_EQ(off.files, (std::vector<std::string>{"f0.conf", "f1.conf"}));
}

TEST(ContainersConf, ErrorsNameFileLineAndKey) {
    EXPECT_EQ(error_of("[containers]\n\ninit = \"yes\"\n"), "f0.conf:3: containers.init: expected true or false, got a string");
    EXPECT_EQ(error_of("[containers]\nenv = [\"A\", 5]\n"), "f0.conf:2: containers.env[1]: expected a string, got an integer");
    EXPECT_NE(error_of("[containers]\numask = \"0999\"\n").find("f0.conf:2: containers.umask: invalid umask"), std::string::npos);
    EXPECT_NE(error_of("[containers]\nlog_size_max = 100\n").find("8192"), std::string::npos);
    EXPECT_NE(error_of("[pc]\nnope = 1\n").find("f0.conf:2: pc.nope: unknown pc setting"), std::string::npos);
    EXPECT_EQ(error_of("[containers\n").rfind("f0.conf:1:", 0), 0u);
    EXPECT_EQ(error_of("containers = 1\n"), "f0.conf:1: containers: expected a table, got an integer");
    // Comment lines are skipped before parsing (fast), lines keep their numbers.
    EXPECT_EQ(error_of("# a\n  # b\n\n[containers]\n# c\ninit = 1\n"),
              "f0.conf:6: containers.init: expected true or false, got an integer");
    // ... unless a multi-line string could hold a line starting with '#'.
    ContainersConf ml = parse({"[containers]\ntz = \"UTC\"\nx = \"\"\"\n# not a comment\n\"\"\"\numask = \"0077\"\n"});
    EXPECT_EQ(ml.umask, "0077");
}

TEST(ContainersConf, Umask) {
    EXPECT_EQ(pc::parse_umask("0022"), 022u);
    EXPECT_EQ(pc::parse_umask("77"), 077u);
    EXPECT_FALSE(pc::parse_umask(""));
    EXPECT_FALSE(pc::parse_umask("0o22"));
    EXPECT_FALSE(pc::parse_umask("01777"));
}

TEST(ContainersConf, ContainersConfVariableReadsOnlyThatFile) {
    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() / ("pc-ctrconf-" + std::to_string(::getpid()));
    fs::create_directories(dir / "containers/containers.conf.d");
    std::ofstream(dir / "only.conf") << "[containers]\ntz = \"local\"\n";
    std::ofstream(dir / "containers/containers.conf") << "[containers]\ninit = true\n";
    std::ofstream(dir / "containers/containers.conf.d/50-x.conf") << "[containers]\numask = \"0027\"\n";
    ::setenv("XDG_CONFIG_HOME", dir.c_str(), 1);
    ::setenv("CONTAINERS_CONF", (dir / "only.conf").c_str(), 1);
    ContainersConf only = pc::load_containers_conf();
    EXPECT_EQ(only.files, std::vector<std::string>{(dir / "only.conf").string()});
    EXPECT_EQ(only.tz, "local");
    EXPECT_FALSE(only.init);
    ::unsetenv("CONTAINERS_CONF");
    ContainersConf user = pc::load_containers_conf();
    EXPECT_TRUE(user.init);
    EXPECT_EQ(user.umask, "0027");
    ASSERT_GE(user.files.size(), 2u);
    EXPECT_EQ(user.files.back(), (dir / "containers/containers.conf.d/50-x.conf").string());
    ::setenv("CONTAINERS_CONF", (dir / "nope.conf").c_str(), 1);
    EXPECT_THROW(pc::load_containers_conf(), pc::Error);
    ::unsetenv("CONTAINERS_CONF");
    ::unsetenv("XDG_CONFIG_HOME");
    fs::remove_all(dir);
}
