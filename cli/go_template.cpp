// Lexer, parser and executor of the Go text/template language over JSON values. The
// structure follows Go's text/template/parse so that what parses, what fails and the
// error messages match what Podman users see.
#include "cli/go_template.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "common/error.hpp"

namespace pc::cli {

using nlohmann::json;

namespace gotmpl {

enum class NodeType {
    List,
    Text,
    Action,
    If,
    Range,
    With,
    Break,
    Continue,
    Pipe,
    Command,
    Field,
    Chain,
    Variable,
    Identifier,
    Dot,
    Nil,
    Bool,
    Number,
    String
};

struct Node {
    NodeType type = NodeType::List;
    size_t pos = 0;
    std::string text;                         // Text content, identifier name, literal source
    std::vector<std::string> idents;          // Field: names; Variable: "$x" + names; Chain: names
    std::vector<std::shared_ptr<Node>> nodes;  // List items, Pipe commands, Command args, Chain operand
    std::shared_ptr<Node> pipe, list, else_list;
    std::vector<std::string> decl;  // Pipe: declared/assigned variables
    bool is_assign = false;
    json value;  // Bool, Number, String literals
};

}  // namespace gotmpl

namespace {

using gotmpl::Node;
using gotmpl::NodeType;
using NodeP = std::shared_ptr<Node>;

// ---- lexer ---------------------------------------------------------------------------

enum class Tok {
    Error,
    Bool,
    Char,
    CharConstant,
    Assign,
    Declare,
    Eof,
    Field,
    Identifier,
    LeftDelim,
    LeftParen,
    Number,
    Pipe,
    RawString,
    RightDelim,
    RightParen,
    Space,
    String,
    Text,
    Variable,
    // keywords
    Dot,
    Nil,
    Block,
    Break,
    Continue,
    Define,
    Else,
    End,
    If,
    Range,
    Template,
    With
};

bool is_keyword(Tok t) { return t >= Tok::Dot; }

struct Token {
    Tok type;
    size_t pos;
    std::string val;
    int line;
};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool is_alnum(char c) {
    auto u = static_cast<unsigned char>(c);
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || u >= 0x80;
}

// Go's %#U of the rune at s[i].
std::string rune_desc(std::string_view s, size_t i) {
    auto c = static_cast<unsigned char>(s[i]);
    char buf[32];
    if (c < 0x80) {
        if (c >= 0x20 && c < 0x7F)
            std::snprintf(buf, sizeof buf, "U+%04X '%c'", c, c);
        else
            std::snprintf(buf, sizeof buf, "U+%04X", c);
        return buf;
    }
    // Non-ASCII: decode for the code point, print the bytes as the character.
    int n = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
    uint32_t r = n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : n == 4 ? (c & 0x07) : 0xFFFD;
    for (int k = 1; k < n && i + static_cast<size_t>(k) < s.size(); ++k)
        r = (r << 6) | (static_cast<unsigned char>(s[i + static_cast<size_t>(k)]) & 0x3F);
    std::snprintf(buf, sizeof buf, "U+%04X '", r);
    return buf + std::string(s.substr(i, static_cast<size_t>(n))) + "'";
}

class Lexer {
public:
    explicit Lexer(std::string_view in) : in_(in) {}

    std::vector<Token> run() {
        while (lex_text() && lex_action()) {
        }
        return std::move(out_);
    }

private:
    std::string_view in_;
    size_t pos_ = 0;
    int line_ = 1;
    int paren_depth_ = 0;
    bool trim_next_ = false;  // the previous action ended with "-}}"
    std::vector<Token> out_;

    void emit(Tok t, size_t start, std::string val, int line) { out_.push_back({t, start, std::move(val), line}); }
    bool error(const std::string& msg) {
        out_.push_back({Tok::Error, pos_, msg, line_});
        return false;
    }
    void advance_to(size_t p) {
        line_ += static_cast<int>(std::count(in_.begin() + static_cast<long>(pos_), in_.begin() + static_cast<long>(p), '\n'));
        pos_ = p;
    }
    bool at(size_t p, std::string_view s) const { return in_.substr(std::min(p, in_.size()), s.size()) == s; }
    // " -}}" at p: a space, the trim marker and the right delimiter.
    bool at_trim_right(size_t p) const { return p + 1 < in_.size() && is_space(in_[p]) && in_[p + 1] == '-' && at(p + 2, "}}"); }

    // Text up to the next "{{"; false at the end of input.
    bool lex_text() {
        if (trim_next_) {
            size_t p = pos_;
            while (p < in_.size() && is_space(in_[p])) ++p;
            advance_to(p);
            trim_next_ = false;
        }
        size_t x = in_.find("{{", pos_);
        size_t text_end = x == std::string_view::npos ? in_.size() : x;
        bool left_trim = x != std::string_view::npos && x + 3 < in_.size() && in_[x + 2] == '-' && is_space(in_[x + 3]);
        size_t keep = text_end;
        if (left_trim)
            while (keep > pos_ && is_space(in_[keep - 1])) --keep;
        if (keep > pos_) emit(Tok::Text, pos_, std::string(in_.substr(pos_, keep - pos_)), line_);
        advance_to(text_end);
        if (x == std::string_view::npos) {
            emit(Tok::Eof, pos_, "", line_);
            return false;
        }
        return true;
    }

    // From "{{" to the matching "}}"; false on error.
    bool lex_action() {
        size_t delim = pos_;
        bool left_trim = in_.size() > pos_ + 3 && in_[pos_ + 2] == '-' && is_space(in_[pos_ + 3]);
        size_t after = pos_ + 2 + (left_trim ? 2 : 0);
        if (at(after, "/*")) {
            size_t end = in_.find("*/", after + 2);
            if (end == std::string_view::npos) {
                advance_to(in_.size());
                return error("unclosed comment");
            }
            advance_to(end + 2);
            if (at_trim_right(pos_)) {
                advance_to(pos_ + 4);
                trim_next_ = true;
                return true;
            }
            if (at(pos_, "}}")) {
                advance_to(pos_ + 2);
                return true;
            }
            return error("comment ends before closing delimiter");
        }
        emit(Tok::LeftDelim, delim, "{{", line_);
        advance_to(after);
        paren_depth_ = 0;
        for (;;) {
            bool trim = at_trim_right(pos_);
            if (trim || at(pos_, "}}")) {
                if (paren_depth_ > 0) return error("unclosed left paren");
                size_t p = pos_ + (trim ? 2 : 0);
                emit(Tok::RightDelim, p, "}}", line_);
                advance_to(p + 2);
                trim_next_ = trim;
                return true;
            }
            if (pos_ >= in_.size()) return error("unclosed action");
            char c = in_[pos_];
            size_t start = pos_;
            int line = line_;
            if (is_space(c)) {
                size_t p = pos_;
                while (p < in_.size() && is_space(in_[p])) ++p;
                // A space that starts " -}}" belongs to the delimiter.
                if (p < in_.size() && in_[p] == '-' && at(p + 1, "}}")) --p;
                advance_to(p);
                if (p > start) emit(Tok::Space, start, std::string(in_.substr(start, p - start)), line);
                continue;
            }
            switch (c) {
            case '=':
                advance_to(pos_ + 1);
                emit(Tok::Assign, start, "=", line);
                continue;
            case ':':
                if (!at(pos_ + 1, "=")) return error("expected :=");
                advance_to(pos_ + 2);
                emit(Tok::Declare, start, ":=", line);
                continue;
            case '|':
                advance_to(pos_ + 1);
                emit(Tok::Pipe, start, "|", line);
                continue;
            case '"':
                if (!lex_quote('"', Tok::String, "unterminated quoted string")) return false;
                continue;
            case '`': {
                size_t end = in_.find('`', pos_ + 1);
                if (end == std::string_view::npos) return error("unterminated raw quoted string");
                advance_to(end + 1);
                emit(Tok::RawString, start, std::string(in_.substr(start, end + 1 - start)), line);
                continue;
            }
            case '\'':
                if (!lex_quote('\'', Tok::CharConstant, "unterminated character constant")) return false;
                continue;
            case '$':
                if (!lex_field_or_variable(Tok::Variable)) return false;
                continue;
            case '(':
                advance_to(pos_ + 1);
                emit(Tok::LeftParen, start, "(", line);
                ++paren_depth_;
                continue;
            case ')':
                advance_to(pos_ + 1);
                emit(Tok::RightParen, start, ")", line);
                if (--paren_depth_ < 0) return error("unexpected right paren");
                continue;
            default:
                break;
            }
            if (c == '.') {
                if (pos_ + 1 < in_.size() && in_[pos_ + 1] >= '0' && in_[pos_ + 1] <= '9') {
                    if (!lex_number()) return false;
                } else if (!lex_field_or_variable(Tok::Field)) {
                    return false;
                }
                continue;
            }
            if (c == '+' || c == '-' || (c >= '0' && c <= '9')) {
                if (!lex_number()) return false;
                continue;
            }
            if (is_alnum(c)) {
                if (!lex_identifier()) return false;
                continue;
            }
            if (static_cast<unsigned char>(c) < 0x7F && static_cast<unsigned char>(c) >= 0x20) {
                advance_to(pos_ + 1);
                emit(Tok::Char, start, std::string(1, c), line);
                continue;
            }
            return error("unrecognized character in action: " + rune_desc(in_, pos_));
        }
    }

    bool at_terminator() const {
        if (pos_ >= in_.size()) return true;
        char c = in_[pos_];
        if (is_space(c)) return true;
        switch (c) {
        case '.':
        case ',':
        case '|':
        case ':':
        case ')':
        case '(':
            return true;
        default:
            return at(pos_, "}}");
        }
    }

    bool lex_quote(char q, Tok t, const char* unterminated) {
        size_t start = pos_;
        size_t p = pos_ + 1;
        for (;;) {
            if (p >= in_.size() || in_[p] == '\n') {
                advance_to(p);
                return error(unterminated);
            }
            if (in_[p] == '\\') {
                if (p + 1 >= in_.size() || in_[p + 1] == '\n') {
                    advance_to(p);
                    return error(unterminated);
                }
                p += 2;
                continue;
            }
            if (in_[p] == q) break;
            ++p;
        }
        int line = line_;
        advance_to(p + 1);
        emit(t, start, std::string(in_.substr(start, p + 1 - start)), line);
        return true;
    }

    bool lex_field_or_variable(Tok t) {
        size_t start = pos_;
        int line = line_;
        advance_to(pos_ + 1);
        if (at_terminator()) {
            if (t == Tok::Variable)
                emit(Tok::Variable, start, "$", line);
            else
                emit(Tok::Dot, start, ".", line);
            return true;
        }
        while (pos_ < in_.size() && is_alnum(in_[pos_])) advance_to(pos_ + 1);
        if (!at_terminator()) return error("bad character " + rune_desc(in_, pos_));
        emit(t, start, std::string(in_.substr(start, pos_ - start)), line);
        return true;
    }

    bool lex_identifier() {
        size_t start = pos_;
        int line = line_;
        while (pos_ < in_.size() && is_alnum(in_[pos_])) advance_to(pos_ + 1);
        if (!at_terminator()) return error("bad character " + rune_desc(in_, pos_));
        std::string word(in_.substr(start, pos_ - start));
        static const std::pair<const char*, Tok> kKeywords[] = {
            {"block", Tok::Block}, {"break", Tok::Break}, {"continue", Tok::Continue}, {"define", Tok::Define},
            {"else", Tok::Else},   {"end", Tok::End},     {"if", Tok::If},             {"range", Tok::Range},
            {"nil", Tok::Nil},     {"template", Tok::Template}, {"with", Tok::With}};
        Tok t = Tok::Identifier;
        for (const auto& [k, kt] : kKeywords)
            if (word == k) t = kt;
        if (word == "true" || word == "false") t = Tok::Bool;
        emit(t, start, word, line);
        return true;
    }

    // Go's scanNumber: sign, base prefix, digits with '_', fraction, exponent, 'i'.
    bool lex_number() {
        size_t start = pos_;
        int line = line_;
        size_t p = pos_;
        auto accept = [&](std::string_view valid) {
            if (p < in_.size() && valid.find(in_[p]) != std::string_view::npos) {
                ++p;
                return true;
            }
            return false;
        };
        auto accept_run = [&](std::string_view valid) {
            while (p < in_.size() && valid.find(in_[p]) != std::string_view::npos) ++p;
        };
        accept("+-");
        std::string_view digits = "0123456789_";
        if (accept("0")) {
            if (accept("xX"))
                digits = "0123456789abcdefABCDEF_";
            else if (accept("oO"))
                digits = "01234567_";
            else if (accept("bB"))
                digits = "01_";
        }
        accept_run(digits);
        if (accept(".")) accept_run(digits);
        if (digits.size() == 11 && accept("eE")) {
            accept("+-");
            accept_run("0123456789_");
        }
        if (digits.size() == 23 && accept("pP")) {
            accept("+-");
            accept_run("0123456789_");
        }
        accept("i");
        if (p < in_.size() && is_alnum(in_[p])) {
            advance_to(p + 1);
            return error("bad number syntax: " + gotmpl::quote(in_.substr(start, p + 1 - start)));
        }
        advance_to(p);
        emit(Tok::Number, start, std::string(in_.substr(start, p - start)), line);
        return true;
    }
};

// ---- literal decoding ------------------------------------------------------------------

// strconv.Unquote for "..." `...` and '...'; nullopt on invalid syntax.
std::optional<std::string> unquote(std::string_view s) {
    if (s.size() < 2) return std::nullopt;
    char q = s[0];
    if (q != s.back()) return std::nullopt;
    std::string_view body = s.substr(1, s.size() - 2);
    if (q == '`') {
        std::string out;
        for (char c : body)
            if (c != '\r') out += c;  // raw strings drop carriage returns
        return out;
    }
    std::string out;
    auto hexval = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    for (size_t i = 0; i < body.size();) {
        char c = body[i];
        if (c == q || c == '\n') return std::nullopt;
        if (c != '\\') {
            out += c;
            ++i;
            continue;
        }
        if (i + 1 >= body.size()) return std::nullopt;
        char e = body[i + 1];
        i += 2;
        switch (e) {
        case 'a': out += '\a'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'v': out += '\v'; break;
        case '\\': out += '\\'; break;
        case '\'':
        case '"':
            if (e != q) return std::nullopt;
            out += e;
            break;
        case 'x':
        case 'u':
        case 'U': {
            int n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
            if (i + static_cast<size_t>(n) > body.size()) return std::nullopt;
            uint32_t v = 0;
            for (int k = 0; k < n; ++k) {
                int h = hexval(body[i + static_cast<size_t>(k)]);
                if (h < 0) return std::nullopt;
                v = v * 16 + static_cast<uint32_t>(h);
            }
            i += static_cast<size_t>(n);
            if (e == 'x') {
                out += static_cast<char>(v);  // a raw byte, as in Go
            } else {
                if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return std::nullopt;
                gotmpl::append_utf8(out, v);
            }
            break;
        }
        case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': {
            if (i + 2 > body.size()) return std::nullopt;
            uint32_t v = static_cast<uint32_t>(e - '0');
            for (int k = 0; k < 2; ++k) {
                char d = body[i + static_cast<size_t>(k)];
                if (d < '0' || d > '7') return std::nullopt;
                v = v * 8 + static_cast<uint32_t>(d - '0');
            }
            if (v > 255) return std::nullopt;
            i += 2;
            out += static_cast<char>(v);
            break;
        }
        default:
            return std::nullopt;
        }
    }
    return out;
}

// The value of a number literal as Go's idealConstant gives it: float when the text has
// a fraction or exponent, else int; char constants are ints.
std::optional<json> parse_number(const std::string& text, bool is_char, std::string& err) {
    if (is_char) {
        auto s = unquote(text);
        if (!s || s->empty()) {
            err = "malformed character constant: " + text;
            return std::nullopt;
        }
        // Decode exactly one rune.
        const std::string& b = *s;
        auto c = static_cast<unsigned char>(b[0]);
        uint32_t r = c;
        size_t n = 1;
        if (c >= 0xC0) {
            n = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
            r = c & (n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07);
            for (size_t k = 1; k < n && k < b.size(); ++k) r = (r << 6) | (static_cast<unsigned char>(b[k]) & 0x3F);
        }
        if (n != b.size()) {
            err = "malformed character constant: " + text;
            return std::nullopt;
        }
        return json(static_cast<int64_t>(r));
    }
    if (!text.empty() && text.back() == 'i') {
        err = "complex numbers are not supported: " + text;
        return std::nullopt;
    }
    std::string t;
    for (char c : text)
        if (c != '_') t += c;
    bool neg = false;
    std::string body = t;
    if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
        neg = body[0] == '-';
        body.erase(0, 1);
    }
    bool hex = body.size() > 1 && body[0] == '0' && (body[1] == 'x' || body[1] == 'X');
    bool is_float = hex ? body.find_first_of("pP.") != std::string::npos
                        : body.find_first_of(".eE") != std::string::npos;
    err = "illegal number syntax: " + gotmpl::quote(text);
    if (body.empty()) return std::nullopt;
    if (is_float) {
        char* end = nullptr;
        double d = std::strtod(t.c_str(), &end);
        if (end != t.c_str() + t.size()) return std::nullopt;
        return json(d);
    }
    int base = 10;
    std::string digits = body;
    if (body.size() > 1 && body[0] == '0') {
        char b = body[1];
        if (b == 'x' || b == 'X') {
            base = 16;
            digits = body.substr(2);
        } else if (b == 'o' || b == 'O') {
            base = 8;
            digits = body.substr(2);
        } else if (b == 'b' || b == 'B') {
            base = 2;
            digits = body.substr(2);
        } else {
            base = 8;  // Go: a leading 0 means octal
            digits = body.substr(1);
        }
    }
    if (digits.empty()) return std::nullopt;
    errno = 0;
    char* end = nullptr;
    unsigned long long u = std::strtoull(digits.c_str(), &end, base);
    if (end != digits.c_str() + digits.size() || digits[0] == '-' || digits[0] == '+') return std::nullopt;
    if (errno == ERANGE || u > (neg ? 9223372036854775808ULL : 9223372036854775807ULL)) {
        err = text + " overflows int";
        return std::nullopt;
    }
    if (neg) return json(u == 9223372036854775808ULL ? INT64_MIN : -static_cast<int64_t>(u));
    return json(static_cast<int64_t>(u));
}

// ---- node printing (for error context) -------------------------------------------------

std::string node_string(const Node& n);

std::string pipe_string(const Node& p) {
    std::string s;
    if (!p.decl.empty()) {
        for (size_t i = 0; i < p.decl.size(); ++i) s += (i ? ", " : "") + p.decl[i];
        s += p.is_assign ? " = " : " := ";
    }
    for (size_t i = 0; i < p.nodes.size(); ++i) s += (i ? " | " : "") + node_string(*p.nodes[i]);
    return s;
}

std::string node_string(const Node& n) {
    switch (n.type) {
    case NodeType::Pipe:
        return pipe_string(n);
    case NodeType::Command: {
        std::string s;
        for (size_t i = 0; i < n.nodes.size(); ++i) {
            if (i) s += ' ';
            if (n.nodes[i]->type == NodeType::Pipe)
                s += "(" + pipe_string(*n.nodes[i]) + ")";
            else
                s += node_string(*n.nodes[i]);
        }
        return s;
    }
    case NodeType::Field: {
        std::string s;
        for (const auto& id : n.idents) s += "." + id;
        return s;
    }
    case NodeType::Chain: {
        const Node& op = *n.nodes[0];
        std::string s = op.type == NodeType::Pipe ? "(" + pipe_string(op) + ")" : node_string(op);
        for (const auto& id : n.idents) s += "." + id;
        return s;
    }
    case NodeType::Variable: {
        std::string s;
        for (size_t i = 0; i < n.idents.size(); ++i) s += (i ? "." : "") + n.idents[i];
        return s;
    }
    case NodeType::Dot:
        return ".";
    case NodeType::Nil:
        return "nil";
    case NodeType::Bool:
        return n.value.get<bool>() ? "true" : "false";
    case NodeType::Identifier:
    case NodeType::Number:
    case NodeType::String:
    case NodeType::Text:
        return n.text;
    case NodeType::Action:
        return "{{" + pipe_string(*n.pipe) + "}}";
    case NodeType::If:
    case NodeType::Range:
    case NodeType::With:
        return pipe_string(*n.pipe);
    case NodeType::Break:
        return "{{break}}";
    case NodeType::Continue:
        return "{{continue}}";
    case NodeType::List:
        return "";
    }
    return "";
}

// ---- parser ----------------------------------------------------------------------------

constexpr int kMaxDepth = 1000;

class Parser {
public:
    Parser(std::vector<Token> toks, const std::string& name) : toks_(std::move(toks)), name_(name) {}

    NodeP parse() {
        auto root = new_node(NodeType::List, 0);
        for (;;) {
            auto [end, tok] = item_list(*root);
            if (end == Tok::Eof) break;
            errorf(tok.line, tok.type == Tok::End ? "unexpected {{end}}" : "unexpected {{else}}");
        }
        return root;
    }

private:
    std::vector<Token> toks_;
    size_t i_ = 0;
    const std::string& name_;
    std::vector<std::string> vars_{"$"};
    int range_depth_ = 0;
    int depth_ = 0;
    int action_line_ = 0;

    [[noreturn]] void errorf(int line, const std::string& msg) {
        throw Error("template: " + name_ + ":" + std::to_string(line) + ": " + msg);
    }

    const Token& peek() const { return toks_[std::min(i_, toks_.size() - 1)]; }
    const Token& next() {
        const Token& t = peek();
        if (i_ < toks_.size()) ++i_;
        return t;
    }
    const Token& next_non_space() {
        while (peek().type == Tok::Space) next();
        return next();
    }
    const Token& peek_non_space() {
        while (peek().type == Tok::Space) next();
        return peek();
    }

    static NodeP new_node(NodeType t, size_t pos) {
        auto n = std::make_shared<Node>();
        n->type = t;
        n->pos = pos;
        return n;
    }

    // Go's item.String() in "unexpected X in Y" messages.
    static std::string token_string(const Token& t) {
        if (t.type == Tok::Eof) return "EOF";
        if (t.type == Tok::Error) return t.val;
        if (is_keyword(t.type)) return "<" + t.val + ">";
        if (t.val.size() > 10) return gotmpl::quote(t.val.substr(0, 10)) + "...";
        return gotmpl::quote(t.val);
    }

    [[noreturn]] void unexpected(const Token& t, const std::string& context) {
        if (t.type == Tok::Error) {
            std::string extra;
            if (action_line_ != 0 && action_line_ != t.line)
                extra = " in action started at " + name_ + ":" + std::to_string(action_line_);
            errorf(t.line, t.val + extra);
        }
        errorf(t.line, "unexpected " + token_string(t) + " in " + context);
    }

    const Token& expect(Tok type, const std::string& context) {
        const Token& t = next_non_space();
        if (t.type != type) unexpected(t, context);
        return t;
    }

    // Parses text and actions into `list` until {{end}}, {{else}} or EOF, which is
    // returned (the delimiters of end/else are consumed up to the keyword).
    std::pair<Tok, Token> item_list(Node& list) {
        for (;;) {
            const Token& t = peek();
            switch (t.type) {
            case Tok::Eof:
                return {Tok::Eof, t};
            case Tok::Error:
                unexpected(t, "input");
            case Tok::Text: {
                auto n = new_node(NodeType::Text, t.pos);
                n->text = t.val;
                list.nodes.push_back(n);
                next();
                break;
            }
            case Tok::LeftDelim: {
                next();
                action_line_ = t.line;
                const Token& k = peek_non_space();
                if (k.type == Tok::End) {
                    Token end = next();
                    expect(Tok::RightDelim, "end");
                    return {Tok::End, end};
                }
                if (k.type == Tok::Else) {
                    Token els = next();
                    return {Tok::Else, els};
                }
                list.nodes.push_back(action());
                action_line_ = 0;
                break;
            }
            default:
                unexpected(t, "input");
            }
        }
    }

    NodeP action() {
        const Token& t = next_non_space();
        switch (t.type) {
        case Tok::If:
            return control(NodeType::If, t, "if");
        case Tok::Range:
            return control(NodeType::Range, t, "range");
        case Tok::With:
            return control(NodeType::With, t, "with");
        case Tok::Break:
        case Tok::Continue: {
            std::string kw = t.val;
            Token tok = t;
            expect(Tok::RightDelim, "{{" + kw + "}}");
            if (range_depth_ == 0) errorf(tok.line, "{{" + kw + "}} outside {{range}}");
            return new_node(tok.type == Tok::Break ? NodeType::Break : NodeType::Continue, tok.pos);
        }
        case Tok::Block:
        case Tok::Define:
        case Tok::Template:
            errorf(t.line, "{{" + t.val + "}} is not supported");
        default:
            break;
        }
        --i_;
        const Token& start = peek();
        auto n = new_node(NodeType::Action, start.pos);
        n->pipe = pipeline("command", Tok::RightDelim);
        return n;
    }

    // if/range/with: pipeline, body, optional else (with "else if"/"else with"), end.
    NodeP control(NodeType type, const Token& kw, const std::string& context) {
        size_t saved_vars = vars_.size();
        auto n = new_node(type, kw.pos);
        n->pipe = pipeline(context, Tok::RightDelim);
        n->list = new_node(NodeType::List, kw.pos);
        if (type == NodeType::Range) ++range_depth_;
        auto [end, tok] = item_list(*n->list);
        if (type == NodeType::Range) --range_depth_;
        if (end == Tok::Eof) errorf(tok.line, "unexpected EOF");
        if (end == Tok::Else) {
            const Token& after = peek_non_space();
            n->else_list = new_node(NodeType::List, tok.pos);
            // "{{else if ...}}" / "{{else with ...}}" is a nested control sharing our {{end}}.
            if ((type == NodeType::If && after.type == Tok::If) || (type == NodeType::With && after.type == Tok::With)) {
                const Token& kw2 = next();
                n->else_list->nodes.push_back(control(type, kw2, context));
            } else {
                expect(Tok::RightDelim, "else");
                auto [end2, tok2] = item_list(*n->else_list);
                if (end2 != Tok::End) {
                    if (end2 == Tok::Eof) errorf(tok2.line, "unexpected EOF");
                    errorf(tok2.line, "expected end; found {{else}}");
                }
            }
        }
        vars_.resize(saved_vars);
        return n;
    }

    NodeP pipeline(const std::string& context, Tok end) {
        if (++depth_ > kMaxDepth) errorf(peek().line, "max expression depth exceeded");
        const Token& first = peek_non_space();
        auto pipe = new_node(NodeType::Pipe, first.pos);
        // Declarations: "$x :=", "$x =", and in range "$i, $e :=".
        for (;;) {
            if (peek_non_space().type != Tok::Variable) break;
            size_t save = i_;
            const Token& v = next();
            const Token& after = peek_non_space();
            if (after.type == Tok::Assign || after.type == Tok::Declare) {
                pipe->is_assign = after.type == Tok::Assign;
                next();
                pipe->decl.push_back(v.val);
                if (pipe->is_assign && std::find(vars_.begin(), vars_.end(), v.val) == vars_.end())
                    errorf(v.line, "undefined variable " + gotmpl::quote(v.val));
                vars_.push_back(v.val);
                break;
            }
            if (after.type == Tok::Char && after.val == ",") {
                next();
                pipe->decl.push_back(v.val);
                vars_.push_back(v.val);
                if (context == "range" && pipe->decl.size() < 2) {
                    Tok t = peek_non_space().type;
                    if (t == Tok::Variable || t == Tok::RightDelim || t == Tok::RightParen) continue;
                    errorf(v.line, "range can only initialize variables");
                }
                errorf(v.line, "too many declarations in " + context);
            }
            i_ = save;
            break;
        }
        for (;;) {
            const Token& t = next_non_space();
            if (t.type == end) {
                if (pipe->nodes.empty()) errorf(t.line, "missing value for " + context);
                for (size_t k = 1; k < pipe->nodes.size(); ++k) {
                    NodeType a = pipe->nodes[k]->nodes[0]->type;
                    if (a == NodeType::Bool || a == NodeType::Dot || a == NodeType::Nil || a == NodeType::Number ||
                        a == NodeType::String)
                        errorf(t.line, "non executable command in pipeline stage " + std::to_string(k + 1));
                }
                --depth_;
                return pipe;
            }
            switch (t.type) {
            case Tok::Bool:
            case Tok::CharConstant:
            case Tok::Dot:
            case Tok::Field:
            case Tok::Identifier:
            case Tok::Number:
            case Tok::Nil:
            case Tok::RawString:
            case Tok::String:
            case Tok::Variable:
            case Tok::LeftParen:
                --i_;
                pipe->nodes.push_back(command());
                break;
            default:
                unexpected(t, context);
            }
        }
    }

    NodeP command() {
        auto cmd = new_node(NodeType::Command, peek_non_space().pos);
        for (;;) {
            peek_non_space();
            if (auto op = operand()) cmd->nodes.push_back(op);
            const Token& t = next();
            if (t.type == Tok::Space) continue;
            if (t.type == Tok::RightDelim || t.type == Tok::RightParen) {
                --i_;
            } else if (t.type != Tok::Pipe) {
                unexpected(t, "operand");
            }
            break;
        }
        if (cmd->nodes.empty()) errorf(peek().line, "empty command");
        return cmd;
    }

    NodeP operand() {
        NodeP node = term();
        if (!node) return nullptr;
        if (peek().type == Tok::Field) {
            std::vector<std::string> fields;
            while (peek().type == Tok::Field) fields.push_back(next().val.substr(1));
            switch (node->type) {
            case NodeType::Field:
            case NodeType::Variable:
                node->idents.insert(node->idents.end(), fields.begin(), fields.end());
                break;
            case NodeType::Bool:
            case NodeType::String:
            case NodeType::Number:
            case NodeType::Nil:
            case NodeType::Dot:
                errorf(peek().line, "unexpected . after term " + gotmpl::quote(node_string(*node)));
            default: {
                auto chain = new_node(NodeType::Chain, node->pos);
                chain->nodes.push_back(node);
                chain->idents = fields;
                node = chain;
            }
            }
        }
        return node;
    }

    NodeP term() {
        const Token& t = next_non_space();
        switch (t.type) {
        case Tok::Identifier: {
            if (!gotmpl::has_function(t.val)) errorf(t.line, "function " + gotmpl::quote(t.val) + " not defined");
            auto n = new_node(NodeType::Identifier, t.pos);
            n->text = t.val;
            return n;
        }
        case Tok::Dot:
            return new_node(NodeType::Dot, t.pos);
        case Tok::Nil:
            return new_node(NodeType::Nil, t.pos);
        case Tok::Variable: {
            auto n = new_node(NodeType::Variable, t.pos);
            size_t dot = t.val.find('.');
            n->idents.push_back(t.val.substr(0, dot));
            if (std::find(vars_.begin(), vars_.end(), n->idents[0]) == vars_.end())
                errorf(t.line, "undefined variable " + gotmpl::quote(n->idents[0]));
            return n;
        }
        case Tok::Field: {
            auto n = new_node(NodeType::Field, t.pos);
            n->idents.push_back(t.val.substr(1));
            return n;
        }
        case Tok::Bool: {
            auto n = new_node(NodeType::Bool, t.pos);
            n->value = t.val == "true";
            return n;
        }
        case Tok::CharConstant:
        case Tok::Number: {
            std::string err;
            auto v = parse_number(t.val, t.type == Tok::CharConstant, err);
            if (!v) errorf(t.line, err);
            auto n = new_node(NodeType::Number, t.pos);
            n->text = t.val;
            n->value = *v;
            return n;
        }
        case Tok::LeftParen:
            return pipeline("parenthesized pipeline", Tok::RightParen);
        case Tok::String:
        case Tok::RawString: {
            auto s = unquote(t.val);
            if (!s) errorf(t.line, "invalid syntax: " + t.val);
            auto n = new_node(NodeType::String, t.pos);
            n->text = t.val;
            n->value = *s;
            return n;
        }
        default:
            --i_;
            return nullptr;
        }
    }
};

// ---- executor --------------------------------------------------------------------------

enum class Flow { Normal, Break, Continue };

class Exec {
public:
    Exec(const std::string& name, const std::string& src, const json& root) : name_(name), src_(src) {
        vars_.emplace_back("$", root);
    }

    std::string out;

    Flow walk(const json& dot, const Node& n) {
        switch (n.type) {
        case NodeType::List:
            for (const auto& c : n.nodes) {
                Flow f = walk(dot, *c);
                if (f != Flow::Normal) return f;
            }
            return Flow::Normal;
        case NodeType::Text:
            out += n.text;
            return Flow::Normal;
        case NodeType::Action: {
            json v = eval_pipeline(dot, *n.pipe);
            if (n.pipe->decl.empty()) out += v.is_null() ? "<no value>" : gotmpl::format_value(v);
            return Flow::Normal;
        }
        case NodeType::If:
        case NodeType::With: {
            size_t mark = vars_.size();
            json v = eval_pipeline(dot, *n.pipe);
            Flow f = Flow::Normal;
            if (gotmpl::truth(v))
                f = walk(n.type == NodeType::With ? v : dot, *n.list);
            else if (n.else_list)
                f = walk(dot, *n.else_list);
            vars_.resize(mark);
            return f;
        }
        case NodeType::Range:
            return walk_range(dot, n);
        case NodeType::Break:
            return Flow::Break;
        case NodeType::Continue:
            return Flow::Continue;
        default:
            error(n, "unknown node");
        }
    }

private:
    const std::string& name_;
    const std::string& src_;
    std::vector<std::pair<std::string, json>> vars_;

    [[noreturn]] void error(const Node& at, const std::string& msg) {
        size_t pos = std::min(at.pos, src_.size());
        size_t nl = src_.rfind('\n', pos == 0 ? 0 : pos - 1);
        int line = 1 + static_cast<int>(std::count(src_.begin(), src_.begin() + static_cast<long>(pos), '\n'));
        size_t col = (nl == std::string::npos || pos == 0) ? pos : pos - (nl + 1);
        throw Error("template: " + name_ + ":" + std::to_string(line) + ":" + std::to_string(col) + ": executing " +
                    gotmpl::quote(name_) + " at <" + node_string(at) + ">: " + msg);
    }

    json& lookup(const Node& at, const std::string& name) {
        for (auto it = vars_.rbegin(); it != vars_.rend(); ++it)
            if (it->first == name) return it->second;
        error(at, "undefined variable: " + name);
    }

    Flow walk_range(const json& dot, const Node& n) {
        size_t mark = vars_.size();
        json v = eval_pipeline(dot, *n.pipe);
        const auto& decl = n.pipe->decl;
        bool any = false;
        auto one = [&](const json& index, const json& elem) -> bool {
            any = true;
            if (!decl.empty()) {
                if (n.pipe->is_assign) {
                    if (decl.size() > 1) {
                        lookup(n, decl[0]) = index;
                        lookup(n, decl[1]) = elem;
                    } else {
                        lookup(n, decl[0]) = elem;
                    }
                } else {
                    vars_[vars_.size() - 1].second = elem;
                    if (decl.size() > 1) vars_[vars_.size() - 2].second = index;
                }
            }
            size_t inner = vars_.size();
            Flow f = walk(elem, *n.list);
            vars_.resize(inner);
            return f != Flow::Break;
        };
        if (v.is_array()) {
            for (size_t i = 0; i < v.size(); ++i)
                if (!one(json(static_cast<int64_t>(i)), v[i])) break;
        } else if (v.is_object()) {
            for (auto it = v.begin(); it != v.end(); ++it)  // keys are sorted, like Go maps
                if (!one(json(it.key()), it.value())) break;
        } else if (v.is_number_integer()) {
            // Go 1.22 ranges over an integer.
            if (decl.size() > 1) error(*n.pipe, "can't use " + gotmpl::format_value(v) + " to iterate over more than one variable");
            int64_t count = v.is_number_unsigned() ? static_cast<int64_t>(v.get<uint64_t>()) : v.get<int64_t>();
            for (int64_t i = 0; i < count; ++i)
                if (!one(json(i), json(i))) break;
        } else if (!v.is_null()) {
            error(*n.pipe, "range can't iterate over " + gotmpl::format_value(v));
        }
        Flow f = Flow::Normal;
        if (!any && n.else_list) f = walk(dot, *n.else_list);
        vars_.resize(mark);
        return f == Flow::Normal ? Flow::Normal : f;
    }

    json eval_pipeline(const json& dot, const Node& pipe) {
        std::optional<json> value;
        for (const auto& cmd : pipe.nodes) value = eval_command(dot, *cmd, value);
        json v = value ? std::move(*value) : json();
        for (const auto& var : pipe.decl) {
            if (pipe.is_assign)
                lookup(pipe, var) = v;
            else
                vars_.emplace_back(var, v);
        }
        return v;
    }

    json eval_command(const json& dot, const Node& cmd, const std::optional<json>& final) {
        const Node& first = *cmd.nodes[0];
        switch (first.type) {
        case NodeType::Field:
            return eval_field_chain(dot, first, first.idents, 0, &cmd, final);
        case NodeType::Chain:
            return eval_chain(dot, first, &cmd, final);
        case NodeType::Identifier:
            return eval_function(dot, first, &cmd, final);
        case NodeType::Pipe:
            if (cmd.nodes.size() > 1 || final)
                error(first, "can't give argument to non-function " + node_string(cmd));
            return eval_pipeline(dot, first);
        case NodeType::Variable:
            return eval_variable(dot, first, &cmd, final);
        default:
            break;
        }
        if (cmd.nodes.size() > 1 || final) error(first, "can't give argument to non-function " + node_string(first));
        switch (first.type) {
        case NodeType::Bool:
        case NodeType::Number:
        case NodeType::String:
            return first.value;
        case NodeType::Dot:
            return dot;
        case NodeType::Nil:
            error(first, "nil is not a command");
        default:
            error(first, "can't evaluate command " + gotmpl::quote(node_string(first)));
        }
    }

    // Field lookups from `receiver`: on objects by key (missing -> null), null stays null,
    // anything else is an error. Arguments make no sense on JSON data.
    json eval_field_chain(const json& receiver, const Node& node, const std::vector<std::string>& idents, size_t from,
                          const Node* cmd, const std::optional<json>& final) {
        const json* cur = &receiver;
        static const json kNull;
        for (size_t i = from; i < idents.size(); ++i) {
            const std::string& name = idents[i];
            bool last = i + 1 == idents.size();
            if (cur->is_object()) {
                if (last && ((cmd && cmd->nodes.size() > 1) || final))
                    error(node, name + " is not a method but has arguments");
                auto it = cur->find(name);
                cur = it == cur->end() ? &kNull : &*it;
            } else if (cur->is_null()) {
                cur = &kNull;
            } else {
                error(node, "can't evaluate field " + name + " in type " + gotmpl::type_name(*cur));
            }
        }
        return *cur;
    }

    json eval_chain(const json& dot, const Node& chain, const Node* cmd, const std::optional<json>& final) {
        const Node& op = *chain.nodes[0];
        if (op.type == NodeType::Nil) error(chain, "indirection through explicit nil in " + node_string(chain));
        json base = eval_arg(dot, op);
        return eval_field_chain(base, chain, chain.idents, 0, cmd, final);
    }

    json eval_variable(const json& /*dot*/, const Node& var, const Node* cmd, const std::optional<json>& final) {
        const json& value = lookup(var, var.idents[0]);
        if (var.idents.size() == 1) {
            if ((cmd && cmd->nodes.size() > 1) || final)
                error(var, "can't give argument to non-function " + node_string(var));
            return value;
        }
        return eval_field_chain(value, var, var.idents, 1, cmd, final);
    }

    json eval_arg(const json& dot, const Node& n) {
        switch (n.type) {
        case NodeType::Dot:
            return dot;
        case NodeType::Nil:
            return nullptr;
        case NodeType::Field:
            return eval_field_chain(dot, n, n.idents, 0, nullptr, std::nullopt);
        case NodeType::Variable:
            return eval_variable(dot, n, nullptr, std::nullopt);
        case NodeType::Pipe:
            return eval_pipeline(dot, n);
        case NodeType::Identifier:
            return eval_function(dot, n, nullptr, std::nullopt);
        case NodeType::Chain:
            return eval_chain(dot, n, nullptr, std::nullopt);
        case NodeType::Bool:
        case NodeType::Number:
        case NodeType::String:
            return n.value;
        default:
            error(n, "can't handle " + node_string(n) + " as argument");
        }
    }

    json eval_function(const json& dot, const Node& ident, const Node* cmd, const std::optional<json>& final) {
        const std::string& name = ident.text;
        const Node& at = cmd ? *cmd : ident;
        size_t nargs = (cmd ? cmd->nodes.size() - 1 : 0) + (final ? 1 : 0);
        if (name == "and" || name == "or") {
            // Short-circuit, as Go 1.18+: the first falsy (and) / truthy (or) operand or the last.
            if (nargs < 1) error(at, "wrong number of args for " + name + ": want at least 1 got 0");
            json v;
            if (cmd)
                for (size_t i = 1; i < cmd->nodes.size(); ++i) {
                    v = eval_arg(dot, *cmd->nodes[i]);
                    if (gotmpl::truth(v) == (name == "or")) return v;
                }
            if (final) v = *final;
            return v;
        }
        std::vector<json> args;
        args.reserve(nargs);
        if (cmd)
            for (size_t i = 1; i < cmd->nodes.size(); ++i) args.push_back(eval_arg(dot, *cmd->nodes[i]));
        if (final) args.push_back(*final);
        try {
            return gotmpl::call_function(name, args);
        } catch (const gotmpl::FuncError& e) {
            // Argument count and type problems are reported by Go before the call.
            const std::string& m = e.message;
            bool before_call = m.rfind("wrong number of args", 0) == 0 || m.rfind("wrong type for value", 0) == 0 ||
                               m.rfind("invalid value", 0) == 0;
            error(at, before_call ? m : "error calling " + name + ": " + m);
        }
    }
};

// Walks nodes in source order and reports the first field chain referenced.
void first_field(const Node& n, std::string& out) {
    if (!out.empty()) return;
    switch (n.type) {
    case NodeType::Field:
        out = node_string(n).substr(1);
        return;
    case NodeType::Variable:
        if (n.idents.size() > 1) {
            for (size_t i = 1; i < n.idents.size(); ++i) out += (i > 1 ? "." : "") + n.idents[i];
        }
        return;
    case NodeType::Chain:
        first_field(*n.nodes[0], out);
        return;
    default:
        break;
    }
    if (n.pipe) first_field(*n.pipe, out);
    for (const auto& c : n.nodes) first_field(*c, out);
    if (n.list) first_field(*n.list, out);
    if (n.else_list) first_field(*n.else_list, out);
}

// Podman's strings.NewReplacer conversions, applied left to right without overlaps.
std::string replace_escapes(const std::string& s, bool table) {
    std::string out;
    for (size_t i = 0; i < s.size();) {
        if (table && s.compare(i, 6, "table ") == 0) {
            i += 6;
        } else if (s.compare(i, 2, "\\t") == 0) {
            out += '\t';
            i += 2;
        } else if (table && s[i] == ' ') {
            out += '\t';
            ++i;
        } else if (s.compare(i, 2, "\\n") == 0) {
            out += '\n';
            i += 2;
        } else {
            out += s[i++];
        }
    }
    return out;
}

}  // namespace

std::string normalize_format(const std::string& format) {
    std::string f = replace_escapes(format, format.rfind("table ", 0) == 0);
    if (f.empty() || f.back() != '\n') f += '\n';
    return f;
}

GoTemplate GoTemplate::parse_raw(const std::string& text, const std::string& name) {
    GoTemplate t;
    t.name_ = name;
    t.text_ = text;
    t.root_ = Parser(Lexer(t.text_).run(), t.name_).parse();
    return t;
}

GoTemplate GoTemplate::parse(const std::string& text, const std::string& name) {
    bool table = text.rfind("table ", 0) == 0;
    GoTemplate t;
    try {
        t = parse_raw(normalize_format(text), name);
    } catch (const Error&) {
        // Podman retries with the unconverted text (keeps '{{printf "\n"}}' working), adds
        // no newline then, and reports the error of that second attempt. The table prefix
        // is still dropped.
        t = parse_raw(table ? text.substr(6) : text, name);
    }
    t.table_ = table;
    return t;
}

std::string GoTemplate::render(const json& dot) const {
    if (!root_) return "";
    Exec exec(name_, text_, dot);
    exec.walk(dot, *root_);
    return std::move(exec.out);
}

std::vector<std::string> GoTemplate::table_fields() const {
    std::vector<std::string> fields(1);
    if (!root_) return fields;
    for (const auto& n : root_->nodes) {
        if (n->type == NodeType::Text) {
            const std::string& s = n->text;
            // A trailing newline ends the row and does not start a column.
            size_t end = s.size();
            if (&n == &root_->nodes.back() && end > 0 && s[end - 1] == '\n') --end;
            for (size_t i = 0; i < end; ++i)
                if (s[i] == '\t') fields.emplace_back();
            continue;
        }
        first_field(*n, fields.back());
    }
    return fields;
}

}  // namespace pc::cli
