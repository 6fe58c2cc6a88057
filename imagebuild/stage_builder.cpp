#include "imagebuild/stage_builder.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <optional>

#include "common/atomic_file.hpp"
#include "common/error.hpp"
#include "common/log.hpp"
#include "common/strings.hpp"
#include "common/time_format.hpp"
#include "container/control.hpp"
#include "container/device_options.hpp"
#include "image/import.hpp"
#include "image/layer_ingest.hpp"
#include "image/manifest.hpp"
#include "image/media_types.hpp"
#include "image/staging.hpp"
#include "imagebuild/copy.hpp"
#include "imagebuild/instructions.hpp"
#include "imagebuild/platform_args.hpp"
#include "imagebuild/remote_source.hpp"
#include "imagebuild/run_mounts.hpp"
#include "imagebuild/work_container.hpp"
#include "net/network_mode.hpp"
#include "rootless/rlimits.hpp"
#include "storage/digest.hpp"

namespace pc::build {

namespace {

const std::vector<std::string> kDefaultShell = {"/bin/sh", "-c"};
constexpr const char* kDefaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
// Podman 4.3's builder stamps its version on every image it makes; pc's builds carry the
// same label so that `inspect` shows what a Podman build of the file shows.
constexpr const char* kBuilderLabel = "io.buildah.version";
constexpr const char* kBuilderVersion = "1.28.2";
// The small files a COPY hashes are kept in memory up to this much, so that the copy
// writes them without reading them again (a context of many small files is the slow case).
constexpr size_t kKeptContentBudget = 32 * 1024 * 1024;
int64_t wall_ns() {
    struct timespec ts {};
    clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// Only `$NAME`/`${NAME}` substitution, quotes kept: the content of an unquoted COPY
// here-document.
std::string expand_heredoc(const std::string& text, const ShellLex& lex, const VarLookup& vars) {
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\\' && i + 1 < text.size() && text[i + 1] == '$') {
            out += '$';
            ++i;
            continue;
        }
        if (text[i] != '$') {
            out += text[i];
            continue;
        }
        size_t j = i + 1;
        if (j < text.size() && text[j] == '{') {
            size_t end = text.find('}', j);
            if (end == std::string::npos) {
                out += text.substr(i);
                break;
            }
            out += lex.process_word(text.substr(i, end - i + 1), vars);
            i = end;
            continue;
        }
        while (j < text.size() && (std::isalnum(static_cast<unsigned char>(text[j])) || text[j] == '_')) ++j;
        if (j == i + 1) {
            out += '$';
            continue;
        }
        out += lex.process_word(text.substr(i, j - i), vars);
        i = j - 1;
    }
    return out;
}

class StageBuilder {
public:
    StageBuilder(BuildShared& sh, size_t index, bool final_stage)
        : sh_(sh), stage_(sh.plan.stages[index]), final_(final_stage) {
        layered_ = sh.options.layers && !sh.options.squash && !sh.options.squash_all;
        use_cache_ = layered_ && !sh.options.no_cache;
        if (sh.options.timestamp) created_ns_ = *sh.options.timestamp * 1000000000LL;
    }

    ImageState build() {
        start();
        for (size_t i = 0; i < steps_.size(); ++i) {
            const bool last = i + 1 == steps_.size();
            try {
                step(steps_[i], i, last);
            } catch (const Error& e) {
                std::string m = e.what();
                const Instruction& ins = steps_[i];
                if (!str::starts_with(m, ins.file + ":") && !str::starts_with(m, "building at STEP"))
                    m = ins.where() + ": building at STEP \"" + display(ins) + "\": " + m;
                throw Error(m, e.exit_code());
            }
        }
        if (steps_.empty()) finish_without_steps();
        else if (!layered_) commit_stage();
        return image_;
    }

private:
    // ------------------------------------------------------------------ set-up

    void start() {
        const Instruction& from = stage_.from;
        check_native_platform(stage_.platform, from.where() + ": FROM --platform");
        if (!sh_.options.platform.empty()) check_native_platform(sh_.options.platform, "--platform");
        total_ = 1 + stage_.steps.size();
        std::string shown = stage_.base + (stage_.name.empty() ? "" : " AS " + stage_.name);
        // The base first: its ONBUILD triggers are steps of this stage.
        if (str::to_lower(stage_.base) == "scratch") {
            image_.doc = {{"architecture", image::host_platform().architecture}, {"os", "linux"}, {"config", nlohmann::json::object()}};
        } else if (const ImageState* st = sh_.stage_image(stage_.base, stage_.index)) {
            image_ = *st;
            image_.name = st->id.substr(0, 12);
        } else {
            try {
                image_ = sh_.image(stage_.base, from.where() + ": FROM " + stage_.base);
            } catch (const Error& e) {
                report_step("FROM " + shown);
                throw;
            }
            base_name_ = image_.name;
            if (final_) {
                sh_.final_base_name = image_.name;
                sh_.final_base_digest = image_.manifest_digest;
            }
        }
        if (base_name_.empty() && !image_.id.empty()) base_name_ = image_.name;
        triggers();
        for (const auto& s : stage_.steps) steps_.push_back(s);
        // --label: a LABEL step each, after the file's (Podman's builder appends them).
        if (final_)
            for (const auto& [k, v] : sh_.options.labels)
                steps_.push_back(parse_instruction_line("LABEL " + nlohmann::json(k).dump() + "=" + nlohmann::json(v).dump(),
                                                        "--label", 0, sh_.file.escape));
        total_ = 1 + steps_.size();
        report_step("FROM " + shown);
        nlohmann::json& cfg = config();
        // Podman's builder: a base without PATH gets the default one.
        auto& env = cfg["Env"];
        if (!env.is_array()) env = nlohmann::json::array();
        if (std::none_of(env.begin(), env.end(), [](const nlohmann::json& e) {
                return e.is_string() && str::starts_with(e.get<std::string>(), "PATH=");
            }))
            env.insert(env.begin(), kDefaultPath);
        if (!cfg.contains("Labels") || !cfg["Labels"].is_object()) cfg["Labels"] = nlohmann::json::object();
        if (sh_.options.identity_label) cfg["Labels"][kBuilderLabel] = kBuilderVersion;
        if (image_.doc.contains("author") && image_.doc["author"].is_string()) author_ = image_.doc["author"].get<std::string>();
        if (cfg.contains("Shell") && cfg["Shell"].is_array() && !cfg["Shell"].empty())
            shell_ = cfg["Shell"].get<std::vector<std::string>>();
    }

    // ONBUILD triggers of the base image run first, and are not inherited.
    void triggers() {
        nlohmann::json& cfg = config();
        if (!cfg.contains("OnBuild") || !cfg["OnBuild"].is_array()) return;
        int n = 0;
        for (const auto& t : cfg["OnBuild"]) {
            if (!t.is_string()) continue;
            steps_.push_back(parse_instruction_line(t.get<std::string>(), "ONBUILD trigger of " + stage_.base, ++n, sh_.file.escape));
        }
        cfg.erase("OnBuild");
    }

    // ------------------------------------------------------------------ helpers

    nlohmann::json& config() {
        nlohmann::json& c = image_.doc["config"];
        if (!c.is_object()) c = nlohmann::json::object();
        return c;
    }

    // A config field, or null (reading must not create it: null fields are not stored).
    const nlohmann::json& field(const char* key) {
        static const nlohmann::json none;
        const nlohmann::json& c = config();
        auto it = c.find(key);
        return it == c.end() ? none : *it;
    }

    std::optional<std::string> env_get(const std::string& name) {
        const nlohmann::json& env = field("Env");
        if (!env.is_array()) return std::nullopt;
        std::optional<std::string> v;
        for (const auto& e : env) {
            if (!e.is_string()) continue;
            auto [k, val] = str::split_once(e.get<std::string>(), '=');
            if (k == name) v = val.value_or("");
        }
        return v;
    }

    void env_set(const std::string& name, const std::string& value) {
        nlohmann::json& env = config()["Env"];
        if (!env.is_array()) env = nlohmann::json::array();
        for (auto& e : env)
            if (e.is_string() && str::split_once(e.get<std::string>(), '=').first == name) {
                e = name + "=" + value;
                return;
            }
        env.push_back(name + "=" + value);
    }

    VarLookup vars() {
        return [this](const std::string& n) -> std::optional<std::string> {
            if (auto v = env_get(n)) return v;
            auto it = args_.find(n);
            if (it != args_.end()) return it->second;
            return std::nullopt;
        };
    }

    std::string prefix() const {
        if (!sh_.multi_stage()) return "";
        return "[" + std::to_string(stage_.index + 1) + "/" + std::to_string(sh_.counted_stages()) + "] ";
    }

    std::string display(const Instruction& ins) const { return ins.original; }

    void report_step(const std::string& text) {
        sh_.reporter.step(prefix() + "STEP " + std::to_string(step_no_) + "/" + std::to_string(total_) + ": " + text);
        ++step_no_;
    }

    void report(const std::string& line) { sh_.reporter.message(line); }

    int64_t now_ns() const { return created_ns_ ? *created_ns_ : wall_ns(); }

    std::string workdir() {
        const nlohmann::json& w = field("WorkingDir");
        return w.is_string() && !w.get<std::string>().empty() ? w.get<std::string>() : "/";
    }

    // A name an ARG of this stage declares only after `index` (not yet visible).
    void check_declared_before_use(const std::set<std::string>& names, size_t index, const Instruction& ins) {
        for (const auto& n : names) {
            if (env_get(n) || args_.count(n) || declared_.count(n)) continue;
            for (size_t j = index + 1; j < steps_.size(); ++j) {
                if (steps_[j].keyword != "ARG") continue;
                for (const auto& w : split_raw_words(steps_[j].args, sh_.file.escape))
                    if (str::split_once(w, '=').first == n)
                        throw Error(ins.where() + ": " + ins.keyword + " uses $" + n + ", but ARG " + n + " is declared only later, at " +
                                    steps_[j].where() + ": declare it before its first use");
            }
        }
    }

    // ------------------------------------------------------------------ history

    std::string args_key() const {
        std::vector<std::string> keys;
        for (const auto& [k, v] : args_)
            if (declared_.count(k)) keys.push_back(k);
        std::sort(keys.begin(), keys.end());
        return str::join(keys, " ");
    }

    // "K=V" of the declared args a RUN sees (ENV wins), as Buildah records them in history.
    std::vector<std::string> run_args() {
        std::vector<std::string> out;
        for (const auto& [k, v] : args_) {
            if (!declared_.count(k)) continue;
            auto e = env_get(k);
            out.push_back(k + "=" + (e ? *e : v));
        }
        std::sort(out.begin(), out.end());
        return out;
    }

    static std::string heredoc_text(const Instruction& ins) {
        std::string t;
        for (const auto& h : ins.heredocs) t += "\n" + h.content + h.name;
        return t;
    }

    std::string created_by_run(const Instruction& ins) {
        auto args = run_args();
        std::string body = "/bin/sh -c " + (ins.original.size() > 4 ? ins.original.substr(4) : "") + heredoc_text(ins);
        if (args.empty()) return body;
        return "|" + std::to_string(args.size()) + " " + str::join(args, " ") + " " + body;
    }

    // ------------------------------------------------------------------ steps

    struct StepResult {
        std::string created_by;
        bool layer = false;                 // RUN, COPY, ADD
        std::vector<std::string> key_parts; // beyond parent and created_by
    };

    void step(const Instruction& ins, size_t index, bool last) {
        report_step(display(ins));
        copied_.reset();
        const bool needs_layer = ins.keyword == "RUN" || ins.keyword == "COPY" || ins.keyword == "ADD";
        std::unique_ptr<WorkContainer> fresh;
        WorkContainer* wc = nullptr;
        auto container = [&]() -> WorkContainer& {
            if (wc) return *wc;
            if (!layered_) {
                if (!work_) work_ = std::make_unique<WorkContainer>(sh_.store, image_.layers);
                wc = work_.get();
            } else {
                fresh = std::make_unique<WorkContainer>(sh_.store, image_.layers);
                wc = fresh.get();
            }
            return *wc;
        };

        // What the step does and what its result depends on; the cache is asked before
        // anything runs (COPY and ADD hash their sources first).
        StepResult r;
        std::function<void()> execute;
        if (ins.keyword == "RUN") {
            r = plan_run(ins, index, container, execute);
        } else if (ins.keyword == "COPY" || ins.keyword == "ADD") {
            r = plan_copy(ins, index, container, execute);
        } else {
            r = apply_config(ins, index);
        }
        if (!layered_) {
            if (execute) execute();
            pending_.push_back({r.created_by, needs_layer});
            return;
        }
        std::string key;
        if (use_cache_) {
            std::vector<std::string> parts = {"pc-build-step-v1", image_.id.empty() ? "scratch" : image_.id, r.created_by,
                                              needs_layer ? "layer" : "config", sh_.options.format,
                                              sh_.options.timestamp ? std::to_string(*sh_.options.timestamp) : ""};
            parts.insert(parts.end(), r.key_parts.begin(), r.key_parts.end());
            if (std::string overrides = config_overrides_key(); !overrides.empty()) parts.push_back(overrides);
            key = step_key(parts);
            if (auto hit = sh_.cache.lookup(key, sh_.options.cache_ttl_s)) {
                report("--> Using cache " + hit->id);
                if (last && final_) report_commit();
                ImageState next = load_image_state(sh_.store, *hit, hit->id.substr(0, 12));
                image_ = next;
                // Builder-side state that the config does not carry stays as the step left it.
                report("--> " + image_.id.substr(0, 11));
                return;
            }
        }
        if (execute) execute();
        if (last && final_) report_commit();
        commit_step(r.created_by, needs_layer, wc);
        if (!key.empty()) sh_.cache.record(key, image_.id);
        report("--> " + image_.id.substr(0, 11));
    }

    void report_commit() {
        const auto& tags = sh_.options.tags;
        report("COMMIT" + (tags.empty() ? std::string() : " " + tags.front()));
    }

    // ENV, LABEL, ARG, ... : changes of the config (and of the builder's own state).
    StepResult apply_config(const Instruction& ins, size_t index) {
        StepResult r;
        r.created_by = "/bin/sh -c #(nop) " + ins.original;
        ShellLex lex(sh_.file.escape);
        VarLookup v = vars();
        nlohmann::json& cfg = config();
        const std::string& k = ins.keyword;
        if (k == "ENV") {
            for (const auto& [name, value] : parse_key_values(ins, lex, v)) env_set(name, value);
        } else if (k == "LABEL") {
            if (!cfg["Labels"].is_object()) cfg["Labels"] = nlohmann::json::object();
            for (const auto& [name, value] : parse_key_values(ins, lex, v)) cfg["Labels"][name] = value;
        } else if (k == "ARG") {
            for (const auto& [name, def] : parse_arg(ins, lex, v)) {
                declared_.insert(name);
                auto given = sh_.args.find(name);
                if (given != sh_.args.end()) {
                    args_[name] = given->second;
                    sh_.consumed_args.insert(name);
                } else if (def) {
                    args_[name] = *def;
                } else if (auto meta = meta_value(name)) {
                    args_[name] = *meta;
                } else if (auto p = platform_arg_values().find(name); p != platform_arg_values().end()) {
                    args_[name] = p->second;
                } else {
                    args_.erase(name);
                    sh_.reporter.warning("missing \"" + name + "\" build argument. Try adding \"--build-arg " + name +
                                         "=<VALUE>\" to the command line");
                }
            }
            r.created_by = "/bin/sh -c #(nop) ARG " + args_key();
        } else if (k == "MAINTAINER") {
            author_ = ins.args;
            image_.doc["author"] = author_;
        } else if (k == "EXPOSE") {
            check_declared_before_use(lexed_names(ins), index, ins);
            if (!cfg["ExposedPorts"].is_object()) cfg["ExposedPorts"] = nlohmann::json::object();
            for (const auto& p : parse_expose(ins, lex, v)) cfg["ExposedPorts"][p] = nlohmann::json::object();
        } else if (k == "VOLUME") {
            if (!cfg["Volumes"].is_object()) cfg["Volumes"] = nlohmann::json::object();
            for (const auto& p : parse_volume(ins, lex, v)) {
                cfg["Volumes"][p] = nlohmann::json::object();
                volumes_.push_back(p);
            }
        } else if (k == "USER") {
            std::string u = located_word(ins, lex, v);
            if (u.empty()) throw Error(ins.where() + ": USER requires an argument");
            cfg["User"] = u;
        } else if (k == "WORKDIR") {
            std::string w = located_word(ins, lex, v);
            if (w.empty()) throw Error(ins.where() + ": WORKDIR requires an argument");
            if (w[0] != '/') w = workdir() + "/" + w;
            cfg["WorkingDir"] = clean_path(w);
        } else if (k == "STOPSIGNAL") {
            std::string s = located_word(ins, lex, v);
            try {
                container::parse_signal(s);
            } catch (const Error& e) {
                throw Error(ins.where() + ": STOPSIGNAL: " + e.what());
            }
            cfg["StopSignal"] = s;
        } else if (k == "CMD") {
            // Podman's builder runs the shell forms of CMD and ENTRYPOINT with /bin/sh -c,
            // whatever SHELL says (and pc's config must be what Podman's is).
            set_command(cfg, "Cmd", command_of(ins, kDefaultShell));
            cmd_set_ = true;
        } else if (k == "ENTRYPOINT") {
            set_command(cfg, "Entrypoint", command_of(ins, kDefaultShell));
            if (!cmd_set_) cfg.erase("Cmd");
        } else if (k == "SHELL") {
            if (!ins.json) throw Error(ins.where() + ": SHELL requires the arguments to be in JSON form, e.g. SHELL [\"/bin/sh\", \"-c\"]");
            if (ins.json_args.empty()) throw Error(ins.where() + ": SHELL requires at least one argument");
            shell_ = ins.json_args;
            cfg["Shell"] = shell_;
        } else if (k == "HEALTHCHECK") {
            cfg["Healthcheck"] = parse_healthcheck(ins, shell_);
        } else if (k == "ONBUILD") {
            if (!cfg["OnBuild"].is_array()) cfg["OnBuild"] = nlohmann::json::array();
            cfg["OnBuild"].push_back(ins.sub.front().original);
        } else if (k == "FROM") {
            throw Error(ins.where() + ": FROM inside a stage");
        } else {
            throw Error(ins.where() + ": unknown instruction: " + k);
        }
        return r;
    }

    std::set<std::string> lexed_names(const Instruction& ins) {
        ShellLex probe(sh_.file.escape);
        try {
            (void)probe.process_words(ins.args, nullptr);
        } catch (const Error&) {
        }
        return probe.referenced();
    }

    std::string located_word(const Instruction& ins, const ShellLex& lex, const VarLookup& v) {
        try {
            return lex.process_word(str::trim(ins.args), v);
        } catch (const Error& e) {
            throw Error(ins.where() + ": " + ins.keyword + ": " + e.what());
        }
    }

    static void set_command(nlohmann::json& cfg, const char* key, const std::vector<std::string>& argv) {
        if (argv.empty()) cfg.erase(key);
        else cfg[key] = argv;
    }

    std::optional<std::string> meta_value(const std::string& name) {
        for (const auto& ins : sh_.plan.meta_args) {
            for (const auto& w : split_raw_words(ins.args, sh_.file.escape)) {
                auto [k, def] = str::split_once(w, '=');
                if (k != name) continue;
                auto given = sh_.args.find(name);
                if (given != sh_.args.end()) {
                    sh_.consumed_args.insert(name);
                    return given->second;
                }
                if (def) return ShellLex(sh_.file.escape).process_word(*def, nullptr);
            }
        }
        return std::nullopt;
    }

    // ------------------------------------------------------------------ RUN

    std::vector<std::string> run_env(const std::vector<std::string>& extra) {
        std::vector<std::string> env;
        const nlohmann::json& e = field("Env");
        if (e.is_array())
            for (const auto& x : e)
                if (x.is_string()) env.push_back(x.get<std::string>());
        auto has = [&](const std::string& k) {
            return std::any_of(env.begin(), env.end(), [&](const std::string& s) { return str::split_once(s, '=').first == k; });
        };
        for (const auto& [k, v] : args_)
            if (declared_.count(k) && !has(k)) env.push_back(k + "=" + v);
        for (const auto& [k, v] : sh_.args)
            if (is_proxy_arg(k) && !has(k)) env.push_back(k + "=" + v);
        for (const auto& x : extra) env.push_back(x);
        return env;
    }

    // --http-proxy (the default): the caller's proxy variables, unless the step's own
    // environment (ENV, a proxy --build-arg) sets them. Not part of the cache key: a
    // proxy does not change what a step makes.
    static void add_caller_proxies(std::vector<std::string>& env) {
        for (const char* name : kProxyVariables) {
            const char* value = std::getenv(name);
            if (!value) continue;
            const bool set = std::any_of(env.begin(), env.end(),
                                         [&](const std::string& e) { return str::split_once(e, '=').first == name; });
            if (!set) env.push_back(std::string(name) + "=" + value);
        }
    }

    StepResult plan_run(const Instruction& ins, size_t index, const std::function<WorkContainer&()>& container,
                        std::function<void()>& execute) {
        StepResult r;
        r.layer = true;
        check_declared_before_use(referenced_variables(ins.args + heredoc_text(ins)), index, ins);
        r.created_by = created_by_run(ins);
        ShellLex lex(sh_.file.escape);
        VarLookup v = vars();
        std::vector<RunMount> mounts;
        for (const auto& spec : ins.flag_values("mount")) {
            std::string expanded;
            try {
                expanded = lex.process_word(spec, v);
            } catch (const Error& e) {
                throw Error(ins.where() + ": RUN --mount: " + e.what());
            }
            mounts.push_back(parse_run_mount(expanded, ins.where()));
        }
        std::string network = sh_.options.network;
        if (auto n = ins.flag("network")) {
            if (*n == "none" || *n == "host") network = *n;
            else if (*n != "default") throw Error(ins.where() + ": RUN --network=" + *n + ": must be default, none or host");
        }
        bool privileged = false;
        if (auto sec = ins.flag("security")) {
            if (*sec == "insecure") privileged = true;
            else if (*sec != "sandbox") throw Error(ins.where() + ": RUN --security=" + *sec + ": must be sandbox or insecure");
        }
        // SHELL applies to RUN in the Docker format only, as in Podman's builder (which
        // warns that the OCI format has no SHELL).
        const std::vector<std::string> shell = sh_.docker_format() ? shell_ : kDefaultShell;
        std::vector<std::string> argv;
        std::string script;  // a here-document run as a file (#!)
        if (ins.json) {
            argv = ins.json_args;
        } else if (!ins.heredocs.empty()) {
            const auto words = split_raw_words(ins.args, sh_.file.escape);
            if (words.size() == 1 && ins.heredocs.size() == 1) {
                const Heredoc& h = ins.heredocs.front();
                if (str::starts_with(h.content, "#!")) {
                    script = h.content;
                    argv = {"/dev/pipes/" + h.name};
                } else {
                    argv = shell;
                    argv.push_back(h.content);
                }
            } else {
                argv = shell;
                std::string body = ins.args;
                for (const auto& h : ins.heredocs) body += "\n" + h.content + h.name;
                argv.push_back(body + "\n");
            }
        } else {
            argv = command_of(ins, shell);
        }
        if (argv.empty()) throw Error(ins.where() + ": RUN requires a command");
        // The bound contents of --mount=type=bind are part of what the step depends on.
        for (const auto& m : mounts)
            if (m.type == "bind" && m.from.empty()) {
                SourceOptions so;
                so.hash = true;
                so.ignore = &sh_.context.ignore();
                so.what = ins.where() + ": RUN --mount";
                if (sh_.context.present())
                    r.key_parts.push_back(digest_items(collect_sources(sh_.context.fd(), {m.source.empty() ? "." : m.source}, so)).hex);
            }
        r.key_parts.push_back(str::join(run_env({}), "\n"));
        r.key_parts.push_back(network + (privileged ? " privileged" : ""));
        execute = [=, this, &ins] {
            WorkContainer& wc = container();
            PreparedMounts pm = prepare_run_mounts(sh_, mounts, wc, stage_.index, ins.where());
            container::ContainerConfig cfg;
            cfg.cmd = argv;
            cfg.env = run_env(pm.env);
            if (sh_.options.http_proxy) add_caller_proxies(cfg.env);
            cfg.working_dir = workdir();
            const nlohmann::json& user = field("User");
            cfg.user = user.is_string() ? user.get<std::string>() : "";
            cfg.hostname = sh_.options.hostname.empty() ? wc.id().substr(wc.id().rfind('-') + 1) : sh_.options.hostname;
            cfg.network_mode = net::to_string(net::parse_network_mode(network));
            cfg.cap_add = sh_.options.cap_add;
            cfg.cap_drop = sh_.options.cap_drop;
            cfg.privileged = privileged;
            cfg.ulimits = sh_.options.ulimits;
            cfg.add_hosts = sh_.options.add_hosts;
            cfg.dns_servers = sh_.options.dns_servers;
            cfg.dns_search = sh_.options.dns_search;
            cfg.dns_options = sh_.options.dns_options;
            cfg.no_hosts = sh_.options.no_hosts;
            cfg.shm_size = sh_.options.shm_size;
            cfg.ipc_mode = sh_.options.ipc_mode;
            cfg.pid_mode = sh_.options.pid_mode;
            cfg.uts_mode = sh_.options.uts_mode;
            for (const auto& o : sh_.options.security_opt) {
                if (o == "seccomp=unconfined") cfg.seccomp_profile = "unconfined";
                else if (o == "no-new-privileges" || o == "no-new-privileges=true") cfg.no_new_privileges = true;
                cfg.security_opt.push_back(o);
            }
            cfg.mounts = volume_mounts();
            cfg.mounts.insert(cfg.mounts.end(), pm.mounts.begin(), pm.mounts.end());
            if (!sh_.options.devices.empty()) {
                container::DeviceOptions devices;
                devices.devices = sh_.options.devices;
                container::apply_device_options(cfg, devices);  // last: CDI edits add env and mounts
            }
            std::vector<std::string> targets = pm.targets;
            if (!script.empty()) {
                const std::string file = wc.dir() + "/heredoc-script";
                write_file_atomic(file, script, 0755, false);
                cfg.mounts.push_back({"bind", file, argv.front(), {"ro"}, true});
                targets.push_back("/dev/pipes");
            }
            UniqueFd null(::open("/dev/null", O_WRONLY | O_CLOEXEC));
            int out = sh_.options.quiet ? null.get() : sh_.options.stdout_fd;
            int code = wc.run(cfg, sh_.options.stdin_fd, out, sh_.options.stderr_fd);
            pm.locks.clear();
            if (code != 0)
                throw Error(ins.where() + ": building at STEP \"" + display(ins) + "\": while running runtime: exit status " +
                                std::to_string(code),
                            code);
            wc.prune_mount_points(targets);
            discard_volume_changes(wc);
        };
        return r;
    }

    // --volume: binds for every RUN (podman build -v SRC:DST[:OPTS]).
    std::vector<container::MountConfig> volume_mounts() const {
        std::vector<container::MountConfig> out;
        for (const auto& v : sh_.options.volumes) {
            auto parts = str::split(v, ':');
            if (parts.size() < 2 || parts.size() > 3 || parts[0].empty() || parts[1].empty() || parts[1][0] != '/')
                throw Error("invalid --volume \"" + v + "\": expected /HOST-DIR:/CONTAINER-DIR[:OPTIONS]");
            container::MountConfig m{"bind", parts[0], parts[1], {}, false};
            if (parts[0][0] != '/') throw Error("invalid --volume \"" + v + "\": the source must be an absolute path");
            if (parts.size() == 3)
                for (const auto& o : str::split(parts[2], ',')) {
                    if (o == "ro") m.readonly = true;
                    m.options.push_back(o);
                }
            out.push_back(m);
        }
        return out;
    }

    // What a RUN wrote below a VOLUME is thrown away (Docker's rule: the volume's content
    // is fixed once it is declared).
    void discard_volume_changes(WorkContainer& wc) {
        if (!volumes_.empty()) wc.discard_changes_below(volumes_);
    }

    // ------------------------------------------------------------------ COPY / ADD

    StepResult plan_copy(const Instruction& ins, size_t index, const std::function<WorkContainer&()>& container,
                         std::function<void()>& execute);

    // ------------------------------------------------------------------ commits

    nlohmann::json history_entry(const std::string& created_by, bool empty_layer, const std::string& comment) {
        nlohmann::json h = {{"created", rfc3339_nano(now_ns())}, {"created_by", created_by}};
        if (!author_.empty()) h["author"] = author_;
        if (!comment.empty()) h["comment"] = comment;
        if (empty_layer) h["empty_layer"] = true;
        return h;
    }

    // The config as stored: Docker-only fields dropped for OCI (with Podman's warnings).
    nlohmann::json stored_doc(nlohmann::json doc) {
        nlohmann::json& c = doc["config"];
        if (!c.is_object()) c = nlohmann::json::object();
        apply_env_overrides(c);
        if (!sh_.options.os_version.empty()) doc["os.version"] = sh_.options.os_version;
        if (!sh_.options.os_features.empty()) doc["os.features"] = sh_.options.os_features;
        if (!sh_.docker_format()) {
            if (c.contains("Shell")) {
                warn_once("shell", "SHELL is not supported for OCI image format, [" + str::join(c["Shell"].get<std::vector<std::string>>(), " ") +
                                       "] will be ignored. Must use `docker` format");
                c.erase("Shell");
            }
            if (c.contains("Healthcheck")) {
                warn_once("health", "HEALTHCHECK is not supported for OCI image format and will be ignored. Must use `docker` format");
                c.erase("Healthcheck");
            }
            if (c.contains("OnBuild")) {
                std::vector<std::string> t;
                for (const auto& x : c["OnBuild"])
                    if (x.is_string()) t.push_back(x.get<std::string>());
                warn_once("onbuild", "ONBUILD is not supported for OCI image format, " + str::join(t, ", ") +
                                         " will be ignored. Must use `docker` format");
                c.erase("OnBuild");
            }
        }
        for (const char* k : {"Env", "Cmd", "Entrypoint", "Volumes", "ExposedPorts", "Labels", "OnBuild", "Shell"})
            if (c.contains(k) && c[k].empty()) c.erase(k);
        for (auto it = c.begin(); it != c.end();) it = it.value().is_null() ? c.erase(it) : std::next(it);
        doc["created"] = rfc3339_nano(now_ns());
        if (!doc.contains("architecture")) doc["architecture"] = image::host_platform().architecture;
        if (!doc.contains("os")) doc["os"] = "linux";
        return doc;
    }

    // --unsetenv drops a variable; --env K=V replaces K and goes last (Podman's order).
    void apply_env_overrides(nlohmann::json& c) const {
        const BuildOptions& o = sh_.options;
        if (o.env.empty() && o.unset_env.empty()) return;
        nlohmann::json& env = c["Env"];
        if (!env.is_array()) env = nlohmann::json::array();
        auto drop = [&env](const std::string& name) {
            for (auto it = env.begin(); it != env.end();)
                it = it->is_string() && str::split_once(it->get<std::string>(), '=').first == name ? env.erase(it) : std::next(it);
        };
        for (const auto& name : o.unset_env) drop(name);
        for (const auto& [name, value] : o.env) {
            drop(name);
            env.push_back(name + "=" + value);
        }
    }

    // What of the options changes every committed config: part of each step's cache key
    // (empty when none is given, so that plain builds keep their keys).
    std::string config_overrides_key() const {
        const BuildOptions& o = sh_.options;
        if (o.env.empty() && o.unset_env.empty() && !o.omit_history && o.identity_label && o.os_version.empty() &&
            o.os_features.empty())
            return "";
        nlohmann::json k = {{"env", o.env}, {"unset", o.unset_env}, {"omit_history", o.omit_history},
                            {"identity", o.identity_label}, {"os.version", o.os_version}, {"os.features", o.os_features}};
        return k.dump();
    }

    void warn_once(const std::string& key, const std::string& text) {
        if (warned_.insert(key).second) sh_.reporter.warning(text);
    }

    std::vector<storage::LayerRecord> layer_records(const std::vector<std::string>& chains) {
        std::vector<storage::LayerRecord> out;
        for (const auto& c : chains) {
            auto l = sh_.store.find_layer(c);
            if (!l) throw Error("layer " + c + " is missing from the store");
            out.push_back(*l);
        }
        return out;
    }

    // The upper dir of `wc` as the next layer; its tar kept as the layer's blob.
    storage::LayerRecord take_layer(WorkContainer& wc) {
        image::StagingDir staging(sh_.store);
        const std::string path = staging.new_file("layer.tar");
        UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
        if (!fd) throw Error::sys("creating " + path);
        storage::LayerRecord rec = wc.commit(fd.get(), sh_.options.timestamp, copied_ ? &copied_->known : nullptr);
        copied_.reset();
        fd.reset();
        keep_blob(path, rec);
        return rec;
    }

    void keep_blob(const std::string& path, const storage::LayerRecord& rec) {
        if (!sh_.store.has_blob(rec.diff_id)) sh_.store.commit_blob_file(path, rec.diff_id);
        sh_.store.add_layer_blob(rec.diff_id, {rec.diff_id, image::media::kOciLayer, rec.size});
    }

    void commit_step(const std::string& created_by, bool layer, WorkContainer* wc) {
        nlohmann::json doc = stored_doc(image_.doc);
        std::vector<storage::LayerRecord> layers = layer_records(image_.layers);
        if (layer) {
            log::timing("taking the layer");
            layers.push_back(take_layer(*wc));
            log::timing("layer taken");
        }
        // "FROM localhost/busybox:latest" for the first step on an image, then the parent's id.
        std::string comment;
        if (first_step_ && !base_name_.empty()) comment = "FROM " + base_name_;
        else if (!image_.id.empty()) comment = "FROM " + image_.id.substr(0, 12);
        if (!doc["history"].is_array()) doc["history"] = nlohmann::json::array();
        doc["history"].push_back(history_entry(created_by, !layer, comment));
        if (sh_.options.omit_history) doc.erase("history");
        image::RegisterOptions o;
        o.docker = sh_.docker_format();
        o.parent = image_.id;
        storage::ImageRecord rec = image::register_image(sh_.store, doc, layers, o);
        image_ = load_image_state(sh_.store, rec, rec.id.substr(0, 12));
        first_step_ = false;
    }

    // Without layers: the stage's one commit, with one layer holding all its changes.
    void commit_stage() {
        nlohmann::json doc = stored_doc(image_.doc);
        if (!doc["history"].is_array() || sh_.options.squash_all) doc["history"] = nlohmann::json::array();
        for (size_t i = 0; i < pending_.size(); ++i) {
            const bool last = i + 1 == pending_.size();
            doc["history"].push_back(history_entry(pending_[i].first, !last, last && !base_name_.empty() ? "FROM " + base_name_ : ""));
        }
        if (sh_.options.omit_history) doc.erase("history");
        if (!work_) work_ = std::make_unique<WorkContainer>(sh_.store, image_.layers);
        if (final_) report_commit();
        std::vector<storage::LayerRecord> layers;
        if (sh_.options.squash_all && final_) {
            layers.push_back(squash_all_layer());
        } else {
            layers = layer_records(image_.layers);
            layers.push_back(take_layer(*work_));
        }
        work_.reset();
        image::RegisterOptions o;
        o.docker = sh_.docker_format();
        o.parent = image_.id;
        storage::ImageRecord rec = image::register_image(sh_.store, doc, layers, o);
        image_ = load_image_state(sh_.store, rec, rec.id.substr(0, 12));
        if (!final_) sh_.temporary_images.push_back(rec.id);
        report("--> " + image_.id.substr(0, 11));
    }

    // --squash-all: the whole file system (base layers and the stage's changes) as one layer.
    storage::LayerRecord squash_all_layer();

    // A stage without instructions: its base, unless it must be stored as a new image.
    void finish_without_steps() {
        if (image_.id.empty() || sh_.options.squash || sh_.options.squash_all) {
            pending_.push_back({"/bin/sh", true});
            commit_stage();  // says COMMIT itself
            return;
        }
        if (final_) report_commit();
        report("--> " + image_.id.substr(0, 11));
    }

    BuildShared& sh_;
    const Stage& stage_;
    bool final_;
    bool layered_ = true, use_cache_ = true;
    std::optional<int64_t> created_ns_;
    ImageState image_;
    std::string base_name_;  // the FROM image's name, for the first history comment
    bool first_step_ = true;
    std::vector<Instruction> steps_;
    size_t step_no_ = 1, total_ = 1;
    std::map<std::string, std::string> args_;  // ARG values in scope
    std::set<std::string> declared_;
    std::vector<std::string> shell_ = kDefaultShell;
    bool cmd_set_ = false;
    std::string author_;
    std::vector<std::string> volumes_;
    std::set<std::string> warned_;
    std::unique_ptr<WorkContainer> work_;                    // without layers: the stage's container
    std::vector<std::pair<std::string, bool>> pending_;      // without layers: history (created_by, layer)
    std::unique_ptr<image::StagingDir> downloads_;           // ADD URL downloads
    struct CopiedFiles {
        std::shared_ptr<const std::vector<CopyItem>> items;  // holds the content `known` points to
        storage::KnownContent known;
    };
    std::optional<CopiedFiles> copied_;                      // the step's COPY, for its layer
};

StageBuilder::StepResult StageBuilder::plan_copy(const Instruction& ins, size_t index,
                                                 const std::function<WorkContainer&()>& container,
                                                 std::function<void()>& execute) {
    StepResult r;
    r.layer = true;
    const bool add = ins.keyword == "ADD";
    ShellLex lex(sh_.file.escape);
    VarLookup v = vars();
    check_declared_before_use(lexed_names(ins), index, ins);
    CopyArgs a = parse_copy_args(ins, lex, v);
    auto flag = [&](const char* name) -> std::optional<std::string> {
        auto f = ins.flag(name);
        if (!f) return std::nullopt;
        try {
            return lex.process_word(*f, v);
        } catch (const Error& e) {
            throw Error(ins.where() + ": " + ins.keyword + " --" + name + ": " + e.what());
        }
    };
    const std::optional<std::string> from = flag("from");
    CopyTarget target;
    target.what = ins.where() + ": " + ins.keyword;
    target.chown = flag("chown");
    if (auto m = flag("chmod")) {
        try {
            target.chmod = parse_chmod(*m);
        } catch (const Error& e) {
            throw Error(ins.where() + ": " + ins.keyword + ": " + e.what());
        }
    }
    SourceOptions so;
    so.what = target.what;
    so.parents = ins.has_flag("parents") && flag("parents").value_or("true") != "false";
    so.detect_archives = add;
    std::vector<std::string> excludes;
    for (const auto& e : ins.flag_values("exclude")) excludes.push_back(lex.process_word(e, v));
    so.excludes = IgnoreMatcher(excludes, ins.where() + ": --exclude");
    const std::string checksum = add ? flag("checksum").value_or("") : "";

    // The destination: relative to WORKDIR; a trailing "/" (or ".") names a directory.
    std::string dest = a.dest;
    const bool dir_dest = str::ends_with(dest, "/") || dest == "." || str::ends_with(dest, "/.");
    if (dest[0] != '/') dest = workdir() + "/" + dest;
    dest = clean_path(dest) + (dir_dest ? "/" : "");
    target.dest = dest;

    // Sources: here-documents, URLs (ADD), and paths in the context or another root.
    std::vector<CopyItem> items;
    std::vector<std::string> patterns;
    for (const auto& src : a.sources) {
        if (str::starts_with(src, "<<") || (src.find("<<") != std::string::npos && std::isdigit(static_cast<unsigned char>(src[0])))) {
            std::string name = src.substr(src.find("<<") + 2);
            if (!name.empty() && name[0] == '-') name.erase(0, 1);
            name.erase(std::remove_if(name.begin(), name.end(), [](char c) { return c == '\'' || c == '"' || c == '\\'; }),
                       name.end());
            const Heredoc* h = nullptr;
            for (const auto& hd : ins.heredocs)
                if (hd.name == name) h = &hd;
            if (!h) throw Error(ins.where() + ": " + ins.keyword + ": no here-document for " + src);
            CopyItem it;
            it.name = h->name;
            CopyEntry e;
            e.kind = CopyEntry::Kind::Inline;
            e.content = h->expand ? expand_heredoc(h->content, lex, v) : h->content;
            e.mode = 0644;
            e.mtime = now_ns() / 1000000000;
            e.size = e.content.size();
            it.entries.push_back(e);
            items.push_back(it);
        } else if (str::starts_with(src, "http://") || str::starts_with(src, "https://")) {
            if (!add) throw Error(ins.where() + ": COPY: source can't be a URL for COPY (use ADD): " + src);
            if (!downloads_) downloads_ = std::make_unique<image::StagingDir>(sh_.store);
            items.push_back(download_source(src, downloads_->path(), checksum, target.what));
        } else if (str::starts_with(src, "git@") || str::ends_with(src, ".git")) {
            throw Error(ins.where() + ": " + ins.keyword + ": git sources are not supported: " + src);
        } else {
            patterns.push_back(src);
        }
    }
    if (!checksum.empty() && !patterns.empty())
        throw Error(ins.where() + ": ADD --checksum applies to URL sources only");

    // Where the paths are: the context, a named context, or an image's layers.
    const BuildContext* root = nullptr;
    std::optional<ImageState> source_image;
    if (!from) {
        if (!patterns.empty() && !sh_.context.present())
            throw Error(ins.where() + ": " + ins.keyword + ": there is no build context (the Containerfile came alone)");
        root = &sh_.context;
        so.ignore = &sh_.context.ignore();
    } else if (auto it = sh_.named_contexts.find(*from); it != sh_.named_contexts.end()) {
        root = &it->second;
        so.root_name = it->second.name();
    } else if (const ImageState* st = sh_.stage_image(*from, stage_.index)) {
        source_image = *st;
    } else {
        auto ic = sh_.image_contexts.find(*from);
        source_image = sh_.image(ic != sh_.image_contexts.end() ? ic->second : *from, ins.where() + ": " + ins.keyword + " --from=" + *from);
    }
    std::string summary_hex;
    if (source_image) {
        // Another image's files: its id names their content.
        target.preserve_ids = true;
        target.strip_setid = false;
        so.root_name = "image " + source_image->id.substr(0, 12);
        summary_hex = storage::sha256_hex(source_image->id + "\n" + str::join(patterns, "\n"));
        r.key_parts.push_back("from " + source_image->id);
        if (!items.empty()) {
            ContentDigest d = digest_items(items);
            r.key_parts.push_back(d.hex);
        }
    } else {
        if (!patterns.empty()) {
            so.hash = true;
            so.keep_content = kKeptContentBudget;
            log::timing("collecting the sources of " + ins.where());
            auto found = collect_sources(root->fd(), patterns, so);
            log::timing("sources collected");
            items.insert(items.end(), found.begin(), found.end());
        }
        ContentDigest d = digest_items(items);
        summary_hex = d.hex;
        r.key_parts.push_back(d.hex);
    }
    const bool single_file = a.sources.size() == 1 && items.size() <= 1 && (items.empty() || !items[0].directory);
    const std::string summary = (a.sources.size() > 1 ? "multi:" : single_file && !source_image ? "file:" : "dir:") + summary_hex;
    r.created_by = "/bin/sh -c #(nop) " + ins.keyword + " " + summary + " in " + a.dest_raw + " ";
    r.key_parts.push_back(ins.original);
    r.key_parts.push_back(dest);

    auto shared_items = std::make_shared<const std::vector<CopyItem>>(std::move(items));
    execute = [=, this] {
        WorkContainer& wc = container();
        if (source_image) {
            SourceOptions child_so = so;
            child_so.hash = false;
            wc.with_rootfs(
                [&](int dest_root, int src_root) {
                    std::vector<CopyItem> all = *shared_items;
                    if (!patterns.empty()) {
                        auto found = collect_sources(src_root, patterns, child_so);
                        all.insert(all.end(), found.begin(), found.end());
                    }
                    copy_items(dest_root, src_root, all, target);
                },
                source_image->layers);
        } else {
            const int src_root = root ? root->fd() : -1;
            // In a step of its own (layers), the step's upper dir holds only what the copy
            // wrote: the layer's tar takes the files the copy wrote from memory from there too.
            UniqueFd list;
            if (layered_) list.reset(::memfd_create("pc-copied-files", MFD_CLOEXEC));
            wc.with_rootfs([&](int dest_root, int) {
                std::vector<WrittenFile> written;
                copy_items(dest_root, src_root, *shared_items, target, list ? &written : nullptr);
                if (list) save_written(list.get(), written);
            });
            if (list) copied_ = CopiedFiles{shared_items, known_content(*shared_items, load_written(list.get()))};
            log::timing("sources copied");
        }
    };
    return r;
}

storage::LayerRecord StageBuilder::squash_all_layer() {
    std::vector<std::string> dirs = {work_->dir() + "/upper"};
    for (auto it = image_.layers.rbegin(); it != image_.layers.rend(); ++it) dirs.push_back(sh_.store.layer_diff_dir(*it));
    image::StagingDir staging(sh_.store);
    const std::string path = staging.new_file("squashed.tar");
    {
        UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
        if (!fd) throw Error::sys("creating " + path);
        sh_.store.write_tree_tar(dirs, fd.get(), true, sh_.options.timestamp);
    }
    UniqueFd in(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!in) throw Error::sys("opening " + path);
    image::StagedBlob blob = image::stage_from_fd(staging, in.get(), path);
    return image::ingest_layer(sh_.store, blob, "", "", "", "the squashed layer");
}

}  // namespace

ImageState build_stage(BuildShared& shared, size_t index, bool final_stage) {
    StageBuilder b(shared, index, final_stage);
    return b.build();
}

}  // namespace pc::build
