// pc rm / pc container rm / pc container prune
#include <algorithm>
#include <iostream>
#include <memory>

#include "cli/cidfile.hpp"
#include "cli/commands.hpp"
#include "cli/prune.hpp"
#include "common/error.hpp"
#include "common/strings.hpp"
#include "container/control.hpp"
#include "pod/pod_store.hpp"

namespace pc::cli {

namespace {

// Podman's exit codes for rm: 1 when a container does not exist, 2 when one is running
// (without -f), 125 for anything else.
constexpr int kExitNoSuch = 1;
constexpr int kExitRunning = 2;

struct RmFlags {
    bool force = false, all = false, volumes = false, ignore = false, depend = false;
    bool removing_all = false;  // rm --all: a pod's infra goes too, and the pod with it
    std::optional<unsigned> time;
    std::vector<std::string> names;
    std::vector<std::string> cidfiles;  // --cidfile
};

// Containers that joined `c`'s network namespace (--network container:C): removing `c`
// first would leave them without one, so Podman refuses it.
std::vector<container::Container> dependents_of(Context& ctx, const container::Container& c) {
    std::vector<container::Container> out;
    for (auto& other : ctx.containers().list())
        if (other.config.id != c.config.id && other.config.network_mode == "container:" + c.config.id)
            out.push_back(other);
    return out;
}

void remove_one(Context& ctx, container::Container& c, const RmFlags& f, std::vector<std::string>& removed) {
    if (c.config.infra && !f.removing_all)
        throw Error("container " + c.config.id + " is the infra container of pod " + c.config.pod +
                    " and cannot be removed without removing the pod");
    auto dependents = dependents_of(ctx, c);
    if (!dependents.empty() && !f.depend) {
        std::vector<std::string> ids;
        for (const auto& d : dependents) ids.push_back(d.config.id);
        throw Error("container " + c.config.id + " has dependent containers which must be removed before it: " +
                    str::join(ids, ",") + ": container already exists");
    }
    for (auto& d : dependents) remove_one(ctx, d, f, removed);
    if (c.state.running()) {
        if (!f.force)
            throw Error("cannot remove container " + c.config.id +
                            " as it is running - running or paused containers cannot be removed without force: container state improper",
                        kExitRunning);
        container::stop_container(ctx.containers(), c, f.time.value_or(0), true);
    }
    // The record disappears at once; the tree is deleted by a detached child.
    ctx.containers().remove(c, f.volumes || c.config.auto_remove, true);
    removed.push_back(c.config.id);
    if (c.config.infra) {
        // Podman's `rm --all` takes the pods whose infra it removes with it.
        pod::PodStore pods(ctx.containers());
        if (auto p = pods.find(c.config.pod)) {
            for (auto& member : pods.containers_of(p->id)) remove_one(ctx, member, f, removed);
            pods.remove(*p);
        }
    }
}

}  // namespace

CLI::App* add_rm(CLI::App& parent, Context& ctx, const std::string& name) {
    auto f = std::make_shared<RmFlags>();
    CLI::App* cmd = parent.add_subcommand(name, "Remove one or more containers");
    cmd->add_flag("-f,--force", f->force, "Force removal of a running or unusable container");
    cmd->add_flag("-a,--all", f->all, "Remove all containers");
    cmd->add_flag("-v,--volumes", f->volumes, "Remove anonymous volumes associated with the container");
    cmd->add_flag("-i,--ignore", f->ignore, "Ignore errors when a specified container is missing");
    cmd->add_option("-t,--time", f->time, "Seconds to wait for stop before killing the container");
    cmd->add_flag("--depend", f->depend, "Remove container and all containers that depend on the selected container");
    cmd->add_option("--cidfile", f->cidfiles, "Read the container ID from the file")->allow_extra_args(false);
    cmd->add_option("names", f->names, "Containers to remove");
    cmd->callback([&ctx, f] {
        for (const auto& file : f->cidfiles)
            if (auto id = read_cidfile(file, f->ignore)) f->names.push_back(*id);
        if (!f->cidfiles.empty() && f->names.empty() && !f->all) return;  // -i: only absent files named
        if (!f->all && f->names.empty()) usage_error("rm requires at least one argument (or --all)");
        if (f->all && !f->names.empty()) usage_error("when using the --all switch, you may not pass any containers names or IDs");
        int rc = 0;
        std::string last_error;
        auto fail = [&](const Error& e) {
            if (!last_error.empty()) std::cerr << "Error: " << last_error << std::endl;
            last_error = e.what();
            rc = rc == 0 ? e.exit_code() : (rc == e.exit_code() ? rc : kExitEngine);
        };
        std::vector<std::string> removed;
        if (f->all) {
            // Dependents first: a container is removed once nothing joins its network.
            RmFlags ordered = *f;
            ordered.depend = true;
            ordered.removing_all = true;
            for (auto& c : ctx.containers().list()) {
                if (std::find(removed.begin(), removed.end(), c.config.id) != removed.end()) continue;
                try {
                    std::vector<std::string> now;
                    remove_one(ctx, c, ordered, now);
                    for (const auto& id : now) std::cout << id << std::endl;
                    removed.insert(removed.end(), now.begin(), now.end());
                } catch (const Error& e) {
                    fail(e);
                }
            }
        }
        for (const auto& n : f->names) {
            try {
                auto c = ctx.containers().find(n);
                if (!c) {
                    if (f->ignore) continue;
                    throw Error("no container with name or ID \"" + n + "\" found: no such container", kExitNoSuch);
                }
                std::vector<std::string> now;
                remove_one(ctx, *c, *f, now);
                now.pop_back();  // the one asked for is printed as it was named
                for (const auto& id : now) std::cout << id << std::endl;
                std::cout << n << std::endl;
            } catch (const Error& e) {
                fail(e);
            }
        }
        if (!last_error.empty()) throw Error(last_error, rc);
    });
    return cmd;
}

std::vector<std::string> prune_containers(Context& ctx, const std::vector<std::string>& filters) {
    std::vector<std::string> removed;
    for (auto& c : ctx.containers().list()) {
        if (c.state.running()) continue;
        bool ok = true;
        for (const auto& flt : filters) {
            auto [k, v] = str::split_once(flt, '=');
            if (k != "label" || !v) throw Error("invalid filter \"" + flt + "\" (valid: label=KEY[=VALUE])");
            auto [lk, lv] = str::split_once(*v, '=');
            auto it = c.config.labels.find(lk);
            ok = ok && it != c.config.labels.end() && (!lv || it->second == *lv);
        }
        if (!ok) continue;
        ctx.containers().remove(c, c.config.auto_remove);
        removed.push_back(c.config.id);
    }
    return removed;
}

CLI::App* add_exists(CLI::App& parent, Context& ctx, const std::string& what,
                     bool (*found)(Context& ctx, const std::string& name)) {
    auto name = std::make_shared<std::string>();
    CLI::App* cmd = parent.add_subcommand("exists", "Check if a " + what + " exists in local storage");
    cmd->add_option(what, *name, what)->required();
    cmd->callback([&ctx, name, found] { ctx.exit_code = found(ctx, *name) ? 0 : 1; });
    return cmd;
}

CLI::App* add_container_prune(CLI::App& parent, Context& ctx, const std::string& name) {
    auto force = std::make_shared<bool>(false);
    auto filters = std::make_shared<std::vector<std::string>>();
    CLI::App* cmd = parent.add_subcommand(name, "Remove all non running containers");
    cmd->add_flag("-f,--force", *force, "Do not prompt for confirmation");
    cmd->add_option("--filter", *filters, "Provide filter values (e.g. 'label=<key>=<value>')")->allow_extra_args(false);
    cmd->callback([&ctx, filters, force] {
        for (const auto& id : prune_containers(ctx, *filters)) std::cout << id << std::endl;
    });
    return cmd;
}

}  // namespace pc::cli
