#include "cli/command_tree.hpp"

#include "cli/app.hpp"

namespace pc::cli {

void build_full_tree(CLI::App& app, Context& ctx) {
    configure_root(app, ctx);
    for (const auto& entry : command_registrations()) entry.add(app, ctx);
}

const CLI::App* find_command(const CLI::App& root, const std::vector<std::string>& path) {
    const CLI::App* at = &root;
    for (const auto& word : path) {
        const CLI::App* next = nullptr;
        for (const CLI::App* sub : at->get_subcommands({}))
            if (sub->check_name(word)) next = sub;
        if (!next) return nullptr;
        at = next;
    }
    return at;
}

std::vector<const CLI::App*> visible_subcommands(const CLI::App& cmd) {
    return cmd.get_subcommands([](const CLI::App* sub) { return !sub->get_group().empty(); });
}

std::vector<const CLI::Option*> visible_flags(const CLI::App& cmd) {
    return cmd.get_options([](const CLI::Option* o) { return o->nonpositional() && !o->get_group().empty(); });
}

std::vector<const CLI::Option*> positionals(const CLI::App& cmd) {
    return cmd.get_options([](const CLI::Option* o) { return o->get_positional() && !o->nonpositional(); });
}

std::string command_path(const CLI::App& cmd) {
    std::string path;
    for (const CLI::App* at = &cmd; at != nullptr; at = at->get_parent())
        path = at->get_name() + (path.empty() ? "" : " " + path);
    return path;
}

std::string man_name(const CLI::App& cmd) {
    std::string name = command_path(cmd);
    for (char& c : name)
        if (c == ' ') c = '-';
    return name;
}

std::string command_help(const CLI::App& cmd) {
    const CLI::App* parent = cmd.get_parent();
    return cmd.help(parent ? command_path(*parent) : "");
}

bool takes_value(const CLI::Option& opt) { return opt.get_type_size() != 0 && opt.get_expected_min() > 0; }

std::vector<const CLI::App*> all_commands(const CLI::App& root) {
    std::vector<const CLI::App*> out{&root};
    for (size_t i = 0; i < out.size(); ++i) {
        std::vector<const CLI::App*> subs = visible_subcommands(*out[i]);
        out.insert(out.begin() + static_cast<long>(i) + 1, subs.begin(), subs.end());
    }
    return out;
}

}  // namespace pc::cli
