// The command table that lets `pc` build only the named command's part of the CLI tree
// must list exactly what each registration function adds, or a command would be missing
// from a partial tree.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "cli/app.hpp"
#include "cli/context.hpp"

namespace {

std::vector<std::string> subcommand_names(const CLI::App& app) {
    std::vector<std::string> names;
    for (const CLI::App* sub : app.get_subcommands({})) names.push_back(sub->get_name());
    return names;
}

TEST(CliCommandTable, EachEntryListsExactlyWhatItsFunctionAdds) {
    std::set<std::string> seen;
    for (const auto& entry : pc::cli::command_registrations()) {
        pc::cli::Context ctx;
        CLI::App app;
        entry.add(app, ctx);
        std::vector<std::string> listed(entry.commands.begin(), entry.commands.end());
        EXPECT_EQ(subcommand_names(app), listed);
        for (const auto& name : listed) EXPECT_TRUE(seen.insert(name).second) << name << " listed twice";
    }
}

TEST(CliCommandTable, CommandWordSkipsGlobalFlagsAndTheirValues) {
    auto word = [](std::vector<std::string> args) {
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        return pc::cli::command_word(static_cast<int>(argv.size()), argv.data());
    };
    EXPECT_EQ(word({"pc", "run", "img"}), "run");
    EXPECT_EQ(word({"pc", "--root", "/r", "--log-level", "debug", "ps", "-a"}), "ps");
    EXPECT_EQ(word({"pc", "--root=/r", "-v"}), "");
    EXPECT_EQ(word({"pc", "--storage-driver", "vfs", "container", "ls"}), "container");
    EXPECT_EQ(word({"pc"}), "");
}

TEST(CliCommandTable, UnknownWordBuildsTheWholeTree) {
    pc::cli::Context ctx;
    CLI::App app;
    pc::cli::register_commands(app, ctx, "no-such-command");
    size_t all = 0;
    for (const auto& entry : pc::cli::command_registrations()) all += entry.commands.size();
    EXPECT_EQ(subcommand_names(app).size(), all);

    CLI::App partial;
    pc::cli::register_commands(partial, ctx, "stop");
    EXPECT_EQ(subcommand_names(partial).size(), 10u);
}

}  // namespace
