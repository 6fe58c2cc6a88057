#include "storage/image_refs.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

#include "common/error.hpp"

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

namespace {

bool lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool any_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
bool word_char(char c) { return any_alnum(c) || c == '_'; }

// path-component: [a-z0-9]+ (separator [a-z0-9]+)*, separator: "." | "_" | "__" | "-"+
bool path_component(std::string_view s) {
    size_t i = 0;
    auto alnum_run = [&] {
        const size_t start = i;
        while (i < s.size() && lower_alnum(s[i])) ++i;
        return i > start;
    };
    if (!alnum_run()) return false;
    while (i < s.size()) {
        if (s[i] == '.') {
            ++i;
        } else if (s[i] == '_') {
            ++i;
            if (i < s.size() && s[i] == '_') ++i;
        } else if (s[i] == '-') {
            while (i < s.size() && s[i] == '-') ++i;
        } else {
            return false;
        }
        if (!alnum_run()) return false;
    }
    return true;
}

// domain-component: [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
bool domain_component(std::string_view c) {
    if (c.empty() || !any_alnum(c.front()) || !any_alnum(c.back())) return false;
    return std::all_of(c.begin(), c.end(), [](char ch) { return any_alnum(ch) || ch == '-'; });
}

// host[:port], host a domain name, an IPv4 address or a bracketed IPv6 address.
bool domain(std::string_view d) {
    if (!d.empty() && d.front() == '[') {
        const size_t close = d.find(']');
        if (close == std::string_view::npos || close == 1) return false;
        std::string_view v6 = d.substr(1, close - 1);
        if (!std::all_of(v6.begin(), v6.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.'; }))
            return false;
        d.remove_prefix(close + 1);
        if (d.empty()) return true;
        if (d.front() != ':') return false;
        d.remove_prefix(1);
        return !d.empty() && std::all_of(d.begin(), d.end(), [](char c) { return c >= '0' && c <= '9'; });
    }
    if (size_t colon = d.find(':'); colon != std::string_view::npos) {
        std::string_view port = d.substr(colon + 1);
        if (port.empty() || !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }))
            return false;
        d = d.substr(0, colon);
    }
    size_t i = 0;
    for (;;) {
        const size_t dot = d.find('.', i);
        if (!domain_component(d.substr(i, dot == std::string_view::npos ? std::string_view::npos : dot - i))) return false;
        if (dot == std::string_view::npos) return true;
        i = dot + 1;
    }
}

// [domain/]path-component(/path-component)*
bool name(std::string_view s) {
    std::vector<std::string_view> parts;
    size_t i = 0;
    for (;;) {
        const size_t slash = s.find('/', i);
        parts.push_back(s.substr(i, slash == std::string_view::npos ? std::string_view::npos : slash - i));
        if (slash == std::string_view::npos) break;
        i = slash + 1;
    }
    const bool rest_ok = std::all_of(parts.begin() + 1, parts.end(), path_component);
    return rest_ok && (path_component(parts.front()) || (parts.size() > 1 && domain(parts.front())));
}

// [\w][\w.-]{0,127}
bool tag(std::string_view t) {
    return !t.empty() && t.size() <= 128 && word_char(t.front()) &&
           std::all_of(t.begin(), t.end(), [](char c) { return word_char(c) || c == '.' || c == '-'; });
}

// algorithm ":" hex{32,}; algorithm: [A-Za-z][A-Za-z0-9]* ([+._-] [A-Za-z][A-Za-z0-9]*)*
bool digest(std::string_view d) {
    const size_t colon = d.find(':');
    if (colon == std::string_view::npos) return false;
    std::string_view alg = d.substr(0, colon), hex = d.substr(colon + 1);
    if (hex.size() < 32 || !std::all_of(hex.begin(), hex.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }))
        return false;
    bool need_letter = true;
    for (char c : alg) {
        if (need_letter) {
            if (!std::isalpha(static_cast<unsigned char>(c))) return false;
            need_letter = false;
        } else if (c == '+' || c == '.' || c == '_' || c == '-') {
            need_letter = true;
        } else if (!any_alnum(c)) {
            return false;
        }
    }
    return !need_letter;
}

// The name part (without tag and digest) when `ref` matches the grammar.
std::optional<std::string_view> matched_name(std::string_view ref) {
    if (size_t at = ref.find('@'); at != std::string_view::npos) {
        if (!digest(ref.substr(at + 1))) return std::nullopt;
        ref = ref.substr(0, at);
    }
    const size_t colon = ref.rfind(':');
    const size_t slash = ref.rfind('/');
    if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
        if (!tag(ref.substr(colon + 1))) return std::nullopt;
        ref = ref.substr(0, colon);
    }
    if (!name(ref)) return std::nullopt;
    return ref;
}

}  // namespace

std::string reference_format_error(std::string_view ref) {
    if (ref.empty()) return "repository name must have at least one component";
    if (auto n = matched_name(ref)) {
        if (n->size() > 255) return "repository name must not be more than 255 characters";
        return "";
    }
    std::string lower(ref);
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    if (matched_name(lower)) return "repository name must be lowercase";
    return "invalid reference format";
}

void check_reference_format(std::string_view ref) {
    const std::string why = reference_format_error(ref);
    if (why.empty()) return;
    const std::string prefix = "\"" + std::string(ref) + "\": ";
    throw Error(why == "invalid reference format" ? prefix + why : prefix + "invalid reference format: " + why);
}

}  // namespace pc::storage
