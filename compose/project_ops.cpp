#include "compose/project_ops.hpp"

#include <fnmatch.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>
#include <set>

#include "common/strings.hpp"
#include "compose/dotenv.hpp"
#include "compose/errors.hpp"

namespace pc::compose {

namespace {

const char* kInvalid = ": invalid compose project";

Path svc_path(const std::string& name) { return Path{"services", name}; }

[[noreturn]] void fail_service(const Project& p, const Path& path, const std::string& message) {
    fail_at(p.locate(path), message);
}

void check_restart_policy(const Project& p, const Service& s) {
    const std::string& r = s.restart;
    if (r.empty() || r == "no" || r == "always" || r == "unless-stopped" || r == "on-failure") return;
    if (r.rfind("on-failure:", 0) == 0 && str::parse_u64(r.substr(11))) return;
    fail_service(p, svc_path(s.name).next("restart"),
                 "services." + s.name + ".restart: invalid restart policy \"" + r +
                     "\" (valid: no, always, on-failure[:max-retries], unless-stopped)");
}

void check_mounts(const Project& p, const Service& s) {
    std::map<std::string, std::string> mounts;
    for (size_t i = 0; i < s.tmpfs.size(); ++i) {
        std::string loc = "services." + s.name + ".tmpfs[" + std::to_string(i) + "]";
        std::string target = s.tmpfs[i].substr(0, s.tmpfs[i].find(':'));
        if (auto it = mounts.find(target); it != mounts.end())
            fail_service(p, svc_path(s.name).next("tmpfs").item(i),
                         loc + ": target " + target + " already mounted as " + it->second);
        mounts[target] = loc;
    }
    for (size_t i = 0; i < s.volumes.size(); ++i) {
        std::string loc = "services." + s.name + ".volumes[" + std::to_string(i) + "]";
        const std::string& target = s.volumes[i].target;
        if (auto it = mounts.find(target); it != mounts.end())
            fail_service(p, svc_path(s.name).next("volumes").item(i),
                         loc + ": target " + target + " already mounted as " + it->second);
        mounts[target] = loc;
    }
}

void check_service(Project& p, Service& s) {
    const std::string q = "\"" + s.name + "\"";
    Path at = svc_path(s.name);
    if (!s.build && s.image.empty() && !s.provider)
        fail_service(p, at, "service " + q + " has neither an image nor a build context specified" + kInvalid);
    if (s.build) {
        if (!s.build->dockerfile_inline.empty() && !s.build->dockerfile.empty())
            fail_service(p, at.next("build"),
                         "service " + q + " declares mutually exclusive dockerfile and dockerfile_inline" + kInvalid);
        for (const auto& [name, ctx] : s.build->additional_contexts) {
            if (ctx.rfind("service:", 0) != 0) continue;
            std::string target = ctx.substr(8);
            auto t = p.services.find(target);
            Path where = at.next("build").next("additional_contexts").next(name);
            if (t == p.services.end())
                fail_service(p, where, "service " + q + " declares unknown service \"" + target + "\" as additional contexts " + name);
            if (!t->second.build)
                fail_service(p, where, "service " + q + " declares non-buildable service \"" + target +
                                           "\" as additional contexts " + name);
        }
        if (!s.build->platforms.empty() && !s.platform.empty() &&
            std::find(s.build->platforms.begin(), s.build->platforms.end(), s.platform) == s.build->platforms.end())
            fail_service(p, at.next("platform"),
                         "service.build.platforms MUST include service.platform \"" + s.platform + "\"" + kInvalid);
    }
    if (!s.network_mode.empty() && !s.networks.empty())
        fail_service(p, at.next("network_mode"),
                     "service " + s.name + " declares mutually exclusive `network_mode` and `networks`" + kInvalid);
    for (const auto& [net, _] : s.networks)
        if (!p.networks.count(net))
            fail_service(p, at.next("networks").next(net),
                         "service " + q + " refers to undefined network " + net + kInvalid);
    if (s.healthcheck && !s.healthcheck->test.empty()) {
        const std::string& t0 = s.healthcheck->test[0];
        if (t0 != "CMD" && t0 != "CMD-SHELL" && t0 != "NONE")
            fail_service(p, at.next("healthcheck").next("test"),
                         "services." + s.name + ".healthcheck.test must start either by \"CMD\", \"CMD-SHELL\" or \"NONE\"");
    }
    for (const auto& [dep, cfg] : s.depends_on) {
        if (p.services.count(dep)) continue;
        if (p.disabled_services.count(dep) && !cfg.required) continue;
        std::string extra;
        if (auto d = p.disabled_services.find(dep); d != p.disabled_services.end())
            extra = " (it is only in profile(s) " + str::join(d->second.profiles, ", ") + ": enable one with --profile)";
        fail_service(p, at.next("depends_on").next(dep),
                     "service " + q + " depends on undefined service \"" + dep + "\"" + kInvalid + extra);
    }
    if (s.network_mode.rfind("service:", 0) == 0) {
        std::string target = s.network_mode.substr(8);
        if (!p.services.count(target))
            fail_service(p, at.next("network_mode"),
                         "service \"" + target + "\" not found for network_mode 'service:" + target + "'");
    }
    for (size_t i = 0; i < s.volumes.size(); ++i) {
        const auto& v = s.volumes[i];
        if (v.type == "volume" && !v.source.empty() && !p.volumes.count(v.source))
            fail_service(p, at.next("volumes").item(i),
                         "service " + q + " refers to undefined volume " + v.source + kInvalid);
    }
    if (s.build)
        for (size_t i = 0; i < s.build->secrets.size(); ++i)
            if (!p.secrets.count(s.build->secrets[i].source))
                fail_service(p, at.next("build").next("secrets").item(i),
                             "service " + q + " refers to undefined build secret " + s.build->secrets[i].source + kInvalid);
    for (size_t i = 0; i < s.configs.size(); ++i)
        if (!p.configs.count(s.configs[i].source))
            fail_service(p, at.next("configs").item(i),
                         "service " + q + " refers to undefined config " + s.configs[i].source + kInvalid);
    for (const auto& [model, _] : s.models)
        if (!p.models.count(model))
            fail_service(p, at.next("models").next(model), "service " + q + " refers to undefined model " + model + kInvalid);
    for (size_t i = 0; i < s.secrets.size(); ++i)
        if (!p.secrets.count(s.secrets[i].source))
            fail_service(p, at.next("secrets").item(i),
                         "service " + q + " refers to undefined secret " + s.secrets[i].source + kInvalid);
    if (s.scale && s.deploy) {
        if (s.deploy->replicas && *s.scale != *s.deploy->replicas)
            fail_service(p, at.next("scale"),
                         "services." + s.name + ": can't set distinct values on 'scale' and 'deploy.replicas'" + kInvalid);
        s.deploy->replicas = s.scale;
    }
    if (s.scale && *s.scale < 0)
        fail_service(p, at.next("scale"), "services." + s.name + ".scale: must be greater than or equal to 0");
    if (s.deploy && s.deploy->replicas && *s.deploy->replicas < 0)
        fail_service(p, at.next("deploy").next("replicas"),
                     "services." + s.name + ".deploy.replicas: must be greater than or equal to 0");
    const Resource* limits = s.deploy && s.deploy->resources.limits ? &*s.deploy->resources.limits : nullptr;
    const Resource* reservations =
        s.deploy && s.deploy->resources.reservations ? &*s.deploy->resources.reservations : nullptr;
    auto distinct = [&](const char* a, const char* b) {
        fail_service(p, at.next(a),
                     "services." + s.name + ": can't set distinct values on '" + a + "' and '" + b + "'" + kInvalid);
    };
    if (s.cpus != 0 && limits && limits->cpus != s.cpus) distinct("cpus", "deploy.resources.limits.cpus");
    if (s.mem_limit != 0 && limits && limits->memory != s.mem_limit) distinct("mem_limit", "deploy.resources.limits.memory");
    if (s.mem_reservation != 0 && reservations && reservations->memory != s.mem_reservation)
        distinct("mem_reservation", "deploy.resources.reservations.memory");
    if (s.pids_limit != 0 && limits && limits->pids != s.pids_limit) distinct("pids_limit", "deploy.resources.limits.pids");
    if (s.replicas() > 1 && !s.container_name.empty()) {
        std::string attr = s.scale ? "scale" : "deploy.replicas";
        fail_service(p, at.next("container_name"),
                     "services." + s.name + ": can't set container_name and " + attr +
                         " as container name must be unique" + kInvalid);
    }
    if (s.develop)
        for (size_t i = 0; i < s.develop->watch.size(); ++i) {
            const auto& w = s.develop->watch[i];
            if (w.target.empty() && w.action != "rebuild" && w.action != "restart")
                fail_service(p, at.next("develop").next("watch").item(i),
                             "services." + s.name + ".develop.watch: target is required for non-rebuild actions" + kInvalid);
        }
    check_mounts(p, s);
    check_restart_policy(p, s);
}

// A file read by env_file / label_file: absent (false) or read into `vars`.
bool read_mapping_file(const std::string& path, const std::string& format, EnvMap& vars, const Lookup& lookup,
                       const Mark& mark) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        if (errno == ENOENT) return false;
        fail_at(mark, "stat " + path + ": " + std::strerror(errno));
    }
    std::string text = read_text_file(path, 8u << 20);
    try {
        parse_env_text(text, vars, lookup, format);
    } catch (const std::exception& e) {
        std::string msg = e.what();
        if (msg.rfind("unsupported", 0) == 0) fail_at(mark, msg);
        fail_at(mark, "failed to read " + path + ": " + msg);
    }
    return true;
}

// A path left relative (config --no-path-resolution) is read from the project directory.
std::string in_project(const Project& p, const std::string& path) {
    if (path.empty() || path[0] == '/' || p.working_dir.empty()) return path;
    return p.working_dir + "/" + path;
}

bool glob_match(const std::string& pattern, const std::string& name) {
    return ::fnmatch(pattern.c_str(), name.c_str(), 0) == 0;
}

}  // namespace

int64_t Service::replicas() const {
    if (scale) return *scale;
    if (deploy && deploy->replicas) return *deploy->replicas;
    return 1;
}

Mark Project::locate(const Path& path) const {
    if (!document) return {};
    const Node* at = document.get();
    Mark best = at->mark();
    for (size_t i = 0; i < path.size() && at; ++i) {
        if (path.is_item(i)) {
            size_t index = std::stoul(path[i]);
            if (!at->is_seq() || index >= at->items().size()) break;
            at = &at->items()[index];
            if (at->mark().known()) best = at->mark();
        } else {
            const MapEntry* e = at->is_map() ? at->find_entry(path[i]) : nullptr;
            if (!e) break;
            if (e->key_mark.known()) best = e->key_mark;
            at = &e->value;
        }
    }
    return best;
}

void apply_profiles(Project& project, const std::vector<std::string>& profiles) {
    std::map<std::string, Service> all = std::move(project.services);
    for (auto& [name, s] : project.disabled_services) all.emplace(name, std::move(s));
    project.services.clear();
    project.disabled_services.clear();
    for (auto& [name, s] : all) {
        bool on = s.profiles.empty();
        for (const auto& p : profiles)
            if (p == "*" || std::find(s.profiles.begin(), s.profiles.end(), p) != s.profiles.end()) on = true;
        (on ? project.services : project.disabled_services).emplace(name, std::move(s));
    }
    project.profiles = profiles;
}

void enable_services(Project& project, const std::vector<std::string>& names) {
    std::vector<std::string> todo = names;
    std::set<std::string> seen;
    while (!todo.empty()) {
        std::string name = todo.back();
        todo.pop_back();
        if (!seen.insert(name).second) continue;
        auto it = project.services.find(name);
        if (it == project.services.end()) {
            auto d = project.disabled_services.find(name);
            if (d == project.disabled_services.end()) {
                bool glob = name.find_first_of("*?[") != std::string::npos;
                if (glob) continue;  // matched against enabled services by select_services
                fail("no such service: " + name);
            }
            for (const auto& p : d->second.profiles)
                if (std::find(project.profiles.begin(), project.profiles.end(), p) == project.profiles.end())
                    project.profiles.push_back(p);
            it = project.services.emplace(name, std::move(d->second)).first;
            project.disabled_services.erase(d);
        }
        for (const auto& [dep, cfg] : it->second.depends_on)
            if (cfg.required || project.disabled_services.count(dep) == 0) todo.push_back(dep);
    }
}

void select_services(Project& project, const std::vector<std::string>& names, bool with_dependencies) {
    if (names.empty()) return;
    std::set<std::string> keep;
    std::function<void(const std::string&, bool, bool)> visit = [&](const std::string& pattern, bool dependency,
                                                                     bool required) {
        bool matched = false;
        for (const auto& [name, s] : project.services) {
            if (!glob_match(pattern, name)) continue;
            matched = true;
            if (!keep.insert(name).second) continue;
            if (with_dependencies)
                for (const auto& [dep, cfg] : s.depends_on) visit(dep, true, cfg.required);
        }
        if (!matched && (!dependency || required)) fail("no such service: " + pattern);
    };
    for (const auto& n : names) visit(n, false, true);
    for (auto it = project.services.begin(); it != project.services.end();) {
        if (keep.count(it->first)) {
            ++it;
            continue;
        }
        std::string gone = it->first;
        project.disabled_services.emplace(gone, std::move(it->second));
        it = project.services.erase(it);
        for (auto& [_, s] : project.services) s.depends_on.erase(gone);
    }
}

void drop_unused_resources(Project& project) {
    std::set<std::string> nets, vols, secrets, configs, models;
    for (const auto& [_, s] : project.services) {
        for (const auto& [n, _2] : s.networks) nets.insert(n);
        for (const auto& v : s.volumes)
            if (v.type == "volume" && !v.source.empty()) vols.insert(v.source);
        for (const auto& sec : s.secrets) secrets.insert(sec.source);
        if (s.build)
            for (const auto& sec : s.build->secrets) secrets.insert(sec.source);
        for (const auto& c : s.configs) configs.insert(c.source);
        for (const auto& [m, _2] : s.models) models.insert(m);
    }
    auto prune = [](auto& map, const std::set<std::string>& used) {
        for (auto it = map.begin(); it != map.end();) it = used.count(it->first) ? std::next(it) : map.erase(it);
    };
    prune(project.networks, nets);
    prune(project.volumes, vols);
    prune(project.secrets, secrets);
    prune(project.configs, configs);
    prune(project.models, models);
}

void resolve_service_environment(Project& project, bool discard) {
    const EnvMap& penv = project.environment;
    for (auto& entry : project.services) {
        const std::string& name = entry.first;
        Service& s = entry.second;
        for (auto& [k, v] : s.environment)
            if (!v)
                if (auto it = penv.find(k); it != penv.end()) v = it->second;
        EnvMap environment;
        for (const auto& [k, v] : s.environment)
            if (v) environment[k] = *v;
        Lookup lookup = [&](const std::string& k) -> std::optional<std::string> {
            if (auto it = penv.find(k); it != penv.end()) return it->second;
            if (auto it = s.environment.find(k); it != s.environment.end() && it->second) return *it->second;
            return std::nullopt;
        };
        for (size_t i = 0; i < s.env_file.size(); ++i) {
            const EnvFile& f = s.env_file[i];
            Mark mark = project.locate(svc_path(name).next("env_file").item(i));
            std::string path = in_project(project, f.path);
            if (!read_mapping_file(path, f.format, environment, lookup, mark) && f.required)
                fail_at(mark, "env file " + path + " not found: stat " + path + ": no such file or directory");
        }
        NullableStringMap merged;
        for (auto& [k, v] : environment) merged[k] = v;
        for (auto& [k, v] : s.environment) merged[k] = v;
        s.environment = std::move(merged);
        if (discard) s.env_file.clear();
    }
}

void resolve_service_labels(Project& project, bool discard) {
    for (auto& [name, s] : project.services) {
        EnvMap labels;
        for (size_t i = 0; i < s.label_file.size(); ++i) {
            EnvMap vars;
            Lookup lookup = [&](const std::string& k) -> std::optional<std::string> {
                if (auto it = labels.find(k); it != labels.end()) return it->second;
                return std::nullopt;
            };
            Mark mark = project.locate(svc_path(name).next("label_file").item(i));
            std::string path = in_project(project, s.label_file[i]);
            if (!read_mapping_file(path, "", vars, lookup, mark))
                fail_at(mark, "label file " + path + " not found: stat " + path + ": no such file or directory");
            for (auto& [k, v] : vars) labels[k] = v;
        }
        for (auto& [k, v] : s.labels) labels[k] = v;
        if (!labels.empty()) s.labels = labels;
        if (discard) s.label_file.clear();
    }
}

void check_consistency(Project& project) {
    for (auto& [_, s] : project.services) check_service(project, s);
    for (const auto& [name, secret] : project.secrets)
        if (!secret.external && secret.file.empty() && secret.environment.empty())
            fail_at(project.locate(Path{"secrets", name}),
                    "secret \"" + name + "\" must declare either `file` or `environment`" + std::string(kInvalid));
    check_dependency_cycles(project);
}

void check_container_name_unicity(const Project& project) {
    std::map<std::string, std::string> names;
    for (const auto& [name, s] : project.services) {
        if (s.container_name.empty()) continue;
        if (auto it = names.find(s.container_name); it != names.end())
            fail_at(project.locate(svc_path(name).next("container_name")),
                    "services." + name + ": container name \"" + s.container_name + "\" is already in use by service " +
                        it->second);
        names[s.container_name] = name;
    }
}

void check_dependency_cycles(Project& project) {
    for (auto& [name, s] : project.services) {
        for (auto it = s.depends_on.begin(); it != s.depends_on.end();) {
            if (project.services.count(it->first)) {
                ++it;
                continue;
            }
            Mark mark = project.locate(svc_path(name).next("depends_on").next(it->first));
            if (it->second.required) {
                if (auto d = project.disabled_services.find(it->first); d != project.disabled_services.end())
                    fail_at(mark, "service \"" + it->first + "\" is required by \"" + name +
                                      "\" but is disabled. Can be enabled by profiles [" +
                                      str::join(d->second.profiles, " ") + "]");
                fail_at(mark, "service \"" + name + "\" depends on unknown service \"" + it->first + "\"");
            }
            it = s.depends_on.erase(it);
        }
    }
    // Depth-first from each service in name order, children in name order (compose-go's
    // order, so the reported cycle is the same).
    std::vector<std::string> path;
    std::set<std::string> done;
    std::function<void(const std::string&)> search = [&](const std::string& name) {
        for (const auto& [dep, _] : project.services.at(name).depends_on) {
            auto at = std::find(path.begin(), path.end(), dep);
            if (at != path.end()) {
                std::vector<std::string> cycle(at, path.end());
                fail_at(project.locate(svc_path(name).next("depends_on").next(dep)),
                        "dependency cycle detected: " + str::join(cycle, " -> ") + " -> " + dep);
            }
            if (done.count(dep)) continue;
            path.push_back(dep);
            search(dep);
            path.pop_back();
        }
        done.insert(name);
    };
    for (const auto& [name, _] : project.services) {
        if (done.count(name)) continue;
        path.assign(1, name);
        search(name);
    }
}

std::vector<std::string> services_in_dependency_order(const Project& project) {
    std::vector<std::string> order;
    std::set<std::string> placed;
    std::function<void(const std::string&)> place = [&](const std::string& name) {
        if (placed.count(name) || !project.services.count(name)) return;
        placed.insert(name);
        for (const auto& [dep, _] : project.services.at(name).depends_on) place(dep);
        order.push_back(name);
    };
    for (const auto& [name, _] : project.services) place(name);
    return order;
}

}  // namespace pc::compose
