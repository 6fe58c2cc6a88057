#include "image/reference.hpp"

#include "common/error.hpp"
#include "storage/digest.hpp"
#include "storage/image_refs.hpp"

namespace pc::image {

namespace {

[[noreturn]] void bad(const std::string& text, const std::string& why) {
    throw Error("invalid reference \"" + text + "\": " + why + " (invalid reference format)");
}

Reference split(const std::string& text, const std::string& registry, const std::string& rest) {
    Reference r;
    r.registry = registry;
    std::string name = rest;
    if (auto at = name.find('@'); at != std::string::npos) {
        r.digest = name.substr(at + 1);
        name = name.substr(0, at);
        try {
            storage::digest_hex(r.digest);
        } catch (const Error&) {
            bad(text, "malformed digest");
        }
    }
    auto colon = name.rfind(':');
    if (colon != std::string::npos && name.find('/', colon) == std::string::npos) {
        r.tag = name.substr(colon + 1);
        name = name.substr(0, colon);
    }
    r.repository = name;
    if (r.tag.empty() && r.digest.empty()) r.tag = "latest";
    return r;
}

}  // namespace

std::string Reference::str() const { return name() + (tag.empty() ? "@" + digest : ":" + tag); }

bool has_registry(const std::string& text) {
    auto slash = text.find('/');
    if (slash == std::string::npos) return false;
    std::string first = text.substr(0, slash);
    return first.find('.') != std::string::npos || first.find(':') != std::string::npos || first == "localhost";
}

Reference parse_qualified(const std::string& text) {
    storage::check_reference_format(text);
    if (!has_registry(text)) bad(text, "no registry given");
    auto slash = text.find('/');
    std::string registry = text.substr(0, slash);
    for (char c : registry)
        if (c == '@' || c == ' ') bad(text, "invalid registry");
    return split(text, registry, text.substr(slash + 1));
}

Reference parse_docker_normalized(const std::string& text) {
    storage::check_reference_format(text);
    if (has_registry(text)) {
        Reference r = parse_qualified(text);
        if (r.registry == "docker.io" && r.repository.find('/') == std::string::npos) r.repository = "library/" + r.repository;
        return r;
    }
    Reference r = split(text, "docker.io", text);
    if (r.repository.find('/') == std::string::npos) r.repository = "library/" + r.repository;
    return r;
}

}  // namespace pc::image
