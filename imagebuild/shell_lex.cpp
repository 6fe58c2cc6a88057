#include "imagebuild/shell_lex.hpp"

#include <cctype>

#include "common/error.hpp"

namespace pc::build {

namespace {

bool blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Words being assembled: characters from quotes and escapes never split a word; those of
// plain text and unquoted expansions do at blanks.
struct Words {
    std::vector<std::string> out;
    std::string cur;
    bool in_word = false;

    void raw(char c) {
        cur += c;
        in_word = true;
    }
    void raw(const std::string& s) {
        for (char c : s) raw(c);
    }
    void split(char c) {
        if (!blank(c)) return raw(c);
        if (in_word) out.push_back(cur);
        cur.clear();
        in_word = false;
    }
    void split(const std::string& s) {
        for (char c : s) split(c);
    }
    std::vector<std::string> finish() {
        if (in_word) out.push_back(cur);
        return std::move(out);
    }
};

}  // namespace

struct ShellLex::Scan {
    std::string_view text;
    size_t pos = 0;
    const VarLookup& vars;

    bool done() const { return pos >= text.size(); }
    char peek() const { return done() ? '\0' : text[pos]; }
    char next() { return done() ? '\0' : text[pos++]; }
};

std::string ShellLex::lookup(const std::string& name, const VarLookup& vars, bool* set) const {
    referenced_.insert(name);
    auto v = vars ? vars(name) : std::nullopt;
    if (set) *set = v.has_value();
    return v.value_or("");
}

namespace {

// Up to `stop` (consumed) or the end; expansions inside are done by `dollar`.
template <typename Dollar>
std::string scan_until(std::string_view text, size_t& pos, char stop, char escape, Words* words, Dollar&& dollar) {
    std::string result;
    while (pos < text.size()) {
        char c = text[pos];
        if (stop && c == stop) {
            ++pos;
            return result;
        }
        if (c == '\'') {
            ++pos;
            size_t end = text.find('\'', pos);
            if (end == std::string_view::npos)
                throw Error("unexpected end of statement while looking for matching single-quote");
            std::string lit(text.substr(pos, end - pos));
            pos = end + 1;
            result += lit;
            if (words) {
                words->raw(lit);
                words->in_word = true;  // '' is still a word
            }
        } else if (c == '"') {
            ++pos;
            std::string lit;
            for (;;) {
                if (pos >= text.size())
                    throw Error("unexpected end of statement while looking for matching double-quote");
                char d = text[pos];
                if (d == '"') {
                    ++pos;
                    break;
                }
                if (d == '$') {
                    lit += dollar(pos);
                    continue;
                }
                ++pos;
                if (d == escape) {
                    if (pos >= text.size()) continue;  // a trailing escape is dropped
                    char e = text[pos];
                    if (e == '"' || e == '$' || e == escape) d = text[pos++];
                }
                lit += d;
            }
            result += lit;
            if (words) {
                words->raw(lit);
                words->in_word = true;
            }
        } else if (c == '$') {
            std::string v = dollar(pos);
            result += v;
            if (words) words->split(v);
        } else {
            ++pos;
            if (c == escape) {
                if (pos >= text.size()) break;  // escape at the end of the word: dropped
                c = text[pos++];
                result += c;
                if (words) words->raw(c);
                continue;
            }
            result += c;
            if (words) words->split(c);
        }
    }
    if (stop) throw Error(std::string("syntax error: missing '") + stop + "'");
    return result;
}

// Removes the shortest or longest prefix (or suffix) of `value` that the glob matches.
std::string trim_glob(const std::string& value, const std::string& pattern, bool prefix, bool longest) {
    const size_t n = value.size();
    if (prefix) {
        for (size_t k = 0; k <= n; ++k) {
            size_t len = longest ? n - k : k;
            if (glob_match(pattern, std::string_view(value).substr(0, len))) return value.substr(len);
        }
    } else {
        for (size_t k = 0; k <= n; ++k) {
            size_t len = longest ? n - k : k;
            if (glob_match(pattern, std::string_view(value).substr(n - len))) return value.substr(0, n - len);
        }
    }
    return value;
}

}  // namespace

std::string ShellLex::dollar(Scan& s) const {
    s.next();  // '$'
    auto read_name = [&] {
        std::string name;
        if (std::isdigit(static_cast<unsigned char>(s.peek()))) {
            while (std::isdigit(static_cast<unsigned char>(s.peek()))) name += s.next();
            return name;
        }
        while (!s.done() && name_char(s.peek())) name += s.next();
        return name;
    };
    if (s.peek() != '{') {
        std::string name = read_name();
        if (name.empty()) return "$";
        return lookup(name, s.vars, nullptr);
    }
    s.next();  // '{'
    if (s.done()) throw Error("syntax error: missing '}'");
    if (s.peek() == '{' || s.peek() == '}' || s.peek() == ':') throw Error("syntax error: bad substitution");
    const std::string name = read_name();
    if (name.empty()) throw Error("syntax error: bad substitution");
    auto word = [&] {
        return scan_until(s.text, s.pos, '}', escape_, nullptr, [&](size_t& pos) {
            s.pos = pos;
            std::string v = dollar(s);
            pos = s.pos;
            return v;
        });
    };
    bool set = false;
    char op = s.next();
    switch (op) {
        case '}':
            return lookup(name, s.vars, nullptr);
        case ':': {
            char mod = s.next();
            if (mod != '-' && mod != '+' && mod != '?')
                throw Error(std::string("unsupported modifier (") + mod + ") in substitution ${" + name + ":" + mod + "...}");
            std::string w = word();
            std::string value = lookup(name, s.vars, &set);
            if (mod == '+') return value.empty() ? "" : w;
            if (mod == '-') return value.empty() ? w : value;
            if (!set) throw Error(name + ": " + (w.empty() ? "is not allowed to be unset" : w));
            if (value.empty()) throw Error(name + ": " + (w.empty() ? "is not allowed to be empty" : w));
            return value;
        }
        case '-':
        case '+':
        case '?': {
            std::string w = word();
            std::string value = lookup(name, s.vars, &set);
            if (op == '-') return set ? value : w;
            if (op == '+') return set ? w : "";
            if (!set) throw Error(name + ": " + (w.empty() ? "is not allowed to be unset" : w));
            return value;
        }
        case '#':
        case '%': {
            bool longest = s.peek() == op;
            if (longest) s.next();
            std::string pattern = word();
            return trim_glob(lookup(name, s.vars, nullptr), pattern, op == '#', longest);
        }
        default:
            throw Error(std::string("unsupported modifier (") + op + ") in substitution ${" + name + "...}");
    }
}

std::string ShellLex::process_word(std::string_view word, const VarLookup& vars) const {
    Scan s{word, 0, vars};
    return scan_until(word, s.pos, '\0', escape_, nullptr, [&](size_t& pos) {
        s.pos = pos;
        std::string v = dollar(s);
        pos = s.pos;
        return v;
    });
}

std::vector<std::string> ShellLex::process_words(std::string_view text, const VarLookup& vars) const {
    Scan s{text, 0, vars};
    Words words;
    scan_until(text, s.pos, '\0', escape_, &words, [&](size_t& pos) {
        s.pos = pos;
        std::string v = dollar(s);
        pos = s.pos;
        return v;
    });
    return words.finish();
}

std::vector<std::string> split_raw_words(std::string_view text, char escape) {
    std::vector<std::string> out;
    std::string cur;
    char quote = 0;
    bool in_word = false;
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (quote == 0 && blank(c)) {
            if (in_word) out.push_back(cur);
            cur.clear();
            in_word = false;
            continue;
        }
        in_word = true;
        cur += c;
        if (c == escape && quote != '\'' && i + 1 < text.size()) {
            cur += text[++i];
            continue;
        }
        if (quote == 0 && (c == '\'' || c == '"')) quote = c;
        else if (quote == c) quote = 0;
    }
    if (in_word) out.push_back(cur);
    return out;
}

std::set<std::string> referenced_variables(std::string_view text) {
    std::set<std::string> out;
    bool single = false;
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '\\' && !single) {
            ++i;
            continue;
        }
        if (c == '\'') {
            single = !single;
            continue;
        }
        if (single || c != '$' || i + 1 >= text.size()) continue;
        size_t j = i + 1;
        if (text[j] == '{') ++j;
        size_t start = j;
        if (j < text.size() && std::isdigit(static_cast<unsigned char>(text[j]))) continue;
        while (j < text.size() && name_char(text[j])) ++j;
        if (j > start) out.insert(std::string(text.substr(start, j - start)));
    }
    return out;
}

bool glob_match(std::string_view p, std::string_view t) {
    size_t pi = 0, ti = 0, star_p = std::string_view::npos, star_t = 0;
    auto class_match = [&](size_t& i, char c) {
        // p[i] == '['; on return i is past the closing ']' (or unchanged if unterminated).
        size_t j = i + 1;
        bool negate = j < p.size() && (p[j] == '!' || p[j] == '^');
        if (negate) ++j;
        bool matched = false;
        size_t first = j;
        for (; j < p.size() && (p[j] != ']' || j == first); ++j) {
            if (j + 2 < p.size() && p[j + 1] == '-' && p[j + 2] != ']') {
                if (c >= p[j] && c <= p[j + 2]) matched = true;
                j += 2;
            } else if (p[j] == c) {
                matched = true;
            }
        }
        if (j >= p.size()) return c == '[' ? (++i, true) : false;  // a lone '[' is literal
        i = j + 1;
        return matched != negate;
    };
    while (ti < t.size()) {
        if (pi < p.size() && p[pi] == '*') {
            star_p = pi++;
            star_t = ti;
            continue;
        }
        if (pi < p.size()) {
            size_t next = pi;
            bool ok;
            if (p[pi] == '?') ok = true, next = pi + 1;
            else if (p[pi] == '[') ok = class_match(next, t[ti]);
            else if (p[pi] == '\\' && pi + 1 < p.size()) ok = p[pi + 1] == t[ti], next = pi + 2;
            else ok = p[pi] == t[ti], next = pi + 1;
            if (ok) {
                pi = next;
                ++ti;
                continue;
            }
        }
        if (star_p == std::string_view::npos) return false;
        pi = star_p + 1;
        ti = ++star_t;
    }
    while (pi < p.size() && p[pi] == '*') ++pi;
    return pi == p.size();
}

}  // namespace pc::build
