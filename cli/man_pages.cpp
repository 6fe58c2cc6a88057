#include "cli/man_pages.hpp"

#include <cctype>

#include "cli/command_tree.hpp"
#include "common/atomic_file.hpp"
#include "common/strings.hpp"

namespace pc::cli {

namespace {

// Text for roff: backslashes and hyphens escaped, no line starting with a control character.
std::string roff(const std::string& text) {
    std::string out;
    for (char c : text) {
        if (c == '\\') out += "\\e";
        else if (c == '-') out += "\\-";
        else out += c;
    }
    std::string lines;
    for (const auto& line : str::split(out, '\n')) {
        if (!line.empty() && (line[0] == '.' || line[0] == '\'')) lines += "\\&";
        lines += line + "\n";
    }
    if (!lines.empty()) lines.pop_back();
    return lines;
}

// The last "Usage: ..." line of the help text (a command's own footer is more precise than
// CLI11's generic one), without "Usage: ".
std::string usage_line(const CLI::App& cmd) {
    std::string usage = command_path(cmd);
    for (const auto& line : str::split(command_help(cmd), '\n'))
        if (str::starts_with(line, "Usage: ")) usage = line.substr(7);
    return usage;
}

std::string option_names(const CLI::Option& o) {
    std::vector<std::string> names;
    for (const auto& s : o.get_snames()) names.push_back("\\fB\\-" + roff(s) + "\\fR");
    for (const auto& l : o.get_lnames()) names.push_back("\\fB\\-\\-" + roff(l) + "\\fR");
    std::string text = str::join(names, ", ");
    if (takes_value(o)) text += " \\fI" + roff(o.get_type_name().empty() ? "VALUE" : o.get_type_name()) + "\\fR";
    return text;
}

}  // namespace

std::string man_page(const CLI::App& cmd, const std::string& version) {
    const std::string name = man_name(cmd);
    std::string upper = name;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    std::string p;
    p += ".\\\" Generated from pc's command table by `pc __man`; do not edit.\n";
    p += ".TH " + roff(upper) + " 1 \"\" \"pc " + roff(version) + "\" \"pc Manual\"\n";
    p += ".nh\n.ad l\n";  // no hyphenation or justification: the words of `pc help` as they are
    p += ".SH NAME\n" + roff(name) + " \\- " + roff(cmd.get_description()) + "\n";
    p += ".SH SYNOPSIS\n.B " + roff(usage_line(cmd)) + "\n";
    p += ".SH DESCRIPTION\n" + roff(cmd.get_description()) + "\n";
    // A footer that only repeats the usage is the synopsis already.
    const std::string footer = cmd.get_footer();
    if (!footer.empty() && !str::starts_with(footer, "Usage: ")) p += ".PP\n" + roff(footer) + "\n";
    std::vector<const CLI::Option*> pos = positionals(cmd);
    if (!pos.empty()) {
        p += ".SH ARGUMENTS\n";
        for (const CLI::Option* o : pos) p += ".TP\n.I " + roff(o->get_name()) + "\n" + roff(o->get_description()) + "\n";
    }
    std::vector<const CLI::Option*> flags = visible_flags(cmd);
    if (!flags.empty()) {
        p += ".SH OPTIONS\n";
        for (const CLI::Option* o : flags) p += ".TP\n" + option_names(*o) + "\n" + roff(o->get_description()) + "\n";
    }
    std::vector<const CLI::App*> subs = visible_subcommands(cmd);
    if (!subs.empty()) {
        p += ".SH COMMANDS\n";
        for (const CLI::App* s : subs)
            p += ".TP\n.BR " + roff(man_name(*s)) + " (1)\n" + roff(s->get_description()) + "\n";
    }
    p += ".SH SEE ALSO\n";
    std::vector<std::string> see;
    for (const CLI::App* at = cmd.get_parent(); at != nullptr; at = at->get_parent()) see.push_back(roff(man_name(*at)) + "(1)");
    if (see.empty()) see.push_back("containers.conf(5), containers\\-registries.conf(5), podman(1)");
    p += str::join(see, ", ") + "\n";
    return p;
}

size_t write_man_pages(const CLI::App& root, const std::string& dir, const std::string& version) {
    size_t n = 0;
    for (const CLI::App* cmd : all_commands(root)) {
        write_file_atomic(dir + "/" + man_name(*cmd) + ".1", man_page(*cmd, version), 0644, false);
        ++n;
    }
    return n;
}

}  // namespace pc::cli
