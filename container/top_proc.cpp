// Collecting the processes of a container for `pc top` from the host's /proc. The caller
// owns the container's user namespace, so it has CAP_SYS_PTRACE over every process in it
// and may read their ns links and status even when they run as subordinate ids.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <map>

#include "common/atomic_file.hpp"
#include "common/error.hpp"
#include "common/proc_list.hpp"
#include "common/strings.hpp"
#include "container/top.hpp"
#include "rootless/path_in_root.hpp"
#include "rootless/user_lookup.hpp"

namespace pc::container {

namespace {

std::optional<ino_t> pid_ns_inode(const std::string& proc_dir) {
    struct stat st {};
    if (::stat((proc_dir + "/ns/pid").c_str(), &st) < 0) return std::nullopt;
    return st.st_ino;
}

// /proc files of a process that may exit while we read, or that the kernel refuses (an
// LSM attribute without an LSM): missing, not fatal.
std::optional<std::string> read_proc(const std::string& path) {
    try {
        return try_read_file(path);
    } catch (const Error&) {
        return std::nullopt;
    }
}

uint64_t u64(const std::string& s) { return str::parse_u64(s).value_or(0); }

std::vector<std::string> fields(const std::string& s) {
    std::vector<std::string> out;
    for (auto& f : str::split(s, ' '))
        if (!f.empty()) out.push_back(f);
    return out;
}

// /proc/PID/stat after the ")" that ends comm (which may itself hold spaces and parens).
bool parse_stat(const std::string& text, ProcessInfo& p, pid_t& host_ppid, pid_t& host_pgid) {
    auto close = text.rfind(')');
    if (close == std::string::npos) return false;
    std::vector<std::string> f = fields(str::trim(text.substr(close + 1)));
    if (f.size() < 22) return false;
    p.state = f[0];
    host_ppid = static_cast<pid_t>(u64(f[1]));
    host_pgid = static_cast<pid_t>(u64(f[2]));
    p.tty_nr = u64(f[4]);
    p.utime = u64(f[11]);
    p.stime = u64(f[12]);
    p.nice = static_cast<long>(str::parse_i64(f[16]).value_or(0));
    p.start_ticks = u64(f[19]);
    p.vsize = u64(f[20]);
    p.rss_pages = u64(f[21]);
    return true;
}

void parse_status(const std::string& text, ProcessInfo& p) {
    for (const std::string& line : str::split(text, '\n')) {
        auto [key, value] = str::split_once(line, ':');
        if (!value) continue;
        std::vector<std::string> v = fields(str::trim(*value));
        for (auto& x : v) x = str::trim(x);
        // Tabs separate the values: split on them too.
        std::vector<std::string> t;
        for (const auto& x : v)
            for (auto& y : str::split(x, '\t'))
                if (!y.empty()) t.push_back(y);
        if (t.empty()) continue;
        auto hex = [&] { return std::strtoull(t[0].c_str(), nullptr, 16); };
        if (key == "Uid" && t.size() >= 2) {
            p.ruid = static_cast<uint32_t>(u64(t[0]));
            p.euid = static_cast<uint32_t>(u64(t[1]));
        } else if (key == "Gid" && t.size() >= 2) {
            p.rgid = static_cast<uint32_t>(u64(t[0]));
            p.egid = static_cast<uint32_t>(u64(t[1]));
        } else if (key == "NSpid") {
            p.pid = static_cast<pid_t>(u64(t.back()));  // the innermost namespace's pid
        } else if (key == "CapInh") {
            p.cap_inh = hex();
        } else if (key == "CapPrm") {
            p.cap_prm = hex();
        } else if (key == "CapEff") {
            p.cap_eff = hex();
        } else if (key == "CapBnd") {
            p.cap_bnd = hex();
        } else if (key == "CapAmb") {
            p.cap_amb = hex();
        } else if (key == "Seccomp") {
            p.seccomp = static_cast<int>(u64(t[0]));
        }
    }
}

std::vector<std::string> parse_cmdline(const std::string& raw) {
    std::vector<std::string> out;
    size_t i = 0;
    while (i < raw.size()) {
        size_t j = raw.find('\0', i);
        if (j == std::string::npos) j = raw.size();
        out.push_back(raw.substr(i, j - i));
        i = j + 1;
    }
    return out;
}

std::vector<rootless::IdMapEntry> parse_id_map(const std::string& text) {
    std::vector<rootless::IdMapEntry> out;
    for (const std::string& line : str::split(text, '\n')) {
        std::vector<std::string> f = fields(str::trim(line));
        if (f.size() != 3) continue;
        out.push_back({static_cast<uint32_t>(u64(f[0])), static_cast<uint32_t>(u64(f[1])),
                       static_cast<uint32_t>(u64(f[2]))});
    }
    return out;
}

// A file of the container, resolved inside its root (its /etc/passwd may be a symlink,
// which must not lead to a host file).
std::string container_file(int root_fd, const std::string& path) {
    UniqueFd fd = rootless::open_in_root(root_fd, path, O_RDONLY);
    if (!fd) return "";
    std::string out;
    char buf[8192];
    ssize_t n;
    while ((n = ::read(fd.get(), buf, sizeof(buf))) > 0) {
        out.append(buf, static_cast<size_t>(n));
        if (out.size() > (16u << 20)) break;  // a passwd file, not a disk image
    }
    return out;
}

int64_t clock_ns(clockid_t id) {
    struct timespec ts {};
    ::clock_gettime(id, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

}  // namespace

std::vector<pid_t> pid_namespace_members(pid_t init_pid) {
    const std::string init_dir = "/proc/" + std::to_string(init_pid);
    const std::optional<ino_t> ns = pid_ns_inode(init_dir);
    if (!ns) throw Error::sys("reading " + init_dir + "/ns/pid (the container's init)", errno);
    std::vector<pid_t> out;
    for (pid_t pid : proc_pids())
        // Gone, not ours, or another namespace: skipped.
        if (pid_ns_inode("/proc/" + std::to_string(pid)) == ns) out.push_back(pid);
    return out;
}

std::vector<ProcessInfo> container_processes(pid_t init_pid) {
    struct Raw {
        ProcessInfo info;
        pid_t host_ppid = 0, host_pgid = 0;
    };
    std::vector<Raw> found;
    for (pid_t pid : pid_namespace_members(init_pid)) {
        const std::string dir = "/proc/" + std::to_string(pid);
        Raw r;
        r.info.host_pid = pid;
        auto stat = read_proc(dir + "/stat");
        auto status = read_proc(dir + "/status");
        if (!stat || !status || !parse_stat(*stat, r.info, r.host_ppid, r.host_pgid)) continue;
        parse_status(*status, r.info);
        r.info.comm = str::trim(read_proc(dir + "/comm").value_or(""));
        r.info.args = parse_cmdline(read_proc(dir + "/cmdline").value_or(""));
        r.info.label = str::trim(read_proc(dir + "/attr/current").value_or(""));
        found.push_back(std::move(r));
    }

    // Parent and group ids as the container sees them: host pid -> container pid among
    // its own processes; anything outside (the init's parent) is 0, as ps shows it there.
    std::map<pid_t, pid_t> to_inside;
    for (const Raw& r : found) to_inside[r.info.host_pid] = r.info.pid;
    std::vector<ProcessInfo> out;
    for (Raw& r : found) {
        auto pp = to_inside.find(r.host_ppid);
        r.info.ppid = pp != to_inside.end() ? pp->second : 0;
        auto pg = to_inside.find(r.host_pgid);
        r.info.pgid = pg != to_inside.end() ? pg->second : 0;
        out.push_back(std::move(r.info));
    }
    std::sort(out.begin(), out.end(), [](const ProcessInfo& a, const ProcessInfo& b) { return a.pid < b.pid; });
    return out;
}

TopContext top_context(pid_t init_pid) {
    TopContext c;
    c.now_ns = clock_ns(CLOCK_REALTIME);
    c.boot_time_ns = c.now_ns - clock_ns(CLOCK_BOOTTIME);
    c.clock_ticks = ::sysconf(_SC_CLK_TCK) > 0 ? ::sysconf(_SC_CLK_TCK) : 100;
    c.page_size = ::sysconf(_SC_PAGESIZE) > 0 ? ::sysconf(_SC_PAGESIZE) : 4096;
    c.last_cap = static_cast<int>(str::parse_u64(str::trim(try_read_file("/proc/sys/kernel/cap_last_cap").value_or("40"))).value_or(40));
    const std::string dir = "/proc/" + std::to_string(init_pid);
    c.mapping.uids = parse_id_map(read_proc(dir + "/uid_map").value_or(""));
    c.mapping.gids = parse_id_map(read_proc(dir + "/gid_map").value_or(""));
    UniqueFd root(::open((dir + "/root").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (root) {
        for (const auto& u : rootless::parse_passwd(container_file(root.get(), "/etc/passwd"))) c.users.emplace(u.uid, u.name);
        for (const auto& g : rootless::parse_group(container_file(root.get(), "/etc/group"))) c.groups.emplace(g.gid, g.name);
    }
    return c;
}

}  // namespace pc::container
