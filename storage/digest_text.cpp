// The text forms of digests and ids, kept apart from the hashing in digest.cpp: code that
// only checks ids (the image index, and through it the container monitor) then does not
// pull OpenSSL into the monitor's link (see CMakeLists.txt on pc-monitor's memory).
#include "storage/digest.hpp"

#include "common/error.hpp"

namespace pc::storage {

bool is_hex64(std::string_view s) {
    if (s.size() != 64) return false;
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

std::string digest_hex(std::string_view digest) {
    constexpr std::string_view prefix = "sha256:";
    if (digest.substr(0, prefix.size()) != prefix || !is_hex64(digest.substr(prefix.size())))
        throw Error("invalid digest \"" + std::string(digest) + "\": expected sha256:<64 hex digits>");
    return std::string(digest.substr(prefix.size()));
}

}  // namespace pc::storage
