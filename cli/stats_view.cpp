#include "cli/stats_view.hpp"

#include <cstdio>

#include "cli/go_template.hpp"
#include "container/top.hpp"

namespace pc::cli {

namespace {

// go-units CustomSize("%.4g%s", ...): divide while >= base, up to the last unit.
std::string custom_size(double size, double base, const char* const* units, int count) {
    int i = 0;
    while (size >= base && i < count - 1) {
        size /= base;
        ++i;
    }
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.4g%s", size, units[i]);
    return buf;
}

std::string pair_of(const std::string& a, const std::string& b) { return a + " / " + b; }

std::string short_id(const std::string& id, bool no_trunc) { return no_trunc ? id : id.substr(0, 12); }

std::string net_io(const container::ContainerStats& s) {
    return pair_of(go_human_size(static_cast<double>(s.net_input)), go_human_size(static_cast<double>(s.net_output)));
}

// Without a readable /proc/PID/io there is nothing to show; "0B" would claim no I/O.
std::string block_io(const container::ContainerStats& s) {
    if (!s.block_known) return "-- / --";
    return pair_of(go_human_size(static_cast<double>(s.block_input)), go_human_size(static_cast<double>(s.block_output)));
}

std::string mem_usage(const container::ContainerStats& s) {
    return pair_of(go_human_size(static_cast<double>(s.mem_usage)), go_human_size(static_cast<double>(s.mem_limit)));
}

}  // namespace

std::string go_human_size(double bytes) {
    static const char* const kUnits[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"};
    return custom_size(bytes, 1000.0, kUnits, 9);
}

std::string go_bytes_size(double bytes) {
    static const char* const kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"};
    return custom_size(bytes, 1024.0, kUnits, 9);
}

std::string percent_string(double value) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.2f%%", value);
    return buf;
}

nlohmann::json stats_template_row(const container::ContainerStats& s, bool no_trunc) {
    // define.ContainerStats' fields, with containerStats' methods shadowing the fields of
    // the same name (MemUsage, MemPerc), as Go resolves them.
    nlohmann::json j;
    j["AvgCPU"] = s.avg_cpu;
    j["ContainerID"] = s.id;
    j["Name"] = s.name;
    j["PerCPU"] = nullptr;
    j["CPU"] = s.cpu_percent;
    j["CPUNano"] = s.cpu_ns;
    j["CPUSystemNano"] = 0;
    j["SystemNano"] = s.system_ns;
    j["MemLimit"] = s.mem_limit;
    j["NetInput"] = s.net_input;
    j["NetOutput"] = s.net_output;
    j["BlockInput"] = s.block_input;
    j["BlockOutput"] = s.block_output;
    j["PIDs"] = s.pids;
    j["UpTime"] = container::go_duration(static_cast<int64_t>(s.cpu_ns));
    j["Duration"] = s.cpu_ns;
    j["ID"] = short_id(s.id, no_trunc);
    j["CPUPerc"] = percent_string(s.cpu_percent);
    j["AVGCPU"] = percent_string(s.avg_cpu);
    j["Up"] = container::go_duration(static_cast<int64_t>(s.cpu_ns));
    j["MemPerc"] = percent_string(s.mem_percent);
    j["NetIO"] = net_io(s);
    j["BlockIO"] = block_io(s);
    j["PIDS"] = std::to_string(s.pids);
    j["MemUsage"] = mem_usage(s);
    j["MemUsageBytes"] = pair_of(go_bytes_size(static_cast<double>(s.mem_usage)), go_bytes_size(static_cast<double>(s.mem_limit)));
    return j;
}

nlohmann::json stats_json_row(const container::ContainerStats& s, bool no_trunc) {
    nlohmann::json j;
    j["id"] = short_id(s.id, no_trunc);
    j["name"] = s.name;
    j["cpu_time"] = container::go_duration(static_cast<int64_t>(s.cpu_ns));
    j["cpu_percent"] = percent_string(s.cpu_percent);
    j["avg_cpu"] = percent_string(s.avg_cpu);
    j["mem_usage"] = mem_usage(s);
    j["mem_percent"] = percent_string(s.mem_percent);
    j["net_io"] = net_io(s);
    j["block_io"] = block_io(s);
    j["pids"] = std::to_string(s.pids);
    return j;
}

Listing stats_listing(const std::vector<container::ContainerStats>& stats, bool no_trunc) {
    Listing l;
    for (const auto& s : stats) {
        l.json_rows.push_back(stats_json_row(s, no_trunc));
        l.template_rows.push_back(stats_template_row(s, no_trunc));
    }
    l.default_format =
        "table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDS}}\t{{.UpTime}}\t{{.AVGCPU}}";
    l.headers = {{"ID", "ID"},           {"UpTime", "CPU TIME"},
                 {"CPUPerc", "CPU %"},   {"AVGCPU", "AVG CPU %"},
                 {"MemUsage", "MEM USAGE / LIMIT"}, {"MemUsageBytes", "MEM USAGE / LIMIT"},
                 {"MemPerc", "MEM %"},   {"NetIO", "NET IO"},
                 {"BlockIO", "BLOCK IO"}, {"PIDS", "PIDS"}};
    return l;
}

std::string stats_json(const std::vector<container::ContainerStats>& stats, bool no_trunc) {
    // Go keeps the struct's field order; nlohmann::json would sort the keys.
    if (stats.empty()) return "[]";
    std::string out = "[\n";
    for (size_t i = 0; i < stats.size(); ++i) {
        nlohmann::json row = stats_json_row(stats[i], no_trunc);
        static const char* const kOrder[] = {"id", "name", "cpu_time", "cpu_percent", "avg_cpu",
                                             "mem_usage", "mem_percent", "net_io", "block_io", "pids"};
        out += " {\n";
        for (size_t k = 0; k < std::size(kOrder); ++k) {
            out += "  " + gotmpl::to_json(kOrder[k], true) + ": " + gotmpl::to_json(row[kOrder[k]], true);
            out += k + 1 < std::size(kOrder) ? ",\n" : "\n";
        }
        out += i + 1 < stats.size() ? " },\n" : " }\n";
    }
    return out + "]";
}

}  // namespace pc::cli
