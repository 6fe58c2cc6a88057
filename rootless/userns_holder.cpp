#include "rootless/userns_holder.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <sstream>

#include "common/atomic_file.hpp"
#include "common/containers_conf.hpp"
#include "common/error.hpp"
#include "common/file_lock.hpp"
#include "common/log.hpp"
#include "common/process.hpp"
#include "common/strings.hpp"
#include "common/user_paths.hpp"
#include "rootless/userns.hpp"

namespace pc::rootless {

namespace {

constexpr char kHolderArg[] = "__userns-holder";
constexpr char kRecordPrefix[] = "userns-";
constexpr char kRecordSuffix[] = ".pid";

struct Record {
    pid_t pid = 0;
    uint64_t start = 0;  // /proc/PID/stat field 22: tells a recycled pid apart
};

// One record per mapping: another mapping (a test's PC_SUBUID_FILE, an edited
// /etc/subuid) gets a holder of its own instead of replacing this one back and forth.
std::string record_path(const IdMapping& m) {
    const std::string key = str::fingerprint("uid " + IdMapping::format(m.uids) + "\ngid " + IdMapping::format(m.gids));
    return default_runtime_root() + "/" + kRecordPrefix + key.substr(0, 16) + kRecordSuffix;
}

std::optional<Record> parse_record(const std::string& text) {
    std::istringstream in(text);
    Record r;
    long long pid = 0;
    if (!(in >> pid >> r.start) || pid <= 0) return std::nullopt;
    r.pid = static_cast<pid_t>(pid);
    return r;
}

std::optional<Record> read_record(const std::string& path) {
    try {
        if (auto text = try_read_file(path)) return parse_record(*text);
    } catch (const Error&) {
    }
    return std::nullopt;
}

std::optional<std::string> read_at(int dir, const char* name) {
    UniqueFd fd(::openat(dir, name, O_RDONLY | O_CLOEXEC));
    std::string out;
    if (!fd || !read_to_eof(fd.get(), out)) return std::nullopt;
    return out;
}

// Of the process whose /proc directory `dir` is; nullopt once it has exited.
std::optional<uint64_t> start_time_at(int dir) {
    auto stat = read_at(dir, "stat");
    return stat ? stat_start_time(*stat) : std::nullopt;
}

std::vector<IdMapEntry> parse_map(const std::string& text) {
    std::vector<IdMapEntry> out;
    std::istringstream in(text);
    IdMapEntry e;
    while (in >> e.inside >> e.outside >> e.count) out.push_back(e);
    return out;
}

UniqueFd open_proc(pid_t pid) { return UniqueFd(::open(("/proc/" + std::to_string(pid)).c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC)); }

// The holder's user namespace, when `r` still names a live holder of mapping `m`. Every
// read goes through one directory fd, so they all concern the same process.
std::optional<UniqueFd> open_holder(const Record& r, const IdMapping& m, std::string& why) {
    UniqueFd dir = open_proc(r.pid);
    if (!dir) {
        why = "process " + std::to_string(r.pid) + " is gone";
        return std::nullopt;
    }
    if (start_time_at(dir.get()) != r.start) {
        why = "process " + std::to_string(r.pid) + " is another process now";
        return std::nullopt;
    }
    auto uids = read_at(dir.get(), "uid_map");
    auto gids = read_at(dir.get(), "gid_map");
    if (!uids || !gids || parse_map(*uids) != m.uids || parse_map(*gids) != m.gids) {
        why = "process " + std::to_string(r.pid) + " does not have the expected id mapping";
        return std::nullopt;
    }
    UniqueFd ns(::openat(dir.get(), "ns/user", O_RDONLY | O_CLOEXEC));
    if (!ns) {
        why = "opening the user namespace of process " + std::to_string(r.pid) + ": " + std::strerror(errno);
        return std::nullopt;
    }
    return ns;
}

// In the new namespace, mapped: drop everything inherited from the caller and become the
// holder. Returns only when the exec failed.
void become_holder(int exec_report) {
    // Its parent (the starter) exits next; the holder must outlive it.
    ::prctl(PR_SET_PDEATHSIG, 0);
    ::setsid();
    if (::chdir("/") < 0) throw Error::sys("changing to /");
    UniqueFd null(::open("/dev/null", O_RDWR | O_CLOEXEC));
    if (!null) throw Error::sys("opening /dev/null");
    for (int fd = 0; fd <= 2; ++fd)
        if (::dup2(null.get(), fd) < 0) throw Error::sys("redirecting to /dev/null");
    // No descriptor of the caller survives the exec: a pipe kept open here would keep
    // whoever reads pc's output waiting for an end that never comes.
    if (::syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) < 0) throw Error::sys("close_range");
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    // pc-monitor when installed: the smallest program that knows the holder's command.
    std::string program = sibling_program("pc-monitor");
    if (program.empty()) program = "/proc/self/exe";
    char arg0[] = "pc";
    char arg1[sizeof kHolderArg];
    std::memcpy(arg1, kHolderArg, sizeof kHolderArg);
    char* argv[] = {arg0, arg1, nullptr};
    ::execv(program.c_str(), argv);
    const std::string msg = "executing " + program + ": " + std::strerror(errno);
    (void)write_all(exec_report, msg.data(), msg.size());
}

// The forked starter: creates the holder as its own child, maps it, waits for its exec and
// reports "PID START" (or "error MESSAGE") on `report`, then exits, so that the holder is
// inherited by init (or the nearest subreaper) rather than by the caller.
[[noreturn]] void starter_main(const IdMapping& m, int report) {
    std::string out;
    try {
        Pipe exec_check = Pipe::make();  // O_CLOEXEC: end of file once the holder has exec'd
        UsernsChild holder = UsernsChild::start(0, [&exec_check]() -> int {
            exec_check.read.reset();
            become_holder(exec_check.write.get());
            return 127;
        });
        exec_check.write.reset();
        holder.map_and_release(m);
        std::string failure;
        (void)read_to_eof(exec_check.read.get(), failure);
        if (!failure.empty()) {
            holder.wait();
            throw Error(failure);
        }
        UniqueFd dir = open_proc(holder.pid());
        auto start = dir ? start_time_at(dir.get()) : std::nullopt;
        if (!start) throw Error("the new holder process exited at once");
        out = std::to_string(holder.process().release()) + " " + std::to_string(*start);
    } catch (const std::exception& e) {
        out = std::string("error ") + e.what();
    }
    (void)write_all(report, out.data(), out.size());
    ::_exit(0);
}

std::optional<Record> start_holder(const IdMapping& m, std::string& why) {
    Pipe report = Pipe::make();
    std::fflush(nullptr);  // the starter must not write the caller's buffers again
    const pid_t pid = ::fork();
    if (pid < 0) {
        why = std::string("fork: ") + std::strerror(errno);
        return std::nullopt;
    }
    if (pid == 0) {
        report.read.reset();
        starter_main(m, report.write.get());
    }
    report.write.reset();
    ChildProcess starter(pid);
    std::string text;
    (void)read_to_eof(report.read.get(), text);
    starter.wait();
    if (str::starts_with(text, "error ")) {
        why = text.substr(6);
        return std::nullopt;
    }
    auto r = parse_record(text);
    if (!r) why = "the starter process ended without reporting";
    return r;
}

}  // namespace

std::optional<UniqueFd> shared_userns(const IdMapping& m) {
    if (m.single || m.uids.empty() || m.gids.empty()) return std::nullopt;
    // containers.conf [pc] userns_holder = false: a fresh namespace for every container.
    if (!containers_conf().userns_holder) return std::nullopt;
    std::string why;
    try {
        const std::string path = record_path(m);
        if (auto r = read_record(path))
            if (auto ns = open_holder(*r, m, why)) return ns;
        ensure_dir(default_runtime_root(), 0700, true);
        // Concurrent pcs (20 parallel `pc run`) start one holder, not twenty.
        FileLock lock(path.substr(0, path.size() - std::strlen(kRecordSuffix)) + ".lock");
        if (auto r = read_record(path))
            if (auto ns = open_holder(*r, m, why)) return ns;
        auto started = start_holder(m, why);
        if (!started) {
            log::debug("shared user namespace: starting its holder failed: " + why + "; using a fresh one");
            return std::nullopt;
        }
        write_file_atomic(path, std::to_string(started->pid) + " " + std::to_string(started->start) + "\n", 0600, false);
        log::debug("shared user namespace: started holder process " + std::to_string(started->pid));
        if (auto ns = open_holder(*started, m, why)) return ns;
    } catch (const std::exception& e) {
        why = e.what();
    }
    log::debug("shared user namespace unavailable (" + why + "); using a fresh one");
    return std::nullopt;
}

int stop_userns_holders() {
    const std::string dir = default_runtime_root();
    std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir.c_str()), ::closedir);
    if (!d) return 0;
    int stopped = 0;
    while (struct dirent* e = ::readdir(d.get())) {
        const std::string name = e->d_name;
        if (!str::starts_with(name, kRecordPrefix) || !str::ends_with(name, kRecordSuffix)) continue;
        const std::string path = dir + "/" + name;
        auto r = read_record(path);
        if (r) {
            // Only a process that is still the recorded holder is signalled: through a
            // pidfd taken after the checks, so a recycled pid is never hit.
            UniqueFd proc = open_proc(r->pid);
            auto cmdline = proc ? read_at(proc.get(), "cmdline") : std::nullopt;
            const bool holder = proc && start_time_at(proc.get()) == r->start && cmdline &&
                                cmdline->find(std::string(kHolderArg) + '\0') != std::string::npos;
            UniqueFd pidfd(holder ? static_cast<int>(::syscall(SYS_pidfd_open, r->pid, 0)) : -1);
            if (pidfd && start_time_at(proc.get()) == r->start &&
                ::syscall(SYS_pidfd_send_signal, pidfd.get(), SIGTERM, nullptr, 0) == 0)
                ++stopped;
        }
        ::unlink(path.c_str());
    }
    return stopped;
}

void userns_holder_main() {
    // Nothing to do but exist: the namespace lives as long as this process does.
    // A terminating signal ends it (whatever the starting pc ignored); job control and
    // stray terminal signals do not.
    for (int sig : {SIGHUP, SIGINT, SIGQUIT, SIGPIPE, SIGUSR1, SIGUSR2}) ::signal(sig, SIG_IGN);
    ::signal(SIGTERM, SIG_DFL);
    for (;;) ::pause();
}

}  // namespace pc::rootless
