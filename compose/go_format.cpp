#include "compose/go_format.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <system_error>

namespace pc::compose {

namespace {

// The shortest round-trip decimal digits of v and its decimal exponent: v = 0.DIGITS x 10^point.
struct Decimal {
    std::string digits;  // no leading zeros; "0" for zero
    int point = 0;       // position of the decimal point relative to the digits
};

Decimal shortest_decimal(double v, int bits) {
    char buf[64];
    std::to_chars_result r{};
    if (bits == 32)
        r = std::to_chars(buf, buf + sizeof buf, static_cast<float>(v), std::chars_format::scientific);
    else
        r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
    std::string s(buf, r.ptr);  // "d.ddde[+-]XX"
    Decimal d;
    size_t e = s.find('e');
    std::string mant = s.substr(0, e);
    int exp = std::atoi(s.c_str() + e + 1);
    for (char c : mant)
        if (c != '.') d.digits.push_back(c);
    while (d.digits.size() > 1 && d.digits.back() == '0') d.digits.pop_back();
    if (d.digits == "0") {
        d.point = 1;
        return d;
    }
    d.point = exp + 1;
    return d;
}

std::string format_e(const Decimal& d) {
    std::string out;
    out.push_back(d.digits[0]);
    if (d.digits.size() > 1) {
        out.push_back('.');
        out.append(d.digits, 1, std::string::npos);
    }
    int exp = d.digits == "0" ? 0 : d.point - 1;
    out.push_back('e');
    out.push_back(exp < 0 ? '-' : '+');
    int a = std::abs(exp);
    if (a < 10) out.push_back('0');
    out += std::to_string(a);
    return out;
}

std::string format_f(const Decimal& d) {
    std::string out;
    if (d.point <= 0) {
        out = "0";
        if (d.digits != "0") {
            out.push_back('.');
            out.append(static_cast<size_t>(-d.point), '0');
            out += d.digits;
        }
        return out;
    }
    for (int i = 0; i < d.point; ++i)
        out.push_back(static_cast<size_t>(i) < d.digits.size() ? d.digits[static_cast<size_t>(i)] : '0');
    if (static_cast<size_t>(d.point) < d.digits.size()) {
        out.push_back('.');
        out.append(d.digits, static_cast<size_t>(d.point), std::string::npos);
    }
    return out;
}

}  // namespace

std::string go_format_float(double v, char fmt, int bits) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    std::string sign = std::signbit(v) ? "-" : "";
    Decimal d = shortest_decimal(std::fabs(v), bits);
    if (fmt == 'e') return sign + format_e(d);
    if (fmt == 'f') return sign + format_f(d);
    // 'g' with the shortest precision: strconv decides on %e with an exponent threshold
    // of 6 (not the digit count), then prints every digit needed.
    int exp = d.digits == "0" ? 0 : d.point - 1;
    if (exp < -4 || exp >= 6) return sign + format_e(d);
    return sign + format_f(d);
}

std::string go_json_float(double v, int bits) {
    double a = std::fabs(v);
    char fmt = 'f';
    if (a != 0) {
        double check = bits == 32 ? static_cast<double>(static_cast<float>(a)) : a;
        if (check < 1e-6 || check >= 1e21) fmt = 'e';
    }
    std::string s = go_format_float(v, fmt, bits);
    if (fmt == 'e') {
        size_t n = s.size();
        if (n >= 4 && s[n - 4] == 'e' && s[n - 3] == '-' && s[n - 2] == '0') s.erase(n - 2, 1);
    }
    return s;
}

namespace {

// Go's fmtFrac: the fraction of v with prec digits, trailing zeros dropped.
void fmt_frac(std::string& out, uint64_t& v, int prec) {
    std::string frac;
    bool print = false;
    for (int i = 0; i < prec; ++i) {
        uint64_t digit = v % 10;
        print = print || digit != 0;
        if (print) frac.insert(frac.begin(), static_cast<char>('0' + digit));
        v /= 10;
    }
    if (print) out = "." + frac + out;
}

}  // namespace

std::string go_duration_string(int64_t ns) {
    if (ns == 0) return "0s";
    bool neg = ns < 0;
    uint64_t u = neg ? static_cast<uint64_t>(-(ns + 1)) + 1 : static_cast<uint64_t>(ns);
    std::string out;
    if (u < 1000000000ULL) {
        // Sub-second: ns, µs or ms with a fraction.
        int prec = 0;
        std::string unit;
        if (u < 1000ULL) {
            return (neg ? "-" : "") + std::to_string(u) + "ns";
        }
        if (u < 1000000ULL) {
            prec = 3;
            unit = "\xC2\xB5s";  // µs
        } else {
            prec = 6;
            unit = "ms";
        }
        out = unit;
        fmt_frac(out, u, prec);
        out = std::to_string(u) + out;
    } else {
        out = "s";
        fmt_frac(out, u, 9);
        out = std::to_string(u % 60) + out;
        u /= 60;
        if (u > 0) {
            out = std::to_string(u % 60) + "m" + out;
            u /= 60;
            if (u > 0) out = std::to_string(u) + "h" + out;
        }
    }
    return (neg ? "-" : "") + out;
}

}  // namespace pc::compose
