#define TOML_IMPLEMENTATION
#include "common/toml_config.hpp"

#include <dirent.h>

#include <algorithm>

#include "common/error.hpp"

namespace pc::toml_config {

namespace {

// Comment lines blanked out (their newlines kept, so lines keep their numbers). The
// system's containers.conf is 24 KB of comments around a few keys, and pc reads it on
// every create: toml++ takes ~0.5 ms to skip them, this scan a few microseconds. Not done
// when the text has multi-line strings, where a line starting with '#' is data.
std::string without_comment_lines(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    size_t i = 0;
    while (i < text.size()) {
        size_t end = text.find('\n', i);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(i, end - i);
        size_t first = line.find_first_not_of(" \t");
        if (first == std::string_view::npos || line[first] != '#') out.append(line);
        if (end < text.size()) out += '\n';
        i = end + 1;
    }
    return out;
}

}  // namespace

toml::table parse(std::string_view text, const std::string& origin) {
    try {
        if (text.find("\"\"\"") == std::string_view::npos && text.find("'''") == std::string_view::npos)
            return toml::parse(without_comment_lines(text), origin);
        return toml::parse(text, origin);
    } catch (const toml::parse_error& e) {
        const auto& at = e.source().begin;
        throw Error(origin + ":" + std::to_string(at.line) + ":" + std::to_string(at.column) + ": " +
                    std::string(e.description()));
    } catch (const TomlInternalCheck& e) {
        throw Error(origin + ": not valid TOML (the parser's check \"" + std::string(e.what()) + "\" failed)");
    }
}

std::vector<std::string> drop_in_files(const std::string& dir) {
    std::vector<std::string> names;
    DIR* d = ::opendir(dir.c_str());
    if (!d) return names;
    while (struct dirent* e = ::readdir(d)) {
        std::string n = e->d_name;
        if (n.size() > 5 && n.compare(n.size() - 5, 5, ".conf") == 0 && e->d_type != DT_DIR) names.push_back(n);
    }
    ::closedir(d);
    std::sort(names.begin(), names.end());
    for (auto& n : names) n = dir + "/" + n;
    return names;
}

std::string where(const toml::node& node, const std::string& origin) {
    const auto& at = node.source().begin;
    return at.line ? origin + ":" + std::to_string(at.line) : origin;
}

std::string type_name(const toml::node& node) {
    switch (node.type()) {
        case toml::node_type::table: return "a table";
        case toml::node_type::array: return "an array";
        case toml::node_type::string: return "a string";
        case toml::node_type::integer: return "an integer";
        case toml::node_type::floating_point: return "a number";
        case toml::node_type::boolean: return "a boolean";
        case toml::node_type::date:
        case toml::node_type::time:
        case toml::node_type::date_time: return "a date or time";
        default: return "nothing";
    }
}

void Reader::fail(const toml::node& at, const std::string& path, const std::string& what) const {
    throw Error(where(at, origin_) + ": " + path + ": " + what);
}

std::optional<std::string> Reader::string(const toml::table& t, std::string_view key, const std::string& path) const {
    const toml::node* n = t.get(key);
    if (!n) return std::nullopt;
    if (n->is_string()) return n->as_string()->get();
    fail(*n, path, "expected a string, got " + type_name(*n));
}

std::optional<bool> Reader::boolean(const toml::table& t, std::string_view key, const std::string& path) const {
    const toml::node* n = t.get(key);
    if (!n) return std::nullopt;
    if (n->is_boolean()) return n->as_boolean()->get();
    fail(*n, path, "expected true or false, got " + type_name(*n));
}

std::optional<int64_t> Reader::integer(const toml::table& t, std::string_view key, const std::string& path) const {
    const toml::node* n = t.get(key);
    if (!n) return std::nullopt;
    if (n->is_integer()) return n->as_integer()->get();
    fail(*n, path, "expected an integer, got " + type_name(*n));
}

std::optional<std::vector<std::string>> Reader::strings(const toml::table& t, std::string_view key,
                                                        const std::string& path) const {
    const toml::node* n = t.get(key);
    if (!n) return std::nullopt;
    const toml::array* a = n->as_array();
    if (!a) fail(*n, path, "expected an array of strings, got " + type_name(*n));
    std::vector<std::string> out;
    for (size_t i = 0; i < a->size(); ++i) {
        const toml::node& e = *a->get(i);
        if (!e.is_string()) fail(e, path + "[" + std::to_string(i) + "]", "expected a string, got " + type_name(e));
        out.push_back(e.as_string()->get());
    }
    return out;
}

const toml::table* Reader::table(const toml::table& t, std::string_view key, const std::string& path) const {
    const toml::node* n = t.get(key);
    if (!n) return nullptr;
    if (!n->is_table()) fail(*n, path, "expected a table, got " + type_name(*n));
    return n->as_table();
}

}  // namespace pc::toml_config
