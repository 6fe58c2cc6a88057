// A registry's WWW-Authenticate header (image/auth_challenge): any bytes parse; schemes and
// keys come out lower-case tokens; a challenge written back in canonical form parses to
// the same thing.
#include <cctype>
#include <string>

#include "fuzz_check.hpp"
#include "image/auth_challenge.hpp"

using namespace pc::image;

namespace {

bool lower_token(const std::string& s) {
    if (s.empty()) return false;
    for (unsigned char c : s)
        if (std::isupper(c) || c <= ' ' || c == '"' || c == ',' || c == '=' || c == '\\' || c >= 0x7f) return false;
    return true;
}

std::string canonical(const AuthChallenge& c) {
    std::string out = c.scheme;
    bool first = true;
    for (const auto& [k, v] : c.params) {
        out += first ? " " : ",";
        first = false;
        out += k + "=\"";
        for (char ch : v) {
            if (ch == '"' || ch == '\\') out += '\\';
            out += ch;
        }
        out += '"';
    }
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::vector<AuthChallenge> all = parse_auth_challenges(pcfuzz::as_text(data, size));
    for (const auto& c : all) {
        FUZZ_CHECK(lower_token(c.scheme));
        for (const auto& [k, v] : c.params) FUZZ_CHECK(lower_token(k));
        std::vector<AuthChallenge> again = parse_auth_challenges(canonical(c));
        FUZZ_CHECK(again.size() == 1);
        FUZZ_CHECK(again[0].scheme == c.scheme && again[0].params == c.params);
    }
    return 0;
}
