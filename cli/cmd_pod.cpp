// pc pod create|ps|inspect|start|stop|restart|kill|pause|unpause|rm|prune|exists|top|logs|stats,
// with Podman 4.3's flags, output shapes and exit codes.
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>

#include "cli/commands.hpp"
#include "cli/context.hpp"
#include "cli/network_flags.hpp"
#include "cli/output.hpp"
#include "cli/pod_views.hpp"
#include "cli/stats_collector.hpp"
#include "cli/stats_view.hpp"
#include "cli/table_writer.hpp"
#include "cli/time_input.hpp"
#include "common/atomic_file.hpp"
#include "common/error.hpp"
#include "common/strings.hpp"
#include "container/cgroups.hpp"
#include "container/control.hpp"
#include "container/top.hpp"
#include "pod/pod_ops.hpp"
#include "pod/pod_status.hpp"

namespace pc::cli {

namespace {

// `pod rm` of a pod that does not exist exits 1, as Podman's rm commands do.
constexpr int kExitNoSuchPod = 1;

pod::PodStore pods_of(Context& ctx) { return pod::PodStore(ctx.containers()); }

// The pods named (or the latest with -l, or all with -a), resolved before anything is done.
struct PodTargets {
    bool all = false, latest = false;
    std::vector<std::string> names;
};

void add_pod_targets(CLI::App* cmd, PodTargets& t, bool with_all = true) {
    if (with_all) cmd->add_flag("-a,--all", t.all, "Act on all pods");
    cmd->add_flag("-l,--latest", t.latest, "Act on the latest pod pc is aware of");
    cmd->add_option("pods", t.names, "Pods");
}

std::vector<pod::PodConfig> resolve(pod::PodStore& pods, const PodTargets& t, const std::string& verb) {
    if (t.all && !t.names.empty()) usage_error("when using the --all switch, you may not pass any pod names or IDs");
    if (!t.all && !t.latest && t.names.empty()) usage_error("you must provide at least one name or id");
    if (t.all) return pods.list();
    if (t.latest) {
        auto all = pods.list();
        if (all.empty()) throw Error("no pods to " + verb + ": no such pod");
        return {all.front()};
    }
    std::vector<pod::PodConfig> out;
    for (const auto& n : t.names) out.push_back(pods.get(n));
    return out;
}

// Prints each pod's id as Podman does after acting on it, and the containers' errors:
// "Error: ..." on stderr per failed container, exit 125 when any failed.
void report(const pod::PodConfig& pod, const std::vector<pod::ContainerResult>& results, int& rc) {
    bool failed = false;
    for (const auto& r : results) {
        if (r.error.empty()) continue;
        std::cerr << "Error: " << r.error << std::endl;
        failed = true;
    }
    if (failed) rc = kExitEngine;
    else std::cout << pod.id << std::endl;
}

// The same loop for every verb: resolve, act on each pod, report.
void for_each_pod(Context& ctx, const PodTargets& t, const std::string& verb,
                  const std::function<std::vector<pod::ContainerResult>(pod::PodStore&, const pod::PodConfig&)>& act) {
    pod::PodStore pods = pods_of(ctx);
    int rc = 0;
    for (const auto& p : resolve(pods, t, verb)) {
        try {
            report(p, act(pods, p), rc);
        } catch (const Error& e) {
            std::cerr << "Error: " << e.what() << std::endl;
            rc = e.exit_code();
        }
    }
    ctx.exit_code = rc;
}

// --- pod create ------------------------------------------------------------------------

struct CreateFlags {
    pod::PodCreateOptions options;
    std::string share;
    bool share_given = false;
    std::string infra = "true";
    std::string pod_id_file, infra_image, infra_command, infra_conmon_pidfile;
    bool replace = false;
    std::vector<std::string> label_files;
};

CLI::App* add_pod_create(CLI::App& parent, Context& ctx) {
    auto f = std::make_shared<CreateFlags>();
    CLI::App* cmd = parent.add_subcommand("create", "Create a new empty pod");
    cmd->footer("Usage: pc pod create [options] [NAME]");
    auto& o = f->options;
    cmd->add_option("-n,--name", o.name, "Assign a name to the pod");
    cmd->add_option("--hostname", o.hostname, "Set the pod's hostname");
    cmd->add_option("-l,--label", o.labels, "Set metadata on the pod")->allow_extra_args(false);
    cmd->add_option("--label-file", f->label_files, "Read in a line delimited file of labels")->allow_extra_args(false);
    cmd->add_option("--share", f->share, "A comma delimited list of kernel namespaces the pod will share (default ipc,net,uts)");
    cmd->add_option("--userns", o.userns, "User namespace of the pod's containers: \"\" (default mapping) or keep-id[:uid=N,gid=N,size=N]");
    cmd->add_option("--infra", f->infra, "Create an infra container associated with the pod to share namespaces with")
        ->expected(0, 1)
        ->default_str("true");
    cmd->add_option("--infra-name", o.infra_name, "The name used as infra container name");
    cmd->add_option("--infra-image", f->infra_image, "Image to use to override builtin infra container");
    cmd->add_option("--infra-command", f->infra_command, "Command to run on the infra container when it starts");
    cmd->add_option("--pod-id-file", f->pod_id_file, "Write the pod ID to the file");
    cmd->add_flag("--replace", f->replace, "If a pod with the same name exists, replace it");
    cmd->add_option("--exit-policy", o.exit_policy, "Behaviour when the last container exits (continue, stop)");
    add_network_flags(cmd, o.net);
    cmd->add_option("pod-name", o.name, "Name of the pod")->expected(0, 1);
    cmd->callback([&ctx, cmd, f] {
        auto& o = f->options;
        if (cmd->count("--share") > 0) o.share = f->share;
        if (f->infra.empty() || f->infra == "true" || f->infra == "1") o.infra = true;
        else if (f->infra == "false" || f->infra == "0") o.infra = false;
        else usage_error("invalid argument \"" + f->infra + "\" for \"--infra\" flag: strconv.ParseBool: parsing \"" + f->infra + "\": invalid syntax");
        // pc's infra runs no image: a pause process of its own holds the pod's namespaces.
        if (!f->infra_image.empty() || !f->infra_command.empty())
            throw Error("--infra-image and --infra-command are not supported: pc's infra container runs no image (a "
                        "built-in pause process holds the pod's namespaces)");
        for (const auto& file : f->label_files) {
            for (const auto& raw : str::split(read_file(file), '\n')) {
                std::string line = str::trim(raw);
                if (!line.empty() && line[0] != '#') o.labels.push_back(line);
            }
        }
        pod::PodStore pods = pods_of(ctx);
        if (f->replace && !o.name.empty()) {
            if (auto old = pods.find(o.name)) pod::remove_pod(pods, *old, true, 0);
        }
        pod::PodConfig pod = pod::create_pod(pods, o, ctx.argv);
        if (!f->pod_id_file.empty()) {
            try {
                write_file_atomic(f->pod_id_file, pod.id, 0644, false);
            } catch (const Error&) {
                pod::remove_pod(pods, pod, true, 0);
                throw;
            }
        }
        std::cout << pod.id << std::endl;
    });
    return cmd;
}

// --- pod ps ------------------------------------------------------------------------------

struct PsFlags {
    PodPsColumns columns;
    bool quiet = false, noheading = false, latest = false;
    std::string format, sort = "created";
    std::vector<std::string> filters;
};

bool pod_matches(const pod::PodConfig& p, const std::vector<container::Container>& ctrs, const std::string& filter) {
    auto [key, value] = str::split_once(filter, '=');
    if (!value) throw Error("invalid filter \"" + filter + "\": expected KEY=VALUE");
    const std::string& v = *value;
    if (key == "name") return p.name.find(v) != std::string::npos;
    if (key == "id") return str::starts_with(p.id, v);
    if (key == "status") return str::to_lower(pod::pod_status(ctrs)) == str::to_lower(v);
    if (key == "label") {
        auto [lk, lv] = str::split_once(v, '=');
        auto it = p.labels.find(lk);
        return it != p.labels.end() && (!lv || it->second == *lv);
    }
    if (key == "ctr-names")
        return std::any_of(ctrs.begin(), ctrs.end(), [&](const container::Container& c) { return c.config.name == v; });
    if (key == "ctr-ids")
        return std::any_of(ctrs.begin(), ctrs.end(), [&](const container::Container& c) { return str::starts_with(c.config.id, v); });
    if (key == "ctr-status")
        return std::any_of(ctrs.begin(), ctrs.end(),
                           [&](const container::Container& c) { return container::status_name(c.state.status) == v; });
    if (key == "ctr-number") {
        auto n = str::parse_u64(v);
        if (!n) throw Error("invalid filter \"" + filter + "\": ctr-number needs a number");
        return ctrs.size() == *n;
    }
    if (key == "until") return p.created_ns < parse_input_time(v, false);
    throw Error("invalid filter \"" + key + "\" (valid: ctr-ids, ctr-names, ctr-number, ctr-status, id, label, name, status, until)");
}

CLI::App* add_pod_ps(CLI::App& parent, Context& ctx) {
    auto f = std::make_shared<PsFlags>();
    CLI::App* cmd = parent.add_subcommand("ps", "List pods");
    cmd->alias("ls");
    cmd->alias("list");
    cmd->add_flag("--ctr-ids", f->columns.ctr_ids, "Display the container UUIDs. If no-trunc is not set they will be truncated");
    cmd->add_flag("--ctr-names", f->columns.ctr_names, "Display the container names");
    cmd->add_flag("--ctr-status", f->columns.ctr_status, "Display the container status");
    cmd->add_option("-f,--filter", f->filters, "Filter output based on conditions given")->allow_extra_args(false);
    cmd->add_option("--format", f->format, "Pretty-print pods to JSON or using a Go template");
    cmd->add_flag("-l,--latest", f->latest, "Act on the latest pod pc is aware of");
    cmd->add_flag("--no-trunc", f->columns.no_trunc, "Do not truncate pod and container IDs");
    cmd->add_flag("--noheading", f->noheading, "Do not print headers");
    cmd->add_flag("--ns", f->columns.ns, "Display namespace information of the pod");
    cmd->add_flag("-q,--quiet", f->quiet, "Print the numeric IDs of the pods only");
    cmd->add_option("--sort", f->sort, "Sort output by created, id, name, or number");
    cmd->callback([&ctx, f] {
        if (f->sort != "created" && f->sort != "id" && f->sort != "name" && f->sort != "number" && f->sort != "status")
            throw Error("invalid option for --sort, options are: created, id, name, number, or status");
        pod::PodStore pods = pods_of(ctx);
        auto all_ctrs = ctx.containers().list();
        struct Row {
            pod::PodConfig pod;
            std::vector<container::Container> ctrs;
        };
        std::vector<Row> rows;
        for (auto& p : pods.list()) {
            auto ctrs = pod::PodStore::containers_of(p.id, all_ctrs);
            bool ok = true;
            for (const auto& flt : f->filters) ok = ok && pod_matches(p, ctrs, flt);
            if (ok) rows.push_back({std::move(p), std::move(ctrs)});
        }
        if (f->latest && rows.size() > 1) rows.resize(1);
        auto by = [&](const Row& a, const Row& b) {
            if (f->sort == "id") return a.pod.id < b.pod.id;
            if (f->sort == "name") return a.pod.name < b.pod.name;
            if (f->sort == "number") return a.ctrs.size() < b.ctrs.size();
            if (f->sort == "status") return pod::pod_status(a.ctrs) < pod::pod_status(b.ctrs);
            return a.pod.created_ns > b.pod.created_ns;
        };
        std::stable_sort(rows.begin(), rows.end(), by);
        std::string format = f->format;
        if (f->quiet && (format.empty() || format == "table")) format = "{{.ID}}";
        Listing l;
        for (const auto& r : rows) {
            if (format == "json") l.json_rows.push_back(pod_ps_json(r.pod, r.ctrs));
            else l.template_rows.push_back(pod_ps_template_data(r.pod, r.ctrs, f->columns.no_trunc));
        }
        l.default_format = pod_ps_default_format(f->columns);
        l.headers = pod_ps_headers();
        print_listing(l, format, f->noheading);
    });
    return cmd;
}

// --- pod inspect -------------------------------------------------------------------------

CLI::App* add_pod_inspect(CLI::App& parent, Context& ctx) {
    auto format = std::make_shared<std::string>();
    auto t = std::make_shared<PodTargets>();
    CLI::App* cmd = parent.add_subcommand("inspect", "Display a pod configuration");
    cmd->add_option("-f,--format", *format, "Format the output to a Go template or json");
    add_pod_targets(cmd, *t, false);
    cmd->callback([&ctx, format, t] {
        pod::PodStore pods = pods_of(ctx);
        auto all_ctrs = ctx.containers().list();
        std::vector<nlohmann::json> docs;
        std::string missing;
        if (!t->latest && t->names.empty()) usage_error("you must provide at least one name or id");
        std::vector<pod::PodConfig> targets;
        if (t->latest) targets = resolve(pods, *t, "inspect");
        for (const auto& n : t->names) {
            auto p = pods.find(n);
            if (!p) {
                missing = n;
                continue;
            }
            targets.push_back(*p);
        }
        for (const auto& p : targets) docs.push_back(pod_inspect_json(p, pod::PodStore::containers_of(p.id, all_ctrs)));
        if (!format->empty() && *format != "json") {
            print_each_with_template(docs, *format, "pod");
        } else if (docs.size() == 1 && t->names.size() <= 1) {
            // One pod: one object, as Podman 4.3 prints it.
            std::cout << podman_json(docs.front()) << std::endl;
        } else if (!docs.empty()) {
            std::cout << podman_json(nlohmann::json(docs)) << std::endl;
        }
        if (!missing.empty()) throw Error("no such pod " + missing);
    });
    return cmd;
}

// --- start, stop, restart, kill, pause, unpause --------------------------------------------

void add_pod_lifecycle(CLI::App& parent, Context& ctx) {
    {
        auto t = std::make_shared<PodTargets>();
        CLI::App* cmd = parent.add_subcommand("start", "Start one or more pods");
        add_pod_targets(cmd, *t);
        cmd->callback([&ctx, t] { for_each_pod(ctx, *t, "start", pod::start_pod); });
    }
    for (const char* verb : {"stop", "restart"}) {
        auto t = std::make_shared<PodTargets>();
        auto timeout = std::make_shared<std::optional<unsigned>>();
        auto ignore = std::make_shared<bool>(false);
        const bool restart = std::string(verb) == "restart";
        CLI::App* cmd = parent.add_subcommand(verb, restart ? "Restart one or more pods" : "Stop one or more pods");
        add_pod_targets(cmd, *t);
        if (!restart) {
            cmd->add_option("-t,--time", *timeout, "Seconds to wait for pod stop before killing the container");
            cmd->add_flag("-i,--ignore", *ignore, "Ignore errors when a specified pod is missing");
        }
        cmd->callback([&ctx, t, timeout, ignore, restart] {
            PodTargets targets = *t;
            if (*ignore) {
                pod::PodStore pods = pods_of(ctx);
                std::erase_if(targets.names, [&](const std::string& n) { return !pods.find(n); });
                if (targets.names.empty() && !targets.all && !targets.latest) return;
            }
            for_each_pod(ctx, targets, restart ? "restart" : "stop", [&](pod::PodStore& pods, const pod::PodConfig& p) {
                auto results = pod::stop_pod(pods, p, *timeout);
                if (!restart) return results;
                for (const auto& r : results)
                    if (!r.error.empty()) return results;
                return pod::start_pod(pods, p);
            });
        });
    }
    {
        auto t = std::make_shared<PodTargets>();
        auto signal = std::make_shared<std::string>("KILL");
        CLI::App* cmd = parent.add_subcommand("kill", "Send the specified signal or SIGKILL to containers in pod");
        add_pod_targets(cmd, *t);
        cmd->add_option("-s,--signal", *signal, "Signal to send to the containers in the pod");
        cmd->callback([&ctx, t, signal] {
            const int sig = container::parse_signal(*signal);
            for_each_pod(ctx, *t, "kill", [sig](pod::PodStore& pods, const pod::PodConfig& p) { return pod::kill_pod(pods, p, sig); });
        });
    }
    for (const char* verb : {"pause", "unpause"}) {
        auto t = std::make_shared<PodTargets>();
        const std::string v = verb;
        CLI::App* cmd = parent.add_subcommand(verb, v == "pause" ? "Pause one or more pods" : "Unpause one or more pods");
        add_pod_targets(cmd, *t);
        cmd->callback([&ctx, t, v] {
            for_each_pod(ctx, *t, v, [&](pod::PodStore&, const pod::PodConfig& p) -> std::vector<pod::ContainerResult> {
                throw Error(v + " of pod " + p.name + " is not available for rootless containers on this host: it needs the "
                            "cgroup freezer; " + container::cgroup_limits_unavailable_reason());
            });
        });
    }
}

// --- rm, prune, exists ---------------------------------------------------------------------

void add_pod_removal(CLI::App& parent, Context& ctx) {
    {
        struct RmFlags {
            PodTargets t;
            bool force = false, ignore = false;
            std::optional<unsigned> time;
            std::vector<std::string> id_files;
        };
        auto f = std::make_shared<RmFlags>();
        CLI::App* cmd = parent.add_subcommand("rm", "Remove one or more pods");
        add_pod_targets(cmd, f->t);
        cmd->add_flag("-f,--force", f->force, "Force removal of a running pod by first stopping all containers, then removing all containers in the pod");
        cmd->add_flag("-i,--ignore", f->ignore, "Ignore errors when a specified pod is missing");
        cmd->add_option("-t,--time", f->time, "Seconds to wait for pod stop before killing the container");
        cmd->add_option("--pod-id-file", f->id_files, "Read the pod ID from the file")->allow_extra_args(false);
        cmd->callback([&ctx, f] {
            pod::PodStore pods = pods_of(ctx);
            std::vector<std::string> names = f->t.names;
            for (const auto& file : f->id_files) names.push_back(str::trim(read_file(file)));
            if (f->t.all && !names.empty()) usage_error("when using the --all switch, you may not pass any pod names or IDs");
            if (!f->t.all && !f->t.latest && names.empty()) usage_error("you must provide at least one name or id");
            std::vector<std::pair<std::string, std::optional<pod::PodConfig>>> targets;
            if (f->t.all || f->t.latest) {
                PodTargets t = f->t;
                for (auto& p : resolve(pods, t, "remove")) targets.emplace_back(p.id, p);
            }
            for (const auto& n : names) targets.emplace_back(n, pods.find(n));
            int rc = 0;
            for (const auto& [name, p] : targets) {
                try {
                    if (!p) {
                        if (f->ignore) continue;
                        throw Error("no pod with name or ID " + name + " found: no such pod", kExitNoSuchPod);
                    }
                    pod::remove_pod(pods, *p, f->force, f->time);
                    std::cout << p->id << std::endl;
                } catch (const Error& e) {
                    std::cerr << "Error: " << e.what() << std::endl;
                    rc = rc == 0 ? e.exit_code() : (rc == e.exit_code() ? rc : kExitEngine);
                }
            }
            ctx.exit_code = rc;
        });
    }
    {
        auto force = std::make_shared<bool>(false);
        CLI::App* cmd = parent.add_subcommand("prune", "Remove all stopped pods and their containers");
        cmd->add_flag("-f,--force", *force, "Do not prompt for confirmation. The default is false");
        cmd->callback([&ctx, force] {
            if (!*force && ::isatty(STDIN_FILENO)) {
                std::cout << "WARNING! This will remove all stopped/exited pods..\nAre you sure you want to continue? [y/N] " << std::flush;
                std::string answer;
                std::getline(std::cin, answer);
                if (answer != "y" && answer != "Y" && answer != "yes") return;
            }
            pod::PodStore pods = pods_of(ctx);
            auto all_ctrs = ctx.containers().list();
            for (const auto& p : pods.list()) {
                auto ctrs = pod::PodStore::containers_of(p.id, all_ctrs);
                const bool running = std::any_of(ctrs.begin(), ctrs.end(), [](const container::Container& c) { return c.state.running(); });
                if (running) continue;
                pod::remove_pod(pods, p, false, 0);
                std::cout << p.id << std::endl;
            }
        });
    }
    {
        auto name = std::make_shared<std::string>();
        CLI::App* cmd = parent.add_subcommand("exists", "Check if a pod exists in local storage");
        cmd->add_option("pod", *name, "pod")->required();
        cmd->callback([&ctx, name] { ctx.exit_code = pods_of(ctx).find(*name) ? 0 : 1; });
    }
}

// --- top, logs, stats -----------------------------------------------------------------------

CLI::App* add_pod_top(CLI::App& parent, Context& ctx) {
    auto latest = std::make_shared<bool>(false);
    CLI::App* cmd = parent.add_subcommand("top", "Display the running processes of containers in a pod");
    cmd->footer("Usage: pc pod top [options] POD [FORMAT-DESCRIPTORS...]");
    cmd->add_flag("-l,--latest", *latest, "Act on the latest pod pc is aware of");
    cmd->prefix_command();
    cmd->callback([&ctx, latest, cmd] {
        std::vector<std::string> args = cmd->remaining();
        pod::PodStore pods = pods_of(ctx);
        pod::PodConfig p;
        if (*latest) {
            auto all = pods.list();
            if (all.empty()) throw Error("no pods to show: no such pod");
            p = all.front();
        } else {
            if (args.empty()) usage_error("you must provide the name or ID of a running pod or use --latest");
            p = pods.get(args.front());
            args.erase(args.begin());
        }
        const auto descriptors = container::parse_top_descriptors(args);
        std::vector<std::string> headers;
        for (const auto& d : descriptors) headers.push_back(container::top_header(d));
        TableWriter table(headers);
        bool any = false;
        for (const auto& c : pods.containers_of(p.id)) {
            if (c.state.status != container::Status::Running || c.state.pid <= 0) continue;
            any = true;
            try {
                container::TopContext tc = container::top_context(c.state.pid);
                for (const auto& proc : container::container_processes(c.state.pid)) {
                    std::vector<std::string> row;
                    for (const auto& d : descriptors) row.push_back(container::top_field(d, proc, tc));
                    table.add_row(row);
                }
            } catch (const Error&) {
                // exited between the listing and the read
            }
        }
        if (!any) throw Error("pod top can only be used on pods with at least one running container");
        print(table.render());
    });
    return cmd;
}

CLI::App* add_pod_logs(CLI::App& parent, Context& ctx) {
    struct Flags {
        bool follow = false, timestamps = false, names = false, latest = false, color = false;
        int64_t tail = -1;
        std::string since, until, container;
        std::vector<std::string> pod;
    };
    auto f = std::make_shared<Flags>();
    CLI::App* cmd = parent.add_subcommand("logs", "Fetch logs for pod with one or more containers");
    cmd->add_flag("--color", f->color, "Output the containers within a pod with different colors in the log");
    cmd->add_option("-c,--container", f->container, "Filter logs by container name or id which belongs to pod");
    cmd->add_flag("-f,--follow", f->follow, "Follow log output");
    cmd->add_flag("-l,--latest", f->latest, "Act on the latest pod pc is aware of");
    cmd->add_flag("-n,--names", f->names, "Output container names instead of container IDs in the log");
    cmd->add_option("--since", f->since, "Show logs since TIMESTAMP");
    cmd->add_option("--tail", f->tail, "Output the specified number of LINES at the end of the logs (-1 = all)");
    cmd->add_flag("-t,--timestamps", f->timestamps, "Output the timestamps in the log");
    cmd->add_option("--until", f->until, "Show logs until TIMESTAMP");
    cmd->add_option("pod", f->pod, "Pod")->expected(0, 1);
    cmd->callback([&ctx, f] {
        pod::PodStore pods = pods_of(ctx);
        pod::PodConfig p;
        if (f->latest) {
            auto all = pods.list();
            if (all.empty()) throw Error("no pods to print logs from: no such pod");
            p = all.front();
        } else {
            if (f->pod.empty()) usage_error("specify a pod name or ID, or --latest");
            p = pods.get(f->pod.front());
        }
        std::vector<container::Container> targets;
        for (auto& c : pods.containers_of(p.id)) {
            if (c.config.infra) continue;  // no output of its own
            if (!f->container.empty() && c.config.name != f->container && !str::starts_with(c.config.id, f->container))
                continue;
            targets.push_back(std::move(c));
        }
        if (!f->container.empty() && targets.empty())
            throw Error("no container with name or ID " + f->container + " found in pod " + p.name + ": no such container");
        container::LogReadOptions o;
        o.follow = f->follow;
        if (f->tail >= 0) o.tail = static_cast<size_t>(f->tail);
        if (!f->since.empty()) o.since_ns = parse_input_time(f->since, true);
        if (!f->until.empty()) o.until_ns = parse_input_time(f->until, false);
        // Each line names its container (its short id, or its name with --names), as Podman.
        static const char* kColors[] = {"\033[32m", "\033[33m", "\033[34m", "\033[35m", "\033[36m", "\033[31m"};
        std::map<std::string, size_t> color_of;
        for (size_t i = 0; i < targets.size(); ++i) color_of[targets[i].config.id] = i % 6;
        print_logs(
            ctx, targets, o, f->timestamps,
            [&](const container::Container& c) {
                std::string tag = f->names ? c.config.name : c.config.short_id();
                if (f->color) tag = kColors[color_of[c.config.id]] + tag + "\033[0m";
                return tag + " ";
            },
            true);
    });
    return cmd;
}

CLI::App* add_pod_stats(CLI::App& parent, Context& ctx) {
    struct Flags {
        bool all = false, latest = false, no_stream = false, no_reset = false;
        std::string format;
        std::vector<std::string> pods;
    };
    auto f = std::make_shared<Flags>();
    CLI::App* cmd = parent.add_subcommand("stats", "Display a live stream of resource usage statistics for the containers in one or more pods");
    cmd->add_flag("-a,--all", f->all, "Provide stats for all pods");
    cmd->add_option("--format", f->format, "Pretty-print container statistics to JSON or using a Go template");
    cmd->add_flag("-l,--latest", f->latest, "Act on the latest pod pc is aware of");
    cmd->add_flag("--no-reset", f->no_reset, "Disable resetting the screen when streaming");
    cmd->add_flag("--no-stream", f->no_stream, "Disable streaming stats and only pull the first result");
    cmd->add_option("pods", f->pods, "Pods");
    cmd->callback([&ctx, f] {
        pod::PodStore pods = pods_of(ctx);
        PodTargets t;
        t.latest = f->latest;
        t.names = f->pods;
        t.all = f->all || (!f->latest && f->pods.empty());
        const auto targets = resolve(pods, t, "show stats for");
        // The containers of one frame: members and infra, as Podman lists them.
        auto frame_containers = [&] {
            std::vector<std::pair<std::string, container::Container>> out;
            auto all = ctx.containers().list();
            for (const auto& p : targets)
                for (auto& c : pod::PodStore::containers_of(p.id, all)) out.emplace_back(p.id, std::move(c));
            return out;
        };
        StatsCollector collector(container::host_memory_total());
        auto ctrs_only = [](const std::vector<std::pair<std::string, container::Container>>& v) {
            std::vector<container::Container> out;
            for (const auto& [pod_id, c] : v) out.push_back(c);
            return out;
        };
        collector.prime(ctrs_only(frame_containers()));
        struct timespec first {0, 250 * 1000000};
        ::nanosleep(&first, nullptr);
        const bool clear = !f->no_stream && !f->no_reset && ::isatty(STDOUT_FILENO);
        for (;;) {
            auto frame = frame_containers();
            auto stats = collector.collect(ctrs_only(frame));
            Listing l;
            nlohmann::json json_rows = nlohmann::json::array();
            for (size_t i = 0; i < stats.size(); ++i) {
                nlohmann::json row = stats_template_row(stats[i], false);
                nlohmann::json out = {{"CPU", row["CPUPerc"]},   {"MemUsage", row["MemUsage"]},
                                      {"MemUsageBytes", row["MemUsageBytes"]}, {"Mem", row["MemPerc"]},
                                      {"NetIO", row["NetIO"]},   {"BlockIO", row["BlockIO"]},
                                      {"PIDS", row["PIDS"]},     {"Pod", frame[i].first.substr(0, 12)},
                                      {"CID", row["ID"]},        {"Name", row["Name"]}};
                json_rows.push_back(out);
                l.template_rows.push_back(out);
            }
            if (clear) std::cout << "\033[2J\033[H";
            if (f->format == "json") {
                std::cout << json_rows.dump(1) << std::endl;
            } else {
                l.default_format = "table {{.Pod}}\t{{.CID}}\t{{.Name}}\t{{.CPU}}\t{{.MemUsage}}\t{{.Mem}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDS}}";
                l.headers = {{"Pod", "POD"}, {"CID", "CID"}, {"Name", "NAME"}, {"CPU", "CPU %"}, {"MemUsage", "MEM USAGE/ LIMIT"},
                             {"Mem", "MEM %"}, {"NetIO", "NET IO"}, {"BlockIO", "BLOCK IO"}, {"PIDS", "PIDS"}};
                print_listing(l, f->format);
            }
            if (f->no_stream) return;
            struct timespec interval {5, 0};
            ::nanosleep(&interval, nullptr);
        }
    });
    return cmd;
}

}  // namespace

void register_pod(CLI::App& app, Context& ctx) {
    CLI::App* pod = app.add_subcommand("pod", "Manage pods");
    pod->require_subcommand(1);
    add_pod_create(*pod, ctx);
    add_pod_ps(*pod, ctx);
    add_pod_inspect(*pod, ctx);
    add_pod_lifecycle(*pod, ctx);
    add_pod_removal(*pod, ctx);
    add_pod_top(*pod, ctx);
    add_pod_logs(*pod, ctx);
    add_pod_stats(*pod, ctx);
}

}  // namespace pc::cli
