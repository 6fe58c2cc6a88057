// Compose's variable substitution: `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
// `${VAR:?message}`, `${VAR?message}`, `${VAR:+alternate}`, `${VAR+alternate}`, nesting
// in defaults, messages and alternates, and `$$` for a literal `$`; with compose-go's
// exact reading of odd cases (the first operator after the name wins, a `$` not followed
// by a name is kept, `${ x}` is an error).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "compose/node.hpp"

namespace pc::compose {

using Lookup = std::function<std::optional<std::string>(const std::string& name)>;

// An invalid template ("${"): what() is compose-go's `Invalid template: "${"`.
struct InvalidTemplate : std::runtime_error {
    explicit InvalidTemplate(const std::string& text);
    std::string text;
};

// `${VAR:?message}` with VAR unset (or empty): what() is
// "required variable VAR is missing a value: message".
struct MissingRequired : std::runtime_error {
    MissingRequired(std::string variable, std::string reason);
    std::string variable;
    std::string reason;
};

// Nesting deeper than this (defaults inside defaults) is refused: real files nest two or
// three levels, a hostile one could nest a million.
inline constexpr int kMaxTemplateNesting = 64;

struct SubstituteOptions {
    // Called once per unset variable used without a default (compose-go warns "The "X"
    // variable is not set. Defaulting to a blank string.").
    std::function<void(const std::string& name)> on_unset;
};

// Substitutes the variables of `text`. Throws InvalidTemplate or MissingRequired.
std::string substitute(std::string_view text, const Lookup& lookup, const SubstituteOptions& options = {});

// A variable used by a template, for `config --variables`.
struct TemplateVariable {
    std::string name;
    std::string default_value;
    std::string presence_value;
    bool required = false;
};
// Every variable of every string in the tree (later occurrences of a name win).
std::map<std::string, TemplateVariable> extract_variables(const Node& tree);

// Interpolates every string of `tree` (a parsed compose file), then casts the strings at
// typed places (replicas, privileged, external, ...) to numbers and booleans as the
// schema wants them, as compose-go does. Errors name the file, line and key path.
void interpolate_tree(Node& tree, const Lookup& lookup, const SubstituteOptions& options = {});

// compose-go's YAML 1.1-tolerant boolean cast ("true", "yes", "on", ...); nullopt if not one.
std::optional<bool> parse_compose_bool(const std::string& s, bool* legacy = nullptr);

}  // namespace pc::compose
