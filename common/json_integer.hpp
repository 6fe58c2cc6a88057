// An integer field of a stored JSON record, read safely. nlohmann converts any JSON number
// to any arithmetic type with a plain cast: a float such as 2.2e23 (or a number past the
// type's range) read into an int is undefined behaviour, and a damaged record on disk must
// not be able to cause that. These read the value only when it is an integer that fits.
#pragma once

#include <concepts>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>

#include "common/error.hpp"

namespace pc {

// j[key] as T; `fallback` when the key is missing or null. Throws pc::Error naming the key
// when the value is not an integer in T's range.
template <std::integral T>
T json_integer(const nlohmann::json& j, const char* key, T fallback = T{}) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return fallback;
    if (it->is_number_unsigned()) {
        const auto v = it->get<uint64_t>();
        if (v <= static_cast<uint64_t>(std::numeric_limits<T>::max())) return static_cast<T>(v);
    } else if (it->is_number_integer()) {
        const auto v = it->get<int64_t>();
        if constexpr (std::is_signed_v<T>) {
            if (v >= static_cast<int64_t>(std::numeric_limits<T>::min()) &&
                v <= static_cast<int64_t>(std::numeric_limits<T>::max()))
                return static_cast<T>(v);
        } else if (v >= 0 && static_cast<uint64_t>(v) <= static_cast<uint64_t>(std::numeric_limits<T>::max())) {
            return static_cast<T>(v);
        }
    }
    throw Error(std::string(key) + ": " + it->dump() + " is not an integer from " +
                std::to_string(std::numeric_limits<T>::min()) + " to " + std::to_string(std::numeric_limits<T>::max()));
}

}  // namespace pc
