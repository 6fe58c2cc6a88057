// Properties checked inside fuzz targets. A violated one aborts: libFuzzer keeps the input
// as a crash, the replay test (GCC build) fails naming the file and the property.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>

#define FUZZ_CHECK(cond)                                                                       \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            std::fprintf(stderr, "%s:%d: fuzz property failed: %s\n", __FILE__, __LINE__, #cond); \
            std::abort();                                                                      \
        }                                                                                      \
    } while (0)

namespace pcfuzz {

inline std::string_view as_text(const uint8_t* data, size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

// Splits the input at the first `sep`: (before, after); after is empty when there is none.
inline std::pair<std::string_view, std::string_view> split_first(std::string_view text, char sep) {
    size_t at = text.find(sep);
    if (at == std::string_view::npos) return {text, {}};
    return {text.substr(0, at), text.substr(at + 1)};
}

}  // namespace pcfuzz
