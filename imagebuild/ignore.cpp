#include "imagebuild/ignore.hpp"

#include <regex>

#include "common/error.hpp"
#include "common/strings.hpp"

namespace pc::build {

struct IgnoreMatcher::Pattern {
    std::regex re;
    bool exclusion = false;  // a '!' pattern
};

namespace {

// A pattern as Docker's patternmatcher turns it into a regular expression: "^" + ... +
// "(/.*)?$".
std::string to_regex(const std::string& p, const std::string& origin) {
    std::string re = "^";
    for (size_t i = 0; i < p.size(); ++i) {
        char c = p[i];
        if (c == '*') {
            if (i + 1 < p.size() && p[i + 1] == '*') {
                ++i;
                if (i + 1 < p.size() && p[i + 1] == '/') ++i;  // "**/" is "**"
                re += i + 1 >= p.size() ? ".*" : "(.*/)?";
            } else {
                re += "[^/]*";
            }
        } else if (c == '?') {
            re += "[^/]";
        } else if (c == '.' || c == '$' || c == '{' || c == '}') {
            re += '\\';
            re += c;
        } else if (c == '\\') {
            if (i + 1 >= p.size()) throw Error(origin + "invalid pattern \"" + p + "\": trailing backslash");
            re += '\\';
            re += p[++i];
        } else if (c == '[') {
            // A class is taken as written, as Go's regexp takes it.
            size_t end = p.find(']', i + 2);
            if (end == std::string::npos) throw Error(origin + "invalid pattern \"" + p + "\": unterminated [");
            re += p.substr(i, end - i + 1);
            i = end;
        } else {
            re += c;
        }
    }
    return re + "(/.*)?$";
}

}  // namespace

std::string clean_path(std::string_view path) {
    if (path.empty()) return ".";
    const bool rooted = path[0] == '/';
    std::vector<std::string> parts;
    for (const auto& c : str::split(path, '/')) {
        if (c.empty() || c == ".") continue;
        if (c == "..") {
            if (!parts.empty() && parts.back() != "..") parts.pop_back();
            else if (!rooted) parts.push_back(c);
            continue;
        }
        parts.push_back(c);
    }
    std::string out = (rooted ? "/" : "") + str::join(parts, "/");
    if (out.empty()) return ".";
    return out;
}

std::vector<std::string> parse_ignore_file(std::string_view text) {
    if (text.size() >= 3 && text.compare(0, 3, "\xEF\xBB\xBF") == 0) text.remove_prefix(3);
    std::vector<std::string> out;
    for (std::string line : str::split(text, '\n')) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (str::starts_with(line, "#")) continue;
        std::string p = str::trim(line);
        if (p.empty()) continue;
        bool invert = p[0] == '!';
        if (invert) p = str::trim(p.substr(1));
        if (!p.empty()) {
            p = clean_path(p);
            if (p.size() > 1 && p[0] == '/') p.erase(0, 1);
        }
        out.push_back(invert ? "!" + p : p);
    }
    return out;
}

IgnoreMatcher::IgnoreMatcher() = default;
IgnoreMatcher::IgnoreMatcher(const IgnoreMatcher&) = default;
IgnoreMatcher& IgnoreMatcher::operator=(const IgnoreMatcher&) = default;
IgnoreMatcher::IgnoreMatcher(IgnoreMatcher&&) noexcept = default;
IgnoreMatcher& IgnoreMatcher::operator=(IgnoreMatcher&&) noexcept = default;
IgnoreMatcher::~IgnoreMatcher() = default;

IgnoreMatcher::IgnoreMatcher(const std::vector<std::string>& patterns, const std::string& origin) {
    const std::string where = origin.empty() ? "" : origin + ": ";
    for (std::string p : patterns) {
        p = str::trim(p);
        if (p.empty()) continue;
        p = clean_path(p);
        if (p.size() > 1 && p[0] == '/') p.erase(0, 1);  // relative to the context either way
        auto pat = std::make_shared<Pattern>();
        if (p[0] == '!') {
            if (p.size() == 1) throw Error(where + "illegal exclusion pattern: \"!\"");
            pat->exclusion = true;
            p = clean_path(p.substr(1));
            if (str::starts_with(p, "/")) p.erase(0, 1);
            exclusions_ = true;
        }
        try {
            pat->re = std::regex(to_regex(p, where), std::regex::ECMAScript | std::regex::optimize);
        } catch (const std::regex_error& e) {
            throw Error(where + "invalid pattern \"" + p + "\": " + e.what());
        }
        cleaned_.push_back(pat->exclusion ? "!" + p : p);
        compiled_.push_back(std::move(pat));
    }
}

bool IgnoreMatcher::empty() const { return compiled_.empty(); }
bool IgnoreMatcher::has_exclusions() const { return exclusions_; }

bool IgnoreMatcher::excluded(std::string_view path_in) const {
    if (compiled_.empty()) return false;
    const std::string path = clean_path(path_in);
    if (path == ".") return false;  // the context itself is never excluded
    // Parent directories, shortest first: "a", "a/b" for "a/b/c".
    std::vector<std::string> parents;
    for (size_t slash = path.find('/'); slash != std::string::npos; slash = path.find('/', slash + 1))
        parents.push_back(path.substr(0, slash));
    bool matched = false;
    for (const auto& p : compiled_) {
        // An include that already matched, or an exclusion when nothing matched, cannot
        // change the result (moby's MatchesOrParentMatches).
        if (p->exclusion != matched) continue;
        bool m = std::regex_match(path, p->re);
        for (size_t i = 0; !m && i < parents.size(); ++i) m = std::regex_match(parents[i], p->re);
        if (m) matched = !p->exclusion;
    }
    return matched;
}

}  // namespace pc::build
