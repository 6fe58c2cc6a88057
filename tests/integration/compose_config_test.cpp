// pc compose config / version as a user runs them: file discovery, -f (several, stdin),
// -p, --project-directory, --profile, --env-file, COMPOSE_FILE, COMPOSE_PATH_SEPARATOR,
// COMPOSE_PROJECT_NAME, COMPOSE_PROFILES, COMPOSE_ENV_FILES, every config output mode,
// exit statuses and error messages. Nothing here needs a store or a container.
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "harness.hpp"

using namespace pcit;

namespace {

// A temporary project directory, removed afterwards.
class Project {
public:
    Project() : dir_(make_temp_dir("pc-compose-")) {}
    ~Project() { remove_tree(dir_); }
    const std::string& dir() const { return dir_; }
    std::string path(const std::string& rel) const { return dir_ + "/" + rel; }
    void file(const std::string& rel, const std::string& content) const {
        std::string p = path(rel);
        sh("mkdir -p \"$(dirname '" + p + "')\"");
        write_file(p, content);
    }

private:
    std::string dir_;
};

// `pc compose ARGS` in `cwd` with no COMPOSE_* variable from the caller's environment.
Result compose(const std::vector<std::string>& args, const std::string& cwd,
               std::map<std::string, std::string> env = {}, std::optional<std::string> input = std::nullopt) {
    RunOpts o;
    o.cwd = cwd;
    o.env = std::move(env);
    o.input = std::move(input);
    o.unset_env = {"COMPOSE_FILE", "COMPOSE_PROJECT_NAME", "COMPOSE_PROFILES", "COMPOSE_ENV_FILES",
                   "COMPOSE_PATH_SEPARATOR", "COMPOSE_DISABLE_ENV_FILE"};
    std::vector<std::string> argv = {pc_binary(), "compose"};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv, o);
}

const char* kWeb = "services:\n  web:\n    image: busybox\n";

}  // namespace

TEST(ComposeConfig, FindsComposeFileInAParentDirectoryWithItsOverride) {
    Project p;
    p.file("compose.yaml", "services:\n  web:\n    image: busybox\n    command: [sleep, '1']\n");
    p.file("compose.override.yaml", "services:\n  web:\n    image: busybox:musl\n");
    p.file("deep/er/.keep", "");
    Result r = compose({"config"}, p.path("deep/er"));
    ASSERT_TRUE(r.ok()) << r;
    EXPECT_TRUE(contains(r.out, "image: busybox:musl")) << r;
    EXPECT_TRUE(contains(r.out, "- sleep")) << r;
    // The project is named after the directory of the file (normalized as Compose does).
    std::string base = p.dir().substr(p.dir().rfind('/') + 1), name;
    for (char c : base)
        if (isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') name.push_back(static_cast<char>(tolower(c)));
    EXPECT_EQ(lines(r.out)[0], "name: " + name) << r;
}

TEST(ComposeConfig, FileNamesInDockerComposesOrder) {
    Project p;
    p.file("docker-compose.yml", "services:\n  from-yml:\n    image: busybox\n");
    p.file("docker-compose.yaml", "services:\n  from-yaml:\n    image: busybox\n");
    Result r = compose({"config", "--services"}, p.dir());
    ASSERT_TRUE(r.ok()) << r;
    EXPECT_EQ(trim(r.out), "from-yml") << r;
    EXPECT_TRUE(contains(r.err, "Found multiple config files")) << r;
}

TEST(ComposeConfig, NoComposeFileIsAnError) {
    Project p;
    Result r = compose({"config"}, p.dir());
    EXPECT_EQ(r.exit_code, 1) << r;
    EXPECT_TRUE(contains(r.err, "Error: no configuration file provided: not found")) << r;
}

TEST(ComposeConfig, SeveralFilesMergeInOrder) {
    Project p;
    p.file("a.yml", "services:\n  web:\n    image: busybox\n    environment: {A: '1', B: '1'}\n");
    p.file("b.yml", "services:\n  web:\n    environment:\n      - B=2\n      - C=3\n");
    Result r = compose({"-f", "a.yml", "-f", "b.yml", "-p", "shop", "config"}, p.dir());
    ASSERT_TRUE(r.ok()) << r;
    EXPECT_TRUE(contains(r.out, "name: shop\n")) << r;
    EXPECT_TRUE(contains(r.out, "      A: \"1\"\n      B: \"2\"\n      C: \"3\"\n")) << r;
}

TEST(ComposeConfig, ReadsTheComposeFileFromStdin) {
    Project p;
    Result r = compose({"-f", "-", "config", "--services"}, p.dir(), {}, std::string("name: piped\n") + kWeb);
    ASSERT_TRUE(r.ok()) << r;
    EXPECT_EQ(trim(r.out), "web") << r;
}

TEST(ComposeConfig, ProjectDirectoryAnchorsPathsAndDotEnv) {
    Project p;
    p.file("proj/.env", "TAG=1.2\n");
    p.file("files/compose.yaml", "services:\n  web:\n    image: busybox:${TAG}\n    volumes:\n      - ./data:/data\n");
    Result r = compose({"-f", "files/compose.yaml", "--project-directory", "proj", "config"}, p.dir());
    ASSERT_TRUE(r.ok()) << r;
    EXPECT_TRUE(contains(r.out, "image: busybox:1.2")) << r;
    EXPECT_TRUE(contains(r.out, "source: " + p.path("proj/data"))) << r;
    EXPECT_TRUE(contains(r.out, "name: proj\n")) << r;
}

TEST(ComposeConfig, ComposeFileVariableAndSeparator) {
    Project p;
    p.file("a.yml", kWeb);
    p.file("b.yml", "services:\n  db:\n    image: busybox\n");
    Result r = compose({"config", "--services"}, p.dir(), {{"COMPOSE_FILE", "a.yml:b.yml"}});
    ASSERT_TRUE(r.ok()) << r;
    EXPECT_EQ(lines(r.out), (std::vector<std::string>{"db", "web"})) << r;
    r = compose({"config", "--services"}, p.dir(), {{"COMPOSE_FILE", "a.yml;b.yml"}, {"COMPOSE_PATH_SEPARATOR", ";"}});
    ASSERT_TRUE(r.ok()) << r;
    EXPECT_EQ(lines(r.out), (std::vector<std::string>{"db", "web"})) << r;
    r = compose({"config"}, p.dir(), {{"COMPOSE_FILE", "missing.yml"}});
    EXPECT_EQ(r.exit_code, 1) << r;
    EXPECT_TRUE(contains(r.err, "missing.yml: no such file or directory")) << r;
}

TEST(ComposeConfig, ComposeFileFromDotEnvAndWhatBeatsIt) {
    Project p;
    p.file(".env", "COMPOSE_FILE=from-dotenv.yml\n");
    p.file("custom.env", "COMPOSE_FILE=from-env-file.yml\n");
    p.file("from-dotenv.yml", "services:\n  dotenv-service:\n    image: busybox\n");
    p.file("from-env-file.yml", "services:\n  env-file-service:\n    image: busybox\n");
    p.file("explicit.yml", "services:\n  explicit-service:\n    image: busybox\n");
    p.file("var.yml", "services:\n  var-service:\n    image: busybox\n");
    EXPECT_EQ(trim(compose({"config", "--services"}, p.dir()).out), "dotenv-service");
    EXPECT_EQ(trim(compose({"--env-file", "custom.env", "config", "--services"}, p.dir()).out), "env-file-service");
    EXPECT_EQ(trim(compose({"-f", "explicit.yml", "config", "--services"}, p.dir()).out), "explicit-service");
    EXPECT_EQ(trim(compose({"config", "--services"}, p.dir(), {{"COMPOSE_FILE", "var.yml"}}).out), "var-service");
    Result r = compose({"--env-file", "missing.env", "config"}, p.dir());
    EXPECT_EQ(r.exit_code, 1) << r;
    EXPECT_TRUE(contains(r.err, "couldn't find env file: " + p.path("missing.env"))) << r;
}

TEST(ComposeConfig, ProjectNamePrecedence) {
    Project p;
    p.file("compose.yaml", std::string("name: from-file\n") + kWeb);
    EXPECT_TRUE(contains(compose({"config"}, p.dir()).out, "name: from-file\n"));
    EXPECT_TRUE(contains(compose({"config"}, p.dir(), {{"COMPOSE_PROJECT_NAME", "from-env"}}).out, "name: from-env\n"));
    EXPECT_TRUE(contains(compose({"-p", "from-flag", "config"}, p.dir(), {{"COMPOSE_PROJECT_NAME", "from-env"}}).out,
                         "name: from-flag\n"));
    Result r = compose({"-p", "Bad Name", "config"}, p.dir());
    EXPECT_EQ(r.exit_code, 1) << r;
    EXPECT_TRUE(contains(r.err, "invalid project name \"Bad Name\"")) << r;
}

TEST(ComposeConfig, ProfilesFromFlagsAndEnvironment) {
    Project p;
    p.file("compose.yaml",
           "services:\n  default-service:\n    image: busybox\n  service-1:\n    image: busybox\n    profiles: [profile-1]\n"
           "  service-2:\n    image: busybox\n    profiles: [profile-2]\n");
    auto services = [&](std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
        args.insert(args.end(), {"config", "--services"});
        return lines(compose(args, p.dir(), env).out);
    };
    using V = std::vector<std::string>;
    EXPECT_EQ(services({}), V{"default-service"});
    EXPECT_EQ(services({"--profile", "profile-1"}), (V{"default-service", "service-1"}));
    EXPECT_EQ(services({"--profile", "profile-1", "--profile", "profile-2"}), (V{"default-service", "service-1", "service-2"}));
    EXPECT_EQ(services({}, {{"COMPOSE_PROFILES", "profile-1, profile-2"}}), (V{"default-service", "service-1", "service-2"}));
    EXPECT_EQ(services({}, {{"COMPOSE_PROFILES", ","}}), V{"default-service"});
    EXPECT_EQ(services({"--profile", "*"}), (V{"default-service", "service-1", "service-2"}));
    // --profiles lists every profile, active or not.
    EXPECT_EQ(lines(compose({"config", "--profiles"}, p.dir()).out), (V{"profile-1", "profile-2"}));
}

TEST(ComposeConfig, NamingAProfiledServicePullsItInWithItsDependencies) {
    Project p;
    p.file("compose.yaml",
           "services:\n  web:\n    image: busybox\n  debug:\n    image: busybox\n    profiles: [debug]\n    depends_on: [db]\n"
           "  db:\n    image: busybox\n    profiles: [test]\n");
    Result r = compose({"config", "debug"}, p.dir());
    ASSERT_TRUE(r.ok()) << r;
    EXPECT_TRUE(contains(r.out, "  debug:\n")) << r;
    EXPECT_TRUE(contains(r.out, "  db:\n")) << r;
    EXPECT_FALSE(contains(r.out, "  web:\n")) << r;
    // Enabling the profile without naming the service: its dependency stays disabled.
    r = compose({"--profile", "debug", "config"}, p.dir());
    EXPECT_EQ(r.exit_code, 1) << r;
    EXPECT_TRUE(contains(r.err, "depends on undefined service \"db\"")) << r;
    EXPECT_TRUE(contains(r.err, "profile(s) test")) << r;
}

TEST(ComposeConfig, EnvFilesLaterWinsProcessEnvironmentWinsOverAll) {
    Project p;
    p.file("one.env", "A=one\nB=one\n");
    p.file("two.env", "B=two\n");
    p.file("compose.yaml", "services:\n  web:\n    image: busybox\n    command: echo $A $B $C\n");
    Result r = compose({"--env-file", "one.env", "--env-file", "two.env", "config"}, p.dir(), {{"C", "proc"}});
    ASSERT_TRUE(r.ok()) << r;
    EXPECT_TRUE(contains(r.out, "- one\n      - two\n      - proc\n")) << r;
    r = compose({"config"}, p.dir(), {{"COMPOSE_ENV_FILES", "two.env,one.env"}, {"B", "proc"}});
    ASSERT_TRUE(r.ok()) << r;
    EXPECT_TRUE(contains(r.out, "- one\n      - proc\n")) << r;
}

TEST(ComposeConfig, ShortSyntaxEnvironmentFromDotEnv) {
    Project p;
    p.file(".env", "ZZVAR3=TEST\n");
    p.file("compose.yaml", "services:\n  app:\n    image: busybox\n    environment:\n      - ZZVAR3\n      - UNSET_ONE\n");
    Result r = compose({"config"}, p.dir());
    ASSERT_TRUE(r.ok()) << r;
    EXPECT_TRUE(contains(r.out, "    environment:\n      UNSET_ONE: null\n      ZZVAR3: TEST\n")) << r;
}

TEST(ComposeConfig, VersionAttributeWarnsAndIsDropped) {
    Project p;
    p.file("compose.yaml", std::string("version: '3'\n") + kWeb);
    Result r = compose({"config"}, p.dir());
    ASSERT_TRUE(r.ok()) << r;
    EXPECT_FALSE(contains(r.out, "version")) << r;
    EXPECT_TRUE(contains(r.err, "the attribute `version` is obsolete, it will be ignored")) << r;
}

TEST(ComposeConfig, QuietOutputAndFormats) {
    Project p;
    p.file("compose.yaml", "services:\n  web:\n    image: busybox\n    labels: {price: \"$$5\"}\n");
    Result q = compose({"config", "-q"}, p.dir());
    EXPECT_TRUE(q.ok()) << q;
    EXPECT_EQ(q.out, "") << q;
    Result o = compose({"config", "-o", "out.yml"}, p.dir());
    ASSERT_TRUE(o.ok()) << o;
    EXPECT_EQ(o.out, "") << o;
    Result y = compose({"config"}, p.dir());
    EXPECT_EQ(read_file(p.path("out.yml")), y.out);
    EXPECT_TRUE(contains(y.out, "price: $$5")) << y;
    Result j = compose({"config", "--format", "json"}, p.dir());
    ASSERT_TRUE(j.ok()) << j;
    nlohmann::json doc = nlohmann::json::parse(j.out);
    EXPECT_EQ(doc["services"]["web"]["image"], "busybox");
    EXPECT_TRUE(doc["services"]["web"]["command"].is_null());
    Result bad = compose({"config", "--format", "toml"}, p.dir());
    EXPECT_EQ(bad.exit_code, 1) << bad;
    // The output of config is itself a compose file that gives the same output.
    Result again = compose({"-f", "-", "config"}, p.dir(), {}, y.out);
    ASSERT_TRUE(again.ok()) << again;
    EXPECT_EQ(again.out, y.out);
}

TEST(ComposeConfig, ListingModes) {
    Project p;
    p.file("compose.yaml",
           "services:\n  web:\n    build: .\n    depends_on: [db]\n    volumes: [data:/data]\n  db:\n    image: postgres:16\n"
           "volumes:\n  data: {}\n  unused: {}\nnetworks:\n  other: {}\n");
    EXPECT_EQ(lines(compose({"config", "--services"}, p.dir()).out), (std::vector<std::string>{"db", "web"}));
    EXPECT_EQ(lines(compose({"config", "--volumes"}, p.dir()).out), (std::vector<std::string>{"data"}));
    EXPECT_EQ(lines(compose({"--all-resources", "config", "--volumes"}, p.dir()).out),
              (std::vector<std::string>{"data", "unused"}));
    EXPECT_EQ(lines(compose({"config", "--networks"}, p.dir()).out), (std::vector<std::string>{"default"}));
    EXPECT_EQ(lines(compose({"-p", "shop", "config", "--images"}, p.dir()).out),
              (std::vector<std::string>{"postgres:16", "shop-web"}));
    Result h = compose({"config", "--hash", "*"}, p.dir());
    ASSERT_TRUE(h.ok()) << h;
    ASSERT_EQ(lines(h.out).size(), 2u) << h;
    EXPECT_EQ(lines(h.out)[0].substr(0, 3), "db ");
    EXPECT_EQ(lines(h.out)[0].size(), 3u + 64u);
    Result one = compose({"config", "--hash", "web"}, p.dir());
    EXPECT_EQ(lines(one.out), std::vector<std::string>{lines(h.out)[1]}) << one;
}

TEST(ComposeConfig, HashChangesWithTheServiceButNotWithItsScale) {
    Project p;
    p.file("compose.yaml", "services:\n  web:\n    image: busybox\n    command: [sleep, '1']\n");
    std::string h1 = trim(compose({"config", "--hash", "web"}, p.dir()).out);
    p.file("compose.yaml", "services:\n  web:\n    image: busybox\n    command: [sleep, '1']\n    scale: 3\n");
    EXPECT_EQ(trim(compose({"config", "--hash", "web"}, p.dir()).out), h1);
    p.file("compose.yaml", "services:\n  web:\n    image: busybox\n    command: [sleep, '2']\n");
    EXPECT_NE(trim(compose({"config", "--hash", "web"}, p.dir()).out), h1);
}

TEST(ComposeConfig, NoInterpolateVariablesAndEnvironment) {
    Project p;
    p.file("compose.yaml", "services:\n  web:\n    image: busybox:${TAG:-latest}\n    command: echo ${GREETING:?say hi}\n");
    Result raw = compose({"config", "--no-interpolate"}, p.dir());
    ASSERT_TRUE(raw.ok()) << raw;
    EXPECT_TRUE(contains(raw.out, "image: busybox:${TAG:-latest}")) << raw;
    Result vars = compose({"config", "--variables"}, p.dir());
    ASSERT_TRUE(vars.ok()) << vars;
    EXPECT_TRUE(contains(vars.out, "NAME                REQUIRED            DEFAULT VALUE       ALTERNATE VALUE\n")) << vars;
    EXPECT_TRUE(contains(vars.out, "GREETING            true")) << vars;
    EXPECT_TRUE(contains(vars.out, "TAG                 false               latest")) << vars;
    Result env = compose({"config", "--environment"}, p.dir(), {{"GREETING", "hello"}});
    ASSERT_TRUE(env.ok()) << env;
    EXPECT_TRUE(contains(env.out, "GREETING=hello\n")) << env;
    EXPECT_TRUE(contains(env.out, "COMPOSE_PROJECT_NAME=")) << env;
}

TEST(ComposeConfig, NoPathResolutionNoNormalizeNoConsistency) {
    Project p;
    p.file("compose.yaml", "services:\n  web:\n    image: busybox\n    volumes: [./src:/src]\n    depends_on: [ghost]\n");
    Result strict = compose({"config"}, p.dir());
    EXPECT_EQ(strict.exit_code, 1) << strict;
    Result r = compose({"config", "--no-consistency", "--no-path-resolution", "--no-normalize"}, p.dir());
    ASSERT_TRUE(r.ok()) << r;
    EXPECT_TRUE(contains(r.out, "source: ./src")) << r;
    EXPECT_FALSE(contains(r.out, "networks:")) << r;
    EXPECT_TRUE(contains(r.out, "ghost:")) << r;
}

TEST(ComposeConfig, IncludedFilesResolveTheirOwnRelativePaths) {
    Project p;
    p.file("compose.yaml", "name: include-relative-paths\ninclude:\n  - sub/included.yaml\n");
    p.file("sub/included.yaml",
           "services:\n  web:\n    image: busybox\n    env_file: [./local.env, ../shared.env]\n"
           "    volumes: [./data:/data:ro, ../assets:/assets:ro]\n");
    p.file("sub/local.env", "LOCAL=1\n");
    p.file("shared.env", "SHARED=1\n");
    Result r = compose({"config"}, p.dir());
    ASSERT_TRUE(r.ok()) << r;
    EXPECT_TRUE(contains(r.out, "source: " + p.path("sub/data"))) << r;
    EXPECT_TRUE(contains(r.out, "source: " + p.path("assets"))) << r;
    EXPECT_TRUE(contains(r.out, "      LOCAL: \"1\"\n      SHARED: \"1\"\n")) << r;
}

TEST(ComposeConfig, InterpolationInValuesAndErrors) {
    Project p;
    p.file(".env", "DOT_ENV_VARIABLE=from .env\nTEST_LABELS=TEST\n");
    p.file("compose.yaml",
           "services:\n  variables:\n    image: busybox\n    environment:\n"
           "      EXAMPLE_VARIABLE: \"Host user: $EXAMPLE_VARIABLE_USER\"\n"
           "      EXAMPLE_COLON_DASH_DEFAULT: ${NOT_A_VARIABLE:-My default}\n"
           "      EXAMPLE_DOT_ENV: $DOT_ENV_VARIABLE\n      EXAMPLE_LITERAL: This is a $$literal\n"
           "    labels:\n      - \"$TEST_LABELS=test_labels\"\n      - test.${TEST_LABELS}=${TEST_LABELS}\n");
    p.file("error.yml", "services:\n  variables:\n    image: busybox\n    environment:\n      X: ${NOT_A_VARIABLE:?Missing variable}\n");
    Result r = compose({"config"}, p.dir(), {{"EXAMPLE_VARIABLE_USER", "test_user"}});
    ASSERT_TRUE(r.ok()) << r;
    EXPECT_TRUE(contains(r.out, "EXAMPLE_COLON_DASH_DEFAULT: My default")) << r;
    EXPECT_TRUE(contains(r.out, "EXAMPLE_DOT_ENV: from .env")) << r;
    EXPECT_TRUE(contains(r.out, "EXAMPLE_LITERAL: This is a $$literal")) << r;
    EXPECT_TRUE(contains(r.out, "EXAMPLE_VARIABLE: 'Host user: test_user'")) << r;
    EXPECT_TRUE(contains(r.out, "      TEST: test_labels\n      test.TEST: TEST\n")) << r;
    Result e = compose({"-f", "error.yml", "config"}, p.dir());
    EXPECT_EQ(e.exit_code, 1) << e;
    EXPECT_TRUE(contains(e.err, "Error: " + p.path("error.yml") + ":5:10: error while interpolating "
                                "services.variables.environment.X: required variable NOT_A_VARIABLE is missing a "
                                "value: Missing variable")) << e;
}

TEST(ComposeConfig, InvalidFilesExitOneAndSayWhere) {
    Project p;
    p.file("parse-error.yml", "version: \"3\"\nservices:foo\n    web1:\n      image: busybox\n");
    Result r = compose({"-f", "parse-error.yml", "config"}, p.dir());
    EXPECT_EQ(r.exit_code, 1) << r;
    EXPECT_TRUE(contains(r.err, "Error: " + p.path("parse-error.yml") + ":3:")) << r;
    EXPECT_EQ(r.out, "") << r;
    p.file("unknown.yml", "services:\n  web:\n    image: busybox\n    portz: [80]\n");
    r = compose({"-f", "unknown.yml", "config"}, p.dir());
    EXPECT_EQ(r.exit_code, 1) << r;
    EXPECT_TRUE(contains(r.err, p.path("unknown.yml") + ":4:5: services.web additional properties 'portz' not allowed"))
        << r;
    p.file("secrets.yml", "services:\n  tester:\n    image: busybox\n    secrets:\n      s:\n        source: s\n");
    r = compose({"-f", "secrets.yml", "config", "-q"}, p.dir());
    EXPECT_EQ(r.exit_code, 1) << r;
    EXPECT_TRUE(contains(r.err, "services.tester.secrets must be a array")) << r;
    // Command-line mistakes are pc's usage errors (125), as for every pc command.
    r = compose({"config", "--no-such-flag"}, p.dir());
    EXPECT_EQ(r.exit_code, 125) << r;
}

TEST(ComposeVersion, PrintsADockerComposeVersion) {
    Project p;
    Result r = compose({"version"}, p.dir());
    ASSERT_TRUE(r.ok()) << r;
    EXPECT_EQ(r.out.rfind("Docker Compose version v2.", 0), 0u) << r;
    Result s = compose({"version", "--short"}, p.dir());
    EXPECT_EQ(s.out.rfind("2.", 0), 0u) << s;
    EXPECT_EQ(lines(s.out).size(), 1u);
    Result j = compose({"version", "--format", "json"}, p.dir());
    EXPECT_EQ(nlohmann::json::parse(j.out)["version"].get<std::string>().rfind("v2.", 0), 0u) << j;
    Result v = compose({"--version"}, p.dir());
    EXPECT_EQ(v.out, r.out) << v;
    // COMPOSE_FILE naming a missing file does not matter to version.
    EXPECT_TRUE(compose({"version"}, p.dir(), {{"COMPOSE_FILE", "missing.yml"}}).ok());
}
