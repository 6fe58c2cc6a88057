// pc compose version [--short] [--format pretty|json]: the Docker Compose version line.
#include <iostream>

#include "cli/compose_commands.hpp"
#include "common/error.hpp"

namespace pc::cli {

void add_compose_version(CLI::App& compose, Context& /*ctx*/, const std::shared_ptr<ComposeFlags>& /*flags*/) {
    struct Flags {
        std::string format;
        bool short_form = false;
    };
    auto f = std::make_shared<Flags>();
    CLI::App* cmd = compose.add_subcommand("version", "Show the Docker Compose version information");
    cmd->add_option("-f,--format", f->format, "Format the output. Values: [pretty | json]. (Default: pretty)");
    cmd->add_flag("--short", f->short_form, "Shows only Compose's version number");
    cmd->callback([f] {
        if (f->short_form) {
            std::cout << kComposeCompatVersion << std::endl;
        } else if (f->format == "json") {
            std::cout << "{\"version\":\"v" << kComposeCompatVersion << "\"}" << std::endl;
        } else if (f->format.empty() || f->format == "pretty") {
            std::cout << compose_version_line() << std::endl;
        } else {
            throw Error("format value \"" + f->format + "\" could not be parsed: parsing failed (valid: pretty, json)", 1);
        }
    });
}

}  // namespace pc::cli
