#include "compose/dotenv.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>

#include "common/fd.hpp"
#include "compose/errors.hpp"

namespace pc::compose {

namespace {

// compose-go's isSpace: blanks other than the newline (plus NEL and NBSP).
size_t blank_width(std::string_view s, size_t i) {
    char c = s[i];
    if (c == '\t' || c == '\v' || c == '\f' || c == '\r' || c == ' ') return 1;
    if (i + 1 < s.size() && static_cast<unsigned char>(c) == 0xC2 &&
        (static_cast<unsigned char>(s[i + 1]) == 0x85 || static_cast<unsigned char>(s[i + 1]) == 0xA0))
        return 2;
    return 0;
}

size_t space_width(std::string_view s, size_t i) { return s[i] == '\n' ? 1 : blank_width(s, i); }

std::string_view trim_left_blanks(std::string_view s) {
    size_t i = 0;
    while (i < s.size()) {
        size_t w = blank_width(s, i);
        if (w == 0) break;
        i += w;
    }
    return s.substr(i);
}

std::string trim_right_spaces(std::string_view s) {
    size_t end = s.size();
    while (end > 0) {
        char c = s[end - 1];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f') {
            --end;
        } else if (end >= 2 && static_cast<unsigned char>(s[end - 2]) == 0xC2 &&
                   (static_cast<unsigned char>(c) == 0x85 || static_cast<unsigned char>(c) == 0xA0)) {
            end -= 2;
        } else {
            break;
        }
    }
    return std::string(s.substr(0, end));
}

bool is_letter_or_digit(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

// Shell-style escapes of double-quoted values: \a \b \f \n \r \t \v \" \\ \$ and \0NNN.
std::string expand_escapes(std::string_view s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '\\' || i + 1 >= s.size()) {
            out.push_back(s[i]);
            continue;
        }
        char c = s[i + 1];
        switch (c) {
        case 'a': out.push_back('\a'); break;
        case 'b': out.push_back('\b'); break;
        case 'c': out += "\\c"; break;  // matched by compose-go's pattern, but not unquotable: kept
        case 'f': out.push_back('\f'); break;
        case 'n': out.push_back('\n'); break;
        case 'r': out.push_back('\r'); break;
        case 't': out.push_back('\t'); break;
        case 'v': out.push_back('\v'); break;
        case '"': out.push_back('"'); break;
        case '\\': out.push_back('\\'); break;
        case '$': out += "$$"; break;  // a literal `$` through the substitution that follows
        case '0': {
            size_t j = i + 2;
            while (j < s.size() && j < i + 5 && s[j] >= '0' && s[j] <= '9') ++j;
            std::string digits(s.substr(i + 2, j - i - 2));
            // Go unquotes "\NNN" only with exactly three octal digits; otherwise the text stays.
            bool octal = digits.size() == 3;
            for (char d : digits) octal = octal && d <= '7';
            int v = octal ? std::stoi(digits, nullptr, 8) : 256;
            if (v < 256) {
                out.push_back(static_cast<char>(v));
            } else {
                out.append(s.substr(i, j - i));
            }
            i = j - 1;
            continue;
        }
        default:
            out.push_back('\\');
            out.push_back(c);
        }
        ++i;
    }
    return out;
}

struct DotenvParser {
    int line = 1;

    // Skips blanks, newlines and comment lines.
    std::string_view statement_start(std::string_view src) {
        while (true) {
            size_t i = 0;
            while (i < src.size()) {
                size_t w = space_width(src, i);
                if (w == 0) break;
                if (src[i] == '\n') ++line;
                i += w;
            }
            src = src.substr(i);
            if (src.empty() || src[0] != '#') return src;
            size_t nl = src.find('\n');
            if (nl == std::string_view::npos) return {};
            src = src.substr(nl);
        }
    }

    void parse(std::string_view src, EnvMap& out, const Lookup& lookup) {
        std::string_view cutset = src;
        while (true) {
            cutset = statement_start(cutset);
            if (cutset.empty()) break;
            std::string key;
            bool inherited = false;
            cutset = locate_key(cutset, key, inherited);
            if (key.find(' ') != std::string::npos)
                throw std::runtime_error("line " + std::to_string(line) + ": key cannot contain a space");
            if (inherited) {
                if (auto v = lookup(key)) out[key] = *v;
                continue;
            }
            std::string value;
            cutset = extract_value(cutset, out, lookup, value);
            out[key] = value;
        }
    }

    std::string_view locate_key(std::string_view src, std::string& key, bool& inherited) {
        if (src.size() > 6 && src.substr(0, 6) == "export" && blank_width(src, 6) > 0) src = trim_left_blanks(src.substr(6));
        size_t offset = std::string_view::npos;
        for (size_t i = 0; i < src.size(); ++i) {
            char c = src[i];
            if (blank_width(src, i) > 0) continue;
            if (c == '=' || c == ':' || c == '\n') {
                key = std::string(src.substr(0, i));
                offset = i + 1;
                inherited = c == '\n';
                break;
            }
            if (c == '_' || c == '.' || c == '-' || c == '[' || c == ']' || is_letter_or_digit(static_cast<unsigned char>(c)))
                continue;
            std::string first_line(src.substr(0, src.find('\n')));
            throw std::runtime_error("line " + std::to_string(line) + ": unexpected character \"" + std::string(1, c) +
                                     "\" in variable name \"" + first_line + "\"");
        }
        if (offset == std::string_view::npos) {
            // A last line without newline and without `=`: a variable to take from the
            // environment, like any other bare name.
            key = trim_right_spaces(src);
            inherited = true;
            return {};
        }
        if (inherited && key.find(' ') == std::string::npos) ++line;
        key = trim_right_spaces(key);
        return trim_left_blanks(src.substr(offset));
    }

    std::string_view extract_value(std::string_view src, const EnvMap& vars, const Lookup& lookup, std::string& value) {
        auto expand = [&](const std::string& text) {
            Lookup both = [&](const std::string& k) -> std::optional<std::string> {
                if (auto v = lookup(k)) return v;
                if (auto it = vars.find(k); it != vars.end()) return it->second;
                return std::nullopt;
            };
            return substitute(text, both);
        };
        if (src.empty() || (src[0] != '"' && src[0] != '\'')) {
            size_t nl = src.find('\n');
            std::string_view v = src.substr(0, nl);
            std::string_view rest = nl == std::string_view::npos ? std::string_view{} : src.substr(nl + 1);
            ++line;
            if (size_t c = v.find(" #"); c != std::string_view::npos) v = v.substr(0, c);
            value = expand(trim_right_spaces(v));
            return rest;
        }
        char quote = src[0];
        bool escape = false;
        std::string chars;
        for (size_t i = 1; i < src.size(); ++i) {
            char c = src[i];
            if (c == '\n') ++line;
            if (c != quote) {
                if (!escape && c == '\\') {
                    escape = true;
                    continue;
                }
                if (escape) {
                    escape = false;
                    chars.push_back('\\');
                }
                chars.push_back(c);
                continue;
            }
            if (escape) {
                escape = false;
                chars.push_back(c);
                continue;
            }
            value = quote == '"' ? expand(expand_escapes(chars)) : chars;
            return src.substr(i + 1);
        }
        std::string first(src.substr(0, src.find('\n')));
        throw std::runtime_error("line " + std::to_string(line) + ": unterminated quoted value " + first);
    }
};

// docker run --env-file lines: KEY=VALUE as is, a bare KEY from the lookup, # comments.
void parse_raw(std::string_view text, EnvMap& vars, const Lookup& lookup) {
    size_t pos = 0;
    int n = 0;
    while (pos <= text.size()) {
        size_t nl = text.find('\n', pos);
        std::string_view raw = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
        pos = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
        ++n;
        if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
        if (n == 1 && raw.substr(0, 3) == "\xEF\xBB\xBF") raw.remove_prefix(3);
        size_t start = raw.find_first_not_of(" \t\r\n\v\f");
        if (start == std::string_view::npos) continue;
        std::string_view line = raw.substr(start);
        if (line[0] == '#') continue;
        size_t eq = line.find('=');
        std::string variable(line.substr(0, eq));
        if (variable.find_first_of(" \t") != std::string::npos)
            throw std::runtime_error("variable '" + variable + "' contains whitespaces");
        if (variable.empty()) throw std::runtime_error("no variable name on line '" + std::string(line) + "'");
        if (eq != std::string_view::npos) {
            vars[variable] = std::string(line.substr(eq + 1));
        } else if (auto v = lookup(std::string(line))) {
            vars[variable] = *v;
        }
    }
}

}  // namespace

void parse_env_text(std::string_view text, EnvMap& vars, const Lookup& lookup, const std::string& format) {
    if (format == "raw") {
        parse_raw(text, vars, lookup);
        return;
    }
    if (!format.empty() && format != ".env") throw std::runtime_error("unsupported env_file format \"" + format + "\"");
    if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
    DotenvParser p;
    p.parse(text, vars, lookup);
}

std::string read_limited(int fd, const std::string& what, size_t limit) {
    std::string out;
    char buf[65536];
    while (true) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw Error::sys("read " + what, errno);
        }
        if (n == 0) break;
        out.append(buf, static_cast<size_t>(n));
        if (out.size() > limit)
            fail(what + ": larger than " + std::to_string(limit >> 20) +
                 " MiB: refusing to read it (compose, .env and label files are a few kilobytes)");
    }
    return out;
}

std::string read_text_file(const std::string& path, size_t limit, bool regular_only) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        if (errno == ENOENT) fail("open " + path + ": no such file or directory");
        throw Error::sys("stat " + path, errno);
    }
    if (S_ISDIR(st.st_mode)) fail(path + " is a directory");
    // Only a file named with -f may be a pipe (`-f <(envsubst < x.yml)`); an include, an
    // extends.file, an env_file never blocks on a FIFO or reads a device.
    if (regular_only && !S_ISREG(st.st_mode)) fail(path + " is not a regular file");
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) throw Error::sys("open " + path, errno);
    return read_limited(fd.get(), path, limit);
}

EnvMap read_env_files(const EnvMap& current, const std::vector<std::string>& files, bool allow_pipes) {
    EnvMap vars;
    for (const auto& file : files) {
        struct stat st {};
        if (::stat(file.c_str(), &st) != 0) {
            if (errno == ENOENT) fail("couldn't find env file: " + file);
            throw Error::sys("stat " + file, errno);
        }
        if (S_ISDIR(st.st_mode)) fail(file + " is a directory");
        std::string text = read_text_file(file, 8u << 20, !allow_pipes);
        Lookup lookup = [&](const std::string& k) -> std::optional<std::string> {
            if (auto it = current.find(k); it != current.end()) return it->second;
            if (auto it = vars.find(k); it != vars.end()) return it->second;
            return std::nullopt;
        };
        try {
            parse_env_text(text, vars, lookup);
        } catch (const Error&) {
            throw;
        } catch (const std::exception& e) {
            fail("failed to read " + file + ": " + e.what());
        }
    }
    return vars;
}

}  // namespace pc::compose
