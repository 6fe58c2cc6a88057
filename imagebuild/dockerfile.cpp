#include "imagebuild/dockerfile.hpp"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "common/strings.hpp"
#include "imagebuild/shell_lex.hpp"

namespace pc::build {

namespace {

constexpr const char* kInstructions[] = {"ADD",     "ARG",    "CMD",        "COPY",       "ENTRYPOINT", "ENV",
                                         "EXPOSE",  "FROM",   "HEALTHCHECK", "LABEL",     "MAINTAINER", "ONBUILD",
                                         "RUN",     "SHELL",  "STOPSIGNAL", "USER",       "VOLUME",     "WORKDIR"};

bool space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }

std::string ltrim(std::string_view s) {
    size_t i = 0;
    while (i < s.size() && space(s[i])) ++i;
    return std::string(s.substr(i));
}

std::string rtrim(std::string_view s) {
    size_t n = s.size();
    while (n > 0 && space(s[n - 1])) --n;
    return std::string(s.substr(0, n));
}

bool comment_or_blank(std::string_view line) {
    std::string t = ltrim(line);
    return t.empty() || t[0] == '#';
}

// "…\" at the end (optionally followed by blanks): the instruction continues on the next
// line. Returns the line without the escape and those blanks.
bool strip_continuation(std::string& line, char escape) {
    size_t n = line.size();
    while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\t' || line[n - 1] == '\r')) --n;
    if (n == 0 || line[n - 1] != escape) return false;
    line.resize(n - 1);
    return true;
}

[[noreturn]] void fail(const std::string& file, int line, const std::string& message) {
    throw Error(file + ":" + std::to_string(line) + ": " + message);
}

// Which flags each instruction takes (Docker's reference; --link is accepted, see COPY).
const std::vector<std::string>* allowed_flags(const std::string& keyword) {
    static const std::vector<std::string> from = {"platform"};
    static const std::vector<std::string> run = {"mount", "network", "security"};
    static const std::vector<std::string> copy = {"from", "chown", "chmod", "link", "parents", "exclude"};
    static const std::vector<std::string> add = {"chown", "chmod", "link", "checksum", "exclude", "keep-git-dir", "parents"};
    static const std::vector<std::string> health = {"interval", "timeout", "start-period", "start-interval", "retries"};
    if (keyword == "FROM") return &from;
    if (keyword == "RUN") return &run;
    if (keyword == "COPY") return &copy;
    if (keyword == "ADD") return &add;
    if (keyword == "HEALTHCHECK") return &health;
    return nullptr;
}

// BuildKit's extractBuilderFlags: leading "--word" tokens (quotes and backslashes inside a
// token handled), up to the first token that does not start with "--" or a lone "--".
std::string extract_flags(const std::string& line, std::vector<std::string>& words) {
    size_t pos = 0;
    for (;;) {
        while (pos < line.size() && space(line[pos])) ++pos;
        if (pos >= line.size()) return "";
        if (line.compare(pos, 2, "--") != 0) return line.substr(pos);
        std::string word;
        bool quoted_empty = false;
        char quote = 0;
        for (; pos < line.size(); ++pos) {
            char c = line[pos];
            if (quote) {
                if (c == quote) {
                    quote = 0;
                    continue;
                }
            } else if (space(c)) {
                break;
            } else if (c == '\'' || c == '"') {
                quote = c;
                quoted_empty = true;
                continue;
            }
            if (c == '\\' && pos + 1 < line.size()) c = line[++pos];
            word += c;
        }
        if (word == "--") return pos < line.size() ? ltrim(line.substr(pos)) : "";
        if (!word.empty() || quoted_empty) words.push_back(word);
    }
}

// "<<EOF", "<<-EOF", "<<'EOF'", "<<\"EOF\"" among the words of a RUN/COPY/ADD line.
std::vector<Heredoc> heredocs_of(const std::string& args) {
    std::vector<Heredoc> out;
    for (const std::string& word : split_raw_words(args, '\\')) {
        size_t i = 0;
        while (i < word.size() && std::isdigit(static_cast<unsigned char>(word[i]))) ++i;
        if (word.compare(i, 2, "<<") != 0) continue;
        i += 2;
        Heredoc h;
        if (i < word.size() && word[i] == '-') {
            h.strip_tabs = true;
            ++i;
        }
        std::string rest = word.substr(i);
        if (rest.empty() || rest.find('<') != std::string::npos) continue;
        // A quoted (even partly quoted) terminator turns expansion off, as in a shell.
        std::string name;
        bool quoted = false;
        char quote = 0;
        for (size_t k = 0; k < rest.size(); ++k) {
            char c = rest[k];
            if (quote) {
                if (c == quote) quote = 0;
                else name += c;
            } else if (c == '\'' || c == '"') {
                quote = c;
                quoted = true;
            } else if (c == '\\' && k + 1 < rest.size()) {
                name += rest[++k];
                quoted = true;
            } else {
                name += c;
            }
        }
        if (name.empty()) continue;
        h.name = name;
        h.expand = !quoted;
        out.push_back(std::move(h));
    }
    return out;
}

}  // namespace

std::optional<std::string> Instruction::flag(const std::string& name) const {
    std::optional<std::string> v;
    for (const auto& f : flags)
        if (f.name == name) v = f.value.value_or("true");
    return v;
}

bool Instruction::has_flag(const std::string& name) const {
    return std::any_of(flags.begin(), flags.end(), [&](const Flag& f) { return f.name == name; });
}

std::vector<std::string> Instruction::flag_values(const std::string& name) const {
    std::vector<std::string> out;
    for (const auto& f : flags)
        if (f.name == name) out.push_back(f.value.value_or(""));
    return out;
}

bool known_instruction(std::string_view keyword) {
    return std::any_of(std::begin(kInstructions), std::end(kInstructions), [&](const char* k) { return keyword == k; });
}

std::optional<std::vector<std::string>> parse_json_array(std::string_view text) {
    std::string t = rtrim(ltrim(text));
    if (t.empty() || t[0] != '[') return std::nullopt;
    nlohmann::json j = nlohmann::json::parse(t, nullptr, false);
    if (j.is_discarded() || !j.is_array()) return std::nullopt;
    std::vector<std::string> out;
    for (const auto& v : j) {
        if (!v.is_string()) return std::nullopt;
        out.push_back(v.get<std::string>());
    }
    return out;
}

Instruction parse_instruction_line(std::string_view text, const std::string& file, int line_no, char escape) {
    (void)escape;
    Instruction ins;
    ins.file = file;
    ins.line = ins.end_line = line_no;
    std::string line = ltrim(text);
    ins.original = rtrim(line);
    size_t sp = 0;
    while (sp < line.size() && !space(line[sp])) ++sp;
    std::string word = line.substr(0, sp);
    ins.keyword = word;
    std::transform(ins.keyword.begin(), ins.keyword.end(), ins.keyword.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    if (!known_instruction(ins.keyword)) {
        std::vector<std::string> names(std::begin(kInstructions), std::end(kInstructions));
        fail(file, line_no, "unknown instruction: " + word + " (valid: " + str::join(names, ", ") + ")");
    }
    std::string args = rtrim(ltrim(std::string_view(line).substr(sp)));
    if (const auto* allowed = allowed_flags(ins.keyword)) {
        std::vector<std::string> words;
        args = rtrim(extract_flags(args, words));
        for (const auto& w : words) {
            if (w.size() < 3 || w.compare(0, 2, "--") != 0) fail(file, line_no, ins.keyword + ": malformed flag \"" + w + "\"");
            auto [name, value] = str::split_once(w.substr(2), '=');
            if (std::find(allowed->begin(), allowed->end(), name) == allowed->end())
                fail(file, line_no, ins.keyword + ": unknown flag: --" + name + " (valid: --" + str::join(*allowed, ", --") + ")");
            ins.flags.push_back({name, value});
        }
    }
    ins.args = args;
    static const char* json_forms[] = {"RUN", "CMD", "ENTRYPOINT", "SHELL", "COPY", "ADD", "VOLUME"};
    if (std::any_of(std::begin(json_forms), std::end(json_forms), [&](const char* k) { return ins.keyword == k; })) {
        if (auto arr = parse_json_array(args)) {
            ins.json = true;
            ins.json_args = *arr;
        }
    }
    if (ins.keyword == "ONBUILD") {
        if (args.empty()) fail(file, line_no, "ONBUILD requires at least one argument");
        Instruction trigger = parse_instruction_line(args, file, line_no, escape);
        if (trigger.keyword == "ONBUILD") fail(file, line_no, "chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
        if (trigger.keyword == "FROM" || trigger.keyword == "MAINTAINER")
            fail(file, line_no, trigger.keyword + " isn't allowed as an ONBUILD trigger");
        ins.sub.push_back(std::move(trigger));
    }
    return ins;
}

Dockerfile parse_dockerfile(std::string_view text, const std::string& file) {
    Dockerfile df;
    df.file = file;
    if (text.size() >= 3 && text.compare(0, 3, "\xEF\xBB\xBF") == 0) text.remove_prefix(3);  // UTF-8 BOM
    std::vector<std::string> lines;
    for (size_t start = 0; start <= text.size();) {
        size_t nl = text.find('\n', start);
        if (nl == std::string_view::npos) {
            if (start < text.size()) lines.emplace_back(text.substr(start));
            break;
        }
        lines.emplace_back(text.substr(start, nl - start));
        start = nl + 1;
    }
    for (auto& l : lines)
        if (!l.empty() && l.back() == '\r') l.pop_back();

    // Parser directives: "# name=value" lines at the very top.
    size_t i = 0;
    bool seen_escape = false, seen_syntax = false;
    for (; i < lines.size(); ++i) {
        std::string t = ltrim(lines[i]);
        if (t.empty() || t[0] != '#') break;
        std::string body = ltrim(t.substr(1));
        auto eq = body.find('=');
        if (eq == std::string::npos) break;
        std::string name = str::to_lower(rtrim(body.substr(0, eq)));
        std::string value = rtrim(ltrim(body.substr(eq + 1)));
        if (name.empty() || !std::all_of(name.begin(), name.end(), [](unsigned char c) { return std::isalnum(c); }))
            break;
        if (name == "escape") {
            if (seen_escape) fail(file, static_cast<int>(i + 1), "only one escape parser directive can be used");
            if (value != "\\" && value != "`")
                fail(file, static_cast<int>(i + 1), "invalid escape token '" + value + "' does not match ` or \\");
            df.escape = value[0];
            seen_escape = true;
        } else if (name == "syntax") {
            if (seen_syntax) fail(file, static_cast<int>(i + 1), "only one syntax parser directive can be used");
            df.syntax = value;
            seen_syntax = true;
        } else if (name != "check") {
            break;  // an ordinary comment: directives end here
        }
    }

    for (i = 0; i < lines.size();) {
        if (comment_or_blank(lines[i])) {
            ++i;
            continue;
        }
        const int first = static_cast<int>(i + 1);
        std::string logical = lines[i];
        bool more = strip_continuation(logical, df.escape);
        ++i;
        while (more && i < lines.size()) {
            // Comments and empty lines inside a continued instruction are skipped.
            if (comment_or_blank(lines[i])) {
                ++i;
                continue;
            }
            std::string next = lines[i++];
            more = strip_continuation(next, df.escape);
            logical += next;
        }
        Instruction ins = parse_instruction_line(logical, file, first, df.escape);
        ins.end_line = static_cast<int>(i);
        if (ins.keyword == "RUN" || ins.keyword == "COPY" || ins.keyword == "ADD") {
            ins.heredocs = heredocs_of(ins.args);
            for (auto& h : ins.heredocs) {
                bool terminated = false;
                while (i < lines.size()) {
                    std::string l = lines[i++];
                    if (h.strip_tabs) l.erase(0, l.find_first_not_of('\t') == std::string::npos ? l.size() : l.find_first_not_of('\t'));
                    if (l == h.name) {
                        terminated = true;
                        break;
                    }
                    h.content += l + "\n";
                }
                if (!terminated)
                    fail(file, first, "unterminated here-document: no line \"" + h.name + "\" ends the <<" + h.name +
                                          " started here");
            }
            ins.end_line = static_cast<int>(i);
        }
        df.instructions.push_back(std::move(ins));
    }
    return df;
}

}  // namespace pc::build
