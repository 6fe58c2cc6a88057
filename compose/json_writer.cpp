// The JSON text of an Out tree as Go's encoding/json writes it: struct fields in order, map
// keys in byte order, HTML characters escaped (\u003c \u003e \u0026), U+2028/U+2029
// escaped, invalid UTF-8 as \ufffd, floats in Go's shortest form; MarshalIndent's layout
// with two spaces, or Marshal's compact form. No trailing newline, as Go returns it.
#include <algorithm>
#include <cstdio>

#include "compose/go_format.hpp"
#include "compose/out_tree.hpp"

namespace pc::compose {

namespace {

void append_string(std::string& out, const std::string& s) {
    static const char* hex = "0123456789abcdef";
    out.push_back('"');
    for (size_t i = 0; i < s.size();) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            switch (c) {
            case '\\': out += "\\\\"; break;
            case '"': out += "\\\""; break;
            case '\b': out += "\\b"; break;
            case '\f': out += "\\f"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            case '<': out += "\\u003c"; break;
            case '>': out += "\\u003e"; break;
            case '&': out += "\\u0026"; break;
            default:
                if (c < 0x20) {
                    out += "\\u00";
                    out.push_back(hex[c >> 4]);
                    out.push_back(hex[c & 15]);
                } else {
                    out.push_back(static_cast<char>(c));
                }
            }
            ++i;
            continue;
        }
        size_t w = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
        bool valid = w != 0 && i + w <= s.size();
        uint32_t cp = w == 2 ? c & 0x1F : w == 3 ? c & 0x0F : c & 0x07;
        for (size_t k = 1; valid && k < w; ++k) {
            auto b = static_cast<unsigned char>(s[i + k]);
            if ((b & 0xC0) != 0x80) valid = false;
            cp = (cp << 6) | (b & 0x3F);
        }
        if (valid && ((w == 2 && cp < 0x80) || (w == 3 && cp < 0x800) || (w == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
                      (cp >= 0xD800 && cp <= 0xDFFF)))
            valid = false;
        if (!valid) {
            out += "\\ufffd";
            ++i;
            continue;
        }
        if (cp == 0x2028 || cp == 0x2029) {
            out += cp == 0x2028 ? "\\u2028" : "\\u2029";
        } else {
            out.append(s, i, w);
        }
        i += w;
    }
    out.push_back('"');
}

void write(std::string& out, const Out& o, bool indent, int depth) {
    auto newline = [&](int d) {
        if (!indent) return;
        out.push_back('\n');
        out.append(static_cast<size_t>(d) * 2, ' ');
    };
    switch (o.kind) {
    case Out::Kind::Null: out += "null"; return;
    case Out::Kind::Bool: out += o.b ? "true" : "false"; return;
    case Out::Kind::Int: out += std::to_string(o.i); return;
    case Out::Kind::Float: out += go_json_float(o.f, o.float_bits); return;
    case Out::Kind::String: append_string(out, o.s); return;
    case Out::Kind::Seq:
        if (o.items.empty()) {
            out += "[]";
            return;
        }
        out.push_back('[');
        for (size_t i = 0; i < o.items.size(); ++i) {
            if (i) out.push_back(',');
            newline(depth + 1);
            write(out, o.items[i], indent, depth + 1);
        }
        newline(depth);
        out.push_back(']');
        return;
    case Out::Kind::Map: {
        if (o.fields.empty()) {
            out += "{}";
            return;
        }
        std::vector<const std::pair<std::string, Out>*> fields;
        for (const auto& f : o.fields) fields.push_back(&f);
        if (o.sorted) std::stable_sort(fields.begin(), fields.end(), [](auto* a, auto* b) { return a->first < b->first; });
        out.push_back('{');
        for (size_t i = 0; i < fields.size(); ++i) {
            if (i) out.push_back(',');
            newline(depth + 1);
            append_string(out, fields[i]->first);
            out += indent ? ": " : ":";
            write(out, fields[i]->second, indent, depth + 1);
        }
        newline(depth);
        out.push_back('}');
        return;
    }
    }
}

}  // namespace

std::string write_json(const Out& root, bool indent) {
    std::string out;
    write(out, root, indent, 0);
    return out;
}

}  // namespace pc::compose
