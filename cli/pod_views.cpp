#include "cli/pod_views.hpp"

#include <map>

#include "cli/human_units.hpp"
#include "common/strings.hpp"
#include "common/time_format.hpp"
#include "container/state.hpp"
#include "net/network_mode.hpp"
#include "net/port_spec.hpp"
#include "pod/pod_status.hpp"

namespace pc::cli {

namespace {

using json = nlohmann::json;

const container::Container* infra_in(const pod::PodConfig& pod, const std::vector<container::Container>& ctrs) {
    for (const auto& c : ctrs)
        if (c.config.id == pod.infra_id) return &c;
    return nullptr;
}

json null_if_empty(const std::vector<std::string>& v) { return v.empty() ? json(nullptr) : json(v); }

double now_seconds() { return static_cast<double>(container::now_ns()) / 1e9; }

}  // namespace

json pod_inspect_json(const pod::PodConfig& pod, const std::vector<container::Container>& ctrs) {
    json containers = json::array();
    for (const auto& c : ctrs)
        containers.push_back({{"Id", c.config.id}, {"Name", c.config.name}, {"State", container::status_name(c.state.status)}});
    json out = {{"Id", pod.id},
                {"Name", pod.name},
                {"Created", rfc3339_nano(pod.created_ns, false)},
                {"CreateCommand", pod.create_command},
                {"ExitPolicy", pod.exit_policy},
                {"State", pod::pod_status(ctrs)},
                {"Hostname", pod.hostname},
                {"Labels", pod.labels},
                // pc makes no cgroups (docs/architecture.md): none is made for a pod either.
                {"CreateCgroup", false},
                {"CreateInfra", pod.has_infra}};
    if (pod.has_infra) {
        out["InfraContainerID"] = pod.infra_id;
        json infra_config = json::object();
        if (const auto* infra = infra_in(pod, ctrs)) {
            const auto& cfg = infra->config;
            const net::NetworkMode mode = net::parse_network_mode(cfg.network_mode);
            json port_bindings = net::ports_json(cfg.ports, {});
            json host_add = cfg.add_hosts.empty() ? json(nullptr) : json(cfg.add_hosts);
            infra_config = {{"PortBindings", port_bindings.empty() ? json(nullptr) : port_bindings},
                            {"HostNetwork", mode.kind == net::NetworkKind::Host},
                            {"StaticIP", ""},
                            {"StaticMAC", ""},
                            {"NoManageResolvConf", false},
                            {"DNSServer", null_if_empty(cfg.dns_servers)},
                            {"DNSSearch", null_if_empty(cfg.dns_search)},
                            {"DNSOption", null_if_empty(cfg.dns_options)},
                            {"NoManageHosts", cfg.no_hosts},
                            {"HostAdd", host_add},
                            {"Networks", nullptr},
                            {"NetworkOptions", nullptr},
                            {"pid_ns", pod.shares("pid") ? "container" : "private"},
                            {"userns", pod.userns.empty() ? "host" : pod.userns},
                            {"uts_ns", "private"}};
            if (!cfg.networks.empty()) {
                std::vector<std::string> names;
                for (const auto& e : cfg.networks) names.push_back(e.network);
                infra_config["Networks"] = names;
            }
            if (mode.kind == net::NetworkKind::Slirp && str::starts_with(cfg.network_mode, "slirp4netns:"))
                infra_config["NetworkOptions"] = {{"slirp4netns", str::split(cfg.network_mode.substr(12), ',')}};
        }
        out["InfraConfig"] = infra_config;
    }
    if (!pod.shared.empty()) out["SharedNamespaces"] = pod.shared;
    out["NumContainers"] = ctrs.size();
    if (!ctrs.empty()) out["Containers"] = containers;
    return out;
}

json pod_ps_json(const pod::PodConfig& pod, const std::vector<container::Container>& ctrs) {
    json containers = json::array();
    for (const auto& c : ctrs)
        containers.push_back({{"Id", c.config.id}, {"Names", c.config.name}, {"Status", container::status_name(c.state.status)}});
    return {{"Cgroup", ""},
            {"Containers", containers},
            {"Created", rfc3339_nano(pod.created_ns, false)},
            {"Id", pod.id},
            {"InfraId", pod.infra_id},
            {"Name", pod.name},
            {"Namespace", ""},
            {"Networks", json::array()},
            {"Status", pod::pod_status(ctrs)},
            {"Labels", pod.labels}};
}

json pod_ps_template_data(const pod::PodConfig& pod, const std::vector<container::Container>& ctrs, bool no_trunc) {
    json d = pod_ps_json(pod, ctrs);
    auto shorten = [no_trunc](const std::string& id) { return no_trunc ? id : id.substr(0, 12); };
    std::vector<std::string> ids, names, statuses;
    for (const auto& c : ctrs) {
        ids.push_back(shorten(c.config.id));
        names.push_back(c.config.name);
        statuses.push_back(container::status_name(c.state.status));
    }
    d["ID"] = shorten(pod.id);
    d["InfraID"] = shorten(pod.infra_id);
    d["Created"] = human_duration(now_seconds() - static_cast<double>(pod.created_ns) / 1e9) + " ago";
    d["NumberOfContainers"] = ctrs.size();
    d["ContainerIds"] = str::join(ids, ",");
    d["ContainerNames"] = str::join(names, ",");
    d["ContainerStatuses"] = str::join(statuses, ",");
    d["Networks"] = "";
    d["Namespace"] = "";
    d["Cgroup"] = "";
    return d;
}

std::string pod_ps_default_format(const PodPsColumns& c) {
    std::string f = "table {{.ID}}\t{{.Name}}\t{{.Status}}\t{{.Created}}\t{{.InfraID}}";
    if (c.ns) f += "\t{{.Cgroup}}\t{{.Namespace}}";
    if (c.ctr_ids) f += "\t{{.ContainerIds}}";
    if (c.ctr_names) f += "\t{{.ContainerNames}}";
    if (c.ctr_status) f += "\t{{.ContainerStatuses}}";
    if (!c.ctr_ids && !c.ctr_names && !c.ctr_status) f += "\t{{.NumberOfContainers}}";
    return f;
}

std::map<std::string, std::string> pod_ps_headers() {
    return {{"ID", "POD ID"},          {"InfraID", "INFRA ID"},  {"NumberOfContainers", "# OF CONTAINERS"},
            {"ContainerIds", "IDS"},   {"ContainerNames", "NAMES"}, {"ContainerStatuses", "STATUS"},
            {"Cgroup", "CGROUP"},      {"Namespace", "NAMESPACES"}};
}

}  // namespace pc::cli
