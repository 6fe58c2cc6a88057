// pc volume create|ls|inspect|rm|prune
#include <algorithm>
#include <iostream>
#include <memory>
#include <set>

#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "cli/prune.hpp"
#include "common/error.hpp"
#include "common/strings.hpp"
#include "storage/volumes.hpp"

namespace pc::cli {

namespace {
using nlohmann::json;
constexpr int kExitVolumeUnknown = 1;
constexpr int kExitVolumeInUse = 2;

json volume_json(const storage::VolumeRecord& v) {
    return {{"Name", v.name},           {"Driver", v.driver},   {"Mountpoint", v.mountpoint},
            {"CreatedAt", v.created_at}, {"Labels", v.labels},   {"Scope", v.scope},
            {"Options", v.options},     {"MountCount", 0},      {"NeedsCopyUp", v.needs_copy_up},
            {"NeedsChown", true},       {"Anonymous", v.anonymous}};
}

std::map<std::string, std::string> key_values(const std::vector<std::string>& items, const char* what) {
    std::map<std::string, std::string> out;
    for (const auto& i : items) {
        auto [k, v] = str::split_once(i, '=');
        if (k.empty()) throw Error(std::string("invalid ") + what + " \"" + i + "\": name is empty");
        out[k] = v.value_or("");
    }
    return out;
}

// Containers (ids) that mount the volume.
std::vector<std::string> volume_users(Context& ctx, const std::string& name) {
    std::vector<std::string> out;
    for (const auto& c : ctx.containers().list())
        for (const auto& m : c.config.mounts)
            if (m.type == "volume" && m.source == name) out.push_back(c.config.id);
    return out;
}

bool volume_matches(const storage::VolumeRecord& v, const std::vector<std::string>& filters, Context& ctx) {
    for (const auto& f : filters) {
        auto [k, val] = str::split_once(f, '=');
        if (!val) throw Error("invalid filter \"" + f + "\": expected KEY=VALUE");
        if (k == "name") {
            if (v.name.find(*val) == std::string::npos) return false;
        } else if (k == "driver") {
            if (v.driver != *val) return false;
        } else if (k == "label") {
            auto [lk, lv] = str::split_once(*val, '=');
            auto it = v.labels.find(lk);
            if (it == v.labels.end() || (lv && it->second != *lv)) return false;
        } else if (k == "dangling") {
            bool dangling = volume_users(ctx, v.name).empty();
            if (dangling != (*val == "true" || *val == "1")) return false;
        } else {
            throw Error("invalid volume filter \"" + k + "\" (valid: name, driver, label, dangling)");
        }
    }
    return true;
}
}  // namespace

std::vector<std::string> prune_volumes(Context& ctx, const std::vector<std::string>& filters) {
    storage::Volumes volumes(ctx.store());
    std::set<std::string> used;
    for (const auto& c : ctx.containers().list())
        for (const auto& m : c.config.mounts)
            if (m.type == "volume") used.insert(m.source);
    std::vector<std::string> removed;
    for (const auto& v : volumes.list()) {
        if (used.count(v.name) || !volume_matches(v, filters, ctx)) continue;
        volumes.remove(v.name);
        removed.push_back(v.name);
    }
    return removed;
}

void register_volume(CLI::App& app, Context& ctx) {
    CLI::App* vol = app.add_subcommand("volume", "Manage volumes");
    vol->require_subcommand(1);

    struct CreateFlags {
        std::vector<std::string> labels, opts;
        std::string driver = "local", name;
        bool ignore = false;
    };
    auto cf = std::make_shared<CreateFlags>();
    CLI::App* create = vol->add_subcommand("create", "Create a new volume");
    create->add_option("-l,--label", cf->labels, "Set metadata for a volume (e.g., --label mykey=value)")->allow_extra_args(false);
    create->add_option("-o,--opt", cf->opts, "Set driver specific options")->allow_extra_args(false);
    create->add_option("-d,--driver", cf->driver, "Specify volume driver name");
    create->add_flag("--ignore", cf->ignore, "Don't fail if volume already exists");
    create->add_option("name", cf->name, "Volume name");
    create->callback([&ctx, cf] {
        if (cf->driver != "local") throw Error("volume driver \"" + cf->driver + "\" is not supported (only local)");
        if (!cf->opts.empty()) throw Error("volume options (-o) are not supported by the local driver of pc yet");
        storage::Volumes volumes(ctx.store());
        if (cf->ignore && !cf->name.empty() && volumes.find(cf->name)) {
            std::cout << cf->name << std::endl;
            return;
        }
        auto v = volumes.create(cf->name, key_values(cf->labels, "label"), {});
        std::cout << v.name << std::endl;
    });

    struct LsFlags {
        std::string format;
        bool quiet = false, noheading = false;
        std::vector<std::string> filters;
    };
    auto lf = std::make_shared<LsFlags>();
    CLI::App* ls = vol->add_subcommand("ls", "List volumes");
    ls->alias("list");
    ls->add_option("--format", lf->format, "Format volume output using JSON or a Go template");
    ls->add_flag("-q,--quiet", lf->quiet, "Print volume output in quiet mode");
    ls->add_flag("-n,--noheading", lf->noheading, "Do not print headers");
    ls->add_option("-f,--filter", lf->filters, "Filter volume output")->allow_extra_args(false);
    ls->callback([&ctx, lf] {
        Listing l;
        for (const auto& v : storage::Volumes(ctx.store()).list()) {
            if (!volume_matches(v, lf->filters, ctx)) continue;
            l.json_rows.push_back(volume_json(v));
            l.template_rows.push_back(volume_json(v));
        }
        l.default_format = "table {{.Driver}}\t{{.Name}}";
        l.headers = {{"Driver", "DRIVER"}, {"Name", "VOLUME NAME"}};
        std::string format = lf->format;
        if (lf->quiet && format.empty()) format = "{{.Name}}";
        print_listing(l, format, lf->noheading);
    });

    struct InspectFlags {
        std::string format;
        bool all = false;
        std::vector<std::string> names;
    };
    auto inf = std::make_shared<InspectFlags>();
    CLI::App* inspect = vol->add_subcommand("inspect", "Display detailed information on one or more volumes");
    inspect->add_option("-f,--format", inf->format, "Format volume output using a Go template");
    inspect->add_flag("-a,--all", inf->all, "Inspect all volumes");
    inspect->add_option("names", inf->names, "Volumes");
    inspect->callback([&ctx, inf] {
        storage::Volumes volumes(ctx.store());
        std::vector<json> found;
        std::string error;
        if (inf->all)
            for (const auto& v : volumes.list()) found.push_back(volume_json(v));
        if (!inf->all && inf->names.empty()) usage_error("provide one or more volume names or use --all");
        for (const auto& n : inf->names) {
            if (auto v = volumes.find(n)) found.push_back(volume_json(*v));
            else error = "no such volume " + n;
        }
        if (inf->format.empty() || inf->format == "json") std::cout << podman_json(found) << std::endl;
        else print_each_with_template(found, inf->format, "inspect");
        if (!error.empty()) throw Error(error);
    });

    struct RmFlags {
        bool force = false, all = false;
        std::vector<std::string> names;
    };
    auto rf = std::make_shared<RmFlags>();
    CLI::App* rm = vol->add_subcommand("rm", "Remove one or more volumes");
    rm->alias("remove");
    rm->add_flag("-f,--force", rf->force, "Remove a volume by force, even if it is being used by a container");
    rm->add_flag("-a,--all", rf->all, "Remove all volumes");
    rm->add_option("names", rf->names, "Volumes");
    rm->callback([&ctx, rf] {
        storage::Volumes volumes(ctx.store());
        std::vector<std::string> names = rf->names;
        if (rf->all)
            for (const auto& v : volumes.list()) names.push_back(v.name);
        if (names.empty() && !rf->all) usage_error("choose either one or more volumes or all");
        std::string last;
        int rc = 0;
        for (const auto& n : names) {
            try {
                if (!volumes.find(n)) throw Error("no volume with name \"" + n + "\" found: no such volume", kExitVolumeUnknown);
                auto users = volume_users(ctx, n);
                if (!users.empty()) {
                    if (!rf->force)
                        throw Error("volume " + n + " is being used by the following container(s): " + str::join(users, ", ") +
                                        ": volume is being used",
                                    kExitVolumeInUse);
                    for (const auto& id : users) {
                        auto c = ctx.containers().find(id);
                        if (!c) continue;
                        if (c->state.running()) throw Error("volume " + n + " is used by running container " + c->config.name + "; stop it first");
                        ctx.containers().remove(*c);
                    }
                }
                volumes.remove(n);
                std::cout << n << std::endl;
            } catch (const Error& e) {
                if (!last.empty()) std::cerr << "Error: " << last << std::endl;
                last = e.what();
                rc = rc == 0 ? e.exit_code() : kExitVolumeUnknown;
            }
        }
        if (!last.empty()) throw Error(last, rc);
    });

    auto pf = std::make_shared<std::vector<std::string>>();
    auto pforce = std::make_shared<bool>(false);
    CLI::App* prune = vol->add_subcommand("prune", "Remove all unused volumes");
    prune->add_flag("-f,--force", *pforce, "Do not prompt for confirmation");
    prune->add_option("--filter", *pf, "Provide filter values (e.g. 'label=<key>=<value>')")->allow_extra_args(false);
    prune->callback([&ctx, pf, pforce] {
        for (const auto& name : prune_volumes(ctx, *pf)) std::cout << name << std::endl;
    });

    add_exists(*vol, ctx, "volume", [](Context& c, const std::string& n) {
        const auto all = storage::Volumes(c.store()).list();
        return std::any_of(all.begin(), all.end(), [&n](const auto& v) { return v.name == n; });
    });
}

}  // namespace pc::cli
