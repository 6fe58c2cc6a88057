// pc network create|ls|inspect|rm|prune|exists|connect|disconnect|reload
#include <algorithm>
#include <iostream>
#include <memory>
#include <set>

#include "cli/commands.hpp"
#include "cli/network_views.hpp"
#include "cli/output.hpp"
#include "cli/prune.hpp"
#include "cli/time_input.hpp"
#include "common/error.hpp"
#include "common/strings.hpp"
#include "container/control.hpp"
#include "container/network_attach.hpp"
#include "container/network_options.hpp"
#include "net/holder_client.hpp"
#include "net/network_store.hpp"
#include "pod/pod_ops.hpp"

namespace pc::cli {

namespace {

using nlohmann::json;
constexpr int kExitNetworkUnknown = 1;
constexpr int kExitNetworkInUse = 2;

net::NetworkStore networks_of(Context& ctx) { return net::NetworkStore(ctx.store().root()); }

std::string not_found(const std::string& name) {
    return "unable to find network with name or ID " + name + ": network not found";
}

// Podman's filters: name (regexp there, a substring here), id (prefix), driver, label
// (KEY or KEY=VALUE; label! negates), until (a time), dangling (true/false).
bool network_matches(Context& ctx, const net::NetworkConfig& n, const std::vector<std::string>& filters) {
    std::map<std::string, std::vector<std::string>> by_key;
    for (const auto& f : filters) {
        auto [k, v] = str::split_once(f, '=');
        if (!v) throw Error("invalid filter \"" + f + "\"");
        by_key[k].push_back(*v);
    }
    for (const auto& [key, values] : by_key) {
        // Values of one key are alternatives; keys must all match.
        bool any = false;
        for (const auto& v : values) {
            if (key == "name") any |= n.name.find(v) != std::string::npos;
            else if (key == "id") any |= str::starts_with(n.id, v);
            else if (key == "driver") any |= n.driver == v;
            else if (key == "label" || key == "label!") {
                auto [lk, lv] = str::split_once(v, '=');
                auto it = n.labels.find(lk);
                const bool has = it != n.labels.end() && (!lv || it->second == *lv);
                any |= key == "label" ? has : !has;
            } else if (key == "until") {
                any |= n.created_ns < parse_input_time(v, false);
            } else if (key == "dangling") {
                const bool unused = container::network_users(ctx.containers(), n.name).empty();
                any |= unused == (v == "true" || v == "1");
            } else {
                throw Error("invalid filter \"" + key + "\"");
            }
        }
        if (!any) return false;
    }
    return true;
}

void add_create(CLI::App& net_cmd, Context& ctx) {
    struct Flags {
        net::NetworkCreateOptions o;
        bool ignore = false;
    };
    auto f = std::make_shared<Flags>();
    CLI::App* cmd = net_cmd.add_subcommand("create", "Create networks for containers and pods");
    cmd->add_option("-d,--driver", f->o.driver, "Driver to manage the network (bridge)");
    cmd->add_option("--subnet", f->o.subnets, "Subnets in CIDR format")->allow_extra_args(false);
    cmd->add_option("--gateway", f->o.gateways, "IPv4 or IPv6 gateway for the subnet")->allow_extra_args(false);
    cmd->add_option("--ip-range", f->o.ip_ranges, "Allocate container IP from range")->allow_extra_args(false);
    cmd->add_flag("--ipv6", f->o.ipv6, "Enable IPv6 networking");
    cmd->add_flag("--internal", f->o.internal, "Restrict external access from this network");
    cmd->add_flag("--disable-dns", f->o.disable_dns, "Disable DNS plugin");
    cmd->add_option("--label", f->o.labels, "Set metadata on a network")->allow_extra_args(false);
    cmd->add_option("-o,--opt", f->o.options, "Set driver specific options (mtu)")->allow_extra_args(false);
    cmd->add_option("--ipam-driver", f->o.ipam_driver, "IP Address Management Driver (host-local)");
    cmd->add_option("--interface-name", f->o.interface_name, "Interface name which is used by the driver");
    cmd->add_flag("--ignore", f->ignore, "Don't fail if network already exists");
    cmd->add_option("name", f->o.name, "Network name");
    cmd->callback([&ctx, f] {
        net::NetworkConfig n = networks_of(ctx).create(f->o, f->ignore);
        std::cout << n.name << std::endl;
    });
}

void add_ls(CLI::App& net_cmd, Context& ctx) {
    struct Flags {
        std::string format;
        bool quiet = false, no_trunc = false, noheading = false;
        std::vector<std::string> filters;
    };
    auto f = std::make_shared<Flags>();
    CLI::App* cmd = net_cmd.add_subcommand("ls", "List networks");
    cmd->alias("list");
    cmd->add_option("--format", f->format, "Pretty-print networks to JSON or using a Go template");
    cmd->add_flag("-q,--quiet", f->quiet, "Display only network names");
    cmd->add_flag("--no-trunc", f->no_trunc, "Do not truncate the network ID");
    cmd->add_flag("-n,--noheading", f->noheading, "Do not print headers");
    cmd->add_option("-f,--filter", f->filters, "Provide filter values (e.g. 'name=podman')")->allow_extra_args(false);
    cmd->callback([&ctx, f] {
        Listing l;
        std::vector<net::NetworkConfig> shown;
        for (const auto& n : networks_of(ctx).list()) {
            if (!network_matches(ctx, n, f->filters)) continue;
            shown.push_back(n);
            l.template_rows.push_back(network_template_data(n, true, f->no_trunc));
        }
        l.default_format = "table {{.ID}}\t{{.Name}}\t{{.Driver}}";
        l.headers = {{"ID", "NETWORK ID"}};
        std::string format = f->format;
        if (format == "{{json .}}") format = "json";
        if (format == "json") {
            std::cout << network_inspect_text(shown, 2) << std::endl;
            return;
        }
        if (f->quiet) format = "{{.Name}}\n";
        print_listing(l, format, f->noheading);
    });
}

void add_inspect(CLI::App& net_cmd, Context& ctx) {
    struct Flags {
        std::string format;
        std::vector<std::string> names;
    };
    auto f = std::make_shared<Flags>();
    CLI::App* cmd = net_cmd.add_subcommand("inspect", "Displays the network configuration for one or more networks");
    cmd->add_option("-f,--format", f->format, "Pretty-print network to JSON or using a Go template");
    cmd->add_option("names", f->names, "Networks")->required();
    cmd->callback([&ctx, f] {
        auto store = networks_of(ctx);
        std::vector<net::NetworkConfig> found;
        std::vector<std::string> errors;
        for (const auto& n : f->names) {
            if (auto cfg = store.find(n)) found.push_back(*cfg);
            else errors.push_back("network " + n + ": " + not_found(n));
        }
        if (f->format.empty() || f->format == "json") {
            std::cout << network_inspect_text(found) << std::endl;
        } else {
            std::vector<json> data;
            for (const auto& n : found) data.push_back(network_template_data(n, false, true));
            print_each_with_template(data, f->format, "inspect");
        }
        if (!errors.empty()) {
            for (size_t i = 0; i + 1 < errors.size(); ++i) std::cerr << "Error: inspecting object: " << errors[i] << std::endl;
            throw Error("inspecting object: " + errors.back());
        }
    });
}

// Removes the containers (and pods) using `name` (`rm -f`), stopping them within `timeout`.
void remove_users(Context& ctx, const std::vector<std::string>& users, std::optional<unsigned> timeout) {
    // Pod members before their infra: a pod goes as a whole, as Podman removes it.
    std::set<std::string> pods_done;
    pod::PodStore pods(ctx.containers());
    for (const auto& id : users) {
        auto c = ctx.containers().find(id);
        if (!c) continue;
        if (!c->config.pod.empty()) {
            if (pods_done.insert(c->config.pod).second)
                if (auto p = pods.find(c->config.pod)) pod::remove_pod(pods, *p, true, timeout);
            continue;
        }
        if (c->state.running()) container::stop_container(ctx.containers(), *c, timeout.value_or(c->config.stop_timeout));
        if (auto now = ctx.containers().find(id)) ctx.containers().remove(*now, true);
    }
}

void add_rm(CLI::App& net_cmd, Context& ctx) {
    struct Flags {
        bool force = false;
        std::optional<unsigned> timeout;
        std::vector<std::string> names;
    };
    auto f = std::make_shared<Flags>();
    CLI::App* cmd = net_cmd.add_subcommand("rm", "Remove networks");
    cmd->alias("remove");
    cmd->add_flag("-f,--force", f->force, "Remove any containers using network");
    cmd->add_option("-t,--time", f->timeout, "Seconds to wait for running containers to stop before killing them");
    cmd->add_option("names", f->names, "Networks")->required();
    cmd->callback([&ctx, f] {
        auto store = networks_of(ctx);
        std::string last;
        int rc = 0;
        for (const auto& n : f->names) {
            try {
                auto cfg = store.find(n);
                if (!cfg) throw Error(not_found(n), kExitNetworkUnknown);
                auto users = container::network_users(ctx.containers(), cfg->name);
                if (!users.empty() && !f->force) {
                    std::vector<std::string> names;
                    for (const auto& id : users)
                        if (auto c = ctx.containers().find(id)) names.push_back(c->config.name);
                    throw Error("\"" + cfg->name + "\" has associated containers with it (" + str::join(names, ", ") +
                                    "). Use -f to forcibly delete containers and pods: network is being used",
                                kExitNetworkInUse);
                }
                if (cfg->name == net::kDefaultNetworkName) throw Error("default network " + cfg->name + " cannot be removed");
                remove_users(ctx, users, f->timeout);
                store.remove(cfg->name);
                std::cout << cfg->name << std::endl;
            } catch (const Error& e) {
                if (!last.empty()) std::cerr << "Error: " << last << std::endl;
                last = e.what();
                rc = rc == 0 ? e.exit_code() : kExitNetworkUnknown;
            }
        }
        if (!last.empty()) throw Error(last, rc);
    });
}

void add_prune(CLI::App& net_cmd, Context& ctx) {
    struct Flags {
        bool force = false;
        std::vector<std::string> filters;
    };
    auto f = std::make_shared<Flags>();
    CLI::App* cmd = net_cmd.add_subcommand("prune", "Prune unused networks");
    cmd->add_flag("-f,--force", f->force, "Do not prompt for confirmation");
    cmd->add_option("--filter", f->filters, "Provide filter values (e.g. 'label=<key>=<value>')")->allow_extra_args(false);
    cmd->callback([&ctx, f] {
        for (const auto& filter : f->filters)
            if (!str::starts_with(filter, "label") && !str::starts_with(filter, "until="))
                throw Error("invalid filter \"" + filter + "\" (valid: label, label!, until)");
        if (!f->force &&
            !confirmed("WARNING! This will remove all networks not used by at least one container.\n"
                       "The default network '" + std::string(net::kDefaultNetworkName) + "' will not be removed.\n"))
            return;
        for (const auto& name : prune_networks(ctx, f->filters)) std::cout << name << std::endl;
    });
}

void add_connect(CLI::App& net_cmd, Context& ctx) {
    struct Flags {
        std::vector<std::string> aliases;
        std::string ip, ip6, mac, network, container;
    };
    auto f = std::make_shared<Flags>();
    CLI::App* cmd = net_cmd.add_subcommand("connect", "Add container to a network");
    cmd->add_option("--alias", f->aliases, "Network scoped alias for container")->allow_extra_args(false);
    cmd->add_option("--ip", f->ip, "IPv4 address");
    cmd->add_option("--ip6", f->ip6, "IPv6 address");
    cmd->add_option("--mac-address", f->mac, "MAC address");
    cmd->add_option("network", f->network, "Network")->required();
    cmd->add_option("container", f->container, "Container")->required();
    cmd->callback([&ctx, f] {
        container::Container c = ctx.containers().get(f->container);
        container::NetworkOptions check;
        check.networks = {f->network};
        check.ip = f->ip;
        check.ip6 = f->ip6;
        check.mac = f->mac;
        container::check_network_options(check);
        auto e = container::endpoint_options(ctx.store(), f->network, f->aliases, f->ip, f->ip6, str::to_lower(f->mac));
        container::connect_network(ctx.containers(), c, e);
    });
}

void add_disconnect(CLI::App& net_cmd, Context& ctx) {
    struct Flags {
        bool force = false;
        std::string network, container;
    };
    auto f = std::make_shared<Flags>();
    CLI::App* cmd = net_cmd.add_subcommand("disconnect", "Disconnect a container from a network");
    cmd->add_flag("-f,--force", f->force, "Force the container to disconnect from a network");
    cmd->add_option("network", f->network, "Network")->required();
    cmd->add_option("container", f->container, "Container")->required();
    cmd->callback([&ctx, f] {
        container::Container c = ctx.containers().get(f->container);
        container::disconnect_network(ctx.containers(), c, f->network);
    });
}

void add_reload(CLI::App& net_cmd, Context& ctx) {
    struct Flags {
        bool all = false;
        std::vector<std::string> names;
    };
    auto f = std::make_shared<Flags>();
    CLI::App* cmd = net_cmd.add_subcommand("reload", "Reload firewall rules for one or more containers");
    cmd->add_flag("-a,--all", f->all, "Reload network configuration of all containers");
    cmd->add_option("names", f->names, "Containers");
    cmd->callback([&ctx, f] {
        if (f->all == !f->names.empty()) usage_error("when using the --all switch, you may not pass any containers names or IDs");
        // The holder (uplink, name server) is restored when it was killed; then every
        // running container on networks must be one of its leases.
        const std::string note = net::restore_holder(container::holder_paths(ctx.store()));
        (void)note;  // already logged as a warning by the client
        auto status = net::holder_status(container::holder_paths(ctx.store()));
        std::set<std::string> leased;
        if (status)
            for (const auto& l : status->value("leases", json::array())) leased.insert(l.value("container", ""));
        std::vector<container::Container> targets;
        if (f->all) {
            for (auto& c : ctx.containers().list())
                if (c.state.running() && !c.config.networks.empty()) targets.push_back(std::move(c));
        } else {
            for (const auto& n : f->names) targets.push_back(ctx.containers().get(n));
        }
        std::string last;
        for (const auto& c : targets) {
            try {
                if (!c.state.running() || c.config.networks.empty())
                    throw Error("container " + c.config.id + " network is not configured, refusing to reload: container state improper");
                if (!leased.count(c.config.id))
                    throw Error("container " + c.config.name + ": its network namespace could not be restored after the "
                                "network holder was killed; restart the container");
                std::cout << c.config.id << std::endl;
            } catch (const Error& e) {
                if (!last.empty()) std::cerr << "Error: " << last << std::endl;
                last = e.what();
            }
        }
        if (!last.empty()) throw Error(last);
    });
}

}  // namespace

std::vector<std::string> prune_networks(Context& ctx, const std::vector<std::string>& filters) {
    auto store = networks_of(ctx);
    std::vector<std::string> removed;
    for (const auto& n : store.list()) {
        if (n.name == net::kDefaultNetworkName || !network_matches(ctx, n, filters)) continue;
        if (!container::network_users(ctx.containers(), n.name).empty()) continue;
        store.remove(n.name);
        removed.push_back(n.name);
    }
    return removed;
}

void register_network(CLI::App& app, Context& ctx) {
    CLI::App* net_cmd = app.add_subcommand("network", "Manage networks");
    net_cmd->require_subcommand(1);
    add_create(*net_cmd, ctx);
    add_ls(*net_cmd, ctx);
    add_inspect(*net_cmd, ctx);
    add_rm(*net_cmd, ctx);
    add_prune(*net_cmd, ctx);
    add_connect(*net_cmd, ctx);
    add_disconnect(*net_cmd, ctx);
    add_reload(*net_cmd, ctx);
    add_exists(*net_cmd, ctx, "network",
               [](Context& c, const std::string& n) { return net::NetworkStore(c.store().root()).find(n).has_value(); });
}

}  // namespace pc::cli
