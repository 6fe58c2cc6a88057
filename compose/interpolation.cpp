#include "compose/interpolation.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <utility>

#include "common/log.hpp"
#include "compose/errors.hpp"

namespace pc::compose {

namespace {

bool name_start(char c) { return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool name_char(char c) { return name_start(c) || (c >= '0' && c <= '9'); }

// Go's %#v of a string (what "Invalid template: %#v" prints).
std::string go_quote(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\t': out += "\\t"; break;
        case '\r': out += "\\r"; break;
        default: out.push_back(c);
        }
    }
    return out + "\"";
}

// compose-go's getFirstBraceClosingIndex over text[from, to]: the index of the `}` that
// closes the first `{` (the character after each `{` is skipped, as there), or npos.
size_t first_brace_closing(std::string_view text, size_t from, size_t to) {
    int open = 0;
    for (size_t i = from; i <= to && i < text.size(); ++i) {
        if (text[i] == '}') {
            --open;
            if (open == 0) return i;
        }
        if (text[i] == '{') {
            ++open;
            ++i;
        }
    }
    return std::string_view::npos;
}

// One `${...}` with an operator, located in a template.
struct Braced {
    std::string name;
    std::string op;        // ":-", "-", ":+", "+", ":?", "?"
    std::string argument;  // default / alternate / message text (unsubstituted)
    size_t end = 0;        // index just after the closing brace
};

// Parses the template at text[i] == '$', text[i+1] == '{', with an operator after the
// name (the caller handled `${NAME}`). Returns nullopt for an invalid template.
std::optional<Braced> parse_braced_with_operator(std::string_view text, size_t i, size_t name_end) {
    size_t p = name_end;
    bool colon = p < text.size() && text[p] == ':';
    if (colon) ++p;
    if (p >= text.size() || (text[p] != '-' && text[p] != '+' && text[p] != '?')) return std::nullopt;
    size_t op_end = p + 1;
    // The regex's greedy `(.*)}`: the last `}` before the end of the line.
    size_t line_end = text.find('\n', op_end);
    if (line_end == std::string_view::npos) line_end = text.size();
    size_t last_close = std::string_view::npos;
    for (size_t k = line_end; k > op_end; --k)
        if (text[k - 1] == '}') {
            last_close = k - 1;
            break;
        }
    if (last_close == std::string_view::npos) return std::nullopt;
    size_t close = first_brace_closing(text, i, last_close);
    if (close == std::string_view::npos) close = last_close;
    Braced b;
    b.name = std::string(text.substr(i + 2, name_end - i - 2));
    b.op = std::string(text.substr(name_end, op_end - name_end));
    b.argument = std::string(text.substr(op_end, close - op_end));
    b.end = close + 1;
    return b;
}

struct Substituter {
    const Lookup& lookup;
    const SubstituteOptions& options;

    std::string plain(const std::string& name) const {
        auto v = lookup(name);
        if (!v) {
            if (options.on_unset) options.on_unset(name);
            return "";
        }
        return *v;
    }

    std::string run(std::string_view text, int depth) const {
        if (depth > kMaxTemplateNesting)
            throw std::runtime_error("variable substitution nested more than " + std::to_string(kMaxTemplateNesting) +
                                     " levels deep");
        std::string out;
        out.reserve(text.size());
        size_t i = 0;
        while (i < text.size()) {
            size_t dollar = text.find('$', i);
            if (dollar == std::string_view::npos) {
                out.append(text.substr(i));
                break;
            }
            out.append(text.substr(i, dollar - i));
            i = dollar;
            if (i + 1 >= text.size()) {
                out.push_back('$');
                ++i;
                continue;
            }
            char d = text[i + 1];
            if (d == '$') {
                out.push_back('$');
                i += 2;
            } else if (name_start(d)) {
                size_t j = i + 2;
                while (j < text.size() && name_char(text[j])) ++j;
                out += plain(std::string(text.substr(i + 1, j - i - 1)));
                i = j;
            } else if (d == '{') {
                i = braced(text, i, depth, out);
            } else {
                out.push_back('$');
                ++i;
            }
        }
        return out;
    }

    // Handles the `${...}` at text[i]; appends its value and returns where to go on.
    size_t braced(std::string_view text, size_t i, int depth, std::string& out) const {
        size_t j = i + 2;
        if (j >= text.size() || !name_start(text[j])) throw InvalidTemplate(std::string(text));
        size_t name_end = j + 1;
        while (name_end < text.size() && name_char(text[name_end])) ++name_end;
        if (name_end < text.size() && text[name_end] == '}') {
            out += plain(std::string(text.substr(j, name_end - j)));
            return name_end + 1;
        }
        auto b = parse_braced_with_operator(text, i, name_end);
        if (!b) throw InvalidTemplate(std::string(text));
        auto value = lookup(b->name);
        bool set = value.has_value();
        bool empty = !set || value->empty();
        const std::string& op = b->op;
        if (op == ":-" || op == "-") {
            bool use_default = op == ":-" ? empty : !set;
            out += use_default ? run(b->argument, depth + 1) : *value;
        } else if (op == ":+" || op == "+") {
            bool use_alternate = op == ":+" ? !empty : set;
            out += use_alternate ? run(b->argument, depth + 1) : value.value_or("");
        } else {
            bool missing = op == ":?" ? empty : !set;
            if (missing) throw MissingRequired(b->name, run(b->argument, depth + 1));
            out += *value;
        }
        return b->end;
    }
};

void extract(std::string_view text, std::map<std::string, TemplateVariable>& out, int depth) {
    if (depth > kMaxTemplateNesting) return;
    size_t i = 0;
    while ((i = text.find('$', i)) != std::string_view::npos) {
        if (i + 1 >= text.size()) break;
        char d = text[i + 1];
        if (d == '$') {
            i += 2;
        } else if (name_start(d)) {
            size_t j = i + 2;
            while (j < text.size() && name_char(text[j])) ++j;
            std::string name(text.substr(i + 1, j - i - 1));
            out[name] = TemplateVariable{name, "", "", false};
            i = j;
        } else if (d == '{' && i + 2 < text.size() && name_start(text[i + 2])) {
            size_t name_end = i + 3;
            while (name_end < text.size() && name_char(text[name_end])) ++name_end;
            std::string name(text.substr(i + 2, name_end - i - 2));
            if (name_end < text.size() && text[name_end] == '}') {
                out[name] = TemplateVariable{name, "", "", false};
                i = name_end + 1;
                continue;
            }
            auto b = parse_braced_with_operator(text, i, name_end);
            if (!b) {
                i += 2;
                continue;
            }
            TemplateVariable v{name, "", "", false};
            if (b->op == ":?" || b->op == "?") v.required = true;
            else if (b->op == ":-" || b->op == "-") v.default_value = b->argument;
            else v.presence_value = b->argument;
            out[name] = v;
            if (!v.default_value.empty()) extract(v.default_value, out, depth + 1);
            if (!v.presence_value.empty()) extract(v.presence_value, out, depth + 1);
            i = b->end;
        } else {
            ++i;
        }
    }
}

void extract_tree(const Node& n, std::map<std::string, TemplateVariable>& out) {
    if (n.is_string()) extract(n.as_string(), out, 0);
    for (const auto& item : n.items()) extract_tree(item, out);
    for (const auto& e : n.entries()) extract_tree(e.value, out);
}

// ---- typed casts -------------------------------------------------------------------

enum class Cast { Int, Int64, Float, Float32, Bool };

struct CastRule {
    PathPattern pattern;
    Cast cast;
};

// compose-go's interpolateTypeCastMapping.
const CastRule kCastRules[] = {
    {"services.*.cpu_count", Cast::Int64},
    {"services.*.cpu_percent", Cast::Float},
    {"services.*.cpu_period", Cast::Int64},
    {"services.*.cpu_quota", Cast::Int64},
    {"services.*.cpu_rt_period", Cast::Int64},
    {"services.*.cpu_rt_runtime", Cast::Int64},
    {"services.*.cpus", Cast::Float32},
    {"services.*.cpu_shares", Cast::Int64},
    {"services.*.init", Cast::Bool},
    {"services.*.depends_on.*.required", Cast::Bool},
    {"services.*.depends_on.*.restart", Cast::Bool},
    {"services.*.deploy.replicas", Cast::Int},
    {"services.*.deploy.update_config.parallelism", Cast::Int},
    {"services.*.deploy.update_config.max_failure_ratio", Cast::Float},
    {"services.*.deploy.rollback_config.parallelism", Cast::Int},
    {"services.*.deploy.rollback_config.max_failure_ratio", Cast::Float},
    {"services.*.deploy.restart_policy.max_attempts", Cast::Int},
    {"services.*.deploy.placement.max_replicas_per_node", Cast::Int},
    {"services.*.healthcheck.retries", Cast::Int},
    {"services.*.healthcheck.disable", Cast::Bool},
    {"services.*.oom_kill_disable", Cast::Bool},
    {"services.*.oom_score_adj", Cast::Int64},
    {"services.*.pids_limit", Cast::Int64},
    {"services.*.ports.[].target", Cast::Int},
    {"services.*.privileged", Cast::Bool},
    {"services.*.read_only", Cast::Bool},
    {"services.*.scale", Cast::Int},
    {"services.*.stdin_open", Cast::Bool},
    {"services.*.tty", Cast::Bool},
    {"services.*.ulimits.*", Cast::Int},
    {"services.*.ulimits.*.hard", Cast::Int},
    {"services.*.ulimits.*.soft", Cast::Int},
    {"services.*.volumes.[].read_only", Cast::Bool},
    {"services.*.volumes.[].volume.nocopy", Cast::Bool},
    {"networks.*.external", Cast::Bool},
    {"networks.*.internal", Cast::Bool},
    {"networks.*.attachable", Cast::Bool},
    {"networks.*.enable_ipv4", Cast::Bool},
    {"networks.*.enable_ipv6", Cast::Bool},
    {"volumes.*.external", Cast::Bool},
    {"secrets.*.external", Cast::Bool},
    {"configs.*.external", Cast::Bool},
};

const CastRule* cast_for(const Path& path) {
    for (const auto& rule : kCastRules)
        if (path.matches(rule.pattern)) return &rule;
    return nullptr;
}

std::string strconv_error(const char* fn, const std::string& s, bool range) {
    return std::string("strconv.") + fn + ": parsing " + go_quote(s) + (range ? ": value out of range" : ": invalid syntax");
}

int64_t parse_int_base10(const std::string& s, const char* fn, int64_t lo, int64_t hi) {
    size_t i = 0;
    bool neg = false;
    if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
        neg = s[0] == '-';
        i = 1;
    }
    if (i >= s.size()) throw std::runtime_error(strconv_error(fn, s, false));
    __int128 v = 0;
    bool range = false;
    for (; i < s.size(); ++i) {
        if (s[i] < '0' || s[i] > '9') throw std::runtime_error(strconv_error(fn, s, false));
        if (!range) {
            v = v * 10 + (s[i] - '0');
            if (v > (static_cast<__int128>(1) << 64)) range = true;
        }
    }
    if (neg) v = -v;
    if (range || v < lo || v > hi) throw std::runtime_error(strconv_error(fn, s, true));
    return static_cast<int64_t>(v);
}

double parse_go_float(const std::string& s, int bits) {
    std::string lower;
    for (char c : s) lower.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c));
    std::string body = lower;
    bool neg = false;
    if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
        neg = body[0] == '-';
        body.erase(0, 1);
    }
    if (body == "inf" || body == "infinity") return neg ? -HUGE_VAL : HUGE_VAL;
    if (body == "nan") return std::nan("");
    bool ok = !body.empty();
    for (char c : body)
        if (!((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == '+' || c == '-')) ok = false;
    if (ok) {
        errno = 0;
        char* end = nullptr;
        double v = std::strtod(s.c_str(), &end);
        if (end == s.c_str() + s.size()) {
            if (errno == ERANGE && std::isinf(v)) throw std::runtime_error(strconv_error("ParseFloat", s, true));
            if (bits == 32) {
                float f = static_cast<float>(v);
                if (std::isinf(f) && !std::isinf(v)) throw std::runtime_error(strconv_error("ParseFloat", s, true));
                return static_cast<double>(f);
            }
            return v;
        }
    }
    throw std::runtime_error(strconv_error("ParseFloat", s, false));
}

Node apply_cast(Cast cast, const std::string& s, const Mark& mark) {
    switch (cast) {
    case Cast::Int: return Node::integer(parse_int_base10(s, "Atoi", INT64_MIN, INT64_MAX), mark);
    case Cast::Int64: return Node::integer(parse_int_base10(s, "ParseInt", INT64_MIN, INT64_MAX), mark);
    case Cast::Float: return Node::floating(parse_go_float(s, 64), mark);
    case Cast::Float32: return Node::floating(parse_go_float(s, 32), mark);
    case Cast::Bool: {
        bool legacy = false;
        auto b = parse_compose_bool(s, &legacy);
        if (!b) throw std::runtime_error("invalid boolean: " + s);
        if (legacy)
            log::warn("\"" + s + "\" for boolean is not supported by YAML 1.2, please use `" + (*b ? "true" : "false") +
                      "`");
        return Node::boolean(*b, mark);
    }
    }
    return Node::string(s, mark);
}

void interpolate_node(Node& n, const Path& path, const Substituter& sub) {
    if (n.is_string()) {
        std::string value;
        try {
            value = sub.run(n.as_string(), 0);
        } catch (const InvalidTemplate& e) {
            fail_at(n.mark(), "invalid interpolation format for " + path.str() +
                                  ".\nYou may need to escape any $ with another $.\n" + e.text);
        } catch (const std::exception& e) {
            fail_at(n.mark(), "error while interpolating " + path.str() + ": " + e.what());
        }
        if (const CastRule* rule = cast_for(path)) {
            try {
                n = apply_cast(rule->cast, value, n.mark());
            } catch (const std::exception& e) {
                fail_at(n.mark(), "error while interpolating " + path.str() +
                                      ": failed to cast to expected type: " + e.what());
            }
            return;
        }
        n.as_string() = std::move(value);
        return;
    }
    if (n.is_seq()) {
        for (size_t i = 0; i < n.items().size(); ++i) interpolate_node(n.items()[i], path.item(i), sub);
    } else if (n.is_map()) {
        for (auto& e : n.entries()) interpolate_node(e.value, path.next(e.key), sub);
    }
}

}  // namespace

InvalidTemplate::InvalidTemplate(const std::string& t) : std::runtime_error("Invalid template: " + go_quote(t)), text(t) {}

MissingRequired::MissingRequired(std::string var, std::string why)
    : std::runtime_error("required variable " + var + " is missing a value" + (why.empty() ? "" : ": " + why)),
      variable(std::move(var)),
      reason(std::move(why)) {}

std::string substitute(std::string_view text, const Lookup& lookup, const SubstituteOptions& options) {
    return Substituter{lookup, options}.run(text, 0);
}

std::map<std::string, TemplateVariable> extract_variables(const Node& tree) {
    std::map<std::string, TemplateVariable> out;
    extract_tree(tree, out);
    return out;
}

void interpolate_tree(Node& tree, const Lookup& lookup, const SubstituteOptions& options) {
    Substituter sub{lookup, options};
    for (auto& e : tree.entries()) interpolate_node(e.value, Path{e.key}, sub);
}

std::optional<bool> parse_compose_bool(const std::string& s, bool* legacy) {
    std::string l;
    for (char c : s) l.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c));
    if (legacy) *legacy = false;
    if (l == "true") return true;
    if (l == "false") return false;
    if (legacy) *legacy = true;
    if (l == "y" || l == "yes" || l == "on") return true;
    if (l == "n" || l == "no" || l == "off") return false;
    return std::nullopt;
}

}  // namespace pc::compose
