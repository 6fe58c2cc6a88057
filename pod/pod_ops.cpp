#include "pod/pod_ops.hpp"

#include <signal.h>

#include <algorithm>

#include "common/error.hpp"
#include "common/log.hpp"
#include "common/strings.hpp"
#include "container/control.hpp"
#include "container/monitor.hpp"
#include "net/network_mode.hpp"
#include "pod/parallel.hpp"
#include "rootless/idmap.hpp"

namespace pc::pod {

namespace {

using container::Container;
using container::ContainerConfig;

void check_create_options(const PodCreateOptions& o, const std::vector<std::string>& shared) {
    if (o.exit_policy != "continue" && o.exit_policy != "stop")
        throw Error("running pod create option: invalid pod exit policy: \"" + o.exit_policy + "\" (valid: continue, stop)");
    if (!o.userns.empty() && rootless::parse_userns(o.userns).mode != rootless::UsernsMode::KeepId)
        throw Error("unsupported --userns \"" + o.userns + "\" for a pod (valid: keep-id[:uid=N,gid=N,size=N])");
    const std::vector<std::string> networks = o.net.all_networks();
    const bool net_options = !networks.empty() || !o.net.aliases.empty() || !o.net.ip.empty() || !o.net.ip6.empty() ||
                             !o.net.mac.empty() || !o.net.publish.empty() || o.net.publish_all ||
                             !o.net.add_host.empty() || !o.net.dns.empty() || !o.net.dns_search.empty() ||
                             !o.net.dns_option.empty() || o.net.no_hosts;
    if (!o.infra) {
        if (!shared.empty())
            throw Error("cannot set share(" + str::join(shared, ",") + ") namespaces without an infra container");
        if (net_options)
            throw Error("a pod without an infra container (--infra=false) has no network of its own: --network, "
                        "--publish, --add-host, --dns and --no-hosts need the infra");
        if (!o.hostname.empty()) throw Error("a pod without an infra container (--infra=false) cannot set a hostname");
        if (!o.infra_name.empty()) throw Error("--infra-name needs an infra container");
        return;
    }
    if (net_options && std::find(shared.begin(), shared.end(), "net") == shared.end())
        throw Error("the pod does not share its network namespace (--share): --network, --publish, --add-host, "
                    "--dns and --no-hosts cannot be set for it");
    const net::NetworkMode mode = net::parse_network_mode(networks.empty() ? "" : networks.front());
    if (mode.kind != net::NetworkKind::Slirp && mode.kind != net::NetworkKind::None && mode.kind != net::NetworkKind::Host &&
        mode.kind != net::NetworkKind::Bridge)
        throw Error("pod create --network " + networks.front() +
                    ": a pod's network is slirp4netns[:OPTIONS] (the default), none, host or networks by name");
    container::check_network_options(o.net);
}

std::string joined_mode(const PodConfig& pod, const char* ns) {
    return pod.has_infra && pod.shares(ns) ? "container:" + pod.infra_id : "";
}

// Podman's refusal, naming the pod.
[[noreturn]] void shared_with_pod(const PodConfig& pod, const std::string& what) {
    throw Error("invalid config provided: " + what + " cannot be set for a container in pod " + pod.name +
                ": the pod's network namespace is shared; " +
                "set it when the pod is created (pod create)");
}

void check_member_options(const PodConfig& pod, const container::CreateOptions& o) {
    const auto& n = o.net;
    if (pod.has_infra && pod.shares("net")) {
        if (!n.publish.empty() || n.publish_all)
            throw Error("invalid config provided: published or exposed ports must be defined when the pod is created: "
                        "network cannot be configured when it is shared with pod " + pod.name);
        for (const auto& v : n.all_networks())
            if (v != "pod" && v != "container:" + pod.infra_id) shared_with_pod(pod, "--network " + v);
        if (!n.aliases.empty() || !n.ip.empty() || !n.ip6.empty() || !n.mac.empty())
            shared_with_pod(pod, "--network-alias, --ip, --ip6 and --mac-address");
        if (!n.add_host.empty()) shared_with_pod(pod, "extra host entries (--add-host)");
        if (!n.dns.empty() || !n.dns_search.empty() || !n.dns_option.empty())
            shared_with_pod(pod, "DNS options (--dns, --dns-search, --dns-option)");
        if (n.no_hosts) shared_with_pod(pod, "--no-hosts");
    }
    if (pod.has_infra && pod.shares("uts") && !o.hostname.empty())
        throw Error("invalid config provided: cannot set hostname when joining the pod UTS namespace of pod " + pod.name +
                    ": invalid configuration");
    if (!o.userns.empty() && rootless::parse_userns(o.userns) != rootless::parse_userns(pod.userns))
        throw Error("--userns " + o.userns + ": the containers of pod " + pod.name + " use the pod's user namespace (" +
                    (pod.userns.empty() ? "the default mapping" : pod.userns) + ")");
}

std::vector<ContainerResult> results_of(const std::vector<Container>& ctrs, const std::vector<std::string>& errors) {
    std::vector<ContainerResult> out;
    for (size_t i = 0; i < ctrs.size(); ++i) out.push_back({ctrs[i].config.id, ctrs[i].config.name, errors[i]});
    return out;
}

std::optional<Container> infra_of(PodStore& pods, const PodConfig& pod) {
    if (!pod.has_infra || pod.infra_id.empty()) return std::nullopt;
    return pods.containers().find(pod.infra_id);
}

}  // namespace

PodConfig create_pod(PodStore& pods, const PodCreateOptions& o, const std::vector<std::string>& create_command,
                     const std::string& created_for) {
    std::vector<std::string> shared = o.share ? parse_share(*o.share) : std::vector<std::string>{"net", "uts", "ipc"};
    if (!o.infra && !o.share) shared.clear();  // Podman: no infra, nothing shared by default
    check_create_options(o, shared);

    PodConfig pod;
    pod.name = o.name.empty() ? container::generate_container_name() : o.name;
    pod.create_command = create_command;
    for (const auto& l : o.labels) {
        auto [k, v] = str::split_once(l, '=');
        if (k.empty()) throw Error("invalid label \"" + l + "\": name is empty");
        pod.labels[k] = v.value_or("");
    }
    pod.hostname = o.hostname;
    pod.shared = shared;
    pod.has_infra = o.infra;
    pod.exit_policy = o.exit_policy;
    pod.userns = o.userns;
    pod.created_for = created_for;

    container::ContainerStore& containers = pods.containers();
    return pods.create(pod, [&](PodConfig& p) {
        if (!p.has_infra) return;
        ContainerConfig infra;
        infra.infra = true;
        infra.pod = p.id;
        infra.created_ns = p.created_ns;
        infra.name = o.infra_name.empty() ? p.short_id() + "-infra" : o.infra_name;
        // The pod's hostname (its name unless given) is set in the uts namespace the infra
        // holds, which members join.
        infra.hostname = p.hostname.empty() ? p.name : p.hostname;
        infra.userns = p.userns;
        infra.create_command = create_command;
        infra.stop_timeout = 10;
        infra.working_dir = "/";
        container::apply_network_options(containers.storage(), infra, o.net, {});
        // On networks, the pod answers to its name, as Podman's does.
        for (auto& e : infra.networks)
            if (std::find(e.aliases.begin(), e.aliases.end(), p.name) == e.aliases.end()) e.aliases.push_back(p.name);
        Container made = containers.create(infra);
        p.infra_id = made.config.id;
    });
}

PodCreateOptions options_for_new_pod(const std::string& name, container::CreateOptions& options) {
    PodCreateOptions p;
    p.name = name;
    p.net = options.net;
    options.net = container::NetworkOptions{};
    if (!options.userns.empty()) p.userns = options.userns;
    return p;
}

ContainerConfig build_member_config(PodStore& pods, const PodConfig& pod, container::CreateOptions options,
                                    const std::vector<std::string>& args, const std::vector<std::string>& create_command) {
    check_member_options(pod, options);
    const bool shares_net = pod.has_infra && pod.shares("net");
    if (shares_net) {
        options.net.network.clear();
        options.net.networks.clear();
    }
    if (options.userns.empty()) options.userns = pod.userns;
    ContainerConfig cfg = container::build_container_config(pods.containers().storage(), options, args, create_command);
    cfg.pod = pod.id;
    if (pod.has_infra) {
        if (pod.infra_id.empty() || !pods.containers().find(pod.infra_id))
            throw Error("pod " + pod.name + " has lost its infra container: remove it (pod rm -f) and create it again");
        cfg.dependencies = {pod.infra_id};
    }
    if (shares_net) {
        cfg.network_mode = "container:" + pod.infra_id;
        cfg.ports.clear();
    }
    cfg.uts_mode = joined_mode(pod, "uts");
    cfg.ipc_mode = joined_mode(pod, "ipc");
    cfg.pid_mode = joined_mode(pod, "pid");
    return cfg;
}

std::vector<ContainerResult> start_pod(PodStore& pods, const PodConfig& pod) {
    container::ContainerStore& containers = pods.containers();
    std::vector<ContainerResult> results;
    if (auto infra = infra_of(pods, pod); infra && !infra->state.running()) {
        try {
            container::start_detached(containers, *infra);
        } catch (const Error& e) {
            // Nothing can join a pod whose namespaces could not be made (a published port
            // in use, say): no member is started.
            results.push_back({infra->config.id, infra->config.name, e.what()});
            return results;
        }
    }
    for (auto& c : pods.containers_of(pod.id)) {
        if (c.config.infra || c.state.running()) continue;
        std::string error;
        try {
            container::start_detached(containers, c);
        } catch (const Error& e) {
            error = e.what();
        }
        results.push_back({c.config.id, c.config.name, error});
    }
    return results;
}

std::vector<ContainerResult> stop_pod(PodStore& pods, const PodConfig& pod, std::optional<unsigned> timeout_s) {
    container::ContainerStore& containers = pods.containers();
    std::vector<Container> members, infra;
    for (auto& c : pods.containers_of(pod.id)) {
        // A container whose monitor waits out a restart backoff is stopped too.
        if (!c.state.running() && c.state.monitor_pid <= 0) continue;
        (c.config.infra ? infra : members).push_back(std::move(c));
    }
    auto stop_all = [&](std::vector<Container>& ctrs) {
        return results_of(ctrs, run_in_parallel(ctrs.size(), [&](size_t i) {
            container::stop_container(containers, ctrs[i], timeout_s.value_or(ctrs[i].config.stop_timeout));
        }));
    };
    auto results = stop_all(members);
    auto last = stop_all(infra);  // last: the members' namespaces stay theirs until they are gone
    results.insert(results.end(), last.begin(), last.end());
    return results;
}

std::vector<ContainerResult> kill_pod(PodStore& pods, const PodConfig& pod, int sig) {
    std::vector<ContainerResult> results;
    bool any = false;
    // Members first: a SIGKILL of an infra holding a shared pid namespace ends them anyway.
    auto ctrs = pods.containers_of(pod.id);
    std::stable_partition(ctrs.begin(), ctrs.end(), [](const Container& c) { return !c.config.infra; });
    for (auto& c : ctrs) {
        if (!c.state.running()) continue;
        any = true;
        std::string error;
        try {
            if (sig == SIGKILL || sig == SIGTERM || sig == SIGINT)
                pods.containers().update_state(c.config.id, [](container::ContainerState& s) { s.stopped_by_user = true; });
            container::signal_container(c, sig);
        } catch (const Error& e) {
            error = e.what();
        }
        results.push_back({c.config.id, c.config.name, error});
    }
    if (!any) throw Error("no containers in pod " + pod.name + " are running: pod state improper");
    return results;
}

void remove_pod(PodStore& pods, const PodConfig& pod, bool force, std::optional<unsigned> timeout_s) {
    container::ContainerStore& containers = pods.containers();
    // Exclusive: no member is made or started meanwhile (they wait, then find the pod gone),
    // so the listing below is complete and nothing started after it outlives the pod.
    std::optional<FileLock> removing;
    try {
        removing.emplace(pods.lock(pod.id));
    } catch (const Error&) {
        if (!pods.find(pod.id)) return;  // removed by another meanwhile
        throw;
    }
    if (!pods.find(pod.id)) return;  // removed by another while we waited
    auto ctrs = pods.containers_of(pod.id);
    if (!force) {
        std::vector<std::string> running;
        for (const auto& c : ctrs)
            if (c.state.running() && !c.config.infra) running.push_back(c.config.name);
        if (!running.empty())
            throw Error("pod " + pod.name + " has containers that are not ready to be removed: " +
                        (running.size() == 1 ? "container " : "containers ") + str::join(running, ", ") +
                        (running.size() == 1 ? " is" : " are") +
                        " running - running or paused containers cannot be removed without force: container state improper");
    }
    if (force) {
        auto results = stop_pod(pods, pod, timeout_s.value_or(0));
        for (const auto& r : results)
            if (!r.error.empty()) log::warn("stopping container " + r.name + ": " + r.error);
    } else if (auto infra = infra_of(pods, pod); infra && infra->state.running()) {
        container::stop_container(containers, *infra, timeout_s.value_or(infra->config.stop_timeout), true);
    }
    // Members, then the infra (whose namespaces and files they used), then the record.
    std::stable_partition(ctrs.begin(), ctrs.end(), [](const Container& c) { return !c.config.infra; });
    for (const auto& c : ctrs) {
        auto now = containers.find(c.config.id);
        if (!now) continue;
        if (now->state.running()) container::stop_container(containers, *now, 0, true);
        containers.remove(*now, now->config.auto_remove, true);
    }
    pods.remove(pod);
}

void on_container_exit(container::ContainerStore& containers, const ContainerConfig& cfg) {
    if (cfg.pod.empty() || cfg.infra) return;
    PodStore pods(containers);
    auto pod = pods.find(cfg.pod);
    if (!pod) return;
    if (pod->created_for == cfg.id && cfg.auto_remove) {
        remove_pod(pods, *pod, true, 0);
        return;
    }
    if (pod->exit_policy != "stop" || !pod->has_infra) return;
    for (const auto& c : pods.containers_of(pod->id))
        if (!c.config.infra && c.state.running()) return;
    if (auto infra = infra_of(pods, *pod); infra && infra->state.running())
        container::stop_container(containers, *infra, infra->config.stop_timeout);
}

}  // namespace pc::pod
