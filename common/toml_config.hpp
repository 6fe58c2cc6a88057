// TOML configuration files (registries.conf, containers.conf) through toml++, with errors
// that name the file, the line and the key, as users need to fix them.
//
// toml++ is used in its compiled mode with the implementation in common/toml_config.cpp
// (not Debian's shared library: every `pc` start would load it), and without its
// serializers. Include it only through this header so every file sees the same settings.
#pragma once

#include <stdexcept>

namespace pc {
// toml++'s internal consistency checks (assert by default) throw this instead, in builds
// without NDEBUG (the sanitizer lane): the fuzzer reaches inputs that break them (Debian's
// toml++ 3.3, parse_key), and a configuration file must give an error, not an abort.
// parse() below turns it into pc::Error naming the file.
struct TomlInternalCheck : std::runtime_error {
    using std::runtime_error::runtime_error;
};
}  // namespace pc
#define TOML_ASSERT(expr) ((expr) ? static_cast<void>(0) : throw ::pc::TomlInternalCheck(#expr))
#define TOML_HEADER_ONLY 0
#define TOML_ENABLE_FORMATTERS 0
#include <toml++/toml.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pc::toml_config {

// Parses `text` read from `origin` (a path, for messages). Throws pc::Error
// "ORIGIN:LINE:COLUMN: what is wrong" on a syntax error.
toml::table parse(std::string_view text, const std::string& origin);

// "ORIGIN:LINE" of a node ("ORIGIN" when it has no position).
std::string where(const toml::node& node, const std::string& origin);

// Typed reads of `table[key]` for a file; `path` is the key's dotted name for messages
// ("containers.env", "registry[2].location"). Absent keys give nullopt; a value of another
// type throws pc::Error "ORIGIN:LINE: PATH: expected a string, got an integer".
class Reader {
public:
    explicit Reader(std::string origin) : origin_(std::move(origin)) {}
    const std::string& origin() const { return origin_; }

    std::optional<std::string> string(const toml::table& t, std::string_view key, const std::string& path) const;
    std::optional<bool> boolean(const toml::table& t, std::string_view key, const std::string& path) const;
    std::optional<int64_t> integer(const toml::table& t, std::string_view key, const std::string& path) const;
    // An array of strings.
    std::optional<std::vector<std::string>> strings(const toml::table& t, std::string_view key,
                                                    const std::string& path) const;
    // A sub-table (also checks the type).
    const toml::table* table(const toml::table& t, std::string_view key, const std::string& path) const;

    [[noreturn]] void fail(const toml::node& at, const std::string& path, const std::string& what) const;

private:
    std::string origin_;
};

// The drop-in files of a configuration directory (NAME.conf.d): its regular *.conf files,
// sorted by name, as full paths; none when it does not exist.
std::vector<std::string> drop_in_files(const std::string& dir);

// "a string", "an integer", ... for messages.
std::string type_name(const toml::node& node);

}  // namespace pc::toml_config
