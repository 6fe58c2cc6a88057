// Go's fmt / encoding/json / strconv behaviour over JSON values, and the template
// functions (Go's builtins plus the ones Podman registers). Output must be byte-for-byte
// what Podman prints, because scripts compare it.
#include "cli/go_template.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>

namespace pc::cli::gotmpl {

using nlohmann::json;

namespace {

// ---- UTF-8 helpers -------------------------------------------------------------------

// Decodes one rune at s[i]; invalid bytes decode as U+FFFD of width 1 (Go's rule).
char32_t decode_rune(std::string_view s, size_t i, size_t& width) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
        width = 1;
        return c;
    }
    int n = 0;
    char32_t r = 0;
    if ((c & 0xE0) == 0xC0) {
        n = 2;
        r = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        n = 3;
        r = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        n = 4;
        r = c & 0x07;
    } else {
        width = 1;
        return 0xFFFD;
    }
    if (i + n > s.size()) {
        width = 1;
        return 0xFFFD;
    }
    for (int k = 1; k < n; ++k) {
        auto cc = static_cast<unsigned char>(s[i + k]);
        if ((cc & 0xC0) != 0x80) {
            width = 1;
            return 0xFFFD;
        }
        r = (r << 6) | (cc & 0x3F);
    }
    // Overlong forms and surrogates are invalid, as in Go.
    if ((n == 2 && r < 0x80) || (n == 3 && r < 0x800) || (n == 4 && r < 0x10000) || r > 0x10FFFF ||
        (r >= 0xD800 && r <= 0xDFFF)) {
        width = 1;
        return 0xFFFD;
    }
    width = static_cast<size_t>(n);
    return r;
}

bool valid_rune_at(std::string_view s, size_t i, size_t& width) {
    char32_t r = decode_rune(s, i, width);
    return !(r == 0xFFFD && width == 1 && static_cast<unsigned char>(s[i]) >= 0x80);
}


size_t rune_count(std::string_view s) {
    size_t n = 0;
    for (size_t i = 0; i < s.size();) {
        size_t w;
        decode_rune(s, i, w);
        i += w;
        ++n;
    }
    return n;
}

// Approximation of unicode.IsPrint for non-ASCII: C1 controls, soft hyphen, line and
// paragraph separators and noncharacters are not printable.
bool is_print(char32_t r) {
    if (r < 0x80) return r >= 0x20 && r != 0x7F;
    if (r < 0xA0 || r == 0xAD || r == 0x2028 || r == 0x2029) return false;
    if (r == 0xFEFF || r == 0xFFFE || r == 0xFFFF || r == 0xFFFD) return r == 0xFFFD;
    return true;
}

const char kHex[] = "0123456789abcdef";
const char kHexUpper[] = "0123456789ABCDEF";

std::string hex_pad(uint32_t v, int digits) {
    std::string s(static_cast<size_t>(digits), '0');
    for (int i = digits - 1; i >= 0; --i, v >>= 4) s[static_cast<size_t>(i)] = kHex[v & 0xF];
    return s;
}

// ---- numbers --------------------------------------------------------------------------

bool is_int(const json& v) { return v.is_number_integer(); }  // includes unsigned

// Shortest decimal digits of a double: value = 0.DIGITS * 10^dp.
struct Digits {
    std::string d;
    int dp = 0;
    bool neg = false;
};

Digits shortest_digits(double v) {
    Digits out;
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
    std::string s(buf, res.ptr);
    size_t i = 0;
    if (s[0] == '-') {
        out.neg = true;
        i = 1;
    }
    size_t e = s.find('e');
    for (size_t k = i; k < e; ++k)
        if (s[k] != '.') out.d += s[k];
    int exp = std::stoi(s.substr(e + 1));
    while (out.d.size() > 1 && out.d.back() == '0') out.d.pop_back();
    if (out.d == "0") {
        out.dp = 0;
        out.d.clear();
    } else {
        out.dp = exp + 1;
    }
    return out;
}

std::string exp_suffix(int exp, char e, int min_digits) {
    std::string s(1, e);
    s += exp < 0 ? '-' : '+';
    std::string digits = std::to_string(exp < 0 ? -exp : exp);
    while (static_cast<int>(digits.size()) < min_digits) digits.insert(digits.begin(), '0');
    return s + digits;
}

// strconv.FormatFloat(v, 'e', -1, 64) without the sign.
std::string shortest_e(const Digits& d, char e) {
    std::string m = d.d.empty() ? "0" : d.d;
    std::string s(1, m[0]);
    if (m.size() > 1) s.append(".").append(m, 1);
    int exp = d.d.empty() ? 0 : d.dp - 1;
    return s + exp_suffix(exp, e, 2);
}

// strconv.FormatFloat(v, 'f', -1, 64) without the sign.
std::string shortest_f(const Digits& d) {
    std::string s;
    int nd = static_cast<int>(d.d.size());
    if (d.dp <= 0) {
        s = "0";
    } else {
        for (int i = 0; i < d.dp; ++i) s += i < nd ? d.d[static_cast<size_t>(i)] : '0';
    }
    if (nd > d.dp) {
        s += '.';
        for (int i = d.dp; i < nd; ++i) s += i < 0 ? '0' : d.d[static_cast<size_t>(i)];
    }
    return s;
}

// strconv.FormatFloat(v, 'g', -1, 64), which fmt's %v uses: the shortest digits, in %e
// form when exp < -4 || exp >= 6 (ftoa.go sets eprec = 6 for shortest), so 1e+06 and
// 1.23456789e+08 but 123456.
std::string float_g(double v, bool upper) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    Digits d = shortest_digits(v);
    int exp = d.d.empty() ? 0 : d.dp - 1;
    std::string body = (exp < -4 || exp >= 6) ? shortest_e(d, upper ? 'E' : 'e') : shortest_f(d);
    return (d.neg ? "-" : "") + body;
}

std::string int_string(const json& v) {
    if (v.is_number_unsigned()) return std::to_string(v.get<uint64_t>());
    return std::to_string(v.get<int64_t>());
}

// ---- fmt engine -----------------------------------------------------------------------

struct Flags {
    bool plus = false, minus = false, sharp = false, space = false, zero = false;
    bool wid_present = false, prec_present = false;
    int wid = 0, prec = 0;
};

class Printer {
public:
    std::string buf;
    Flags f;

    void pad(std::string_view s) {
        if (!f.wid_present || f.wid == 0) {
            buf += s;
            return;
        }
        int n = f.wid - static_cast<int>(rune_count(s));
        if (n <= 0) {
            buf += s;
            return;
        }
        if (f.minus) {
            buf += s;
            buf.append(static_cast<size_t>(n), ' ');
        } else {
            buf.append(static_cast<size_t>(n), f.zero ? '0' : ' ');
            buf += s;
        }
    }

    std::string truncate(std::string_view s) const {
        if (!f.prec_present) return std::string(s);
        size_t i = 0;
        for (int n = 0; i < s.size() && n < f.prec; ++n) {
            size_t w;
            decode_rune(s, i, w);
            i += w;
        }
        return std::string(s.substr(0, i));
    }

    void fmt_integer(uint64_t u, bool neg, int base, char verb) {
        const char* digs = verb == 'X' ? kHexUpper : kHex;
        int prec = 0;
        bool prec_set = false;
        if (f.prec_present) {
            prec = f.prec;
            prec_set = true;
            // "%.0d" of zero prints nothing (but still pads), as in Go.
            if (prec == 0 && u == 0) {
                bool z = f.zero;
                f.zero = false;
                pad("");
                f.zero = z;
                return;
            }
        } else if (f.zero && f.wid_present && !f.minus) {
            prec = f.wid;
            if (neg || f.plus || f.space) --prec;
            prec_set = true;
        }
        std::string d;
        if (u == 0) d = "0";
        while (u > 0) {
            d.insert(d.begin(), digs[u % static_cast<uint64_t>(base)]);
            u /= static_cast<uint64_t>(base);
        }
        if (prec_set)
            while (static_cast<int>(d.size()) < prec) d.insert(d.begin(), '0');
        if (f.sharp) {
            if (base == 8 && d[0] != '0') d.insert(0, "0");
            if (base == 16) d.insert(0, verb == 'X' ? "0X" : "0x");
            if (base == 2) d.insert(0, "0b");
        }
        if (verb == 'O') d.insert(0, "0o");
        if (neg)
            d.insert(0, "-");
        else if (f.plus)
            d.insert(0, "+");
        else if (f.space)
            d.insert(0, " ");
        bool z = f.zero;
        f.zero = false;  // zero padding was applied as precision above
        pad(d);
        f.zero = z;
    }

    void fmt_float(double v, char verb, int prec) {
        bool inf_or_nan = std::isnan(v) || std::isinf(v);
        std::string num;
        if (std::isnan(v)) {
            num = "NaN";
        } else if (std::isinf(v)) {
            num = v > 0 ? "+Inf" : "-Inf";
        } else if (prec < 0 && (verb == 'g' || verb == 'G')) {
            num = float_g(v, verb == 'G');
        } else {
            if (prec < 0) prec = 6;
            char fmtbuf[16];
            std::snprintf(fmtbuf, sizeof fmtbuf, "%%%s.*%c", f.sharp ? "#" : "", verb);
            char out[512];
            std::snprintf(out, sizeof out, fmtbuf, prec, v);
            num = out;
        }
        // Go's sign handling: '+' forces a sign, ' ' leaves room for one.
        if (num[0] != '-' && num[0] != '+') num.insert(0, "+");
        if (num[0] == '+' && !f.plus) {
            if (f.space)
                num[0] = ' ';
            else
                num.erase(0, 1);
        }
        if (f.zero && !f.minus && f.wid_present && f.wid > static_cast<int>(num.size()) && !inf_or_nan) {
            // Zero padding goes between the sign and the digits.
            std::string sign;
            if (num[0] == '-' || num[0] == '+' || num[0] == ' ') {
                sign = num.substr(0, 1);
                num.erase(0, 1);
            }
            buf += sign;
            buf.append(static_cast<size_t>(f.wid) - sign.size() - num.size(), '0');
            buf += num;
            return;
        }
        bool z = f.zero;
        if (inf_or_nan) f.zero = false;
        pad(num);
        f.zero = z;
    }

    void bad_verb(char32_t verb, const json& v) {
        buf += "%!";
        append_utf8(buf, verb);
        buf += '(';
        if (v.is_null()) {
            buf += "<nil>";
        } else {
            buf += type_name(v);
            buf += '=';
            Flags saved = f;
            f = Flags{};
            print_arg(v, 'v', 1);
            f = saved;
        }
        buf += ')';
    }

    void fmt_string(const std::string& s, char32_t verb) {
        switch (verb) {
        case 'v':
        case 's':
            pad(truncate(s));
            return;
        case 'q': {
            std::string t = truncate(s);
            if (f.sharp && t.find('`') == std::string::npos &&
                std::none_of(t.begin(), t.end(), [](char c) {
                    return (static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7F;
                }))
                pad("`" + t + "`");
            else
                pad(quote(t));
            return;
        }
        case 'x':
        case 'X': {
            std::string t = s;
            if (f.prec_present && f.prec < static_cast<int>(t.size())) t.resize(static_cast<size_t>(f.prec));
            const char* digs = verb == 'X' ? kHexUpper : kHex;
            std::string out;
            for (size_t i = 0; i < t.size(); ++i) {
                if (f.space && i > 0) out += ' ';
                if (f.sharp && (f.space || i == 0)) out += verb == 'X' ? "0X" : "0x";
                auto c = static_cast<unsigned char>(t[i]);
                out += digs[c >> 4];
                out += digs[c & 0xF];
            }
            pad(out);
            return;
        }
        default:
            bad_verb(verb, json(s));
        }
    }

    void fmt_int(const json& v, char32_t verb) {
        bool neg = false;
        uint64_t u;
        if (v.is_number_unsigned()) {
            u = v.get<uint64_t>();
        } else {
            int64_t i = v.get<int64_t>();
            neg = i < 0;
            u = neg ? static_cast<uint64_t>(0) - static_cast<uint64_t>(i) : static_cast<uint64_t>(i);
        }
        switch (verb) {
        case 'v':
        case 'd':
            fmt_integer(u, neg, 10, 'd');
            return;
        case 'b':
            fmt_integer(u, neg, 2, 'b');
            return;
        case 'o':
        case 'O':
            fmt_integer(u, neg, 8, static_cast<char>(verb));
            return;
        case 'x':
        case 'X':
            fmt_integer(u, neg, 16, static_cast<char>(verb));
            return;
        case 'c': {
            std::string s;
            append_utf8(s, neg ? 0xFFFD : static_cast<char32_t>(std::min<uint64_t>(u, 0x110000)));
            pad(s);
            return;
        }
        case 'q': {
            std::string s;
            append_utf8(s, neg ? 0xFFFD : static_cast<char32_t>(std::min<uint64_t>(u, 0x110000)));
            std::string q = quote(s);
            pad("'" + q.substr(1, q.size() - 2) + "'");
            return;
        }
        case 'U': {
            std::string s = "U+";
            std::string h;
            uint64_t x = u;
            do {
                h.insert(h.begin(), kHexUpper[x & 0xF]);
                x >>= 4;
            } while (x);
            while (h.size() < 4) h.insert(0, "0");
            s += h;
            if (f.sharp && u <= 0x10FFFF && is_print(static_cast<char32_t>(u))) {
                s += " '";
                append_utf8(s, static_cast<char32_t>(u));
                s += "'";
            }
            pad(s);
            return;
        }
        default:
            bad_verb(verb, v);
        }
    }

    // printArg / printValue: depth > 0 means inside an array or object.
    void print_arg(const json& v, char32_t verb, int depth) {
        if (v.is_null()) {
            if (depth > 0 || verb == 'v')
                pad("<nil>");
            else if (verb == 'T')
                pad("<nil>");
            else
                bad_verb(verb, v);
            return;
        }
        if (verb == 'T' && depth == 0) {
            pad(type_name(v));
            return;
        }
        switch (v.type()) {
        case json::value_t::boolean:
            if (verb == 't' || verb == 'v')
                pad(v.get<bool>() ? "true" : "false");
            else
                bad_verb(verb, v);
            return;
        case json::value_t::number_integer:
        case json::value_t::number_unsigned:
            fmt_int(v, verb);
            return;
        case json::value_t::number_float: {
            double d = v.get<double>();
            switch (verb) {
            case 'v':
                fmt_float(d, 'g', -1);
                return;
            case 'g':
            case 'G':
                fmt_float(d, static_cast<char>(verb), f.prec_present ? f.prec : -1);
                return;
            case 'e':
            case 'E':
            case 'f':
            case 'F':
                fmt_float(d, static_cast<char>(verb), f.prec_present ? f.prec : 6);
                return;
            default:
                bad_verb(verb, v);
                return;
            }
        }
        case json::value_t::string:
            fmt_string(v.get_ref<const std::string&>(), verb);
            return;
        case json::value_t::array: {
            buf += '[';
            bool first = true;
            for (const auto& e : v) {
                if (!first) buf += ' ';
                first = false;
                print_arg(e, verb, depth + 1);
            }
            buf += ']';
            return;
        }
        case json::value_t::object: {
            buf += "map[";
            bool first = true;
            for (auto it = v.begin(); it != v.end(); ++it) {
                if (!first) buf += ' ';
                first = false;
                print_arg(json(it.key()), verb, depth + 1);
                buf += ':';
                print_arg(it.value(), verb, depth + 1);
            }
            buf += ']';
            return;
        }
        default:
            pad("<nil>");
        }
    }
};

// Parses a decimal number at format[i]; Go's parsenum.
bool parse_num(std::string_view s, size_t& i, int& out) {
    size_t start = i;
    int n = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
        if (n > 1000000) return false;  // Go's tooLarge guard
        n = n * 10 + (s[i] - '0');
        ++i;
    }
    out = n;
    return i > start;
}

}  // namespace

void append_utf8(std::string& out, char32_t r) {
    if (r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) r = 0xFFFD;
    if (r < 0x80) {
        out += static_cast<char>(r);
    } else if (r < 0x800) {
        out += static_cast<char>(0xC0 | (r >> 6));
        out += static_cast<char>(0x80 | (r & 0x3F));
    } else if (r < 0x10000) {
        out += static_cast<char>(0xE0 | (r >> 12));
        out += static_cast<char>(0x80 | ((r >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (r & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (r >> 18));
        out += static_cast<char>(0x80 | ((r >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((r >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (r & 0x3F));
    }
}

// ---- public formatting API -------------------------------------------------------------

std::string type_name(const json& v) {
    switch (v.type()) {
    case json::value_t::null:
        return "<nil>";
    case json::value_t::boolean:
        return "bool";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
        return "int";
    case json::value_t::number_float:
        return "float64";
    case json::value_t::string:
        return "string";
    case json::value_t::array:
        return "[]interface {}";
    case json::value_t::object:
        return "map[string]interface {}";
    default:
        return "interface {}";
    }
}

bool truth(const json& v) {
    switch (v.type()) {
    case json::value_t::null:
        return false;
    case json::value_t::boolean:
        return v.get<bool>();
    case json::value_t::number_integer:
        return v.get<int64_t>() != 0;
    case json::value_t::number_unsigned:
        return v.get<uint64_t>() != 0;
    case json::value_t::number_float:
        return v.get<double>() != 0.0;
    case json::value_t::string:
        return !v.get_ref<const std::string&>().empty();
    case json::value_t::array:
    case json::value_t::object:
        return !v.empty();
    default:
        return true;
    }
}

std::string format_value(const json& v) {
    Printer p;
    p.print_arg(v, 'v', 0);
    return p.buf;
}

std::string quote(std::string_view s) {
    std::string out = "\"";
    for (size_t i = 0; i < s.size();) {
        size_t w;
        bool valid = valid_rune_at(s, i, w);
        if (!valid) {
            out += "\\x";
            out += hex_pad(static_cast<unsigned char>(s[i]), 2);
            ++i;
            continue;
        }
        char32_t r = decode_rune(s, i, w);
        if (r == '"' || r == '\\') {
            out += '\\';
            out += static_cast<char>(r);
        } else if (is_print(r)) {
            out.append(s.substr(i, w));
        } else {
            switch (r) {
            case '\a': out += "\\a"; break;
            case '\b': out += "\\b"; break;
            case '\f': out += "\\f"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            case '\v': out += "\\v"; break;
            default:
                if (r < ' ' || r == 0x7F) {
                    out += "\\x" + hex_pad(r, 2);
                } else if (r < 0x10000) {
                    out += "\\u" + hex_pad(r, 4);
                } else {
                    out += "\\U" + hex_pad(r, 8);
                }
            }
        }
        i += w;
    }
    return out + "\"";
}

std::string sprintf(std::string_view format, const std::vector<json>& args) {
    Printer p;
    size_t argnum = 0;
    size_t end = format.size();
    bool reordered = false;
    for (size_t i = 0; i < end;) {
        size_t lasti = i;
        while (i < end && format[i] != '%') ++i;
        p.buf.append(format.substr(lasti, i - lasti));
        if (i >= end) break;
        ++i;  // skip '%'
        p.f = Flags{};
        for (; i < end; ++i) {
            char c = format[i];
            if (c == '#')
                p.f.sharp = true;
            else if (c == '0')
                p.f.zero = !p.f.minus;  // only allow zero padding to the left
            else if (c == '+')
                p.f.plus = true;
            else if (c == '-') {
                p.f.minus = true;
                p.f.zero = false;
            } else if (c == ' ')
                p.f.space = true;
            else
                break;
        }
        // Explicit argument index "[n]", 1-based.
        auto arg_index = [&]() {
            if (i < end && format[i] == '[') {
                reordered = true;
                size_t close = format.find(']', i);
                int n = 0;
                size_t j = i + 1;
                if (close != std::string_view::npos && parse_num(format, j, n) && j == close && n >= 1) {
                    argnum = static_cast<size_t>(n - 1);
                    i = close + 1;
                    return true;
                }
                i = close == std::string_view::npos ? end : close + 1;
                return false;
            }
            return true;
        };
        bool good_index = arg_index();
        auto int_from_arg = [&](int& out) {
            if (argnum < args.size() && is_int(args[argnum])) {
                const json& a = args[argnum++];
                int64_t n = a.is_number_unsigned() ? static_cast<int64_t>(a.get<uint64_t>()) : a.get<int64_t>();
                if (n > 1000000 || n < -1000000) return false;
                out = static_cast<int>(n);
                return true;
            }
            if (argnum < args.size()) ++argnum;
            return false;
        };
        if (i < end && format[i] == '*') {
            ++i;
            p.f.wid_present = int_from_arg(p.f.wid);
            if (!p.f.wid_present) p.buf += "%!(BADWIDTH)";
            if (p.f.wid < 0) {
                p.f.wid = -p.f.wid;
                p.f.minus = true;
                p.f.zero = false;
            }
            good_index = arg_index() && good_index;
        } else {
            p.f.wid_present = parse_num(format, i, p.f.wid);
        }
        if (i + 1 <= end && i < end && format[i] == '.') {
            ++i;
            good_index = arg_index() && good_index;
            if (i < end && format[i] == '*') {
                ++i;
                p.f.prec_present = int_from_arg(p.f.prec);
                if (p.f.prec < 0) {
                    p.f.prec = 0;
                    p.f.prec_present = false;
                }
                if (!p.f.prec_present) p.buf += "%!(BADPREC)";
                good_index = arg_index() && good_index;
            } else {
                p.f.prec_present = true;
                if (!parse_num(format, i, p.f.prec)) p.f.prec = 0;
            }
        }
        if (i >= end) {
            p.buf += "%!(NOVERB)";
            break;
        }
        size_t w;
        char32_t verb = decode_rune(format, i, w);
        i += w;
        if (verb == '%') {
            p.buf += '%';
        } else if (!good_index) {
            p.buf += "%!";
            append_utf8(p.buf, verb);
            p.buf += "(BADINDEX)";
        } else if (argnum >= args.size()) {
            p.buf += "%!";
            append_utf8(p.buf, verb);
            p.buf += "(MISSING)";
        } else {
            p.print_arg(args[argnum++], verb, 0);
        }
    }
    if (!reordered && argnum < args.size()) {
        p.f = Flags{};
        p.buf += "%!(EXTRA ";
        for (size_t k = argnum; k < args.size(); ++k) {
            if (k > argnum) p.buf += ", ";
            if (args[k].is_null()) {
                p.buf += "<nil>";
            } else {
                p.buf += type_name(args[k]) + "=";
                p.print_arg(args[k], 'v', 0);
            }
        }
        p.buf += ')';
    }
    return p.buf;
}

std::string sprint(const std::vector<json>& args) {
    Printer p;
    bool prev_string = false;
    for (size_t i = 0; i < args.size(); ++i) {
        bool is_string = args[i].is_string();
        // Go adds a space between operands when neither is a string.
        if (i > 0 && !is_string && !prev_string) p.buf += ' ';
        p.print_arg(args[i], 'v', 0);
        prev_string = is_string;
    }
    return p.buf;
}

std::string sprintln(const std::vector<json>& args) {
    Printer p;
    for (size_t i = 0; i < args.size(); ++i) {
        if (i > 0) p.buf += ' ';
        p.print_arg(args[i], 'v', 0);
    }
    p.buf += '\n';
    return p.buf;
}

// ---- encoding/json ---------------------------------------------------------------------

namespace {

void json_string(std::string& out, std::string_view s, bool escape_html) {
    out += '"';
    for (size_t i = 0; i < s.size();) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            if (c == '"' || c == '\\') {
                out += '\\';
                out += static_cast<char>(c);
            } else if (c == '\n') {
                out += "\\n";
            } else if (c == '\r') {
                out += "\\r";
            } else if (c == '\t') {
                out += "\\t";
            } else if (c < 0x20 || (escape_html && (c == '<' || c == '>' || c == '&'))) {
                // Podman 4.3's Go writes \b and \f as \u0008 and \u000c too.
                out += "\\u00";
                out += kHex[c >> 4];
                out += kHex[c & 0xF];
            } else {
                out += static_cast<char>(c);
            }
            ++i;
            continue;
        }
        size_t w;
        if (!valid_rune_at(s, i, w)) {
            out += "\\ufffd";  // invalid UTF-8 is coerced, as encoding/json does
            ++i;
            continue;
        }
        char32_t r = decode_rune(s, i, w);
        if (r == 0x2028 || r == 0x2029) {
            out += r == 0x2028 ? "\\u2028" : "\\u2029";
        } else {
            out.append(s.substr(i, w));
        }
        i += w;
    }
    out += '"';
}

std::string json_float(double v) {
    if (std::isnan(v) || std::isinf(v)) return "null";  // Go refuses; null keeps output valid
    Digits d = shortest_digits(v);
    double a = std::fabs(v);
    std::string body;
    if (a != 0 && (a < 1e-6 || a >= 1e21)) {
        body = shortest_e(d, 'e');
        // encoding/json writes e-7 instead of e-07.
        size_t n = body.size();
        if (n >= 4 && body[n - 4] == 'e' && body[n - 3] == '-' && body[n - 2] == '0') body.erase(n - 2, 1);
    } else {
        body = shortest_f(d);
    }
    return (d.neg ? "-" : "") + body;
}

void json_value(std::string& out, const json& v, bool escape_html, int indent, int depth) {
    auto newline = [&](int level) {
        if (indent <= 0) return;
        out += '\n';
        out.append(static_cast<size_t>(indent * level), ' ');
    };
    switch (v.type()) {
    case json::value_t::null:
    case json::value_t::discarded:
        out += "null";
        return;
    case json::value_t::boolean:
        out += v.get<bool>() ? "true" : "false";
        return;
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
        out += int_string(v);
        return;
    case json::value_t::number_float:
        out += json_float(v.get<double>());
        return;
    case json::value_t::string:
        json_string(out, v.get_ref<const std::string&>(), escape_html);
        return;
    case json::value_t::binary:
        out += "null";
        return;
    case json::value_t::array: {
        if (v.empty()) {
            out += "[]";
            return;
        }
        out += '[';
        bool first = true;
        for (const auto& e : v) {
            if (!first) out += ',';
            first = false;
            newline(depth + 1);
            json_value(out, e, escape_html, indent, depth + 1);
        }
        newline(depth);
        out += ']';
        return;
    }
    case json::value_t::object: {
        if (v.empty()) {
            out += "{}";
            return;
        }
        out += '{';
        bool first = true;
        for (auto it = v.begin(); it != v.end(); ++it) {
            if (!first) out += ',';
            first = false;
            newline(depth + 1);
            json_string(out, it.key(), escape_html);
            out += indent > 0 ? ": " : ":";
            json_value(out, it.value(), escape_html, indent, depth + 1);
        }
        newline(depth);
        out += '}';
        return;
    }
    }
}

}  // namespace

std::string to_json(const json& v, bool escape_html, int indent) {
    std::string out;
    json_value(out, v, escape_html, indent, 0);
    return out;
}

// ---- template functions ----------------------------------------------------------------

namespace {

[[noreturn]] void fail(const std::string& msg) { throw FuncError{msg}; }

const std::string& want_string(const json& v) {
    if (v.is_string()) return v.get_ref<const std::string&>();
    if (v.is_null()) fail("invalid value; expected string");
    fail("wrong type for value; expected string; got " + type_name(v));
}

int64_t want_int(const json& v) {
    if (v.is_number_unsigned()) return static_cast<int64_t>(v.get<uint64_t>());
    if (v.is_number_integer()) return v.get<int64_t>();
    // Go accepts integral float constants for int parameters.
    if (v.is_number_float() && std::floor(v.get<double>()) == v.get<double>())
        return static_cast<int64_t>(v.get<double>());
    if (v.is_null()) fail("invalid value; expected int");
    fail("wrong type for value; expected int; got " + type_name(v));
}

void want_args(std::string_view name, const std::vector<json>& args, size_t n) {
    if (args.size() != n)
        fail("wrong number of args for " + std::string(name) + ": want " + std::to_string(n) + " got " +
             std::to_string(args.size()));
}

void want_at_least(std::string_view name, const std::vector<json>& args, size_t n) {
    if (args.size() < n)
        fail("wrong number of args for " + std::string(name) + ": want at least " + std::to_string(n) + " got " +
             std::to_string(args.size()));
}

enum class Kind { Invalid, Bool, Int, Float, String, Other };

Kind basic_kind(const json& v) {
    switch (v.type()) {
    case json::value_t::null:
        return Kind::Invalid;
    case json::value_t::boolean:
        return Kind::Bool;
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
        return Kind::Int;
    case json::value_t::number_float:
        return Kind::Float;
    case json::value_t::string:
        return Kind::String;
    default:
        return Kind::Other;
    }
}

bool is_number_kind(Kind k) { return k == Kind::Int || k == Kind::Float; }

// Numeric comparison across int, uint and float without losing precision on integers.
int compare_numbers(const json& a, const json& b) {
    if (a.is_number_integer() && b.is_number_integer()) {
        bool au = a.is_number_unsigned(), bu = b.is_number_unsigned();
        if (au && bu) {
            auto x = a.get<uint64_t>(), y = b.get<uint64_t>();
            return x < y ? -1 : x > y;
        }
        if (!au && !bu) {
            auto x = a.get<int64_t>(), y = b.get<int64_t>();
            return x < y ? -1 : x > y;
        }
        if (au) {  // a unsigned, b signed
            int64_t y = b.get<int64_t>();
            if (y < 0) return 1;
            auto x = a.get<uint64_t>();
            return x < static_cast<uint64_t>(y) ? -1 : x > static_cast<uint64_t>(y);
        }
        int64_t x = a.get<int64_t>();
        if (x < 0) return -1;
        auto y = b.get<uint64_t>();
        return static_cast<uint64_t>(x) < y ? -1 : static_cast<uint64_t>(x) > y;
    }
    double x = a.get<double>(), y = b.get<double>();
    return x < y ? -1 : x > y;
}

bool equal(const json& a, const json& b) {
    Kind ka = basic_kind(a), kb = basic_kind(b);
    if (ka == Kind::Other || kb == Kind::Other) {
        if (ka == Kind::Invalid || kb == Kind::Invalid) return false;
        fail("non-comparable type " + format_value(ka == Kind::Other ? a : b) + ": " +
             type_name(ka == Kind::Other ? a : b));
    }
    if (ka == Kind::Invalid || kb == Kind::Invalid) return ka == kb;
    if (is_number_kind(ka) && is_number_kind(kb)) return compare_numbers(a, b) == 0;
    if (ka != kb) fail("incompatible types for comparison");
    return a == b;
}

bool less(const json& a, const json& b) {
    Kind ka = basic_kind(a), kb = basic_kind(b);
    auto ok = [](Kind k) { return k == Kind::Int || k == Kind::Float || k == Kind::String; };
    if (!ok(ka) || !ok(kb)) fail("invalid type for comparison");
    if (is_number_kind(ka) && is_number_kind(kb)) return compare_numbers(a, b) < 0;
    if (ka != kb) fail("incompatible types for comparison");
    return a.get_ref<const std::string&>() < b.get_ref<const std::string&>();
}

// Zero value of a missing key in an object: Go's index returns the element type's zero
// value; Podman's string maps (Labels, Annotations) give "", so an object of only strings
// (or an empty/nil one) is treated as map[string]string.
json zero_of_map(const json& obj) {
    if (obj.is_null()) return "";
    for (const auto& [k, v] : obj.items())
        if (!v.is_string()) return nullptr;
    return "";
}

json fn_index(const std::vector<json>& args) {
    want_at_least("index", args, 1);
    json item = args[0];
    for (size_t i = 1; i < args.size(); ++i) {
        const json& idx = args[i];
        if (item.is_array() || item.is_string() || (item.is_null() && !idx.is_string())) {
            if (idx.is_null()) fail("cannot index slice/array with nil");
            if (!idx.is_number_integer()) fail("cannot index slice/array with type " + type_name(idx));
            int64_t n = want_int(idx);
            size_t len = item.is_null() ? 0 : item.size();
            if (item.is_string()) len = item.get_ref<const std::string&>().size();
            if (n < 0 || static_cast<uint64_t>(n) >= len) fail("index out of range: " + std::to_string(n));
            if (item.is_string()) {
                item = static_cast<int64_t>(static_cast<unsigned char>(item.get_ref<const std::string&>()[n]));
            } else {
                json next = item[static_cast<size_t>(n)];
                item = std::move(next);
            }
        } else if (item.is_object() || item.is_null()) {
            if (!idx.is_string()) fail("value has type " + type_name(idx) + "; should be string");
            if (item.is_object()) {
                auto it = item.find(idx.get_ref<const std::string&>());
                if (it != item.end()) {
                    json next = *it;
                    item = std::move(next);
                    continue;
                }
            }
            item = zero_of_map(item);
        } else {
            fail("can't index item of type " + type_name(item));
        }
    }
    return item;
}

json fn_slice(const std::vector<json>& args) {
    want_at_least("slice", args, 1);
    const json& item = args[0];
    if (item.is_null()) fail("slice of untyped nil");
    if (args.size() > 4) fail("too many slice indexes: " + std::to_string(args.size() - 1));
    size_t len;
    if (item.is_string()) {
        if (args.size() == 4) fail("cannot 3-index slice a string");
        len = item.get_ref<const std::string&>().size();
    } else if (item.is_array()) {
        len = item.size();
    } else {
        fail("can't slice item of type " + type_name(item));
    }
    int64_t idx[3] = {0, static_cast<int64_t>(len), static_cast<int64_t>(len)};
    for (size_t i = 1; i < args.size(); ++i) {
        if (!args[i].is_number_integer()) fail("cannot index slice/array with type " + type_name(args[i]));
        int64_t n = want_int(args[i]);
        if (n < 0 || static_cast<uint64_t>(n) > len) fail("index out of range: " + std::to_string(n));
        idx[i - 1] = n;
    }
    if (idx[0] > idx[1]) fail("invalid slice index: " + std::to_string(idx[0]) + " > " + std::to_string(idx[1]));
    if (args.size() == 4 && idx[1] > idx[2])
        fail("invalid slice index: " + std::to_string(idx[1]) + " > " + std::to_string(idx[2]));
    if (item.is_string())
        return item.get_ref<const std::string&>().substr(static_cast<size_t>(idx[0]),
                                                           static_cast<size_t>(idx[1] - idx[0]));
    json out = json::array();
    for (int64_t i = idx[0]; i < idx[1]; ++i) out.push_back(item[static_cast<size_t>(i)]);
    return out;
}

json fn_len(const std::vector<json>& args) {
    want_args("len", args, 1);
    const json& v = args[0];
    if (v.is_string()) return static_cast<int64_t>(v.get_ref<const std::string&>().size());
    if (v.is_array() || v.is_object()) return static_cast<int64_t>(v.size());
    if (v.is_null()) fail("len of nil pointer");
    fail("len of type " + type_name(v));
}

std::string ascii_lower(std::string s) {
    for (auto& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
}

std::string ascii_upper(std::string s) {
    for (auto& c : s)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return s;
}

// strings.Title: upper-cases the first letter of each word; letters, digits, '_' and
// non-ASCII runes continue a word, other ASCII characters separate words.
std::string title(std::string s) {
    bool prev_sep = true;
    for (auto& c : s) {
        auto u = static_cast<unsigned char>(c);
        bool word = (u >= 0x80) || std::isalnum(u) || c == '_';
        if (prev_sep && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
        prev_sep = !word;
    }
    return s;
}

// strings.Split semantics, including "" separator (split into UTF-8 runes).
json split(const std::string& s, const std::string& sep) {
    json out = json::array();
    if (sep.empty()) {
        for (size_t i = 0; i < s.size();) {
            size_t w;
            decode_rune(s, i, w);
            out.push_back(s.substr(i, w));
            i += w;
        }
        return out;
    }
    size_t start = 0;
    for (size_t pos; (pos = s.find(sep, start)) != std::string::npos; start = pos + sep.size())
        out.push_back(s.substr(start, pos - start));
    out.push_back(s.substr(start));
    return out;
}

std::string replace_all(const std::string& s, const std::string& from, const std::string& to) {
    if (from.empty()) {
        // strings.ReplaceAll with an empty old string inserts `to` around every rune.
        std::string out = to;
        for (size_t i = 0; i < s.size();) {
            size_t w;
            decode_rune(s, i, w);
            out += s.substr(i, w) + to;
            i += w;
        }
        return out;
    }
    std::string out;
    size_t start = 0;
    for (size_t pos; (pos = s.find(from, start)) != std::string::npos; start = pos + from.size())
        out += s.substr(start, pos - start) + to;
    return out + s.substr(start);
}

std::string html_escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        switch (c) {
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '&': out += "&amp;"; break;
        case '\'': out += "&#39;"; break;
        case '"': out += "&#34;"; break;
        case '\0': out += "\xEF\xBF\xBD"; break;
        default: out += c;
        }
    }
    return out;
}

std::string url_query_escape(const std::string& s) {
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else if (c == ' ') {
            out += '+';
        } else {
            out += '%';
            out += kHexUpper[c >> 4];
            out += kHexUpper[c & 0xF];
        }
    }
    return out;
}

// Go's evalArgs for html/js/urlquery: a single string argument is used as is, otherwise
// fmt.Sprint of all arguments.
std::string eval_args(const std::vector<json>& args) {
    if (args.size() == 1 && args[0].is_string()) return args[0].get<std::string>();
    return sprint(args);
}

std::string trim_space(const std::string& s) {
    const char* ws = " \t\n\r\v\f";
    size_t b = s.find_first_not_of(ws);
    if (b == std::string::npos) return "";
    size_t e = s.find_last_not_of(ws);
    return s.substr(b, e - b + 1);
}

const char* const kFunctions[] = {
    // Go's builtins.
    "and", "or", "not", "len", "index", "slice", "print", "printf", "println", "eq", "ne", "lt", "le", "gt", "ge",
    "html", "urlquery",
    // Podman's (containers/common report.DefaultFuncs).
    "join", "json", "lower", "pad", "split", "title", "truncate", "upper",
    // Extras users know from Docker/sprig; Go strings argument order.
    "contains", "hasPrefix", "hasSuffix", "replace", "trim"};

}  // namespace

bool has_function(std::string_view name) {
    return std::any_of(std::begin(kFunctions), std::end(kFunctions), [&](const char* f) { return name == f; });
}

json call_function(std::string_view name, const std::vector<json>& args) {
    if (name == "not") {
        want_args(name, args, 1);
        return !truth(args[0]);
    }
    if (name == "len") return fn_len(args);
    if (name == "index") return fn_index(args);
    if (name == "slice") return fn_slice(args);
    if (name == "print") return sprint(args);
    if (name == "println") return sprintln(args);
    if (name == "printf") {
        want_at_least(name, args, 1);
        const std::string& f = want_string(args[0]);
        return sprintf(f, std::vector<json>(args.begin() + 1, args.end()));
    }
    if (name == "eq") {
        want_at_least(name, args, 1);
        if (args.size() == 1) fail("missing argument for comparison");
        for (size_t i = 1; i < args.size(); ++i)
            if (equal(args[0], args[i])) return true;
        return false;
    }
    if (name == "ne") {
        want_args(name, args, 2);
        return !equal(args[0], args[1]);
    }
    if (name == "lt") {
        want_args(name, args, 2);
        return less(args[0], args[1]);
    }
    if (name == "le") {
        want_args(name, args, 2);
        return less(args[0], args[1]) || equal(args[0], args[1]);
    }
    if (name == "gt") {
        want_args(name, args, 2);
        return !(less(args[0], args[1]) || equal(args[0], args[1]));
    }
    if (name == "ge") {
        want_args(name, args, 2);
        return !less(args[0], args[1]);
    }
    if (name == "html") return html_escape(eval_args(args));
    if (name == "urlquery") return url_query_escape(eval_args(args));
    if (name == "json") {
        want_args(name, args, 1);
        return to_json(args[0], false, 0);
    }
    if (name == "join") {
        want_args(name, args, 2);
        const std::string& sep = want_string(args[1]);
        if (args[0].is_null()) return "";
        if (!args[0].is_array()) fail("wrong type for value; expected []string; got " + type_name(args[0]));
        std::string out;
        bool first = true;
        for (const auto& e : args[0]) {
            if (!first) out += sep;
            first = false;
            out += e.is_string() ? e.get<std::string>() : format_value(e);
        }
        return out;
    }
    if (name == "lower") {
        want_args(name, args, 1);
        return ascii_lower(want_string(args[0]));
    }
    if (name == "upper") {
        want_args(name, args, 1);
        return ascii_upper(want_string(args[0]));
    }
    if (name == "title") {
        want_args(name, args, 1);
        return title(want_string(args[0]));
    }
    if (name == "pad") {
        // Podman's padWithSpace: spaces before and after a non-empty string.
        want_args(name, args, 3);
        const std::string& s = want_string(args[0]);
        int64_t pre = want_int(args[1]), post = want_int(args[2]);
        if (s.empty()) return s;
        if (pre < 0 || post < 0) fail("negative Repeat count");
        return std::string(static_cast<size_t>(pre), ' ') + s + std::string(static_cast<size_t>(post), ' ');
    }
    if (name == "truncate") {
        // Podman's truncateWithLength: byte length, like Go's s[:n].
        want_args(name, args, 2);
        const std::string& s = want_string(args[0]);
        int64_t n = want_int(args[1]);
        if (static_cast<int64_t>(s.size()) < n) return s;
        if (n < 0) fail("slice bounds out of range");
        return s.substr(0, static_cast<size_t>(n));
    }
    if (name == "split") {
        want_args(name, args, 2);
        return split(want_string(args[0]), want_string(args[1]));
    }
    if (name == "contains") {
        want_args(name, args, 2);
        return want_string(args[0]).find(want_string(args[1])) != std::string::npos;
    }
    if (name == "hasPrefix") {
        want_args(name, args, 2);
        return want_string(args[0]).rfind(want_string(args[1]), 0) == 0;
    }
    if (name == "hasSuffix") {
        want_args(name, args, 2);
        const std::string& s = want_string(args[0]);
        const std::string& suf = want_string(args[1]);
        return s.size() >= suf.size() && s.compare(s.size() - suf.size(), suf.size(), suf) == 0;
    }
    if (name == "replace") {
        want_args(name, args, 3);
        return replace_all(want_string(args[0]), want_string(args[1]), want_string(args[2]));
    }
    if (name == "trim") {
        want_args(name, args, 1);
        return trim_space(want_string(args[0]));
    }
    fail("function \"" + std::string(name) + "\" not defined");
}

}  // namespace pc::cli::gotmpl
