// `pc completion`, `pc help`, and the hidden helpers `pc __complete` (what the completion
// scripts ask) and `pc __man DIR` (the man pages, made at build time). All of them work on
// the whole command tree, built here even though `pc` normally builds only the named
// command's part.
#include <unistd.h>

#include <iostream>
#include <memory>
#include <sstream>

#include "cli/app.hpp"
#include "cli/command_tree.hpp"
#include "cli/completion.hpp"
#include "cli/man_pages.hpp"
#include "common/atomic_file.hpp"
#include "common/error.hpp"
#include "common/log.hpp"
#include "common/strings.hpp"

namespace pc::cli {

namespace {

// Runs a listing command of pc in this process (`ps -a --format {{.Names}}`) and returns
// its output lines; nothing when the command does not exist (pods and networks before
// they are built) or fails. What it prints to stderr is dropped.
std::vector<std::string> run_listing(const std::vector<std::string>& globals, const std::vector<std::string>& command) {
    std::vector<std::string> argv{"pc"};
    argv.insert(argv.end(), globals.begin(), globals.end());
    argv.insert(argv.end(), command.begin(), command.end());
    std::ostringstream out, err;
    std::streambuf* old_out = std::cout.rdbuf(out.rdbuf());
    std::streambuf* old_err = std::cerr.rdbuf(err.rdbuf());
    try {
        Context ctx;
        ctx.argv = argv;
        CLI::App app;
        configure_root(app, ctx);
        register_commands(app, ctx, command.front());
        if (find_command(app, {command.front()})) {
            std::vector<const char*> c;
            for (const auto& a : argv) c.push_back(a.c_str());
            app.parse(static_cast<int>(c.size()), const_cast<char**>(c.data()));
        }
    } catch (...) {
        out.str("");
    }
    std::cout.rdbuf(old_out);
    std::cerr.rdbuf(old_err);
    std::vector<std::string> lines;
    for (const auto& l : str::split(out.str(), '\n'))
        if (!l.empty()) lines.push_back(l);
    return lines;
}

std::vector<std::string> names_of(const std::vector<std::string>& globals, NameKind kind) {
    switch (kind) {
        case NameKind::Containers: return run_listing(globals, {"ps", "-a", "--format", "{{.Names}}"});
        case NameKind::Volumes: return run_listing(globals, {"volume", "ls", "--format", "{{.Name}}"});
        case NameKind::Pods: return run_listing(globals, {"pod", "ps", "--format", "{{.Name}}"});
        case NameKind::Networks: return run_listing(globals, {"network", "ls", "--format", "{{.Name}}"});
        case NameKind::Images: break;
    }
    std::vector<std::string> out;
    for (const auto& name : run_listing(globals, {"images", "--format", "{{.Repository}}:{{.Tag}}"})) {
        if (str::starts_with(name, "<none>")) continue;
        out.push_back(name);
        // What users type for their own and Docker Hub's images: busybox:latest.
        for (const char* reg : {"localhost/", "docker.io/library/"})
            if (str::starts_with(name, reg)) out.push_back(name.substr(std::string(reg).size()));
    }
    return out;
}

}  // namespace

int complete_main(int argc, char** argv) {
    std::vector<std::string> words(argv, argv + argc);
    bool descriptions = true;
    if (!words.empty() && words.front() == "--no-desc") {
        descriptions = false;
        words.erase(words.begin());
    }
    if (words.empty()) words.emplace_back();
    log::set_sink([](log::Level, const std::string&) {});
    try {
        Context ctx;
        CLI::App root;
        build_full_tree(root, ctx);
        const std::vector<std::string> globals = leading_global_args(root, words);
        std::cout << format_completion(complete(root, words, [&](NameKind k) { return names_of(globals, k); }),
                                       descriptions);
    } catch (const std::exception&) {
        std::cout << ":" << kCompError << "\n";
        return 1;
    }
    return 0;
}

int man_main(int argc, char** argv) {
    if (argc != 1) {
        std::cerr << "usage: pc __man DIRECTORY" << std::endl;
        return kExitEngine;
    }
    try {
        Context ctx;
        CLI::App root;
        build_full_tree(root, ctx);
        write_man_pages(root, argv[0], PC_VERSION);
    } catch (const std::exception& e) {
        std::cerr << "Error: " << e.what() << std::endl;
        return kExitEngine;
    }
    return 0;
}

void register_completion(CLI::App& app, Context& /*ctx*/) {
    struct Flags {
        std::string shell, file;
        bool no_desc = false;
    };
    auto f = std::make_shared<Flags>();
    CLI::App* cmd = app.add_subcommand("completion", "Generate shell autocompletions");
    cmd->footer("Prints the completion script for bash, zsh or fish. To load it in the current shell:\n"
                "  source <(pc completion bash)\n"
                "cmake --install and the pc package install all three where the shells find them.");
    cmd->add_option("-f,--file", f->file, "Output the completion to file rather than stdout");
    cmd->add_flag("--no-desc", f->no_desc, "Don't include descriptions in the completion output");
    cmd->add_option("shell", f->shell, "SHELL: bash, zsh or fish")->required();
    cmd->callback([f] {
        const std::string script = completion_script(f->shell, !f->no_desc);
        if (f->file.empty() || f->file == "-") std::cout << script;
        else write_file_atomic(f->file, script, 0644, false);
    });

    auto topic = std::make_shared<std::vector<std::string>>();
    CLI::App* help = app.add_subcommand("help", "Help about any command");
    help->add_option("command", *topic, "COMMAND [SUBCOMMAND...]");
    help->callback([topic] {
        Context full_ctx;
        CLI::App root;
        build_full_tree(root, full_ctx);
        const CLI::App* cmd = find_command(root, *topic);
        if (!cmd || (!topic->empty() && cmd->get_group().empty()))
            throw Error("unknown help topic `" + str::join(*topic, " ") + "`\nRun 'pc --help' for usage.", kExitEngine);
        std::cout << command_help(*cmd);
    });
}

}  // namespace pc::cli
