// The loader reads untrusted files: a YAML alias bomb, deep nesting, a 50 MB file, invalid
// UTF-8 and recursive interpolation each end with a clear error, in a child process whose
// peak memory is checked (the bound is generous: an unbounded loader would go far beyond
// it). How long each takes is measured by bench/run-compose-config-bench.
#include <gtest/gtest.h>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>

#include "common/error.hpp"
#include "compose/loader.hpp"
#include "compose_test_util.hpp"

namespace {

using namespace pc::compose;

constexpr long kMaxRssKiB = 512 * 1024;

struct ChildOutcome {
    bool exited = false;
    int status = -1;        // 0: the load failed with a pc::Error naming what is expected
    long max_rss_kib = 0;
};

// Runs `load` in a child: exit 0 when it throws pc::Error containing `expected`, 1 when it
// throws something else, 2 when it loads.
ChildOutcome in_child(const std::function<void()>& load, const std::string& expected) {
    pid_t pid = ::fork();
    if (pid == 0) {
        int code = 2;
        try {
            load();
        } catch (const pc::Error& e) {
            code = std::string(e.what()).find(expected) != std::string::npos ? 0 : 1;
            if (code) ::write(2, e.what(), strlen(e.what()));
        } catch (...) {
            code = 1;
        }
        ::_exit(code);
    }
    ChildOutcome out;
    int status = 0;
    struct rusage ru {};
    if (::wait4(pid, &status, 0, &ru) == pid && WIFEXITED(status)) {
        out.exited = true;
        out.status = WEXITSTATUS(status);
    }
    out.max_rss_kib = ru.ru_maxrss;
    return out;
}

void expect_refused(const std::string& yaml, const std::string& expected) {
    pctest::TempDir dir;
    std::string file = dir.write("compose.yaml", yaml);
    LoadOptions o = pctest::options_in(dir.path(), {file});
    ChildOutcome r = in_child([&] { load_project(o); }, expected);
    EXPECT_TRUE(r.exited);
    EXPECT_EQ(r.status, 0) << "expected an error containing: " << expected;
    EXPECT_LT(r.max_rss_kib, kMaxRssKiB);
}

TEST(ComposeRobustness, AliasBombIsRefused) {
    std::string y = "x-a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
    const char* names = "abcdefghij";
    for (int i = 1; i < 10; ++i) {
        y += std::string("x-") + names[i] + ": &" + names[i] + " [";
        for (int k = 0; k < 10; ++k) y += std::string(k ? ", " : "") + "*" + names[i - 1];
        y += "]\n";
    }
    y += "services:\n  web:\n    image: busybox\n";
    expect_refused(y, "alias bomb");
}

TEST(ComposeRobustness, DeepFlowNestingIsRefused) {
    std::string y = "services:\n  web:\n    image: busybox\nx-deep: ";
    y += std::string(100000, '[') + std::string(100000, ']') + "\n";
    expect_refused(y, "levels deep: refusing it");
}

TEST(ComposeRobustness, DeepBlockNestingIsRefused) {
    std::string y = "services:\n  web:\n    image: busybox\nx-deep:\n";
    for (int i = 1; i < 2000; ++i) y += std::string(static_cast<size_t>(i), ' ') + "a:\n";
    expect_refused(y, "levels deep: refusing it");
}

TEST(ComposeRobustness, HugeFileIsRefused) {
    std::string y = "services:\n  web:\n    image: busybox\nx-big: \"";
    y += std::string(50u << 20, 'x');
    y += "\"\n";
    expect_refused(y, "compose.yaml: larger than 8 MiB");
}

TEST(ComposeRobustness, InvalidUtf8IsRefusedWithItsPlace) {
    expect_refused("services:\n  web:\n    image: \"bus\xff\xfe" "box\"\n", "compose.yaml:3:16: yaml: invalid UTF-8");
    expect_refused("services:\n  web:\n    image: \"a\x01\"\n", "control characters are not allowed");
}

TEST(ComposeRobustness, RecursiveInterpolationIsRefused) {
    std::string deep;
    for (int i = 0; i < 100000; ++i) deep += "${A:-";
    for (int i = 0; i < 100000; ++i) deep += "}";
    expect_refused("services:\n  web:\n    image: \"" + deep + "\"\n", "nested more than 64 levels");
}

TEST(ComposeRobustness, ParserThatDoesNotAdvanceIsStopped) {
    // yaml-cpp 0.7 reports empty nodes at one position forever on a lone ',' (found by the
    // fuzzer): stopped after a thousand, not at the node limit.
    expect_refused(",", "the parser does not advance past this position");
}

TEST(ComposeRobustness, VariablesAreNotExpandedTwice) {
    // A value that looks like a template stays as it is: no recursion through values.
    pctest::TempDir dir;
    std::string file = dir.write("compose.yaml", "services:\n  web:\n    image: busybox\n    command: echo ${A}\n");
    dir.write(".env", "A=${B}\nB=${A}\n");
    LoadOptions o = pctest::options_in(dir.path(), {file}, {{"A", "$${A}${A}"}});
    Project p = load_project(o);
    ASSERT_TRUE(p.services.at("web").command.has_value());
    EXPECT_EQ(p.services.at("web").command->at(1), "$${A}${A}");
}

TEST(ComposeRobustness, ManyServicesLoad) {
    std::string y = "services:\n";
    for (int i = 0; i < 2000; ++i)
        y += "  s" + std::to_string(i) + ":\n    image: busybox\n    environment:\n      N: \"" + std::to_string(i) + "\"\n";
    pctest::TempDir dir;
    std::string file = dir.write("compose.yaml", y);
    EXPECT_EQ(load_project(pctest::options_in(dir.path(), {file})).services.size(), 2000u);
}

}  // namespace
