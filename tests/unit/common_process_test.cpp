// /proc parsing and whole-descriptor reads shared by the container records, the user
// namespace holder and the helpers that collect a child's output.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "common/fd.hpp"
#include "common/process.hpp"

namespace {

// Fields 3..22 of a /proc/PID/stat line after the command name, with starttime = `start`.
std::string stat_line(const std::string& comm, const std::string& state, const std::string& start) {
    std::string line = "4242 (" + comm + ") " + state;
    for (int field = 4; field <= 21; ++field) line += " " + std::to_string(field);
    return line + " " + start + " 23 24\n";
}

TEST(StatStartTime, ParsesFieldTwentyTwoAfterTheCommandName) {
    EXPECT_EQ(pc::stat_start_time(stat_line("pc", "S", "987654")), 987654u);
    // A command name may hold spaces and parentheses.
    EXPECT_EQ(pc::stat_start_time(stat_line("a b) (c", "R", "17")), 17u);
}

TEST(StatStartTime, AnExitedProcessOrGarbageHasNone) {
    EXPECT_FALSE(pc::stat_start_time(stat_line("pc", "Z", "987654")));
    EXPECT_FALSE(pc::stat_start_time(stat_line("pc", "X", "987654")));
    EXPECT_FALSE(pc::stat_start_time("4242 (pc) S 1 2 3"));
    EXPECT_FALSE(pc::stat_start_time("no parenthesis"));
    EXPECT_FALSE(pc::stat_start_time("4242 (pc)"));
}

TEST(StatStartTime, OfThisProcess) {
    std::string stat;
    pc::UniqueFd fd(::open("/proc/self/stat", O_RDONLY | O_CLOEXEC));
    ASSERT_TRUE(fd);
    ASSERT_TRUE(pc::read_to_eof(fd.get(), stat));
    auto start = pc::stat_start_time(stat);
    ASSERT_TRUE(start);
    EXPECT_GT(*start, 0u);
}

TEST(ReadToEof, AppendsEverythingUntilTheWriterCloses) {
    pc::Pipe p = pc::Pipe::make();
    const std::string big(100000, 'x');
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        p.read.reset();
        (void)pc::write_all(p.write.get(), big.data(), big.size());
        ::_exit(0);
    }
    p.write.reset();
    std::string out = "head:";
    EXPECT_TRUE(pc::read_to_eof(p.read.get(), out));
    EXPECT_EQ(out, "head:" + big);
    int status = 0;
    ::waitpid(pid, &status, 0);
}

TEST(ReadToEof, FailsOnAnUnreadableDescriptor) {
    std::string out;
    EXPECT_FALSE(pc::read_to_eof(-1, out));
    EXPECT_TRUE(out.empty());
}

}  // namespace
