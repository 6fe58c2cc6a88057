// A fast, allocation-light reader for our own record files (config.json, state.json).
//
// Why: `pc ps -a` reads every container's two records; building a full nlohmann DOM for
// each (a std::map per object, a node per value) cost ~70% of a 1,000-container listing.
// This reader decodes straight into the struct fields. It is deliberately partial: any
// value it does not handle (a float where an integer is expected, an unknown key, a type
// mismatch) makes it report failure, and the caller falls back to nlohmann, which then
// decodes (or rejects) exactly as before. So it can only be faster, never different.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>

namespace pc::container::recjson {

class Cursor {
public:
    explicit Cursor(std::string_view text) : p_(text.data()), end_(text.data() + text.size()) {}

    void ws() {
        while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\t' || *p_ == '\r')) ++p_;
    }
    bool eat(char c) {
        ws();
        if (p_ < end_ && *p_ == c) {
            ++p_;
            return true;
        }
        return false;
    }
    bool peek(char c) {
        ws();
        return p_ < end_ && *p_ == c;
    }
    bool at_end() {
        ws();
        return p_ == end_;
    }
    bool null() {
        ws();
        if (end_ - p_ >= 4 && std::string_view(p_, 4) == "null") {
            p_ += 4;
            return true;
        }
        return false;
    }

    bool string(std::string& out);
    bool boolean(bool& out);
    bool integer(int64_t& out);
    bool unsigned_integer(uint64_t& out);
    // Skips any JSON value; `span` receives its text (for a nlohmann parse of just that).
    bool skip(std::string_view* span = nullptr);

    // The members of an object: calls on_key(key) for each, which must consume the value.
    template <typename OnKey>
    bool object(OnKey&& on_key) {
        if (!eat('{')) return false;
        if (eat('}')) return true;
        std::string key;
        for (;;) {
            if (!string(key) || !eat(':') || !on_key(key)) return false;
            if (eat(',')) continue;
            return eat('}');
        }
    }

private:
    const char* p_;
    const char* end_;
};

// Value decoders for the field types of our records; a JSON null leaves the field as is
// (nlohmann-based from_json skips nulls too).
bool read(Cursor& c, std::string& v);
bool read(Cursor& c, bool& v);
bool read(Cursor& c, std::vector<std::string>& v);
bool read(Cursor& c, std::map<std::string, std::string>& v);
bool read(Cursor& c, nlohmann::json& v);  // parsed by nlohmann (only that value's text)

template <typename T>
    requires(std::is_integral_v<T> && !std::is_same_v<T, bool>)
bool read(Cursor& c, T& v) {
    if (c.null()) return true;
    if constexpr (std::is_signed_v<T>) {
        int64_t x = 0;
        if (!c.integer(x) || x < static_cast<int64_t>(std::numeric_limits<T>::min()) ||
            x > static_cast<int64_t>(std::numeric_limits<T>::max()))
            return false;
        v = static_cast<T>(x);
    } else {
        uint64_t x = 0;
        if (!c.unsigned_integer(x) || x > static_cast<uint64_t>(std::numeric_limits<T>::max())) return false;
        v = static_cast<T>(x);
    }
    return true;
}

// Anything else (e.g. a vector of structs) goes through nlohmann for that value only.
template <typename T>
    requires(!std::is_arithmetic_v<T>)
bool read(Cursor& c, T& v) {
    if (c.null()) return true;
    std::string_view span;
    if (!c.skip(&span)) return false;
    try {
        nlohmann::json::parse(span).get_to(v);
    } catch (const std::exception&) {
        return false;
    }
    return true;
}

}  // namespace pc::container::recjson
