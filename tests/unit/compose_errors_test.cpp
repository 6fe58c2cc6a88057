// Every class of invalid compose file is refused with exit status 1 and a message that names
// the file, the line (and column) and the key path, and says why.
#include <gtest/gtest.h>

#include "common/error.hpp"
#include "compose/loader.hpp"
#include "compose_test_util.hpp"

namespace {

using namespace pc::compose;

struct ErrorCase {
    const char* name;
    const char* yaml;
    int line;              // where the message must point (compose.yaml:LINE:)
    const char* key_path;  // "" when the class has none (YAML syntax)
    const char* why;       // a fragment of the reason
    EnvMap env = {};
};

void PrintTo(const ErrorCase& c, std::ostream* os) { *os << c.name; }

const ErrorCase kCases[] = {
    {"yaml_syntax", "services:foo\n    web1:\n      image: busybox\n", 2, "", "yaml: "},
    {"duplicate_key", "services:\n  web:\n    image: a\n    image: b\n", 4, "", "mapping key \"image\" already defined at line 3"},
    {"non_string_key", "services:\n  web:\n    image: a\n    environment:\n      1: x\n", 5, "services.web.environment",
     "non-string key"},
    {"unknown_key", "services:\n  web:\n    image: a\n    portz:\n      - 80\n", 4, "services.web",
     "additional properties 'portz' not allowed"},
    {"unknown_top_level_key", "services:\n  web:\n    image: a\nservice:\n  x: 1\n", 4, "(root)",
     "additional properties 'service' not allowed"},
    {"ports_not_a_list", "services:\n  web:\n    image: a\n    ports: 80\n", 4, "services.web.ports", "must be a array"},
    {"ports_a_mapping", "services:\n  web:\n    image: a\n    ports:\n      http: 80\n", 5, "services.web.ports",
     "must be a array"},
    {"wrong_type_deep", "services:\n  web:\n    image: a\n    environment:\n      FOO: [1]\n", 5,
     "services.web.environment.FOO", "must be a boolean, null, number or string"},
    {"bad_enum", "services:\n  web:\n    image: a\n    depends_on:\n      db:\n        condition: sometime\n  db:\n    image: b\n",
     6, "services.web.depends_on.db.condition", "value must be one of 'service_started'"},
    {"bad_duration", "services:\n  web:\n    image: a\n    healthcheck:\n      interval: 10x\n", 5,
     "services.web.healthcheck.interval", "time: unknown unit \"x\" in duration \"10x\""},
    {"bad_byte_size", "services:\n  web:\n    image: a\n    mem_limit: 5 bananas\n", 4, "services.web.mem_limit",
     "invalid suffix"},
    {"bad_restart_policy", "services:\n  web:\n    image: a\n    restart: sometimes\n", 4, "services.web.restart",
     "invalid restart policy \"sometimes\""},
    {"bad_port_spec", "services:\n  web:\n    image: a\n    ports:\n      - \"80:80:80:80\"\n", 5, "services.web.ports[0]",
     "Invalid ip address"},
    {"bad_volume_spec", "services:\n  web:\n    image: a\n    volumes:\n      - \"/a::/b\"\n", 5, "services.web.volumes[0]",
     "empty section between colons"},
    {"bad_command_quotes", "services:\n  web:\n    image: a\n    command: echo \"unterminated\n", 4, "services.web.command",
     "invalid command line string"},
    {"undefined_service", "services:\n  web:\n    image: a\n    depends_on:\n      - db\n", 5, "", "depends on undefined service \"db\""},
    {"undefined_network", "services:\n  web:\n    image: a\n    networks:\n      - back\n", 5, "", "refers to undefined network back"},
    {"undefined_volume", "services:\n  web:\n    image: a\n    volumes:\n      - data:/data\n", 5, "", "refers to undefined volume data"},
    {"undefined_secret", "services:\n  web:\n    image: a\n    secrets:\n      - token\n", 5, "", "refers to undefined secret token"},
    {"undefined_config", "services:\n  web:\n    image: a\n    configs:\n      - cfg\n", 5, "", "refers to undefined config cfg"},
    {"dependency_cycle",
     "services:\n  a:\n    image: x\n    depends_on: [b]\n  b:\n    image: x\n    depends_on: [c]\n  c:\n    image: x\n    depends_on: [a]\n",
     10, "", "dependency cycle detected: a -> b -> c -> a"},
    {"container_name_with_scale", "services:\n  web:\n    image: a\n    container_name: web\n    scale: 2\n", 4, "",
     "can't set container_name and scale as container name must be unique"},
    {"container_name_with_replicas", "services:\n  web:\n    image: a\n    container_name: web\n    deploy:\n      replicas: 3\n",
     4, "", "can't set container_name and deploy.replicas"},
    {"required_variable", "services:\n  web:\n    image: ${TAG:?set TAG to the release to run}\n", 3, "services.web.image",
     "required variable TAG is missing a value: set TAG to the release to run"},
    {"invalid_template", "services:\n  web:\n    image: \"${\"\n", 3, "services.web.image", "invalid interpolation format"},
    {"cast_failure", "services:\n  web:\n    image: a\n    deploy:\n      replicas: ${N}\n", 5, "services.web.deploy.replicas",
     "failed to cast to expected type", {{"N", "three"}}},
    {"no_image_no_build", "services:\n  web:\n    command: echo\n", 2, "", "has neither an image nor a build context"},
    {"extends_missing_service", "services:\n  web:\n    extends: base\n", 3, "", "service \"base\" not found"},
    {"extends_cycle", "services:\n  a:\n    image: x\n    extends: b\n  b:\n    image: x\n    extends: a\n", 4, "",
     "Circular reference"},
    {"external_with_driver", "services:\n  web:\n    image: a\nvolumes:\n  data:\n    external: true\n    driver: x\n", 7,
     "volumes.data", "conflicting parameters \"external\" and \"driver\""},
    {"secret_without_source", "services:\n  web:\n    image: a\nsecrets:\n  s:\n    labels: {a: b}\n", 6, "secrets.s",
     "one of file|environment must be set"},
    {"invalid_host_ip", "services:\n  web:\n    image: a\n    ports:\n      - target: 80\n        host_ip: 300.1.1.1\n", 6,
     "services.web.ports[0]", "invalid ip address"},
    {"duplicate_mount_target", "services:\n  web:\n    image: a\n    tmpfs: /data\n    volumes:\n      - db:/data\nvolumes:\n  db: {}\n",
     6, "services.web.volumes[0]", "already mounted as services.web.tmpfs[0]"},
};

class ComposeError : public testing::TestWithParam<ErrorCase> {};

TEST_P(ComposeError, NamesFileLineAndKeyPath) {
    const ErrorCase& c = GetParam();
    pctest::TempDir dir;
    std::string file = dir.write("compose.yaml", c.yaml);
    LoadOptions o = pctest::options_in(dir.path(), {file}, c.env);
    try {
        load_project(o);
        FAIL() << c.name << ": loaded";
    } catch (const pc::Error& e) {
        std::string msg = e.what();
        EXPECT_EQ(e.exit_code(), 1) << msg;
        EXPECT_NE(msg.find(file + ":" + std::to_string(c.line) + ":"), std::string::npos) << msg;
        EXPECT_NE(msg.find(c.key_path), std::string::npos) << msg;
        EXPECT_NE(msg.find(c.why), std::string::npos) << msg;
    }
}

INSTANTIATE_TEST_SUITE_P(Classes, ComposeError, testing::ValuesIn(kCases),
                         [](const testing::TestParamInfo<ErrorCase>& info) { return std::string(info.param.name); });

TEST(ComposeErrors, SecretsAsAMappingAreRefused) {
    // A service's secrets given as a mapping (podman-compose's invalid_secrets_dict).
    pctest::TempDir dir;
    std::string file = dir.write("compose.yaml",
                                 "services:\n  tester:\n    image: busybox\n    secrets:\n      s:\n        source: s\n");
    try {
        load_project(pctest::options_in(dir.path(), {file}));
        FAIL();
    } catch (const pc::Error& e) {
        EXPECT_NE(std::string(e.what()).find(file + ":5:"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("services.tester.secrets must be a array"), std::string::npos) << e.what();
    }
}

TEST(ComposeErrors, IncludeCycleIsNamed) {
    pctest::TempDir dir;
    dir.write("a.yaml", "include:\n  - b.yaml\nservices:\n  a:\n    image: x\n");
    dir.write("b.yaml", "include:\n  - a.yaml\nservices:\n  b:\n    image: x\n");
    try {
        load_project(pctest::options_in(dir.path(), {dir.path() + "/a.yaml"}));
        FAIL();
    } catch (const pc::Error& e) {
        EXPECT_NE(std::string(e.what()).find("include cycle detected"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find(dir.path() + "/b.yaml:2:"), std::string::npos) << e.what();
    }
}

TEST(ComposeErrors, IncludeConflictIsReported) {
    pctest::TempDir dir;
    dir.write("other.yaml", "services:\n  web:\n    image: nginx\n");
    std::string file = dir.write("compose.yaml", "include:\n  - other.yaml\nservices:\n  web:\n    image: httpd\n");
    try {
        load_project(pctest::options_in(dir.path(), {file}));
        FAIL();
    } catch (const pc::Error& e) {
        EXPECT_NE(std::string(e.what()).find(file + ":4:"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("services.web conflicts with imported resource"), std::string::npos) << e.what();
    }
}

TEST(ComposeErrors, MissingEnvFileIsNamed) {
    pctest::TempDir dir;
    std::string file = dir.write("compose.yaml", "services:\n  web:\n    image: a\n    env_file: missing.env\n");
    try {
        load_project(pctest::options_in(dir.path(), {file}));
        FAIL();
    } catch (const pc::Error& e) {
        EXPECT_NE(std::string(e.what()).find(file + ":4:"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("env file " + dir.path() + "/missing.env not found"), std::string::npos)
            << e.what();
    }
}

TEST(ComposeErrors, InvalidProjectName) {
    pctest::TempDir dir;
    std::string file = dir.write("compose.yaml", "services:\n  web:\n    image: a\n");
    LoadOptions o = pctest::options_in(dir.path(), {file});
    o.project_name = "My Project";
    EXPECT_THROW(load_project(o), pc::Error);
    o.project_name.clear();
    o.os_environment["COMPOSE_PROJECT_NAME"] = "UPPER";
    EXPECT_THROW(load_project(o), pc::Error);
}

TEST(ComposeErrors, NoComposeFileFound) {
    pctest::TempDir dir;
    LoadOptions o = pctest::options_in(dir.path(), {});
    try {
        load_project(o);
        FAIL();
    } catch (const pc::Error& e) {
        EXPECT_EQ(e.exit_code(), 1);
        EXPECT_NE(std::string(e.what()).find("no configuration file provided"), std::string::npos) << e.what();
    }
}

}  // namespace
