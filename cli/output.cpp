#include "cli/output.hpp"

#include <iostream>

#include "cli/go_template.hpp"
#include "cli/table_writer.hpp"

namespace pc::cli {

std::string podman_json(const nlohmann::json& value) { return gotmpl::to_json(value, false, 4); }

void print_listing(const Listing& listing, const std::string& format, bool noheading) {
    if (format == "json") {
        std::cout << podman_json(nlohmann::json(listing.json_rows)) << std::endl;
        return;
    }
    const std::string& text = (format.empty() || format == "table") ? listing.default_format : format;
    GoTemplate tmpl = GoTemplate::parse(text);
    std::string out;
    if (tmpl.is_table()) {
        if (!noheading) {
            std::string header;
            auto fields = tmpl.table_fields();
            for (size_t i = 0; i < fields.size(); ++i) {
                if (i) header += '\t';
                auto it = listing.headers.find(fields[i]);
                header += it != listing.headers.end() ? it->second : header_for_field(fields[i]);
            }
            out += header + "\n";
        }
        for (const auto& row : listing.template_rows) out += tmpl.render(row);
        std::cout << tabwriter_layout(out);
    } else {
        for (const auto& row : listing.template_rows) out += tmpl.render(row);
        std::cout << out;
    }
    std::cout.flush();
}

void print_each_with_template(const std::vector<nlohmann::json>& items, const std::string& format,
                              const std::string& name) {
    GoTemplate tmpl = GoTemplate::parse(format, name);
    std::string out;
    for (const auto& item : items) out += tmpl.render(item);
    std::cout << out;
    std::cout.flush();
}

}  // namespace pc::cli
