#include "storage/image_refs.hpp"

namespace pc::storage {

namespace {

bool is_hex(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

// A tag follows the last ':' that comes after the last '/' (a registry port does not).
bool has_tag(std::string_view ref) {
    size_t slash = ref.rfind('/');
    size_t colon = ref.rfind(':');
    return colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash);
}

}  // namespace

bool is_registry_qualified(std::string_view ref) {
    size_t slash = ref.find('/');
    if (slash == std::string_view::npos) return false;
    std::string_view first = ref.substr(0, slash);
    return first == "localhost" || first.find('.') != std::string_view::npos ||
           first.find(':') != std::string_view::npos;
}

std::string normalize_image_name(std::string_view ref) {
    std::string out(ref);
    if (out.find('@') != std::string::npos) {
        if (!is_registry_qualified(out)) out = "localhost/" + out;
        return out;
    }
    if (!is_registry_qualified(out)) out = "localhost/" + out;
    if (!has_tag(out)) out += ":latest";
    return out;
}

bool short_name_matches(std::string_view stored, std::string_view ref) {
    std::string want(ref);
    if (want.find('@') == std::string::npos && !has_tag(want)) want += ":latest";
    if (stored.size() <= want.size()) return stored == want;
    return stored.substr(stored.size() - want.size()) == want && stored[stored.size() - want.size() - 1] == '/';
}

std::optional<std::string> id_prefix_of(std::string_view ref) {
    constexpr std::string_view prefix = "sha256:";
    if (ref.substr(0, prefix.size()) == prefix) ref.remove_prefix(prefix.size());
    if (ref.size() > 64 || !is_hex(ref)) return std::nullopt;
    return std::string(ref);
}

}  // namespace pc::storage
