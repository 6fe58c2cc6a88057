#include "container/stats.hpp"

#include <sys/sysinfo.h>
#include <time.h>
#include <unistd.h>

#include "common/atomic_file.hpp"
#include "common/error.hpp"
#include "common/strings.hpp"
#include "container/top.hpp"
#include "common/clock.hpp"

namespace pc::container {

namespace {

// A process may exit while it is read: missing files are skipped, not errors.
std::optional<std::string> read_proc(const std::string& path) {
    try {
        return try_read_file(path);
    } catch (const Error&) {
        return std::nullopt;
    }
}

std::vector<std::string> words(const std::string& s) {
    std::vector<std::string> out;
    std::string cur;
    for (char ch : s) {
        if (ch == ' ' || ch == '\t' || ch == '\n') {
            if (!cur.empty()) out.push_back(std::move(cur));
            cur.clear();
        } else {
            cur += ch;
        }
    }
    if (!cur.empty()) out.push_back(std::move(cur));
    return out;
}

uint64_t u64(const std::string& s) { return str::parse_u64(s).value_or(0); }

}  // namespace

NetTotals parse_net_dev(const std::string& text) {
    NetTotals t;
    // Two header lines, then "  eth0: rx_bytes rx_packets ... (8 rx fields) tx_bytes ...".
    for (const std::string& line : str::split(text, '\n')) {
        auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        const std::string name = str::trim(line.substr(0, colon));
        if (name == "lo" || name.empty()) continue;
        std::vector<std::string> f = words(line.substr(colon + 1));
        if (f.size() < 9) continue;
        t.rx += u64(f[0]);
        t.tx += u64(f[8]);
    }
    return t;
}

std::optional<std::pair<uint64_t, uint64_t>> parse_proc_io(const std::string& text) {
    std::optional<uint64_t> rd, wr;
    for (const std::string& line : str::split(text, '\n')) {
        auto [key, value] = str::split_once(line, ':');
        if (!value) continue;
        if (key == "read_bytes") rd = str::parse_u64(str::trim(*value));
        else if (key == "write_bytes") wr = str::parse_u64(str::trim(*value));
    }
    if (!rd || !wr) return std::nullopt;
    return std::make_pair(*rd, *wr);
}

StatsSample sample_container(pid_t init_pid, bool with_network) {
    static const long ticks = ::sysconf(_SC_CLK_TCK) > 0 ? ::sysconf(_SC_CLK_TCK) : 100;
    static const long page = ::sysconf(_SC_PAGESIZE) > 0 ? ::sysconf(_SC_PAGESIZE) : 4096;
    StatsSample s;
    s.taken_mono_ns = clock_ns(CLOCK_MONOTONIC);
    s.taken_real_ns = clock_ns(CLOCK_REALTIME);
    uint64_t cpu_ticks = 0;
    for (pid_t pid : pid_namespace_members(init_pid)) {
        const std::string dir = "/proc/" + std::to_string(pid);
        auto stat = read_proc(dir + "/stat");
        if (!stat) continue;
        // Fields after the ")" that ends comm (which may hold spaces): state is [0],
        // utime stime cutime cstime are [11..14], rss (pages) is [21].
        auto close = stat->rfind(')');
        if (close == std::string::npos) continue;
        std::vector<std::string> f = words(stat->substr(close + 1));
        if (f.size() < 22) continue;
        ++s.pids;
        // cutime/cstime hold the children a process has waited for: CPU spent by
        // processes that are gone still counts, as in a cgroup.
        cpu_ticks += u64(f[11]) + u64(f[12]) + u64(f[13]) + u64(f[14]);
        s.mem_bytes += u64(f[21]) * static_cast<uint64_t>(page);
        if (auto io = read_proc(dir + "/io")) {
            if (auto rw = parse_proc_io(*io)) {
                s.block_known = true;
                s.block_read += rw->first;
                s.block_write += rw->second;
            }
        }
    }
    s.cpu_ns = cpu_ticks * (1000000000ULL / static_cast<uint64_t>(ticks));
    if (with_network) {
        if (auto dev = read_proc("/proc/" + std::to_string(init_pid) + "/net/dev")) {
            NetTotals t = parse_net_dev(*dev);
            s.net_rx = t.rx;
            s.net_tx = t.tx;
        }
    }
    return s;
}

uint64_t host_memory_total() {
    struct sysinfo si {};
    if (::sysinfo(&si) != 0) throw Error::sys("reading the host's memory size (sysinfo)");
    return static_cast<uint64_t>(si.totalram) * si.mem_unit;
}

ContainerStats compute_stats(const StatsSample& prev, const StatsSample& cur, int64_t started_ns, uint64_t mem_limit) {
    ContainerStats st;
    st.cpu_ns = cur.cpu_ns;
    st.system_ns = cur.taken_real_ns;
    // Podman's calculateCPUPercent: CPU time over wall time, so a container using two
    // cores fully shows 200%.
    auto percent = [](double cpu, double wall) { return wall > 0 && cpu > 0 ? cpu / wall * 100.0 : 0.0; };
    if (&prev == &cur || cur.taken_mono_ns <= prev.taken_mono_ns)
        st.cpu_percent = percent(static_cast<double>(cur.cpu_ns), static_cast<double>(cur.taken_real_ns - started_ns));
    else
        st.cpu_percent = percent(static_cast<double>(cur.cpu_ns) - static_cast<double>(prev.cpu_ns),
                                 static_cast<double>(cur.taken_mono_ns - prev.taken_mono_ns));
    st.avg_cpu = percent(static_cast<double>(cur.cpu_ns), static_cast<double>(cur.taken_real_ns - started_ns));
    st.mem_usage = cur.mem_bytes;
    st.mem_limit = mem_limit;
    st.mem_percent = mem_limit > 0 ? static_cast<double>(cur.mem_bytes) / static_cast<double>(mem_limit) * 100.0 : 0.0;
    st.net_input = cur.net_rx;
    st.net_output = cur.net_tx;
    st.block_known = cur.block_known;
    st.block_input = cur.block_read;
    st.block_output = cur.block_write;
    st.pids = cur.pids;
    return st;
}

}  // namespace pc::container
