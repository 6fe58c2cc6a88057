// Environment defaults and executable lookup of exec_container (pure decision logic).
#include <gtest/gtest.h>

#include <map>

#include "common/error.hpp"
#include "rootless/exec_lookup.hpp"

using namespace pc::rootless;

namespace {

// A fake file system: path -> state; anything else is missing.
auto fake_fs(std::map<std::string, FileCheck> files) {
    return [files = std::move(files)](const std::string& p) {
        auto it = files.find(p);
        return it == files.end() ? FileCheck::Missing : it->second;
    };
}

int code_of(const std::function<void()>& f, std::string* message = nullptr) {
    try {
        f();
    } catch (const pc::Error& e) {
        if (message) *message = e.what();
        return e.exit_code();
    }
    return 0;
}

}  // namespace

TEST(SandboxExecLookup, EnvValueLastWins) {
    std::vector<std::string> env{"A=1", "AB=2", "A=3", "EMPTY="};
    EXPECT_EQ(env_value(env, "A"), "3");
    EXPECT_EQ(env_value(env, "AB"), "2");
    EXPECT_EQ(env_value(env, "EMPTY"), "");
    EXPECT_FALSE(env_value(env, "B").has_value());
}

TEST(SandboxExecLookup, CompleteEnvAddsDefaults) {
    auto env = complete_env({"FOO=bar"}, "/home/app", "ctr", true);
    EXPECT_EQ(env_value(env, "PATH"), kDefaultPath);
    EXPECT_EQ(env_value(env, "HOME"), "/home/app");
    EXPECT_EQ(env_value(env, "TERM"), "xterm");
    EXPECT_EQ(env_value(env, "HOSTNAME"), "ctr");
    EXPECT_EQ(env_value(env, "FOO"), "bar");
}

TEST(SandboxExecLookup, CompleteEnvKeepsUserValues) {
    auto env = complete_env({"PATH=/x", "HOME=/h", "TERM=dumb", "HOSTNAME=mine"}, "/home/app", "ctr", true);
    EXPECT_EQ(env.size(), 4u);
    EXPECT_EQ(env_value(env, "PATH"), "/x");
    EXPECT_EQ(env_value(env, "HOME"), "/h");
    EXPECT_EQ(env_value(env, "TERM"), "dumb");
    EXPECT_EQ(env_value(env, "HOSTNAME"), "mine");
}

TEST(SandboxExecLookup, CompleteEnvWithoutTerminalOrHostname) {
    auto env = complete_env({}, "", "", false);
    EXPECT_FALSE(env_value(env, "TERM").has_value());
    EXPECT_FALSE(env_value(env, "HOSTNAME").has_value());
    EXPECT_EQ(env_value(env, "HOME"), "/");
    // A variable whose name only starts with PATH does not count as PATH.
    auto env2 = complete_env({"PATHX=1"}, "/", "", false);
    EXPECT_EQ(env_value(env2, "PATH"), kDefaultPath);
}

TEST(SandboxExecLookup, SearchesPathInOrder) {
    auto fs = fake_fs({{"/usr/bin/sh", FileCheck::Executable}, {"/bin/sh", FileCheck::Executable}});
    EXPECT_EQ(find_executable("sh", "/usr/local/bin:/usr/bin:/bin", fs), "/usr/bin/sh");
}

TEST(SandboxExecLookup, SkipsNonExecutableWhenAnExecutableFollows) {
    auto fs = fake_fs({{"/a/tool", FileCheck::NotExecutable}, {"/b/tool", FileCheck::Executable}});
    EXPECT_EQ(find_executable("tool", "/a:/b", fs), "/b/tool");
}

TEST(SandboxExecLookup, EmptyPathEntryMeansCurrentDirectory) {
    auto fs = fake_fs({{"./tool", FileCheck::Executable}});
    EXPECT_EQ(find_executable("tool", "/a::/b", fs), "./tool");
}

TEST(SandboxExecLookup, NotFoundIs127WithCrunMessage) {
    std::string msg;
    EXPECT_EQ(code_of([&] { find_executable("foo", "/bin", fake_fs({})); }, &msg), 127);
    EXPECT_EQ(msg, "executable file `foo` not found in $PATH: No such file or directory");
    EXPECT_EQ(code_of([&] { find_executable("/nope", "/bin", fake_fs({})); }), 127);
}

TEST(SandboxExecLookup, NotExecutableIs126NamingThePath) {
    std::string msg;
    EXPECT_EQ(code_of([&] { find_executable("/etc", "", fake_fs({{"/etc", FileCheck::NotExecutable}})); }, &msg),
              126);
    EXPECT_NE(msg.find("/etc"), std::string::npos);
    EXPECT_NE(msg.find("permission denied"), std::string::npos);
    EXPECT_EQ(code_of([&] { find_executable("x", "/a:/b", fake_fs({{"/b/x", FileCheck::NotExecutable}})); },
                      &msg),
              126);
    EXPECT_NE(msg.find("/b/x"), std::string::npos);
}

TEST(SandboxExecLookup, PathWithSlashIsNotSearched) {
    auto fs = fake_fs({{"./run.sh", FileCheck::Executable}, {"/bin/run.sh", FileCheck::Executable}});
    EXPECT_EQ(find_executable("./run.sh", "/bin", fs), "./run.sh");
}

TEST(SandboxExecLookup, ExecFailureCodes) {
    EXPECT_EQ(exec_failure_code(ENOENT), 127);
    EXPECT_EQ(exec_failure_code(EACCES), 126);
    EXPECT_EQ(exec_failure_code(ENOEXEC), 126);
    EXPECT_EQ(exec_failure_code(E2BIG), 125);
}

TEST(SandboxExecLookup, RealCheckOnHostFiles) {
    EXPECT_EQ(check_executable("/bin/sh"), FileCheck::Executable);
    EXPECT_EQ(check_executable("/"), FileCheck::NotExecutable);
    EXPECT_EQ(check_executable("/definitely/not/here"), FileCheck::Missing);
}
