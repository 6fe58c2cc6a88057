#include "container/record_json.hpp"

#include <cstring>

namespace pc::container::recjson {

namespace {
int hex_digit(char ch) {
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

void put_utf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}
}  // namespace

namespace {

// The length of the well-formed UTF-8 sequence at p (Unicode's table 3-7: no overlong
// forms, no surrogates, nothing above U+10FFFF), or 0.
size_t utf8_sequence_length(const char* p, const char* end) {
    auto byte = [&](size_t i) { return static_cast<unsigned char>(p[i]); };
    auto cont = [&](size_t i, unsigned lo = 0x80, unsigned hi = 0xBF) {
        return p + i < end && byte(i) >= lo && byte(i) <= hi;
    };
    const unsigned b = byte(0);
    if (b >= 0xC2 && b <= 0xDF) return cont(1) ? 2 : 0;
    if (b == 0xE0) return cont(1, 0xA0) && cont(2) ? 3 : 0;
    if ((b >= 0xE1 && b <= 0xEC) || b == 0xEE || b == 0xEF) return cont(1) && cont(2) ? 3 : 0;
    if (b == 0xED) return cont(1, 0x80, 0x9F) && cont(2) ? 3 : 0;
    if (b == 0xF0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
    if (b >= 0xF1 && b <= 0xF3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
    if (b == 0xF4) return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0;
    return 0;
}

}  // namespace

bool Cursor::string(std::string& out) {
    ws();
    if (p_ >= end_ || *p_ != '"') return false;
    ++p_;
    out.clear();
    for (;;) {
        // Copy the run up to the next quote or backslash in one go.
        const char* q = p_;
        while (q < end_ && *q != '"' && *q != '\\') {
            if (static_cast<unsigned char>(*q) < 0x20) return false;  // raw control char: invalid JSON
            if (static_cast<unsigned char>(*q) >= 0x80) {
                // Valid UTF-8 only, as nlohmann (and RFC 8259) require.
                const size_t n = utf8_sequence_length(q, end_);
                if (n == 0) return false;
                q += n;
                continue;
            }
            ++q;
        }
        out.append(p_, q);
        p_ = q;
        if (p_ >= end_) return false;
        if (*p_ == '"') {
            ++p_;
            return true;
        }
        // An escape.
        if (end_ - p_ < 2) return false;
        char e = p_[1];
        p_ += 2;
        switch (e) {
            case '"': out += '"'; break;
            case '\\': out += '\\'; break;
            case '/': out += '/'; break;
            case 'b': out += '\b'; break;
            case 'f': out += '\f'; break;
            case 'n': out += '\n'; break;
            case 'r': out += '\r'; break;
            case 't': out += '\t'; break;
            case 'u': {
                auto hex4 = [&](uint32_t& cp) {
                    if (end_ - p_ < 4) return false;
                    cp = 0;
                    for (int i = 0; i < 4; ++i) {
                        int d = hex_digit(p_[i]);
                        if (d < 0) return false;
                        cp = cp * 16 + static_cast<uint32_t>(d);
                    }
                    p_ += 4;
                    return true;
                };
                uint32_t cp = 0;
                if (!hex4(cp)) return false;
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    uint32_t lo = 0;
                    if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') return false;
                    p_ += 2;
                    if (!hex4(lo) || lo < 0xDC00 || lo > 0xDFFF) return false;
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                    return false;
                }
                put_utf8(out, cp);
                break;
            }
            default: return false;
        }
    }
}

bool Cursor::boolean(bool& out) {
    ws();
    if (end_ - p_ >= 4 && std::memcmp(p_, "true", 4) == 0) {
        p_ += 4;
        out = true;
        return true;
    }
    if (end_ - p_ >= 5 && std::memcmp(p_, "false", 5) == 0) {
        p_ += 5;
        out = false;
        return true;
    }
    return false;
}

namespace {

// JSON's digits of an integer at [p, end): no leading zero ("07" is not JSON), no fraction or
// exponent (not an integer in our records), no overflow. Anything else is left to nlohmann.
bool json_digits(const char*& p, const char* end, uint64_t& out) {
    const char* q = p;
    uint64_t v = 0;
    while (q < end && *q >= '0' && *q <= '9') {
        uint64_t d = static_cast<uint64_t>(*q - '0');
        if (v > (UINT64_MAX - d) / 10) return false;
        v = v * 10 + d;
        ++q;
    }
    if (q == p || (*p == '0' && q - p > 1)) return false;
    if (q < end && (*q == '.' || *q == 'e' || *q == 'E')) return false;
    p = q;
    out = v;
    return true;
}

}  // namespace

bool Cursor::unsigned_integer(uint64_t& out) {
    ws();
    return json_digits(p_, end_, out);
}

bool Cursor::integer(int64_t& out) {
    ws();
    const char* q = p_;
    bool neg = q < end_ && *q == '-';
    if (neg) ++q;  // no whitespace may follow the sign
    uint64_t v = 0;
    if (!json_digits(q, end_, v)) return false;
    if (neg) {
        if (v > static_cast<uint64_t>(INT64_MAX) + 1) return false;
        out = static_cast<int64_t>(0 - v);
    } else {
        if (v > static_cast<uint64_t>(INT64_MAX)) return false;
        out = static_cast<int64_t>(v);
    }
    p_ = q;
    return true;
}

bool Cursor::skip(std::string_view* span) {
    ws();
    const char* start = p_;
    int depth = 0;
    std::string scratch;
    do {
        ws();
        if (p_ >= end_) return false;
        char ch = *p_;
        if (ch == '"') {
            if (!string(scratch)) return false;
        } else if (ch == '{' || ch == '[') {
            ++depth;
            ++p_;
        } else if (ch == '}' || ch == ']') {
            if (--depth < 0) return false;
            ++p_;
        } else if (ch == ',' || ch == ':') {
            if (depth == 0) return false;
            ++p_;
        } else {
            // A literal or number: up to the next delimiter (strchr finds a NUL byte in its
            // own terminator, so a NUL, invalid anyway, would never be passed: no progress).
            const char* before = p_;
            while (p_ < end_ && *p_ != '\0' && std::strchr(",:]} \n\t\r", *p_) == nullptr) ++p_;
            if (p_ == before) return false;
        }
    } while (depth > 0);
    if (span) *span = std::string_view(start, static_cast<size_t>(p_ - start));
    return true;
}

bool read(Cursor& c, std::string& v) { return c.null() || c.string(v); }

bool read(Cursor& c, bool& v) { return c.null() || c.boolean(v); }

bool read(Cursor& c, std::vector<std::string>& v) {
    if (c.null()) return true;
    if (!c.eat('[')) return false;
    v.clear();
    if (c.eat(']')) return true;
    for (;;) {
        v.emplace_back();
        if (!c.string(v.back())) return false;
        if (c.eat(',')) continue;
        return c.eat(']');
    }
}

bool read(Cursor& c, std::map<std::string, std::string>& v) {
    if (c.null()) return true;
    v.clear();
    return c.object([&](const std::string& key) {
        std::string value;
        if (!c.string(value)) return false;
        v.insert_or_assign(key, std::move(value));
        return true;
    });
}

bool read(Cursor& c, nlohmann::json& v) {
    std::string_view span;
    if (!c.skip(&span)) return false;
    if (span == "[]") {
        v = nlohmann::json::array();
        return true;
    }
    try {
        v = nlohmann::json::parse(span);
    } catch (const std::exception&) {
        return false;
    }
    return true;
}

}  // namespace pc::container::recjson
