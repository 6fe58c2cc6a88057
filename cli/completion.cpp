#include "cli/completion.hpp"

#include <dirent.h>

#include <algorithm>
#include <cctype>
#include <map>

#include "cli/command_tree.hpp"
#include "common/strings.hpp"
#include "rootless/caps.hpp"

namespace pc::cli {

namespace {

enum class ArgKind { None, Files, Containers, Images, Volumes, Pods, Networks, Objects, CopyPath };

// "containers", "IMAGE", "[VOLUME...]" -> the kind of names it stands for.
ArgKind word_kind(std::string w) {
    w = str::to_lower(w);
    w.erase(std::remove_if(w.begin(), w.end(), [](char c) { return c == '[' || c == ']' || c == '.'; }), w.end());
    auto is = [&](const char* noun) { return w == noun || w == std::string(noun) + "s"; };
    if (is("container")) return ArgKind::Containers;
    if (is("image")) return ArgKind::Images;
    if (is("volume")) return ArgKind::Volumes;
    if (is("pod")) return ArgKind::Pods;
    if (is("network")) return ArgKind::Networks;
    if (is("object")) return ArgKind::Objects;
    if (is("path") || is("file") || w == "src" || w == "source") return ArgKind::Files;
    if (w == "reference") return ArgKind::Images;
    return ArgKind::None;
}

struct PositionalKinds {
    std::vector<ArgKind> parts;
    bool repeat_last = false;  // more words take the last part's kind
};

// From the positional's name ("container-and-image") and, for generic names ("names"),
// its help text ("Containers to remove", "IMAGE TARGET_NAME [TARGET_NAME...]").
PositionalKinds kinds_of(const CLI::Option& opt) {
    PositionalKinds k;
    const std::string name = opt.get_name();
    const std::string desc = opt.get_description();
    if (name == "paths" && str::starts_with(desc, "SRC")) return {{ArgKind::CopyPath}, true};
    std::vector<std::string> parts;
    for (size_t at = 0;;) {
        size_t next = name.find("-and-", at);
        parts.push_back(name.substr(at, next == std::string::npos ? std::string::npos : next - at));
        if (next == std::string::npos) break;
        at = next + 5;
    }
    std::vector<std::string> tokens;
    for (const auto& t : str::split(desc, ' '))
        if (!t.empty() && t != "and" && t != "|") tokens.push_back(t);
    for (size_t i = 0; i < parts.size(); ++i) {
        ArgKind kind = word_kind(parts[i]);
        if (kind == ArgKind::None && parts[i] == "names" && i < tokens.size()) kind = word_kind(tokens[i]);
        k.parts.push_back(kind);
    }
    k.repeat_last = opt.get_expected_max() > 1 && (parts.size() > 1 || str::ends_with(parts.back(), "s") ||
                                                   desc.find("...") != std::string::npos);
    return k;
}

ArgKind positional_kind_of(const CLI::App& cmd, size_t index);

// What the n-th positional word (from 0) of `cmd` names; "any object" narrowed by the
// management group (`pc container inspect` takes containers only).
ArgKind positional_kind(const CLI::App& cmd, size_t index) {
    ArgKind kind = positional_kind_of(cmd, index);
    if (kind == ArgKind::Objects && cmd.get_parent() != nullptr && cmd.get_parent()->get_parent() != nullptr) {
        ArgKind group = word_kind(cmd.get_parent()->get_name());
        if (group != ArgKind::None) return group;
    }
    return kind;
}

ArgKind positional_kind_of(const CLI::App& cmd, size_t index) {
    if (cmd.get_prefix_command()) {
        // run/create IMAGE [COMMAND...], exec CONTAINER COMMAND...: the rest is the
        // container's command line.
        if (index > 0) return ArgKind::Files;
        if (cmd.get_name() == "exec") return ArgKind::Containers;
        if (cmd.get_name() == "run" || cmd.get_name() == "create") return ArgKind::Images;
        return ArgKind::None;
    }
    for (const CLI::Option* opt : positionals(cmd)) {
        PositionalKinds k = kinds_of(*opt);
        const size_t takes = opt->get_expected_max() > 1 ? SIZE_MAX : k.parts.size();
        if (index < k.parts.size()) return k.parts[index];
        if (takes == SIZE_MAX) return k.repeat_last ? k.parts.back() : ArgKind::None;
        index -= takes;
    }
    return ArgKind::None;
}

// Finds the flag a word names in `cmd` ("--name", "--name=x", "-p"); nullptr if none.
const CLI::Option* flag_named(const CLI::App& cmd, const std::string& word) {
    std::string name = word.substr(0, word.find('='));
    return cmd.get_option_no_throw(name);
}

void add_matching(CompletionResult& r, const std::string& prefix, const std::string& value,
                  const std::string& description = "") {
    if (str::starts_with(value, prefix)) r.candidates.push_back({value, description});
}

// Podman's --format fields of the commands that take one (the keys of their JSON rows).
const std::map<std::string, std::vector<std::string>>& format_fields() {
    static const std::map<std::string, std::vector<std::string>> fields = {
        {"ps", {"ID", "Image", "Command", "CreatedAt", "CreatedHuman", "Status", "State", "Ports", "Names", "Labels",
                "Mounts", "Networks", "Size", "Pod", "PodName", "ExitCode", "Pid"}},
        {"images", {"Repository", "Tag", "ID", "Digest", "Created", "CreatedAt", "CreatedSince", "Size", "Names",
                    "Labels", "Containers", "ReadOnly"}},
        {"inspect", {"Id", "Name", "Created", "State", "Config", "HostConfig", "NetworkSettings", "Mounts", "Image",
                     "ImageName", "Path", "Args", "RestartCount"}},
        {"volume", {"Name", "Driver", "Mountpoint", "CreatedAt", "Labels", "Scope", "Options"}},
        {"info", {"Host", "Store", "Registries", "Version", "Plugins"}},
        {"version", {"Client", "Server"}},
        {"stats", {"ID", "Name", "CPUPerc", "MemUsage", "MemPerc", "NetIO", "BlockIO", "PIDs"}},
        {"history", {"ID", "Created", "CreatedBy", "Size", "Comment"}},
        {"events", {"Time", "Type", "Status", "Name", "ID", "Image"}},
        {"df", {"Type", "Total", "Active", "Size", "Reclaimable"}},
        {"pod", {"Name", "ID", "Status", "Created", "InfraID", "NumberOfContainers"}},
        {"network", {"Name", "ID", "Driver"}},
    };
    return fields;
}

void complete_format(CompletionResult& r, const CLI::App& cmd, const std::string& cur, const std::string& prefix) {
    for (const char* v : {"json", "table"}) add_matching(r, cur, v);
    const std::string name = cmd.get_name();
    const std::string parent = cmd.get_parent() ? cmd.get_parent()->get_name() : "";
    std::vector<std::string> keys;
    for (const std::string& k : {name, parent, std::string(name == "ls" || name == "list" ? "ps" : "")}) {
        auto it = format_fields().find(k == "container" ? "ps" : k == "image" ? "images" : k);
        if (it != format_fields().end()) {
            keys = it->second;
            break;
        }
    }
    for (const auto& k : keys) add_matching(r, cur, "{{." + k + "}}");
    add_matching(r, cur, "{{json .}}");
    for (auto& c : r.candidates) c.value = prefix + c.value;
    r.directive |= kCompNoFiles;
}

void complete_names(CompletionResult& r, ArgKind kind, const std::string& cur, const NameLister& names,
                    const std::string& prefix = "", const std::string& suffix = "") {
    auto add = [&](NameKind k) {
        for (const auto& n : names(k)) add_matching(r, cur, n + suffix);
    };
    switch (kind) {
        case ArgKind::Containers: add(NameKind::Containers); break;
        case ArgKind::Images: add(NameKind::Images); break;
        case ArgKind::Volumes: add(NameKind::Volumes); break;
        case ArgKind::Pods: add(NameKind::Pods); break;
        case ArgKind::Networks: add(NameKind::Networks); break;
        case ArgKind::Objects:
            for (NameKind k : {NameKind::Containers, NameKind::Images, NameKind::Volumes, NameKind::Pods}) add(k);
            break;
        case ArgKind::CopyPath:
            // CONTAINER:PATH, or a host path (the shell's file completion).
            if (cur.find(':') == std::string::npos && cur.find('/') == std::string::npos) {
                for (const auto& n : names(NameKind::Containers)) add_matching(r, cur, n + ":");
                if (!r.candidates.empty()) r.directive |= kCompNoSpace;
            }
            return;
        case ArgKind::Files: return;
        case ArgKind::None: r.directive |= kCompNoFiles; return;
    }
    for (auto& c : r.candidates) c.value = prefix + c.value;
    r.directive |= kCompNoFiles;
}

void complete_network(CompletionResult& r, const std::string& cur, const std::string& prefix, const NameLister& names) {
    if (str::starts_with(cur, "container:")) {
        complete_names(r, ArgKind::Containers, cur.substr(10), names, prefix + "container:");
        return;
    }
    if (str::starts_with(cur, "slirp4netns:")) {
        const std::string opts = cur.substr(12);
        const std::string done = opts.substr(0, opts.rfind(',') == std::string::npos ? 0 : opts.rfind(',') + 1);
        for (const char* o : {"allow_host_loopback=", "cidr=", "enable_ipv6=", "mtu=", "outbound_addr=", "outbound_addr6=",
                              "port_handler="})
            add_matching(r, opts, done + o);
        for (auto& c : r.candidates) c.value = prefix + "slirp4netns:" + c.value;
        r.directive |= kCompNoSpace | kCompNoFiles;
        return;
    }
    for (const char* m : {"slirp4netns", "none", "host", "private", "bridge"}) add_matching(r, cur, m);
    bool prefixes = false;
    for (const char* m : {"container:", "ns:", "slirp4netns:"}) {
        if (!str::starts_with(m, cur) || std::string(m) == cur) continue;
        prefixes = true;
        add_matching(r, cur, m);
    }
    for (const auto& n : names(NameKind::Networks)) add_matching(r, cur, n);
    for (auto& c : r.candidates) c.value = prefix + c.value;
    if (prefixes && r.candidates.size() == 1) r.directive |= kCompNoSpace;
    r.directive |= kCompNoFiles;
}

std::vector<std::string> signal_names() {
    return {"SIGHUP", "SIGINT", "SIGQUIT", "SIGKILL", "SIGUSR1", "SIGUSR2", "SIGTERM", "SIGCONT", "SIGSTOP", "SIGWINCH",
            "SIGPWR", "SIGRTMIN+3"};
}

// Values of the flags whose values are a closed set or names; keyed by the flag's long name.
void complete_flag_value(CompletionResult& r, const CLI::App& cmd, const CLI::Option& opt, const std::string& cur,
                         const std::string& prefix, const NameLister& names) {
    const std::vector<std::string>& lnames = opt.get_lnames();
    const std::string flag = lnames.empty() ? "" : lnames.front();
    auto choices = [&](const std::vector<std::string>& values) {
        for (const auto& v : values) add_matching(r, cur, v);
        for (auto& c : r.candidates) c.value = prefix + c.value;
        r.directive |= kCompNoFiles;
    };
    if (flag == "network" || flag == "net") return complete_network(r, cur, prefix, names);
    if (flag == "format") return complete_format(r, cmd, cur, prefix);
    if (flag == "pull") return choices({"always", "missing", "never", "newer"});
    if (flag == "restart") return choices({"no", "on-failure", "always", "unless-stopped"});
    if (flag == "log-driver") return choices({"k8s-file"});
    if (flag == "log-level") return choices({"debug", "info", "warn", "error"});
    if (flag == "storage-driver") return choices({"overlay", "fuse-overlayfs", "vfs"});
    if (flag == "userns") return choices({"keep-id", "host"});
    if (flag == "cgroups") return choices({"enabled", "disabled"});
    if (flag == "health-on-failure") return choices({"none", "kill", "restart", "stop"});
    if (flag == "pod") return complete_names(r, ArgKind::Pods, cur, names, prefix);
    if (flag == "volumes-from") return complete_names(r, ArgKind::Containers, cur, names, prefix);
    if (flag == "type" && cmd.get_name() == "inspect") return choices({"container", "image", "volume", "all"});
    if (flag == "stop-signal" || flag == "signal") return choices(signal_names());
    if (flag == "platform") return choices({"linux/amd64", "linux/arm64", "linux/arm/v7", "linux/386", "linux/ppc64le", "linux/s390x"});
    if (flag == "cap-add" || flag == "cap-drop") {
        std::vector<std::string> caps{"ALL"};
        for (int c : rootless::all_capabilities()) caps.push_back(rootless::capability_name(c).substr(4));
        return choices(caps);
    }
    if (flag == "security-opt") {
        choices({"seccomp=unconfined", "seccomp=", "no-new-privileges", "label=disable", "apparmor=unconfined"});
        if (cur == "seccomp=" || (str::starts_with(cur, "seccomp=") && cur != "seccomp=u")) r.directive = kCompDefault;
        return;
    }
    if (flag == "mount") {
        choices({"type=bind,", "type=volume,", "type=tmpfs,"});
        r.directive |= kCompNoSpace;
        return;
    }
    if (flag == "volume") {
        // NAME:DEST or a host path.
        if (cur.find('/') == std::string::npos && cur.find(':') == std::string::npos) {
            for (const auto& n : names(NameKind::Volumes)) add_matching(r, cur, n + ":");
            for (auto& c : r.candidates) c.value = prefix + c.value;
            if (!r.candidates.empty()) r.directive |= kCompNoSpace;
        }
        return;
    }
    if (flag == "tz") {
        add_matching(r, cur, "local");
        const std::string dir = cur.substr(0, cur.rfind('/') == std::string::npos ? 0 : cur.rfind('/') + 1);
        if (DIR* d = ::opendir(("/usr/share/zoneinfo/" + dir).c_str())) {
            while (struct dirent* e = ::readdir(d)) {
                std::string n = e->d_name;
                if (n.empty() || n[0] == '.' || !std::isupper(static_cast<unsigned char>(n[0]))) continue;
                add_matching(r, cur, dir + n + (e->d_type == DT_DIR ? "/" : ""));
            }
            ::closedir(d);
        }
        std::sort(r.candidates.begin(), r.candidates.end(), [](const Candidate& a, const Candidate& b) { return a.value < b.value; });
        bool dir_only = r.candidates.size() == 1 && str::ends_with(r.candidates[0].value, "/");
        for (auto& c : r.candidates) c.value = prefix + c.value;
        r.directive |= kCompNoFiles | (dir_only ? unsigned{kCompNoSpace} : 0u);
        return;
    }
    // Paths: the shell completes file names.
    static const char* const path_flags[] = {"env-file", "authfile", "cert-dir", "input", "output", "digestfile",
                                             "cidfile", "iidfile", "file", "seccomp-profile", "root", "runroot"};
    for (const char* p : path_flags)
        if (flag == p) return;
    r.directive |= kCompNoFiles;  // a free-form value: nothing to offer
}

void complete_flags(CompletionResult& r, const CLI::App& cmd, const std::string& cur) {
    for (const CLI::Option* o : visible_flags(cmd)) {
        for (const auto& l : o->get_lnames()) add_matching(r, cur, "--" + l, o->get_description());
        if (cur.size() < 2 || cur[1] != '-')
            for (const auto& s : o->get_snames()) add_matching(r, cur, "-" + s, o->get_description());
    }
    r.directive |= kCompNoFiles;
}

}  // namespace

std::vector<std::string> leading_global_args(const CLI::App& root, const std::vector<std::string>& words) {
    std::vector<std::string> out;
    for (size_t i = 0; i + 1 < words.size(); ++i) {
        const std::string& w = words[i];
        if (w.size() < 2 || w[0] != '-' || w == "--") break;
        const CLI::Option* opt = flag_named(root, w);
        if (!opt) break;
        out.push_back(w);
        if (takes_value(*opt) && w.find('=') == std::string::npos && i + 2 < words.size()) out.push_back(words[++i]);
    }
    return out;
}

CompletionResult complete(const CLI::App& root, const std::vector<std::string>& words, const NameLister& names) {
    CompletionResult r;
    if (words.empty()) return r;
    const CLI::App* cmd = &root;
    size_t npos = 0;            // positional words of `cmd` seen
    bool dashdash = false;      // after "--": only positionals
    bool command_line = false;  // run/exec: the container's own command from here
    const CLI::Option* value_of = nullptr;  // the last full word is a flag wanting the next as value
    for (size_t i = 0; i + 1 < words.size(); ++i) {
        const std::string& w = words[i];
        value_of = nullptr;
        if (command_line) continue;
        if (!dashdash && w == "--") {
            dashdash = true;
            continue;
        }
        if (!dashdash && w.size() > 1 && w[0] == '-') {
            if (w[1] == '-') {
                const CLI::Option* opt = flag_named(*cmd, w);
                if (opt && takes_value(*opt) && w.find('=') == std::string::npos) {
                    if (i + 2 == words.size()) value_of = opt;
                    else ++i;
                }
                continue;
            }
            // -abc: switches, the first one taking a value ends the cluster.
            for (size_t j = 1; j < w.size(); ++j) {
                const CLI::Option* opt = cmd->get_option_no_throw(std::string("-") + w[j]);
                if (opt && takes_value(*opt)) {
                    if (j + 1 == w.size()) {
                        if (i + 2 == words.size()) value_of = opt;
                        else ++i;
                    }
                    break;
                }
            }
            continue;
        }
        if (npos == 0 && !dashdash) {
            const CLI::App* sub = find_command(*cmd, {w});
            if (sub && !sub->get_group().empty()) {
                cmd = sub;
                continue;
            }
        }
        ++npos;
        if (cmd->get_prefix_command()) command_line = true;
    }

    const std::string& cur = words.back();
    if (command_line) return r;  // the container's command: host file names at best
    if (value_of) {
        complete_flag_value(r, *cmd, *value_of, cur, "", names);
        return r;
    }
    if (!dashdash && str::starts_with(cur, "--") && cur.find('=') != std::string::npos) {
        const CLI::Option* opt = flag_named(*cmd, cur);
        if (opt) complete_flag_value(r, *cmd, *opt, cur.substr(cur.find('=') + 1), cur.substr(0, cur.find('=') + 1), names);
        else r.directive |= kCompNoFiles;
        return r;
    }
    if (!dashdash && str::starts_with(cur, "-")) {
        complete_flags(r, *cmd, cur);
        return r;
    }
    std::vector<const CLI::App*> subs = visible_subcommands(*cmd);
    if (npos == 0 && !subs.empty()) {
        for (const CLI::App* s : subs) add_matching(r, cur, s->get_name(), s->get_description());
        r.directive |= kCompNoFiles;
        return r;
    }
    complete_names(r, positional_kind(*cmd, npos), cur, names);
    return r;
}

std::string format_completion(const CompletionResult& r, bool descriptions) {
    std::string out;
    for (const auto& c : r.candidates) {
        out += c.value;
        if (descriptions && !c.description.empty()) {
            std::string d = c.description;
            std::replace(d.begin(), d.end(), '\n', ' ');
            std::replace(d.begin(), d.end(), '\t', ' ');
            out += "\t" + d;
        }
        out += "\n";
    }
    out += ":" + std::to_string(r.directive) + "\n";
    return out;
}

}  // namespace pc::cli
