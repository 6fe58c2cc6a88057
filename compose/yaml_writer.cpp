// The YAML text of an Out tree as go-yaml v3 (the encoder behind `docker compose config`)
// prints it with SetIndent(2): block mappings and sequences (sequences indented under
// their key), empty collections as `{}` / `[]`, plain scalars where the text would read
// back as the same string, else single quotes (when the text cannot be plain), double
// quotes (when it would read back as another type, or has tabs / control characters /
// characters outside the BMP), and literal blocks (`|`, `|-`, `|+`) for multi-line text.
// No line is folded (v3 leaves the width unlimited).
#include <algorithm>
#include <cstdio>

#include "compose/go_format.hpp"
#include "compose/out_tree.hpp"
#include "compose/yaml_reader.hpp"

namespace pc::compose {

namespace {

// ---- go-yaml's scalar analysis ------------------------------------------------------

size_t utf8_width(unsigned char b) {
    if ((b & 0x80) == 0) return 1;
    if ((b & 0xE0) == 0xC0) return 2;
    if ((b & 0xF0) == 0xE0) return 3;
    if ((b & 0xF8) == 0xF0) return 4;
    return 1;
}

bool is_printable(const std::string& s, size_t i) {
    auto b = [&](size_t k) { return k < s.size() ? static_cast<unsigned char>(s[k]) : 0; };
    unsigned char c = b(i);
    return c == 0x0A || (c >= 0x20 && c <= 0x7E) || (c == 0xC2 && b(i + 1) >= 0xA0) || (c > 0xC2 && c < 0xED) ||
           (c == 0xED && b(i + 1) < 0xA0) || c == 0xEE ||
           (c == 0xEF && !(b(i + 1) == 0xBB && b(i + 2) == 0xBF) && !(b(i + 1) == 0xBF && (b(i + 2) == 0xBE || b(i + 2) == 0xBF)));
}

bool is_break_at(const std::string& s, size_t i) {
    auto b = [&](size_t k) { return k < s.size() ? static_cast<unsigned char>(s[k]) : 0; };
    return b(i) == '\r' || b(i) == '\n' || (b(i) == 0xC2 && b(i + 1) == 0x85) ||
           (b(i) == 0xE2 && b(i + 1) == 0x80 && (b(i + 2) == 0xA8 || b(i + 2) == 0xA9));
}

bool is_blankz_at(const std::string& s, size_t i) {
    return i >= s.size() || s[i] == ' ' || s[i] == '\t' || is_break_at(s, i);
}

struct Analysis {
    bool multiline = false;
    bool block_plain_allowed = true;
    bool single_quoted_allowed = true;
    bool block_allowed = true;
};

Analysis analyze(const std::string& v) {
    Analysis a;
    if (v.empty()) {
        a.block_allowed = false;
        return a;
    }
    bool block_indicators = false, line_breaks = false, special = false, tabs = false;
    bool leading_space = false, leading_break = false, trailing_space = false, trailing_break = false;
    bool break_space = false, space_break = false, previous_space = false, previous_break = false;
    if (v.size() >= 3 && (v.compare(0, 3, "---") == 0 || v.compare(0, 3, "...") == 0)) block_indicators = true;
    bool preceded_by_ws = true;
    for (size_t i = 0; i < v.size();) {
        size_t w = utf8_width(static_cast<unsigned char>(v[i]));
        bool followed_by_ws = is_blankz_at(v, i + w);
        char c = v[i];
        if (i == 0) {
            switch (c) {
            case '#': case ',': case '[': case ']': case '{': case '}': case '&': case '*': case '!':
            case '|': case '>': case '\'': case '"': case '%': case '@': case '`':
                block_indicators = true;
                break;
            case '?': case ':':
                if (followed_by_ws) block_indicators = true;
                break;
            case '-':
                if (followed_by_ws) block_indicators = true;
                break;
            default: break;
            }
        } else {
            if (c == ':' && followed_by_ws) block_indicators = true;
            if (c == '#' && preceded_by_ws) block_indicators = true;
        }
        if (c == '\t') tabs = true;
        else if (!is_printable(v, i)) special = true;
        if (c == ' ') {
            if (i == 0) leading_space = true;
            if (i + w == v.size()) trailing_space = true;
            if (previous_break) break_space = true;
            previous_space = true;
            previous_break = false;
        } else if (is_break_at(v, i)) {
            line_breaks = true;
            if (i == 0) leading_break = true;
            if (i + w == v.size()) trailing_break = true;
            if (previous_space) space_break = true;
            previous_space = false;
            previous_break = true;
        } else {
            previous_space = false;
            previous_break = false;
        }
        preceded_by_ws = is_blankz_at(v, i);
        i += w;
    }
    a.multiline = line_breaks;
    if (leading_space || leading_break || trailing_space || trailing_break) a.block_plain_allowed = false;
    if (trailing_space) a.block_allowed = false;
    if (break_space) {
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
    }
    if (space_break || tabs || special) {
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
    }
    if (space_break || special) a.block_allowed = false;
    if (line_breaks) a.block_plain_allowed = false;
    if (block_indicators) a.block_plain_allowed = false;
    return a;
}

bool base60_float(const std::string& s) {
    if (s.empty()) return false;
    char c = s[0];
    if (!(c == '+' || c == '-' || (c >= '0' && c <= '9')) || s.find(':') == std::string::npos) return false;
    // ^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$
    size_t i = 0;
    if (s[i] == '+' || s[i] == '-') ++i;
    if (i >= s.size() || !(s[i] >= '0' && s[i] <= '9')) return false;
    ++i;
    while (i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == '_')) ++i;
    int groups = 0;
    while (i < s.size() && s[i] == ':') {
        ++i;
        size_t start = i;
        if (i < s.size() && s[i] >= '0' && s[i] <= '5' && i + 1 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '9') i += 2;
        else if (i < s.size() && s[i] >= '0' && s[i] <= '9') i += 1;
        if (i == start) return false;
        ++groups;
    }
    if (groups == 0) return false;
    if (i < s.size() && s[i] == '.') {
        ++i;
        while (i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == '_')) ++i;
    }
    return i == s.size();
}

bool old_bool(const std::string& s) {
    static const char* words[] = {"y", "Y", "yes", "Yes", "YES", "on", "On", "ON",
                                  "n", "N", "no", "No", "NO", "off", "Off", "OFF"};
    return std::any_of(std::begin(words), std::end(words), [&](const char* w) { return s == w; });
}

// False when the plain scalar is a string whatever follows its first character: a letter
// that starts none of the words YAML resolves (true, false, null, y, yes, no, on, off, ...),
// or '/' or '_'. Numbers, timestamps, .inf and ~ start with other characters.
bool might_resolve(const std::string& s) {
    if (s.empty()) return true;
    char c = s[0];
    bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!letter && c != '/' && c != '_') return true;
    return std::string_view("yYnNtTfFoO").find(c) != std::string_view::npos;
}

enum class Style { Plain, Single, Double, Literal };

Style choose_style(const std::string& s, bool simple_key) {
    Style style = Style::Plain;
    if (s.find('\n') != std::string::npos) {
        style = Style::Literal;
    } else if (!might_resolve(s)) {
        style = Style::Plain;
    } else {
        Node r = resolve_plain_scalar(s, Mark{});
        bool plain_ok = r.is_string() && !yaml_timestamp(s) && !base60_float(s) && !old_bool(s);
        style = plain_ok ? Style::Plain : Style::Double;
    }
    Analysis a = analyze(s);
    if (simple_key && a.multiline) style = Style::Double;
    if (style == Style::Plain) {
        if (!a.block_plain_allowed) style = Style::Single;
        if (s.empty() && simple_key) style = Style::Single;
    }
    if (style == Style::Single && !a.single_quoted_allowed) style = Style::Double;
    if (style == Style::Literal && (!a.block_allowed || simple_key)) style = Style::Double;
    return style;
}

std::string double_quoted(const std::string& s) {
    std::string out = "\"";
    for (size_t i = 0; i < s.size();) {
        auto c = static_cast<unsigned char>(s[i]);
        size_t w = utf8_width(c);
        bool bom = c == 0xEF && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0xBB &&
                   static_cast<unsigned char>(s[i + 2]) == 0xBF;
        if (!is_printable(s, i) || bom || is_break_at(s, i) || c == '"' || c == '\\') {
            uint32_t v = 0;
            if (w == 1) v = c;
            else if (w == 2) v = c & 0x1F;
            else if (w == 3) v = c & 0x0F;
            else v = c & 0x07;
            for (size_t k = 1; k < w && i + k < s.size(); ++k) v = (v << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
            i += w;
            out.push_back('\\');
            switch (v) {
            case 0x00: out.push_back('0'); break;
            case 0x07: out.push_back('a'); break;
            case 0x08: out.push_back('b'); break;
            case 0x09: out.push_back('t'); break;
            case 0x0A: out.push_back('n'); break;
            case 0x0B: out.push_back('v'); break;
            case 0x0C: out.push_back('f'); break;
            case 0x0D: out.push_back('r'); break;
            case 0x1B: out.push_back('e'); break;
            case 0x22: out.push_back('"'); break;
            case 0x5C: out.push_back('\\'); break;
            case 0x85: out.push_back('N'); break;
            case 0xA0: out.push_back('_'); break;
            case 0x2028: out.push_back('L'); break;
            case 0x2029: out.push_back('P'); break;
            default: {
                char buf[16];
                if (v <= 0xFF) std::snprintf(buf, sizeof buf, "x%02X", v);
                else if (v <= 0xFFFF) std::snprintf(buf, sizeof buf, "u%04X", v);
                else std::snprintf(buf, sizeof buf, "U%08X", v);
                out += buf;
            }
            }
        } else {
            out.append(s, i, w);
            i += w;
        }
    }
    return out + "\"";
}

std::string single_quoted(const std::string& s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'') out.push_back('\'');
        out.push_back(c);
    }
    return out + "'";
}

// `|` with go-yaml's hints, then the lines at `indent`.
std::string literal(const std::string& s, int indent) {
    std::string out = "|";
    if (!s.empty() && (s[0] == ' ' || is_break_at(s, 0))) out += "2";
    if (s.empty() || s.back() != '\n') out += "-";
    else if (s.size() == 1 || s[s.size() - 2] == '\n') out += "+";
    out += "\n";
    bool breaks = true;
    for (char c : s) {
        if (c == '\n') {
            out.push_back('\n');
            breaks = true;
            continue;
        }
        if (breaks) out.append(static_cast<size_t>(indent), ' ');
        out.push_back(c);
        breaks = false;
    }
    return out;
}

std::string scalar_text(const Out& o, bool simple_key, int indent) {
    switch (o.kind) {
    case Out::Kind::Null: return "null";
    case Out::Kind::Bool: return o.b ? "true" : "false";
    case Out::Kind::Int: return std::to_string(o.i);
    case Out::Kind::Float: {
        std::string f = go_format_float(o.f, 'g', o.float_bits);
        if (f == "+Inf") return ".inf";
        if (f == "-Inf") return "-.inf";
        if (f == "NaN") return ".nan";
        return f;
    }
    case Out::Kind::String:
        switch (choose_style(o.s, simple_key)) {
        case Style::Plain: return o.s;
        case Style::Single: return single_quoted(o.s);
        case Style::Double: return double_quoted(o.s);
        case Style::Literal: return literal(o.s, indent);
        }
        break;
    default: break;
    }
    return "";
}

std::vector<const std::pair<std::string, Out>*> ordered_fields(const Out& m) {
    std::vector<const std::pair<std::string, Out>*> out;
    for (const auto& f : m.fields) out.push_back(&f);
    if (m.sorted)
        std::stable_sort(out.begin(), out.end(), [](const auto* a, const auto* b) { return yaml_key_less(a->first, b->first); });
    return out;
}

bool is_empty_collection(const Out& o) {
    return (o.kind == Out::Kind::Map && o.fields.empty()) || (o.kind == Out::Kind::Seq && o.items.empty());
}

class YamlWriter {
public:
    std::string out;

    // A value after "key:" (on that line or on the next ones); `indent` is the mapping's.
    void value_after_key(const Out& v, int indent) {
        if (is_empty_collection(v)) {
            out += v.kind == Out::Kind::Map ? " {}\n" : " []\n";
        } else if (v.kind == Out::Kind::Map) {
            out += "\n";
            mapping(v, indent + 2, false);
        } else if (v.kind == Out::Kind::Seq) {
            out += "\n";
            sequence(v, indent + 2, false);
        } else {
            out += " " + scalar_text(v, false, indent + 2);
            if (out.back() != '\n') out += "\n";
        }
    }

    // `inline_first`: the first key goes right after a "- " already written.
    void mapping(const Out& m, int indent, bool inline_first) {
        bool first = true;
        for (const auto* f : ordered_fields(m)) {
            if (!(first && inline_first)) out.append(static_cast<size_t>(indent), ' ');
            first = false;
            if (f->first.size() > 128) {
                // go-yaml writes keys longer than 128 bytes as explicit "? key" entries.
                out += "? " + scalar_text(Out::string(f->first), false, indent + 2) + "\n";
                out.append(static_cast<size_t>(indent), ' ');
            } else {
                out += scalar_text(Out::string(f->first), true, indent);
            }
            out += ":";
            value_after_key(f->second, indent);
        }
    }

    void sequence(const Out& s, int indent, bool inline_first) {
        bool first = true;
        for (const auto& item : s.items) {
            if (!(first && inline_first)) out.append(static_cast<size_t>(indent), ' ');
            first = false;
            out += "-";
            if (is_empty_collection(item)) {
                out += item.kind == Out::Kind::Map ? " {}\n" : " []\n";
            } else if (item.kind == Out::Kind::Map) {
                out += " ";
                mapping(item, indent + 2, true);
            } else if (item.kind == Out::Kind::Seq) {
                out += " ";
                sequence(item, indent + 2, true);
            } else {
                out += " " + scalar_text(item, false, indent + 2);
                if (out.back() != '\n') out += "\n";
            }
        }
    }
};

bool is_letter(uint32_t cp) {
    return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || cp >= 0xC0;  // non-ASCII: assume a letter
}

bool is_digit(uint32_t cp) { return cp >= '0' && cp <= '9'; }

std::vector<uint32_t> runes(const std::string& s) {
    std::vector<uint32_t> out;
    for (size_t i = 0; i < s.size();) {
        auto c = static_cast<unsigned char>(s[i]);
        size_t w = utf8_width(c);
        uint32_t v = w == 1 ? c : (w == 2 ? c & 0x1F : (w == 3 ? c & 0x0F : c & 0x07));
        for (size_t k = 1; k < w && i + k < s.size(); ++k) v = (v << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
        out.push_back(v);
        i += w;
    }
    return out;
}

}  // namespace

namespace {

// go-yaml's keyList.Less over code points: the ASCII strings as they are, others decoded.
template <typename Seq>
bool key_less(const Seq& ar, const Seq& br);

}  // namespace

bool yaml_key_less(const std::string& a_str, const std::string& b_str) {
    auto ascii = [](const std::string& s) {
        return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
    };
    if (ascii(a_str) && ascii(b_str)) return key_less(std::string_view(a_str), std::string_view(b_str));
    return key_less(runes(a_str), runes(b_str));
}

namespace {

template <typename Seq>
bool key_less(const Seq& ar, const Seq& br) {
    bool digits = false;
    for (size_t i = 0; i < ar.size() && i < br.size(); ++i) {
        if (ar[i] == br[i]) {
            digits = is_digit(ar[i]);
            continue;
        }
        bool al = is_letter(ar[i]), bl = is_letter(br[i]);
        if (al && bl) return ar[i] < br[i];
        if (al || bl) return digits ? al : bl;
        int64_t an = 0, bn = 0;
        if (ar[i] == '0' || br[i] == '0') {
            for (size_t j = i; j-- > 0 && is_digit(ar[j]);) {
                if (ar[j] != '0') {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        size_t ai = i, bi = i;
        for (; ai < ar.size() && is_digit(ar[ai]); ++ai) an = an * 10 + static_cast<int64_t>(ar[ai] - '0');
        for (; bi < br.size() && is_digit(br[bi]); ++bi) bn = bn * 10 + static_cast<int64_t>(br[bi] - '0');
        if (an != bn) return an < bn;
        if (ai != bi) return ai < bi;
        return ar[i] < br[i];
    }
    return ar.size() < br.size();
}

}  // namespace

std::string write_yaml(const Out& root) {
    YamlWriter w;
    if (is_empty_collection(root) || (root.kind != Out::Kind::Map && root.kind != Out::Kind::Seq)) {
        if (root.kind == Out::Kind::Map) return "{}\n";
        if (root.kind == Out::Kind::Seq) return "[]\n";
        std::string s = scalar_text(root, false, 0);
        return s.back() == '\n' ? s : s + "\n";
    }
    if (root.kind == Out::Kind::Map) w.mapping(root, 0, false);
    else w.sequence(root, 0, false);
    return w.out;
}

}  // namespace pc::compose
