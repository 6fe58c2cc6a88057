#include "imagebuild/instructions.hpp"

#include <algorithm>
#include <cctype>

#include "common/error.hpp"
#include "common/strings.hpp"
#include "common/units.hpp"

namespace pc::build {

namespace {

[[noreturn]] void fail(const Instruction& ins, const std::string& message) { throw Error(ins.where() + ": " + message); }

// Runs `fn`, prefixing a substitution error with the instruction's place.
template <typename Fn>
auto located(const Instruction& ins, Fn&& fn) -> decltype(fn()) {
    try {
        return fn();
    } catch (const Error& e) {
        const std::string m = e.what();
        if (str::starts_with(m, ins.file + ":")) throw;
        fail(ins, ins.keyword + ": " + m);
    }
}

bool heredoc_word(const std::string& w) {
    size_t i = 0;
    while (i < w.size() && std::isdigit(static_cast<unsigned char>(w[i]))) ++i;
    return w.compare(i, 2, "<<") == 0 && w.size() > i + 2;
}

}  // namespace

KeyValues parse_key_values(const Instruction& ins, const ShellLex& lex, const VarLookup& vars) {
    return located(ins, [&] {
        KeyValues out;
        const auto words = split_raw_words(ins.args, lex.escape());
        if (words.empty()) fail(ins, ins.keyword + " requires at least one argument");
        if (words[0].find('=') == std::string::npos) {
            // Legacy "ENV KEY value with spaces".
            std::string rest = str::trim(std::string_view(ins.args).substr(ins.args.find(words[0]) + words[0].size()));
            if (rest.empty()) fail(ins, ins.keyword + " " + words[0] + ": must have two arguments (KEY value) or be KEY=value");
            out.emplace_back(lex.process_word(words[0], vars), lex.process_word(rest, vars));
            return out;
        }
        for (const auto& w : words) {
            auto eq = w.find('=');
            if (eq == std::string::npos)
                fail(ins, "Syntax error - can't find = in \"" + w + "\". Must be of the form: name=value");
            std::string key = lex.process_word(w.substr(0, eq), vars);
            if (key.empty()) fail(ins, ins.keyword + " names can not be blank");
            out.emplace_back(key, lex.process_word(w.substr(eq + 1), vars));
        }
        return out;
    });
}

std::vector<std::pair<std::string, std::optional<std::string>>> parse_arg(const Instruction& ins, const ShellLex& lex,
                                                                         const VarLookup& vars) {
    return located(ins, [&] {
        std::vector<std::pair<std::string, std::optional<std::string>>> out;
        for (const auto& w : split_raw_words(ins.args, lex.escape())) {
            auto eq = w.find('=');
            std::string name = w.substr(0, eq);
            if (name.empty() || !std::all_of(name.begin(), name.end(), [](unsigned char c) { return std::isalnum(c) || c == '_'; }))
                fail(ins, "ARG: invalid name \"" + name + "\"");
            if (eq == std::string::npos) out.emplace_back(name, std::nullopt);
            else out.emplace_back(name, lex.process_word(w.substr(eq + 1), vars));
        }
        if (out.empty()) fail(ins, "ARG requires at least one argument");
        return out;
    });
}

std::vector<std::string> parse_expose(const Instruction& ins, const ShellLex& lex, const VarLookup& vars) {
    return located(ins, [&] {
        std::vector<std::string> out;
        const auto words = lex.process_words(ins.args, vars);
        if (words.empty()) fail(ins, "EXPOSE requires at least one argument");
        for (const auto& w : words) {
            auto [ports, proto] = str::split_once(w, '/');
            std::string p = str::to_lower(proto.value_or("tcp"));
            if (p != "tcp" && p != "udp" && p != "sctp") fail(ins, "EXPOSE " + w + ": invalid protocol \"" + p + "\"");
            auto [lo_s, hi_s] = str::split_once(ports, '-');
            auto lo = str::parse_u64(lo_s);
            auto hi = hi_s ? str::parse_u64(*hi_s) : lo;
            if (!lo || !hi || *lo > 65535 || *hi > 65535 || *hi < *lo) fail(ins, "EXPOSE: invalid containerPort: " + ports);
            for (uint64_t port = *lo; port <= *hi; ++port) {
                std::string e = std::to_string(port) + "/" + p;
                if (std::find(out.begin(), out.end(), e) == out.end()) out.push_back(e);
            }
        }
        return out;
    });
}

std::vector<std::string> parse_volume(const Instruction& ins, const ShellLex& lex, const VarLookup& vars) {
    return located(ins, [&] {
        std::vector<std::string> out;
        if (ins.json) {
            for (const auto& v : ins.json_args) out.push_back(lex.process_word(v, vars));
        } else {
            out = lex.process_words(ins.args, vars);
        }
        if (out.empty()) fail(ins, "VOLUME requires at least one argument");
        for (const auto& v : out)
            if (str::trim(v).empty()) fail(ins, "VOLUME specified can not be an empty string");
        return out;
    });
}

std::vector<std::string> command_of(const Instruction& ins, const std::vector<std::string>& shell) {
    if (ins.json) return ins.json_args;
    std::vector<std::string> argv = shell;
    argv.push_back(ins.args);
    return argv;
}

nlohmann::json parse_healthcheck(const Instruction& ins, const std::vector<std::string>& shell) {
    (void)shell;
    std::string args = str::trim(ins.args);
    auto sp = args.find_first_of(" \t");
    std::string kind = str::to_lower(args.substr(0, sp));
    std::string rest = sp == std::string::npos ? "" : str::trim(args.substr(sp));
    if (kind == "none") {
        if (!ins.flags.empty()) fail(ins, "HEALTHCHECK NONE takes no options");
        if (!rest.empty()) fail(ins, "HEALTHCHECK NONE takes no arguments");
        return {{"Test", {"NONE"}}};
    }
    if (kind != "cmd") fail(ins, "HEALTHCHECK: unknown type \"" + args.substr(0, sp) + "\" (CMD or NONE)");
    if (rest.empty()) fail(ins, "HEALTHCHECK CMD requires a command");
    nlohmann::json h = nlohmann::json::object();
    if (auto arr = parse_json_array(rest)) {
        std::vector<std::string> test = {"CMD"};
        test.insert(test.end(), arr->begin(), arr->end());
        h["Test"] = test;
    } else {
        h["Test"] = {"CMD-SHELL", rest};
    }
    auto duration = [&](const char* flag, const char* key) {
        auto v = ins.flag(flag);
        if (!v) return;
        int64_t ns;
        try {
            ns = parse_duration_ns(*v);
        } catch (const Error& e) {
            fail(ins, std::string("HEALTHCHECK --") + flag + ": " + e.what());
        }
        if (ns < 0 || (ns > 0 && ns < 1000000))
            fail(ins, std::string("HEALTHCHECK --") + flag + " \"" + *v + "\" cannot be less than 1ms");
        if (ns > 0) h[key] = ns;
    };
    duration("interval", "Interval");
    duration("timeout", "Timeout");
    duration("start-period", "StartPeriod");
    duration("start-interval", "StartInterval");
    if (auto r = ins.flag("retries")) {
        auto n = str::parse_u64(*r);
        if (!n) fail(ins, "HEALTHCHECK --retries \"" + *r + "\": must be a number of at least 0");
        if (*n > 0) h["Retries"] = *n;
    }
    return h;
}

RunMount parse_run_mount(const std::string& spec, const std::string& where) {
    auto bad = [&](const std::string& m) { return Error(where + ": RUN --mount=" + spec + ": " + m); };
    RunMount m;
    bool ro_set = false;
    std::vector<std::pair<std::string, std::string>> fields;
    for (const auto& part : str::split(spec, ',')) {
        if (str::trim(part).empty()) continue;
        auto [k, v] = str::split_once(part, '=');
        fields.emplace_back(str::to_lower(str::trim(k)), v ? str::trim(*v) : std::string("\x01"));
    }
    for (const auto& [k, v] : fields)
        if (k == "type") m.type = str::to_lower(v);
    if (m.type != "bind" && m.type != "cache" && m.type != "tmpfs" && m.type != "secret" && m.type != "ssh")
        throw bad("unknown mount type \"" + m.type + "\" (valid: bind, cache, tmpfs, secret, ssh)");
    m.readonly = m.type == "bind" || m.type == "secret" || m.type == "ssh";
    auto boolean = [&](const std::string& k, const std::string& v) {
        if (v == "\x01" || v == "true" || v == "1") return true;
        if (v == "false" || v == "0") return false;
        throw bad(k + " must be true or false");
    };
    auto number = [&](const std::string& k, const std::string& v, int base) {
        char* end = nullptr;
        unsigned long n = std::strtoul(v.c_str(), &end, base);
        if (v.empty() || v == "\x01" || *end) throw bad("invalid " + k + " \"" + v + "\"");
        return n;
    };
    for (const auto& [k, v] : fields) {
        if (k == "type") continue;
        if (k == "target" || k == "dst" || k == "destination") m.target = v;
        else if (k == "source" || k == "src") m.source = v;
        else if (k == "from") m.from = v;
        else if (k == "id") m.id = v;
        else if (k == "sharing") {
            m.sharing = str::to_lower(v);
            if (m.sharing != "shared" && m.sharing != "private" && m.sharing != "locked")
                throw bad("sharing must be shared, private or locked");
        } else if (k == "mode") m.mode = static_cast<mode_t>(number(k, v, 8));
        else if (k == "uid") m.uid = static_cast<uint32_t>(number(k, v, 10));
        else if (k == "gid") m.gid = static_cast<uint32_t>(number(k, v, 10));
        else if (k == "size" || k == "tmpfs-size") m.size = v;
        else if (k == "ro" || k == "readonly") m.readonly = boolean(k, v), ro_set = true;
        else if (k == "rw" || k == "readwrite") m.readonly = !boolean(k, v), ro_set = true;
        else if (k == "required") m.required = boolean(k, v);
        else if (k == "env") m.env = v;
        else if (k == "relabel" || k == "z" || k == "Z" || k == "bind-propagation") continue;  // SELinux/propagation: none here
        else throw bad("unknown option \"" + k + "\"");
    }
    (void)ro_set;
    if (m.type == "ssh") {
        // The agent's own socket is bound in: its owner and mode are the agent's (BuildKit
        // proxies it to set them; asking for them here would be silently not done).
        if (m.mode || m.uid || m.gid) throw bad("mode, uid and gid are not supported for ssh mounts (the agent's socket is bound as it is)");
        if (m.id.empty()) m.id = "default";
        // The target defaults to /run/buildkit/ssh_agent.N, N counted per step (run_mounts).
    } else if (m.type == "secret") {
        if (m.id.empty() && !m.target.empty()) m.id = m.target.substr(m.target.rfind('/') + 1);
        if (m.id.empty()) throw bad("a secret mount needs id=");
        if (m.target.empty() && m.env.empty()) m.target = "/run/secrets/" + m.id;
    } else if (m.target.empty()) {
        throw bad("target= is required");
    }
    if (!m.target.empty() && m.target[0] != '/') throw bad("target must be an absolute path");
    return m;
}

CopyArgs parse_copy_args(const Instruction& ins, const ShellLex& lex, const VarLookup& vars) {
    return located(ins, [&] {
        std::vector<std::string> raw = ins.json ? ins.json_args : split_raw_words(ins.args, lex.escape());
        if (raw.size() < 2)
            fail(ins, ins.keyword + " requires at least two arguments, but only " + std::to_string(raw.size()) +
                          " was provided. Destination could not be determined");
        CopyArgs a;
        a.dest_raw = raw.back();
        a.dest = lex.process_word(raw.back(), vars);
        for (size_t i = 0; i + 1 < raw.size(); ++i)
            a.sources.push_back(!ins.json && heredoc_word(raw[i]) ? raw[i] : lex.process_word(raw[i], vars));
        if (a.dest.empty()) fail(ins, ins.keyword + ": the destination is empty");
        return a;
    });
}

}  // namespace pc::build
