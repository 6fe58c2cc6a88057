#include "image/image_config.hpp"

#include <algorithm>

#include "common/error.hpp"
#include "common/strings.hpp"

namespace pc::image {

namespace {

std::vector<std::string> string_array(const nlohmann::json& obj, const char* key) {
    std::vector<std::string> out;
    auto it = obj.find(key);
    if (it == obj.end() || !it->is_array()) return out;
    for (const auto& v : *it)
        if (v.is_string()) out.push_back(v.get<std::string>());
    return out;
}

std::string string_field(const nlohmann::json& obj, const char* key) {
    auto it = obj.find(key);
    return (it != obj.end() && it->is_string()) ? it->get<std::string>() : std::string();
}

std::vector<std::string> object_keys(const nlohmann::json& obj, const char* key) {
    std::vector<std::string> out;
    auto it = obj.find(key);
    if (it == obj.end() || !it->is_object()) return out;
    for (auto e = it->begin(); e != it->end(); ++e) out.push_back(e.key());
    return out;
}

// CMD/ENTRYPOINT take either a JSON array (exec form) or a string (shell form).
std::vector<std::string> exec_or_shell_form(const std::string& arg) {
    std::string a = str::trim(arg);
    if (!a.empty() && a[0] == '[') {
        try {
            auto j = nlohmann::json::parse(a);
            if (j.is_array()) {
                std::vector<std::string> out;
                for (const auto& v : j) {
                    if (!v.is_string()) throw Error("");
                    out.push_back(v.get<std::string>());
                }
                return out;
            }
        } catch (const std::exception&) {
            // Not valid JSON: Docker falls back to the shell form.
        }
    }
    return {"/bin/sh", "-c", a};
}

// "A=1 B=2" or "A 1" (legacy form).
std::vector<std::pair<std::string, std::string>> key_values(const std::string& instr, const std::string& arg) {
    std::vector<std::pair<std::string, std::string>> out;
    std::string a = str::trim(arg);
    if (a.find('=') == std::string::npos) {
        auto sp = a.find_first_of(" \t");
        if (sp == std::string::npos) throw Error("invalid change \"" + instr + " " + arg + "\": " + instr + " needs KEY=VALUE");
        out.emplace_back(a.substr(0, sp), str::trim(a.substr(sp + 1)));
        return out;
    }
    // Split on spaces outside quotes.
    std::vector<std::string> words;
    std::string cur;
    char quote = 0;
    for (char c : a) {
        if (quote) {
            if (c == quote) quote = 0;
            else cur += c;
        } else if (c == '"' || c == '\'') {
            quote = c;
        } else if (c == ' ' || c == '\t') {
            if (!cur.empty()) words.push_back(cur), cur.clear();
        } else {
            cur += c;
        }
    }
    if (!cur.empty()) words.push_back(cur);
    for (const auto& w : words) {
        auto [k, v] = str::split_once(w, '=');
        if (!v || k.empty()) throw Error("invalid change \"" + instr + " " + arg + "\": expected KEY=VALUE, got \"" + w + "\"");
        out.emplace_back(k, *v);
    }
    return out;
}

void set_env(std::vector<std::string>& env, const std::string& key, const std::string& value) {
    for (auto& e : env) {
        if (str::split_once(e, '=').first == key) {
            e = key + "=" + value;
            return;
        }
    }
    env.push_back(key + "=" + value);
}

}  // namespace

ImageHealthcheck healthcheck_of(const nlohmann::json& h) {
    ImageHealthcheck out;
    if (!h.is_object()) return out;
    if (auto t = h.find("Test"); t != h.end() && t->is_array() &&
        std::all_of(t->begin(), t->end(), [](const nlohmann::json& v) { return v.is_string(); }))
        out.test = t->get<std::vector<std::string>>();
    auto duration = [&](const char* key) -> int64_t {
        auto it = h.find(key);
        return it != h.end() && it->is_number_integer() && it->get<int64_t>() > 0 ? it->get<int64_t>() : 0;
    };
    out.interval_ns = duration("Interval");
    out.timeout_ns = duration("Timeout");
    out.start_period_ns = duration("StartPeriod");
    out.start_interval_ns = duration("StartInterval");
    if (auto r = h.find("Retries"); r != h.end() && r->is_number_unsigned() && r->get<uint64_t>() <= 1000000)
        out.retries = r->get<unsigned>();
    return out;
}

ImageConfigFacts image_config_facts(const nlohmann::json& doc) {
    ImageConfigFacts f;
    if (!doc.is_object()) return f;
    if (auto c = doc.find("config"); c != doc.end() && c->is_object()) f.config = *c;
    if (auto h = doc.find("history"); h != doc.end() && h->is_array()) f.history = *h;
    if (auto l = f.config.find("Labels"); l != f.config.end()) f.labels = *l;
    f.created = string_field(doc, "created");
    f.author = string_field(doc, "author");
    f.docker_version = string_field(doc, "docker_version");
    f.user = string_field(f.config, "User");
    if (auto a = string_field(doc, "architecture"); !a.empty()) f.architecture = a;
    if (auto o = string_field(doc, "os"); !o.empty()) f.os = o;
    if (!f.history.empty() && f.history.back().is_object()) f.comment = string_field(f.history.back(), "comment");
    return f;
}

RuntimeConfig runtime_config_of(const nlohmann::json& doc) {
    RuntimeConfig rc;
    auto it = doc.find("config");
    if (it == doc.end() || !it->is_object()) return rc;
    const auto& c = *it;
    rc.env = string_array(c, "Env");
    rc.cmd = string_array(c, "Cmd");
    rc.entrypoint = string_array(c, "Entrypoint");
    rc.working_dir = string_field(c, "WorkingDir");
    rc.user = string_field(c, "User");
    rc.stop_signal = string_field(c, "StopSignal");
    if (auto l = c.find("Labels"); l != c.end() && l->is_object())
        for (auto e = l->begin(); e != l->end(); ++e)
            if (e.value().is_string()) rc.labels[e.key()] = e.value().get<std::string>();
    rc.volumes = object_keys(c, "Volumes");
    rc.exposed_ports = object_keys(c, "ExposedPorts");
    if (auto h = c.find("Healthcheck"); h != c.end() && h->is_object()) rc.healthcheck = *h;
    return rc;
}

void set_runtime_config(nlohmann::json& doc, const RuntimeConfig& rc) {
    nlohmann::json& c = doc["config"];
    if (!c.is_object()) c = nlohmann::json::object();
    auto put_array = [&](const char* key, const std::vector<std::string>& v) {
        if (v.empty()) c.erase(key);
        else c[key] = v;
    };
    auto put_string = [&](const char* key, const std::string& v) {
        if (v.empty()) c.erase(key);
        else c[key] = v;
    };
    auto put_set = [&](const char* key, const std::vector<std::string>& v) {
        if (v.empty()) {
            c.erase(key);
            return;
        }
        nlohmann::json o = nlohmann::json::object();
        for (const auto& k : v) o[k] = nlohmann::json::object();
        c[key] = o;
    };
    put_array("Env", rc.env);
    put_array("Cmd", rc.cmd);
    put_array("Entrypoint", rc.entrypoint);
    put_string("WorkingDir", rc.working_dir);
    put_string("User", rc.user);
    put_string("StopSignal", rc.stop_signal);
    if (rc.labels.empty()) c.erase("Labels");
    else c["Labels"] = rc.labels;
    put_set("Volumes", rc.volumes);
    put_set("ExposedPorts", rc.exposed_ports);
    if (rc.healthcheck) c["Healthcheck"] = *rc.healthcheck;
}

void apply_change(RuntimeConfig& rc, const std::string& change) {
    std::string t = str::trim(change);
    auto sp = t.find_first_of(" \t=");
    std::string instr = str::to_lower(t.substr(0, sp));
    std::string arg = sp == std::string::npos ? "" : str::trim(t.substr(sp + 1));
    auto need_arg = [&] {
        if (arg.empty()) throw Error("invalid change \"" + change + "\": " + str::to_lower(instr) + " needs an argument");
    };
    if (instr == "cmd") {
        need_arg();
        rc.cmd = exec_or_shell_form(arg);
    } else if (instr == "entrypoint") {
        need_arg();
        rc.entrypoint = exec_or_shell_form(arg);
    } else if (instr == "env") {
        need_arg();
        for (const auto& [k, v] : key_values("ENV", arg)) set_env(rc.env, k, v);
    } else if (instr == "label") {
        need_arg();
        for (const auto& [k, v] : key_values("LABEL", arg)) rc.labels[k] = v;
    } else if (instr == "workdir") {
        need_arg();
        rc.working_dir = arg;
    } else if (instr == "user") {
        need_arg();
        rc.user = arg;
    } else if (instr == "stopsignal") {
        need_arg();
        rc.stop_signal = arg;
    } else if (instr == "expose") {
        need_arg();
        for (auto p : str::split(arg, ' ')) {
            if (p.empty()) continue;
            if (p.find('/') == std::string::npos) p += "/tcp";
            if (std::find(rc.exposed_ports.begin(), rc.exposed_ports.end(), p) == rc.exposed_ports.end())
                rc.exposed_ports.push_back(p);
        }
    } else if (instr == "volume") {
        need_arg();
        // VOLUME ["/a", "/b"] or VOLUME /a /b; text that only looks like an array is words,
        // as Docker reads it (never the shell form CMD falls back to).
        std::vector<std::string> paths;
        nlohmann::json array = arg[0] == '[' ? nlohmann::json::parse(arg, nullptr, false) : nlohmann::json();
        if (array.is_array() && std::all_of(array.begin(), array.end(), [](const nlohmann::json& v) { return v.is_string(); }))
            paths = array.get<std::vector<std::string>>();
        else
            for (const auto& p : str::split(arg, ' '))
                if (!p.empty()) paths.push_back(p);
        for (const auto& p : paths)
            if (std::find(rc.volumes.begin(), rc.volumes.end(), p) == rc.volumes.end()) rc.volumes.push_back(p);
    } else if (instr == "onbuild") {
        // Only meaningful for builds; accepted and ignored as Podman does for import.
    } else {
        throw Error("invalid change \"" + change + "\": " + (instr.empty() ? std::string("empty instruction")
                    : "unsupported instruction \"" + str::to_lower(instr) + "\" (valid: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME, WORKDIR)"));
    }
}

}  // namespace pc::image
