// The completion engine on the real command tree: every command and flag is offered (so
// commands added later are completed without anyone touching the completion code), flag
// values and positional names come from the right places.
#include <gtest/gtest.h>

#include <algorithm>

#include "cli/command_tree.hpp"
#include "cli/completion.hpp"
#include "cli/context.hpp"
#include "common/error.hpp"

using namespace pc::cli;

namespace {

class CliCompletion : public ::testing::Test {
protected:
    void SetUp() override { build_full_tree(root_, ctx_); }

    std::vector<std::string> values(const std::vector<std::string>& words) {
        last_ = complete(root_, words, [this](NameKind k) {
            asked_.push_back(k);
            switch (k) {
                case NameKind::Containers: return std::vector<std::string>{"web", "db"};
                case NameKind::Images: return std::vector<std::string>{"localhost/busybox:latest", "busybox:latest"};
                case NameKind::Volumes: return std::vector<std::string>{"data"};
                case NameKind::Pods: return std::vector<std::string>{"pod1"};
                case NameKind::Networks: return std::vector<std::string>{"net1"};
            }
            return std::vector<std::string>{};
        });
        std::vector<std::string> out;
        for (const auto& c : last_.candidates) out.push_back(c.value);
        return out;
    }
    static bool has(const std::vector<std::string>& v, const std::string& x) {
        return std::find(v.begin(), v.end(), x) != v.end();
    }

    Context ctx_;
    CLI::App root_;
    CompletionResult last_;
    std::vector<NameKind> asked_;
};

}  // namespace

TEST_F(CliCompletion, EveryCommandAndFlagOfTheTreeIsOffered) {
    size_t commands = 0, flags = 0;
    for (const CLI::App* cmd : all_commands(root_)) {
        std::vector<std::string> path;
        for (const CLI::App* at = cmd; at->get_parent() != nullptr; at = at->get_parent()) path.insert(path.begin(), at->get_name());
        std::vector<std::string> words = path;
        words.push_back("");
        if (!visible_subcommands(*cmd).empty()) {
            auto subs = values(words);
            for (const CLI::App* s : visible_subcommands(*cmd)) {
                EXPECT_TRUE(has(subs, s->get_name())) << s->get_name() << " not offered after `pc " << testing::PrintToString(path) << "`";
                ++commands;
            }
        }
        words.back() = "--";
        auto offered = values(words);
        for (const CLI::Option* o : visible_flags(*cmd)) {
            for (const auto& l : o->get_lnames()) {
                EXPECT_TRUE(has(offered, "--" + l)) << "--" << l << " of " << command_path(*cmd);
                ++flags;
            }
        }
    }
    EXPECT_GT(commands, 40u);
    EXPECT_GT(flags, 300u);
}

TEST_F(CliCompletion, HiddenHelpersAreNotOffered) {
    auto v = values({""});
    EXPECT_TRUE(has(v, "run") && has(v, "completion") && has(v, "help"));
    for (const auto& c : v) EXPECT_NE(c.rfind("__", 0), 0u) << c;
}

TEST_F(CliCompletion, PositionalNamesByCommand) {
    EXPECT_EQ(values({"start", ""}), (std::vector<std::string>{"web", "db"}));
    EXPECT_EQ(values({"logs", "w"}), std::vector<std::string>{"web"});
    EXPECT_EQ(values({"rmi", "b"}), std::vector<std::string>{"busybox:latest"});
    EXPECT_TRUE(has(values({"run", "-d", "--name", "x", ""}), "localhost/busybox:latest"));
    EXPECT_TRUE(has(values({"exec", "-it", ""}), "web"));
    EXPECT_EQ(values({"volume", "rm", ""}), std::vector<std::string>{"data"});
    EXPECT_EQ(values({"tag", ""}).size(), 2u);            // IMAGE
    EXPECT_TRUE(values({"tag", "busybox", ""}).empty());  // TARGET_NAME: a new name
    EXPECT_EQ(values({"rename", "db", ""}).size(), 0u);
    EXPECT_EQ(values({"container", "inspect", "d"}), std::vector<std::string>{"db"});
    // inspect takes any object.
    auto any = values({"inspect", ""});
    EXPECT_TRUE(has(any, "web") && has(any, "data") && has(any, "busybox:latest"));
    // After the image, run's words are the container's command: nothing from pc.
    asked_.clear();
    EXPECT_TRUE(values({"run", "busybox", "ec"}).empty());
    EXPECT_TRUE(asked_.empty());
    EXPECT_FALSE(last_.directive & kCompNoFiles);
    // cp: CONTAINER:PATH.
    EXPECT_EQ(values({"cp", "w"}), std::vector<std::string>{"web:"});
    EXPECT_TRUE(last_.directive & kCompNoSpace);
}

TEST_F(CliCompletion, FlagValues) {
    auto net = values({"run", "--network", ""});
    for (const char* m : {"slirp4netns", "none", "host", "container:", "ns:", "net1"}) EXPECT_TRUE(has(net, m)) << m;
    EXPECT_EQ(values({"run", "--network=container:"}), (std::vector<std::string>{"--network=container:web", "--network=container:db"}));
    EXPECT_EQ(values({"run", "--net", "slirp4netns:mt"}), std::vector<std::string>{"slirp4netns:mtu="});
    EXPECT_TRUE(last_.directive & kCompNoSpace);
    EXPECT_TRUE(has(values({"ps", "--format", ""}), "{{.Names}}"));
    EXPECT_TRUE(has(values({"images", "--format", "{{.R"}), "{{.Repository}}"));
    EXPECT_EQ(values({"run", "--pull", "n"}), (std::vector<std::string>{"never", "newer"}));
    EXPECT_TRUE(has(values({"run", "--cap-drop", "NET_R"}), "NET_RAW"));
    EXPECT_EQ(values({"kill", "-s", "SIGK"}), std::vector<std::string>{"SIGKILL"});
    EXPECT_EQ(values({"--log-level", "w"}), std::vector<std::string>{"warn"});
    EXPECT_EQ(values({"run", "-v", "d"}), std::vector<std::string>{"data:"});
    // A value flag in a cluster of switches: -itp takes the next word.
    EXPECT_TRUE(values({"run", "-itp", ""}).empty());
    EXPECT_TRUE(last_.directive & kCompNoFiles);
    // Files for path flags: the shell's own completion.
    EXPECT_TRUE(values({"run", "--env-file", ""}).empty());
    EXPECT_FALSE(last_.directive & kCompNoFiles);
    // Flags: long ones for "--", with descriptions.
    auto flags = complete(root_, {"run", "--publ"}, [](NameKind) { return std::vector<std::string>{}; });
    ASSERT_EQ(flags.candidates.size(), 2u);
    EXPECT_EQ(flags.candidates[0].value, "--publish");
    EXPECT_EQ(flags.candidates[1].value, "--publish-all");
    EXPECT_FALSE(flags.candidates[0].description.empty());
}

TEST_F(CliCompletion, GlobalFlagsAreSkippedAndPassedToListings) {
    auto st = values({"--root", "/x", "--runroot=/y", "st"});
    std::sort(st.begin(), st.end());
    EXPECT_EQ(st, (std::vector<std::string>{"start", "stats", "stop"}));
    EXPECT_EQ(leading_global_args(root_, {"--root", "/x", "--runroot=/y", "ps", ""}),
              (std::vector<std::string>{"--root", "/x", "--runroot=/y"}));
    EXPECT_TRUE(leading_global_args(root_, {"ps", "--root", ""}).empty());
}

TEST_F(CliCompletion, ProtocolAndScripts) {
    CompletionResult r;
    r.candidates = {{"run", "Run a command\tin a new container"}, {"rm", ""}};
    r.directive = kCompNoFiles;
    EXPECT_EQ(format_completion(r, true), "run\tRun a command in a new container\nrm\n:4\n");
    EXPECT_EQ(format_completion(r, false), "run\nrm\n:4\n");
    for (const char* shell : {"bash", "zsh", "fish"}) {
        EXPECT_NE(completion_script(shell, true).find("__complete"), std::string::npos) << shell;
        EXPECT_NE(completion_script(shell, false).find("__complete --no-desc"), std::string::npos) << shell;
    }
    EXPECT_THROW(completion_script("powershell", true), pc::Error);
}
