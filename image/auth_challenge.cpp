#include "image/auth_challenge.hpp"

#include "common/strings.hpp"

namespace pc::image {

namespace {

// RFC 7230 tchar.
bool is_tchar(char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    switch (c) {
        case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
        case '-': case '.': case '^': case '_': case '`': case '|': case '~':
            return true;
        default:
            return false;
    }
}

class Scanner {
public:
    explicit Scanner(std::string_view s) : s_(s) {}
    bool done() const { return i_ >= s_.size(); }
    char peek() const { return done() ? '\0' : s_[i_]; }
    void skip_space() {
        while (!done() && (s_[i_] == ' ' || s_[i_] == '\t')) ++i_;
    }
    void skip_separators() {
        while (!done() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == ',')) ++i_;
    }
    std::string token() {
        size_t start = i_;
        while (!done() && is_tchar(s_[i_])) ++i_;
        return std::string(s_.substr(start, i_ - start));
    }
    // After the opening quote: up to the closing one, with quoted-pairs (\x) unescaped. An
    // unterminated string ends at the end of the header.
    std::string quoted() {
        std::string out;
        while (!done()) {
            char c = s_[i_++];
            if (c == '"') break;
            if (c == '\\' && !done()) c = s_[i_++];
            out += c;
        }
        return out;
    }
    // An unquoted value: up to a separator.
    std::string bare() {
        size_t start = i_;
        while (!done() && s_[i_] != ',' && s_[i_] != ' ' && s_[i_] != '\t') ++i_;
        return std::string(s_.substr(start, i_ - start));
    }
    // Skips one character that cannot start anything (so malformed input still advances).
    void skip_one() { ++i_; }

private:
    std::string_view s_;
    size_t i_ = 0;
};

}  // namespace

std::vector<AuthChallenge> parse_auth_challenges(std::string_view header) {
    std::vector<AuthChallenge> out;
    Scanner sc(header);
    while (true) {
        sc.skip_separators();
        if (sc.done()) break;
        std::string word = sc.token();
        if (word.empty()) {
            sc.skip_one();
            continue;
        }
        sc.skip_space();
        if (sc.peek() == '=') {
            // key=value (or the '=' padding of a token68, which has no key to keep).
            sc.skip_one();
            sc.skip_space();
            std::string value;
            if (sc.peek() == '"') {
                sc.skip_one();
                value = sc.quoted();
            } else {
                value = sc.bare();
            }
            if (!out.empty()) out.back().params.insert_or_assign(str::to_lower(word), std::move(value));
            continue;
        }
        // A word without '=' starts a new challenge: its scheme.
        out.push_back(AuthChallenge{str::to_lower(word), {}});
    }
    return out;
}

}  // namespace pc::image
