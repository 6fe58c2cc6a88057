#include "compose/loader.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <map>
#include <set>

#include "common/log.hpp"
#include "common/strings.hpp"
#include "compose/canonical.hpp"
#include "compose/decode.hpp"
#include "compose/errors.hpp"
#include "compose/interpolation.hpp"
#include "compose/merge.hpp"
#include "compose/project_ops.hpp"
#include "compose/schema.hpp"
#include "compose/short_syntax.hpp"
#include "compose/yaml_reader.hpp"

extern char** environ;

namespace pc::compose {

namespace {

const char* const kDefaultFiles[] = {"compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml"};
const char* const kDefaultOverrides[] = {"compose.override.yml", "compose.override.yaml", "docker-compose.override.yml",
                                         "docker-compose.override.yaml"};

bool exists(const std::string& path, bool* is_dir = nullptr) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return false;
    if (is_dir) *is_dir = S_ISDIR(st.st_mode);
    return true;
}

std::string dir_of(const std::string& path) {
    size_t slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    if (slash == 0) return "/";
    return path.substr(0, slash);
}

std::string base_of(const std::string& path) {
    std::string p = path;
    while (p.size() > 1 && p.back() == '/') p.pop_back();
    size_t slash = p.rfind('/');
    return slash == std::string::npos ? p : p.substr(slash + 1);
}

std::string expand_home(const std::string& p, const EnvMap& env) {
    if (p.empty() || p[0] != '~') return p;
    auto home = env.find("HOME");
    if (home == env.end() || home->second.empty()) return p;
    return clean_path(home->second + "/" + p.substr(1));
}

std::string absolute(const std::string& p, const std::string& base) {
    if (!p.empty() && p[0] == '/') return clean_path(p);
    return clean_path(base + "/" + p);
}

std::string home_of(const EnvMap& env) {
    auto it = env.find("HOME");
    return it == env.end() ? "" : it->second;
}

Lookup env_lookup(const EnvMap& env) {
    return [&env](const std::string& k) -> std::optional<std::string> {
        if (auto it = env.find(k); it != env.end()) return it->second;
        return std::nullopt;
    };
}

SubstituteOptions warn_unset() {
    SubstituteOptions o;
    o.on_unset = [](const std::string& name) {
        log::warn_once("compose-unset-" + name,
                       "The \"" + name + "\" variable is not set. Defaulting to a blank string.");
    };
    return o;
}

// One load of a set of files: the main project, an included project, or an extended file.
struct Context {
    std::string working_dir;  // absolute: relative paths resolve against it
    EnvMap env;
    bool interpolate = true;
    bool validate = true;
    bool defaults = true;
    bool resolve_paths = true;
    bool include = true;
    bool extends = true;
};

struct Source {
    std::string path;  // absolute, or "-"
    std::shared_ptr<const std::string> name;  // shown in errors
    std::vector<YamlDocument> documents;
};

struct ExtendsRef {
    std::string file;
    std::string service;
};

class Loader {
public:
    explicit Loader(const LoadOptions& options) : options_(options) {}

    // The files named with -f (or found): these may be pipes.
    void set_top_level(const std::vector<std::string>& files) { top_level_.insert(files.begin(), files.end()); }

    // Reads and parses a file once per load.
    const Source& source(const std::string& path) {
        if (auto it = sources_.find(path); it != sources_.end()) return it->second;
        Source s;
        s.path = path;
        std::string text;
        if (path == "-") {
            s.name = std::make_shared<const std::string>("<stdin>");
            if (!options_.read_stdin) fail("-f -: no standard input to read the compose file from");
            text = options_.read_stdin();
        } else {
            s.name = std::make_shared<const std::string>(path);
            text = read_text_file(path, kMaxComposeFileBytes, top_level_.count(path) == 0);
        }
        s.documents = parse_yaml(text, s.name);
        return sources_.emplace(path, std::move(s)).first->second;
    }

    Node load_files(const std::vector<std::string>& files, const Context& ctx, std::vector<std::string> included) {
        Node dict = Node::mapping();
        for (const auto& file : files) {
            const Source& src = source(file);
            for (const auto& doc : src.documents) load_document(doc, src, ctx, dict, included);
        }
        if (ctx.defaults) set_default_values(dict);
        if (ctx.validate) check_semantics(dict);
        if (ctx.resolve_paths) resolve_relative_paths(dict, ctx.working_dir, home_of(ctx.env));
        resolve_list_environment(dict, ctx.env);
        return dict;
    }

private:
    void load_document(YamlDocument doc, const Source& src, const Context& ctx, Node& dict,
                       std::vector<std::string>& included) {
        Lookup lookup = env_lookup(ctx.env);
        if (ctx.interpolate) interpolate_tree(doc.root, lookup, warn_unset());
        if (ctx.include) {
            included.push_back(src.path);
            apply_include(doc.root, ctx, included);
        }
        apply_resets(dict, doc.reset_paths);
        if (ctx.extends) apply_extends(doc.root, src.path, ctx.working_dir, ctx, doc.reset_paths);
        dict = merge_nodes(std::move(dict), std::move(doc.root), Path{});
        enforce_unicity(dict);
        if (ctx.validate) {
            validate_schema(dict);
            if (dict.has("version")) {
                log::warn_once("compose-version-" + *src.name,
                               *src.name + ": the attribute `version` is obsolete, it will be ignored, please remove it "
                                           "to avoid potential confusion");
                dict.erase("version");
            }
        }
        canonicalize(dict, !ctx.interpolate);
        enforce_unicity(dict);
    }

    // ---- include -------------------------------------------------------------------

    void apply_include(Node& doc, const Context& ctx, const std::vector<std::string>& included) {
        Node* inc = doc.find("include");
        if (!inc) return;
        if (inc->is_null()) {
            doc.erase("include");
            return;
        }
        if (!inc->is_seq()) fail_at(inc->mark(), "`include` must be a list, got " + inc->scalar_text());
        // Taken out of the document first: importing resources adds keys to it.
        Node list = std::move(*inc);
        doc.erase("include");
        for (size_t i = 0; i < list.items().size(); ++i) include_one(list.items()[i], Path{"include"}.item(i), doc, ctx, included);
    }

    static std::vector<std::string> string_or_list(const Node* n, const Path& p) {
        std::vector<std::string> out;
        if (!n || n->is_null()) return out;
        if (n->is_string()) return {n->as_string()};
        if (!n->is_seq()) fail_at(n->mark(), p.str() + ": expected a string or a list of strings");
        for (const auto& i : n->items()) {
            if (!i.is_string()) fail_at(i.mark(), p.str() + ": expected a string");
            out.push_back(i.as_string());
        }
        return out;
    }

    void include_one(const Node& entry, const Path& at, Node& doc, const Context& ctx, const std::vector<std::string>& included) {
        std::vector<std::string> paths;
        std::string project_directory;
        std::vector<std::string> env_files;
        if (entry.is_string()) {
            paths = {entry.as_string()};
        } else if (entry.is_map()) {
            for (const auto& e : entry.entries())
                if (e.key != "path" && e.key != "project_directory" && e.key != "env_file")
                    fail_at(e.key_mark, at.str() + " additional properties '" + e.key + "' not allowed");
            paths = string_or_list(entry.find("path"), at.next("path"));
            if (const std::string* pd = entry.find_string("project_directory")) project_directory = *pd;
            env_files = string_or_list(entry.find("env_file"), at.next("env_file"));
        } else {
            fail_at(entry.mark(), at.str() + ": invalid type " + kind_name(entry.kind()) + " for include");
        }
        if (paths.empty()) fail_at(entry.mark(), at.str() + " missing property 'path'");
        for (auto& p : paths) p = absolute(expand_home(p, ctx.env), ctx.working_dir);
        if (project_directory.empty()) project_directory = dir_of(paths[0]);
        else project_directory = absolute(expand_home(project_directory, ctx.env), ctx.working_dir);
        if (std::find(included.begin(), included.end(), paths[0]) != included.end()) {
            std::string chain = included[0];
            for (size_t i = 1; i < included.size(); ++i) chain += "\n include " + included[i];
            fail_at(entry.mark(), "include cycle detected:\n" + chain + "\n include " + paths[0]);
        }
        for (const auto& p : paths)
            if (!exists(p)) fail_at(entry.mark(), "open " + p + ": no such file or directory");
        std::vector<std::string> env_paths;
        if (env_files.empty()) {
            bool dir = false;
            std::string dotenv = project_directory + "/.env";
            if (exists(dotenv, &dir) && !dir) env_paths.push_back(dotenv);
        } else {
            for (const auto& f : env_files) {
                if (f == "/dev/null") continue;
                std::string p = absolute(expand_home(f, ctx.env), ctx.working_dir);
                bool dir = false;
                if (!exists(p, &dir)) fail_at(entry.mark(), "stat " + p + ": no such file or directory");
                if (dir) fail_at(entry.mark(), p + " is not a file");
                env_paths.push_back(p);
            }
        }
        Context sub = ctx;
        sub.working_dir = project_directory;
        EnvMap from_files = read_env_files(ctx.env, env_paths);
        for (auto& [k, v] : from_files) sub.env.emplace(k, v);  // the including project's variables win
        Node imported = load_files(paths, sub, included);
        import_resources(imported, doc, paths[0]);
    }

    // Adds the included project's resources; the same name defined differently in the
    // including file is a conflict, as Docker Compose v2 reports it.
    static void import_resources(Node& imported, Node& doc, const std::string& from) {
        for (const char* kind : {"services", "volumes", "networks", "secrets", "configs", "models"}) {
            Node* src = imported.find(kind);
            if (!src || !src->is_map()) continue;
            Node* dst = doc.find(kind);
            if (!dst || dst->is_null()) dst = &doc.set(kind, Node::mapping(src->mark()));
            if (!dst->is_map()) continue;  // the schema reports it
            for (auto& e : src->entries()) {
                const MapEntry* existing = dst->find_entry(e.key);
                if (!existing) {
                    dst->entries().push_back(e);
                    continue;
                }
                if (existing->value == e.value) continue;
                fail_at(existing->key_mark, std::string(kind) + "." + e.key + " conflicts with imported resource (" +
                                                kind + "." + e.key + " of " + from + ")");
            }
        }
    }

    // ---- extends -------------------------------------------------------------------

    void apply_extends(Node& doc, const std::string& file, const std::string& base_dir, const Context& ctx,
                       const std::vector<Path>& resets) {
        Node* services = doc.find("services");
        if (!services) return;
        if (!services->is_map()) fail_at(services->mark(), "services must be a mapping");
        std::vector<std::string> names;
        for (const auto& e : services->entries()) names.push_back(e.key);
        for (const auto& name : names) resolve_extends(name, *services, file, base_dir, {}, resets, ctx);
    }

    // compose-go's applyServiceExtends: the service `name` of `services` with its base
    // merged under it (recursively), or null for a null service.
    Node resolve_extends(const std::string& name, Node& services, const std::string& file, const std::string& base_dir,
                         std::vector<ExtendsRef> chain, const std::vector<Path>& resets, const Context& ctx) {
        Node* svc = services.find(name);
        if (!svc || svc->is_null()) return Node::null();
        if (!svc->is_map()) fail_at(svc->mark(), "services." + name + " must be a mapping");
        const Node* ext = svc->find("extends");
        if (!ext) return *svc;
        std::string ref;
        std::string ref_file;
        if (ext->is_map()) {
            const std::string* s = ext->find_string("service");
            if (!s) fail_at(ext->mark(), "extends." + name + ".service is required");
            ref = *s;
            if (const std::string* f = ext->find_string("file")) ref_file = *f;
        } else if (ext->is_string()) {
            ref = ext->as_string();
        } else {
            fail_at(ext->mark(), "services." + name + ".extends: invalid type " + kind_name(ext->kind()) + " for extends");
        }
        Mark ext_mark = ext->mark();
        Node* base_services = &services;
        std::string base_file = file;
        std::string base_base_dir = base_dir;
        const std::vector<Path>* base_resets = &resets;
        if (!ref_file.empty()) {
            std::string path = absolute(expand_home(ref_file, ctx.env), base_dir);
            Extended& loaded = extended_file(path, name, file, ctx, ext_mark);
            Node* other = loaded.model.find("services");
            if (!other) fail_at(ext_mark, "cannot extend service \"" + name + "\" in " + path + ": no services section");
            if (!other->is_map())
                fail_at(other->mark(), "cannot extend service \"" + name + "\" in " + path + ": services must be a mapping");
            if (!other->has(ref))
                fail_at(ext_mark, "cannot extend service \"" + name + "\" in " + file + ": service \"" + ref +
                                      "\" not found in " + ref_file);
            base_services = other;
            base_file = path;
            base_base_dir = dir_of(path);
            base_resets = &loaded.resets;
        } else if (!services.has(ref)) {
            fail_at(ext_mark, "cannot extend service \"" + name + "\" in " + file + ": service \"" + ref + "\" not found");
        }
        for (const auto& c : chain)
            if (c.file == base_file && c.service == name) {
                std::string msg = "Circular reference:\n  " + chain[0].service + " in " + chain[0].file;
                for (size_t i = 1; i < chain.size(); ++i) msg += "\n  extends " + chain[i].service + " in " + chain[i].file;
                msg += "\n  extends " + name + " in " + base_file;
                fail_at(ext_mark, msg);
            }
        chain.push_back(ExtendsRef{base_file, name});
        Node base = resolve_extends(ref, *base_services, base_file, base_base_dir, chain, *base_resets, ctx);
        if (base.is_null()) return *svc;
        // !reset / !override on the extending service remove what it inherits.
        std::vector<Path> own;
        for (const auto& p : resets)
            if (p.size() > 2 && p[0] == "services" && p[1] == name) own.push_back(p);
        Node wrapper = Node::mapping();
        wrapper.set("services", Node::mapping()).set(name, std::move(base));
        apply_resets(wrapper, own);
        Node source = std::move(*wrapper.find("services")->find(name));
        Node merged = merge_nodes(std::move(source), *services.find(name), Path{"services", "x"});
        merged.erase("extends");
        *services.find(name) = merged;
        return merged;
    }

    struct Extended {
        Node model;
        std::vector<Path> resets;
    };

    // A file named by `extends.file`: interpolated and merged like any compose file, but
    // not validated (it may be a fragment), its relative paths resolved against its own
    // directory.
    Extended& extended_file(const std::string& path, const std::string& name, const std::string& from, const Context& ctx,
                            const Mark& mark) {
        if (auto it = extended_.find(path); it != extended_.end()) return it->second;
        if (!exists(path)) fail_at(mark, "cannot extend service \"" + name + "\" in " + from + ": open " + path +
                                             ": no such file or directory");
        const Source& src = source(path);
        Context sub = ctx;
        sub.validate = false;
        Extended e;
        e.model = Node::mapping();
        Lookup lookup = env_lookup(ctx.env);
        for (auto doc : src.documents) {
            if (ctx.interpolate) interpolate_tree(doc.root, lookup, warn_unset());
            apply_resets(e.model, doc.reset_paths);
            e.model = merge_nodes(std::move(e.model), std::move(doc.root), Path{});
            enforce_unicity(e.model);
            canonicalize(e.model, !ctx.interpolate);
            enforce_unicity(e.model);
            e.resets.insert(e.resets.end(), doc.reset_paths.begin(), doc.reset_paths.end());
        }
        resolve_relative_paths(e.model, dir_of(path), home_of(ctx.env));
        return extended_.emplace(path, std::move(e)).first->second;
    }

    const LoadOptions& options_;
    std::set<std::string> top_level_;
    std::map<std::string, Source> sources_;
    std::map<std::string, Extended> extended_;
};

// ---- project set-up (compose-go's cli.ProjectOptions) -----------------------------

struct Setup {
    EnvMap env;
    std::vector<std::string> files;  // absolute or "-"
    std::string working_dir;
    std::string project_name;
    bool name_given = false;  // -p or COMPOSE_PROJECT_NAME
    std::vector<std::string> profiles;
};

std::string working_dir_of(const LoadOptions& o, const std::vector<std::string>& files) {
    if (!o.project_directory.empty()) return absolute(o.project_directory, o.current_directory);
    for (const auto& f : files)
        if (f != "-") return dir_of(absolute(f, o.current_directory));
    return o.current_directory;
}

std::vector<std::string> env_file_paths(const LoadOptions& o, const std::vector<std::string>& explicit_files,
                                        const std::string& wd, const std::vector<std::string>& previous) {
    if (!explicit_files.empty()) return explicit_files;
    if (auto it = o.os_environment.find("COMPOSE_DISABLE_ENV_FILE"); it != o.os_environment.end()) {
        auto b = parse_compose_bool(it->second);
        if (!b && it->second != "1" && it->second != "0")
            fail("strconv.ParseBool: parsing \"" + it->second + "\": invalid syntax");
        if ((b && *b) || it->second == "1") return previous;
    }
    std::string dotenv = wd + "/.env";
    bool dir = false;
    if (exists(dotenv, &dir) && !dir) return {dotenv};
    return previous;
}

void merge_missing(EnvMap& env, const EnvMap& extra) {
    for (const auto& [k, v] : extra) env.emplace(k, v);
}

Setup setup(const LoadOptions& o, Loader& loader) {
    Setup s;
    s.env = o.os_environment;
    if (!s.env.count("PWD")) s.env["PWD"] = o.current_directory;

    std::vector<std::string> explicit_env_files;
    std::vector<std::string> env_files = o.env_files;
    if (env_files.empty())
        if (auto it = o.os_environment.find("COMPOSE_ENV_FILES"); it != o.os_environment.end())
            for (const auto& f : str::split(it->second, ','))
                if (!f.empty()) env_files.push_back(f);
    for (const auto& f : env_files) explicit_env_files.push_back(absolute(expand_home(f, o.os_environment), o.current_directory));

    for (const auto& f : o.files) s.files.push_back(f == "-" ? f : absolute(f, o.current_directory));

    // .env of the directory known so far: it may name COMPOSE_FILE.
    std::vector<std::string> dotenv = env_file_paths(o, explicit_env_files, working_dir_of(o, s.files), {});
    merge_missing(s.env, read_env_files(s.env, dotenv, true));

    if (s.files.empty()) {
        if (auto it = s.env.find("COMPOSE_FILE"); it != s.env.end()) {
            std::string sep = ":";
            if (auto p = s.env.find("COMPOSE_PATH_SEPARATOR"); p != s.env.end() && !p->second.empty()) sep = p->second;
            size_t start = 0;
            while (true) {
                size_t at = it->second.find(sep, start);
                std::string f = it->second.substr(start, at == std::string::npos ? std::string::npos : at - start);
                if (f == "-") {
                    s.files.push_back(f);
                } else {
                    std::string path = absolute(f, o.current_directory);
                    if (!exists(path)) fail("COMPOSE_FILE: stat " + path + ": no such file or directory");
                    s.files.push_back(path);
                }
                if (at == std::string::npos) break;
                start = at + sep.size();
            }
        }
    }
    if (s.files.empty()) {
        std::string dir = working_dir_of(o, s.files);
        while (true) {
            std::vector<std::string> found;
            for (const char* n : kDefaultFiles)
                if (exists(dir + (dir == "/" ? "" : "/") + n)) found.push_back(dir + (dir == "/" ? "" : "/") + n);
            if (!found.empty()) {
                if (found.size() > 1) {
                    log::warn("Found multiple config files with supported names: " + str::join(found, ", "));
                    log::warn("Using " + found[0]);
                }
                s.files.push_back(found[0]);
                std::vector<std::string> overrides;
                for (const char* n : kDefaultOverrides)
                    if (exists(dir + (dir == "/" ? "" : "/") + n)) overrides.push_back(dir + (dir == "/" ? "" : "/") + n);
                if (!overrides.empty()) {
                    if (overrides.size() > 1) {
                        log::warn("Found multiple override files with supported names: " + str::join(overrides, ", "));
                        log::warn("Using " + overrides[0]);
                    }
                    s.files.push_back(overrides[0]);
                }
                break;
            }
            if (dir == "/") break;
            dir = dir_of(dir);
        }
    }
    loader.set_top_level(s.files);
    if (s.files.empty())
        fail("no configuration file provided: not found (looked for compose.yaml, compose.yml, docker-compose.yml, "
             "docker-compose.yaml in " + working_dir_of(o, s.files) + " and its parent directories)");

    // .env of the project directory, now that the files are known.
    s.working_dir = working_dir_of(o, s.files);
    merge_missing(s.env, read_env_files(s.env, env_file_paths(o, explicit_env_files, s.working_dir, dotenv), true));

    if (!o.profiles.empty()) {
        s.profiles = o.profiles;
    } else if (auto it = s.env.find("COMPOSE_PROFILES"); it != s.env.end()) {
        for (const auto& p : str::split(it->second, ',')) {
            std::string t = str::trim(p);
            if (!t.empty()) s.profiles.push_back(t);
        }
    }

    auto invalid_name = [](const std::string& n) {
        fail("invalid project name \"" + n +
             "\": must consist only of lowercase alphanumeric characters, hyphens, and underscores as well as start "
             "with a letter or number");
    };
    if (!o.project_name.empty()) {
        if (normalize_project_name(o.project_name) != o.project_name) invalid_name(o.project_name);
        s.project_name = o.project_name;
        s.name_given = true;
    } else if (auto it = s.env.find("COMPOSE_PROJECT_NAME"); it != s.env.end() && !it->second.empty()) {
        if (normalize_project_name(it->second) != it->second) invalid_name(it->second);
        s.project_name = it->second;
        s.name_given = true;
    } else {
        // The files' `name:` (the last one set wins), interpolated; else the directory's.
        std::string from_files;
        bool named = false;
        for (const auto& f : s.files)
            for (const auto& doc : loader.source(f).documents)
                if (const Node* n = doc.root.find("name"); n && n->is_string() && !n->as_string().empty()) {
                    named = true;
                    std::string v = n->as_string();
                    if (o.interpolate) {
                        try {
                            v = substitute(v, env_lookup(s.env), warn_unset());
                        } catch (const std::exception& e) {
                            fail_at(n->mark(), std::string("error while interpolating name: ") + e.what());
                        }
                    }
                    from_files = v;
                }
        if (named) s.project_name = o.normalize ? normalize_project_name(from_files) : from_files;
        else s.project_name = normalize_project_name(base_of(s.working_dir));
    }
    s.env["COMPOSE_PROJECT_NAME"] = s.project_name;
    return s;
}

void fill_contents_from_environment(Project& p) {
    for (auto* objects : {&p.secrets, &p.configs})
        for (auto& [_, o] : *objects)
            if (!o.environment.empty())
                if (auto it = p.environment.find(o.environment); it != p.environment.end()) o.content = it->second;
}

LoadedModel load_model_with(const LoadOptions& options, Loader& loader) {
    Setup s = setup(options, loader);
    Context ctx;
    ctx.working_dir = s.working_dir;
    ctx.env = s.env;
    ctx.interpolate = options.interpolate;
    ctx.validate = options.validate;
    ctx.resolve_paths = options.resolve_paths;
    LoadedModel lm;
    lm.model = loader.load_files(s.files, ctx, {});
    if (lm.model.size() == 0) fail("empty compose file: " + str::join(s.files, ", "));
    if (s.project_name.empty())
        fail("project name must not be empty: use -p or `name:` (the directory name " + base_of(s.working_dir) +
             " has no character a project name may have)");
    if (options.normalize) {
        lm.model.set("name", Node::string(s.project_name));
        normalize(lm.model, s.project_name, s.env);
    }
    lm.project_name = s.project_name;
    lm.working_dir = s.working_dir;
    lm.compose_files = s.files;
    lm.environment = s.env;
    lm.profiles = s.profiles;
    return lm;
}

}  // namespace

std::string normalize_project_name(const std::string& name) {
    std::string out;
    for (char c : name) {
        char l = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
        if ((l >= 'a' && l <= 'z') || (l >= '0' && l <= '9') || l == '_' || l == '-') out.push_back(l);
    }
    size_t start = out.find_first_not_of("_-");
    return start == std::string::npos ? "" : out.substr(start);
}

LoadOptions process_load_options() {
    LoadOptions o;
    for (char** e = environ; e && *e; ++e) {
        std::string kv = *e;
        size_t eq = kv.find('=');
        if (eq == std::string::npos) continue;
        o.os_environment.emplace(kv.substr(0, eq), kv.substr(eq + 1));
    }
    char buf[PATH_MAX];
    if (::getcwd(buf, sizeof buf) == nullptr) throw Error::sys("getcwd");
    o.current_directory = buf;
    o.read_stdin = [] { return read_limited(STDIN_FILENO, "standard input", kMaxComposeFileBytes); };
    return o;
}

LoadedModel load_model(const LoadOptions& options) {
    Loader loader(options);
    return load_model_with(options, loader);
}

Project load_project(const LoadOptions& options) {
    Loader loader(options);
    LoadedModel lm = load_model_with(options, loader);
    Node model = std::move(lm.model);
    Project project = decode_project(model);
    project.name = lm.project_name;
    project.working_dir = lm.working_dir;
    project.compose_files = lm.compose_files;
    project.environment = std::move(lm.environment);
    project.document = std::make_shared<const Node>(std::move(model));
    fill_contents_from_environment(project);
    apply_profiles(project, lm.profiles);
    enable_services(project, options.services);
    if (options.consistency) check_consistency(project);
    select_services(project, options.services);
    if (!options.all_resources) drop_unused_resources(project);
    if (options.resolve_environment) resolve_service_environment(project, options.discard_env_files);
    resolve_service_labels(project, options.discard_env_files);
    if (options.consistency) check_container_name_unicity(project);
    return project;
}

}  // namespace pc::compose
