// The "<code> <message>" error pipe between a container's init and its monitor.
#include <gtest/gtest.h>

#include <unistd.h>

#include "common/fd.hpp"
#include "rootless/sandbox.hpp"

using namespace pc::rootless;

TEST(SandboxChildError, RoundTripOverAPipe) {
    pc::Pipe p = pc::Pipe::make();
    report_child_error(p.write.get(), 127, "executable file `foo` not found in $PATH: No such file or directory");
    p.write.reset();
    auto e = read_child_error(p.read.get());
    ASSERT_TRUE(e.has_value());
    EXPECT_EQ(e->code, 127);
    EXPECT_EQ(e->message, "executable file `foo` not found in $PATH: No such file or directory");
}

TEST(SandboxChildError, EofWithoutDataMeansSuccess) {
    pc::Pipe p = pc::Pipe::make();
    p.write.reset();
    EXPECT_FALSE(read_child_error(p.read.get()).has_value());
}

TEST(SandboxChildError, MultilineMessageKept) {
    pc::Pipe p = pc::Pipe::make();
    report_child_error(p.write.get(), 125, "first line\nsecond line");
    p.write.reset();
    auto e = read_child_error(p.read.get());
    ASSERT_TRUE(e.has_value());
    EXPECT_EQ(e->code, 125);
    EXPECT_EQ(e->message, "first line\nsecond line");
}

TEST(SandboxChildError, ForeignTextIsAnEngineError) {
    pc::Pipe p = pc::Pipe::make();
    const std::string junk = "panic: something";
    ASSERT_EQ(::write(p.write.get(), junk.data(), junk.size()), static_cast<ssize_t>(junk.size()));
    p.write.reset();
    auto e = read_child_error(p.read.get());
    ASSERT_TRUE(e.has_value());
    EXPECT_EQ(e->code, 125);
    EXPECT_EQ(e->message, junk);
}

TEST(SandboxChildError, NegativeFdIsIgnored) { report_child_error(-1, 125, "nowhere"); }

TEST(SandboxChildError, DefaultPathListsMatchPodman) {
    EXPECT_EQ(kDefaultMaskedPaths.size(), 11u);
    EXPECT_EQ(kDefaultReadonlyPaths.back(), "/proc/sysrq-trigger");
}
