// GoTemplate: a re-implementation of Go's text/template, as Podman uses it for
// `--format` and `inspect -f`, evaluated over nlohmann::json data that carries
// Podman's key names. Users have years of scripts written against Podman's output, so
// the goal is Go's behaviour (syntax, printing of values, function names, error shape),
// not a "nicer" template language.
//
// Deliberate differences from Go, all in the direction of JSON data instead of Go structs:
//  - A missing key (or a field of null) evaluates to null, printed "<no value>" by an
//    action, instead of Go's "can't evaluate field" on structs; a field of a string,
//    number, bool or array is still an error ("can't evaluate field X in type string").
//  - Numbers compare across int/float (`eq .ExitCode 0` works on any JSON number).
//  - `define`, `template`, `block` and `call` are not supported (parse error).
//
// Podman's pre-processing of the format string is applied by parse() (see
// normalize_format) so that `--format '{{.Names}}\t{{.Status}}'` typed in a shell gives a
// real tab, and "table " formats become tab-separated row templates.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace pc::cli {

namespace gotmpl {
struct Node;
}

class GoTemplate {
public:
    // Parses a user format string the way Podman does (containers/common report):
    //  - "table ..." (with the space): table mode; in the whole string "table " is removed,
    //    the two characters `\t` and every space become a tab, `\n` becomes a newline;
    //  - otherwise `\t` and `\n` become tab and newline;
    //  - a trailing newline is added if missing, so render() yields whole lines;
    //  - if the converted text does not parse, the original text is parsed instead
    //    (Podman's fallback, which keeps '{{printf "\n"}}' working).
    // `name` appears in error messages ("template: ps:1: ..."), as Podman passes the
    // command name. Throws pc::Error on syntax errors.
    static GoTemplate parse(const std::string& text, const std::string& name = "");

    // Parses `text` verbatim: no Podman conversions, no added newline.
    static GoTemplate parse_raw(const std::string& text, const std::string& name = "");

    // Executes the template with `dot` (and `$`) set to `dot`. Throws pc::Error with
    // Go's "template: NAME:LINE:COL: executing "NAME" at <NODE>: MSG" shape.
    std::string render(const nlohmann::json& dot) const;

    // True for a "table ..." format: the caller prints a header line and lays rows out
    // with tabwriter_layout() (table_writer.hpp).
    bool is_table() const { return table_; }

    // Per tab-separated column of the row template, the first field chain referenced
    // there ("ID", "Config.Image"), or "" when the column references none. The caller maps
    // them to header names (header_for_field() gives Podman's default).
    std::vector<std::string> table_fields() const;

    // The text actually parsed (after Podman's conversions).
    const std::string& text() const { return text_; }

private:
    std::shared_ptr<const gotmpl::Node> root_;
    std::string name_;
    std::string text_;
    bool table_ = false;
};

// Podman's NormalizeFormat(): the conversions parse() applies (see above).
std::string normalize_format(const std::string& format);

// Go-compatible value formatting, shared by the template engine and usable by callers
// that must print values the way Podman's Go code does.
namespace gotmpl {

// fmt.Sprint("%v") of one value: strings raw, integers plain, floats like Go's %v
// (1e+06, 0.5), arrays "[a b]", objects "map[k:v]" (sorted keys), null "<nil>".
std::string format_value(const nlohmann::json& v);

// fmt.Sprintf subset: verbs v s d q t x X o b c U e E f F g G T %, flags "+- #0", width,
// precision, '*', and Go's error annotations (%!d(string=x), %!s(MISSING),
// %!(EXTRA int=2)).
std::string sprintf(std::string_view format, const std::vector<nlohmann::json>& args);

// fmt.Sprint / fmt.Sprintln over the arguments.
std::string sprint(const std::vector<nlohmann::json>& args);
std::string sprintln(const std::vector<nlohmann::json>& args);

// encoding/json output. escape_html=false is what Podman's template `json` function
// uses ("<" stays "<"); json.Marshal (escape_html=true) gives \u003c \u003e \u0026.
// indent > 0 gives json.MarshalIndent(v, "", <indent spaces>).
std::string to_json(const nlohmann::json& v, bool escape_html = false, int indent = 0);

// UTF-8 encoding of one rune (invalid ones become U+FFFD, as Go's utf8.AppendRune).
void append_utf8(std::string& out, char32_t r);

// strconv.Quote.
std::string quote(std::string_view s);

// Go's truth of a value for if/with/and/or/not: false, 0, null, "", [] and {} are false.
bool truth(const nlohmann::json& v);

// The Go type name shown in error messages ("string", "int", "float64", ...).
std::string type_name(const nlohmann::json& v);

// Thrown by builtins; the executor wraps it with position and "error calling NAME:".
struct FuncError {
    std::string message;
};

// True when `name` is a template function.
bool has_function(std::string_view name);
// Calls a function that needs no lazy evaluation (everything but and/or). Throws
// FuncError.
nlohmann::json call_function(std::string_view name, const std::vector<nlohmann::json>& args);

}  // namespace gotmpl
}  // namespace pc::cli
