#include "compose/watch_patterns.hpp"

#include <cctype>
#include <regex>

#include "common/error.hpp"
#include "common/strings.hpp"
#include "compose/short_syntax.hpp"

namespace pc::compose {

struct PathPatterns::Pattern {
    std::regex re;
    bool exclusion = false;
};

namespace {

// A pattern as moby's patternmatcher turns it into a regular expression (anchored at both
// ends; parents are matched separately).
std::string to_regex(const std::string& p) {
    std::string re = "^";
    for (size_t i = 0; i < p.size(); ++i) {
        const char c = p[i];
        if (c == '*' && i + 1 < p.size() && p[i + 1] == '*') {
            ++i;
            if (i + 1 < p.size() && p[i + 1] == '/') ++i;  // "**/" is "**"
            re += i + 1 >= p.size() ? ".*" : "(.*/)?";
        } else if (c == '*') {
            re += "[^/]*";
        } else if (c == '?') {
            re += "[^/]";
        } else if (c == '\\' && i + 1 < p.size()) {
            // The next character as itself (filepath.Match's escape).
            const char next = p[++i];
            if (!std::isalnum(static_cast<unsigned char>(next))) re += '\\';
            re += next;
        } else if (c == '[') {
            // A class is taken as written, as moby does ("[^a]" negates; an unterminated
            // one is the regex's error).
            const size_t end = p.find(']', i + 1);
            re += p.substr(i, end == std::string::npos ? std::string::npos : end - i + 1);
            if (end == std::string::npos) break;
            i = end;
        } else if (std::string_view(".+()|{}$^]\\").find(c) != std::string_view::npos) {
            re += '\\';
            re += c;
        } else {
            re += c;
        }
    }
    return re + "$";
}

std::string strip_root(std::string p) {
    p = clean_path(p);
    if (p.size() > 1 && p[0] == '/') p.erase(0, 1);
    return p;
}

}  // namespace

PathPatterns::PathPatterns() = default;
PathPatterns::PathPatterns(const PathPatterns&) = default;
PathPatterns& PathPatterns::operator=(const PathPatterns&) = default;
PathPatterns::~PathPatterns() = default;

PathPatterns::PathPatterns(const std::vector<std::string>& patterns) {
    for (const auto& given : patterns) {
        std::string p = str::trim(given);
        if (p.empty()) continue;
        auto pat = std::make_shared<Pattern>();
        if (p[0] == '!') {
            p = str::trim(p.substr(1));
            if (p.empty()) throw Error("illegal exclusion pattern: \"!\"");
            pat->exclusion = true;
            exclusions_ = true;
        }
        p = strip_root(p);
        try {
            pat->re = std::regex(to_regex(p), std::regex::ECMAScript | std::regex::optimize);
        } catch (const std::regex_error&) {
            throw Error("invalid pattern \"" + given + "\": syntax error in pattern");
        }
        patterns_.push_back(std::move(pat));
    }
}

bool PathPatterns::matches(std::string_view rel_in) const {
    if (patterns_.empty()) return false;
    const std::string rel = strip_root(std::string(rel_in));
    if (rel.empty() || rel == "." || rel == "/") return false;
    bool matched = false;
    for (const auto& p : patterns_) {
        // An include that already matched, or an exclusion before anything matched, cannot
        // change the result (moby's MatchesOrParentMatches).
        if (p->exclusion != matched) continue;
        bool m = std::regex_match(rel, p->re);
        for (size_t slash = rel.find('/'); !m && slash != std::string::npos; slash = rel.find('/', slash + 1))
            m = std::regex_match(rel.begin(), rel.begin() + static_cast<std::ptrdiff_t>(slash), p->re);
        if (m) matched = !p->exclusion;
    }
    return matched;
}

std::vector<std::string> read_ignore_patterns(std::string_view text) {
    if (str::starts_with(text, "\xEF\xBB\xBF")) text.remove_prefix(3);
    std::vector<std::string> out;
    for (std::string line : str::split(text, '\n')) {
        if (str::starts_with(line, "#")) continue;
        std::string p = str::trim(line);
        if (p.empty()) continue;
        const bool invert = p[0] == '!';
        if (invert) p = str::trim(p.substr(1));
        if (!p.empty()) p = strip_root(p);
        out.push_back(invert ? "!" + p : p);
    }
    return out;
}

}  // namespace pc::compose
