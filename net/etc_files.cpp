#include "net/etc_files.hpp"

#include <algorithm>
#include <sstream>

#include "common/strings.hpp"

namespace pc::net {

std::string hosts_file(const HostsOptions& o) {
    std::ostringstream out;
    if (o.host_network && !o.host_hosts_content.empty()) {
        out << o.host_hosts_content;
        if (o.host_hosts_content.back() != '\n') out << '\n';
    } else {
        out << "127.0.0.1\tlocalhost localhost.localdomain localhost4 localhost4.localdomain4\n"
            << "::1\tlocalhost localhost.localdomain localhost6 localhost6.localdomain6\n";
    }
    for (const auto& [name, ip] : o.extra) {
        const std::string& addr = ip == "host-gateway" && !o.host_gateway.empty() ? o.host_gateway : ip;
        out << addr << '\t' << name << '\n';
    }
    std::string names = o.hostname;
    if (!o.name.empty() && o.name != o.hostname) names += " " + o.name;
    if (!names.empty()) out << (o.own_ip.empty() ? "127.0.1.1" : o.own_ip) << '\t' << names << '\n';
    if (!names.empty())
        for (const auto& ip : o.more_own_ips) out << ip << '\t' << names << '\n';
    if (!o.host_gateway.empty()) out << o.host_gateway << "\thost.containers.internal host.docker.internal\n";
    return out.str();
}

namespace {
bool is_loopback(const std::string& ip) { return str::starts_with(ip, "127.") || ip == "::1"; }
}  // namespace

std::string resolv_conf(const ResolvOptions& o) {
    std::vector<std::string> servers, search, options;
    for (const auto& raw : str::split(o.host_resolv_content, '\n')) {
        std::string line = str::trim(raw);
        if (line.empty() || line[0] == '#' || line[0] == ';') continue;
        std::istringstream in(line);
        std::string key;
        in >> key;
        std::string value;
        std::vector<std::string> values;
        while (in >> value) values.push_back(value);
        if (key == "nameserver" && !values.empty()) {
            if (!(o.private_network && is_loopback(values[0]))) servers.push_back(values[0]);
        } else if ((key == "search" || key == "domain") && search.empty()) {
            search = values;
        } else if (key == "options") {
            options.insert(options.end(), values.begin(), values.end());
        }
    }
    if (!o.host_servers) servers.clear();
    servers.insert(servers.begin(), o.network_servers.begin(), o.network_servers.end());
    if (!o.network_domain.empty() && std::find(search.begin(), search.end(), o.network_domain) == search.end()) {
        std::erase(search, ".");  // "no search list" no longer holds
        search.insert(search.begin(), o.network_domain);
    }
    if (!o.dns_servers.empty()) servers = o.dns_servers;
    if (!o.dns_search.empty()) search = o.dns_search;
    if (!o.dns_options.empty()) options = o.dns_options;
    if (servers.empty() && !o.fallback_server.empty()) servers.push_back(o.fallback_server);

    std::ostringstream out;
    if (!search.empty() && !(search.size() == 1 && search[0] == ".")) out << "search " << str::join(search, " ") << '\n';
    for (const auto& s : servers) out << "nameserver " << s << '\n';
    if (!options.empty()) out << "options " << str::join(options, " ") << '\n';
    return out.str();
}

}  // namespace pc::net
