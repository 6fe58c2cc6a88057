#include "rootless/userns_holder.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <set>
#include <sstream>
#include <vector>

#include "common/atomic_file.hpp"
#include "common/clock.hpp"
#include "common/containers_conf.hpp"
#include "common/error.hpp"
#include "common/file_lock.hpp"
#include "common/idle_memory.hpp"
#include "common/log.hpp"
#include "common/proc_list.hpp"
#include "common/process.hpp"
#include "common/slurm_job.hpp"
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

std::string& holder_dir_setting() {
    static std::string dir;
    return dir;
}

std::string holder_runtime_dir() {
    const std::string& dir = holder_dir_setting();
    return dir.empty() ? default_runtime_root() : dir;
}

// One record per mapping: another mapping (a test's PC_SUBUID_FILE, an edited
// /etc/subuid) gets a holder of its own instead of replacing this one back and forth.
std::string record_path(const IdMapping& m) {
    const std::string key = str::fingerprint("uid " + IdMapping::format(m.uids) + "\ngid " + IdMapping::format(m.gids));
    return holder_runtime_dir() + "/" + kRecordPrefix + key.substr(0, 16) + kRecordSuffix;
}

// Held while a holder is started and its record written (shared_userns).
std::string lock_path(const std::string& record) {
    return record.substr(0, record.size() - std::strlen(kRecordSuffix)) + ".lock";
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

std::string dir_of(const std::string& path) { return path.substr(0, path.rfind('/')); }
std::string base_of(const std::string& path) { return path.substr(path.rfind('/') + 1); }

// What the holder watches in its record's directory: the record replaced, rewritten,
// removed or renamed, and the directory itself removed, renamed or unmounted.
constexpr uint32_t kWatchMask = IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_CLOSE_WRITE | IN_DELETE_SELF |
                                IN_MOVE_SELF | IN_ONLYDIR;

// Inside a Slurm job: the job's anchor (slurm_job.hpp), which the holder watches, and its
// id, which it carries on its command line (`system reap --job` finds it by the id, also
// when no anchor was found).
struct JobTie {
    std::string anchor;
    std::string id;
};

JobTie current_job() { return JobTie{job_anchor(), slurm_job_id()}; }

// In the new namespace, mapped: drop everything inherited from the caller and become the
// holder of the namespace recorded at `record`. Returns only when the exec failed.
void become_holder(int exec_report, const std::string& record, const JobTie& job) {
    // Its parent (the starter) exits next; the holder must outlive it.
    ::prctl(PR_SET_PDEATHSIG, 0);
    ::setsid();
    // The watch on the record's directory is made before the exec, so before the record is
    // written (once the exec is reported): the holder cannot miss that write, nor anything
    // after it. Without one (inotify instances exhausted) it holds on until stopped.
    UniqueFd watch(::inotify_init1(IN_CLOEXEC));
    if (watch && ::inotify_add_watch(watch.get(), dir_of(record).c_str(), kWatchMask) < 0) watch.reset();
    if (::chdir("/") < 0) throw Error::sys("changing to /");
    UniqueFd null(::open("/dev/null", O_RDWR | O_CLOEXEC));
    if (!null) throw Error::sys("opening /dev/null");
    for (int fd = 0; fd <= 2; ++fd)
        if (::dup2(null.get(), fd) < 0) throw Error::sys("redirecting to /dev/null");
    // No descriptor of the caller survives the exec: a pipe kept open here would keep
    // whoever reads pc's output waiting for an end that never comes.
    if (::syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) < 0) throw Error::sys("close_range");
    if (watch && ::fcntl(watch.get(), F_SETFD, 0) < 0) watch.reset();
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    // pc-monitor when installed: the smallest program that knows the holder's command.
    std::string program = sibling_program("pc-monitor");
    if (program.empty()) program = "/proc/self/exe";
    // `pc __userns-holder RECORD WATCH_FD [JOB_ANCHOR JOB_ID]`: the record path also tells
    // `system migrate` whether a holder's record still exists (stop_userns_holders).
    std::string arg0 = "pc", arg1 = kHolderArg, arg3 = std::to_string(watch ? watch.get() : -1);
    std::string arg2 = record, arg4 = job.anchor, arg5 = job.id;
    char* argv[] = {arg0.data(), arg1.data(), arg2.data(), arg3.data(), nullptr, nullptr, nullptr};
    if (!job.id.empty()) {
        argv[4] = arg4.data();
        argv[5] = arg5.data();
    }
    ::execv(program.c_str(), argv);
    const std::string msg = "executing " + program + ": " + std::strerror(errno);
    (void)write_all(exec_report, msg.data(), msg.size());
}

// The forked starter: creates the holder as its own child, maps it, waits for its exec and
// reports "PID START" (or "error MESSAGE") on `report`, then exits, so that the holder is
// inherited by init (or the nearest subreaper) rather than by the caller.
[[noreturn]] void starter_main(const IdMapping& m, const std::string& record, const JobTie& job, int report) {
    std::string out;
    try {
        Pipe exec_check = Pipe::make();  // O_CLOEXEC: end of file once the holder has exec'd
        UsernsChild holder = UsernsChild::start(0, [&exec_check, &record, &job]() -> int {
            exec_check.read.reset();
            become_holder(exec_check.write.get(), record, job);
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

std::optional<Record> start_holder(const IdMapping& m, const std::string& record, std::string& why) {
    const JobTie job = current_job();  // before the fork: the starter must not scan /proc
    Pipe report = Pipe::make();
    std::fflush(nullptr);  // the starter must not write the caller's buffers again
    const pid_t pid = ::fork();
    if (pid < 0) {
        why = std::string("fork: ") + std::strerror(errno);
        return std::nullopt;
    }
    if (pid == 0) {
        report.read.reset();
        starter_main(m, record, job, report.write.get());
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
        ensure_dir(holder_runtime_dir(), 0700, true);
        // Concurrent pcs (20 parallel `pc run`) start one holder, not twenty.
        FileLock lock(lock_path(path));
        if (auto r = read_record(path))
            if (auto ns = open_holder(*r, m, why)) return ns;
        auto started = start_holder(m, path, why);
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

namespace {

// A process of the calling user that runs `pc __userns-holder`, seen through its /proc
// directory (every read concerns that one process, or fails once it has exited).
struct HolderProcess {
    pid_t pid = 0;
    uint64_t start = 0;
    std::string record;  // the record it watches ("" for a holder of an older pc)
    std::string job;     // the Slurm job it was started in, "" outside one
};

std::optional<HolderProcess> inspect_holder(pid_t pid, int proc_dir) {
    struct stat st {};
    if (::fstat(proc_dir, &st) < 0 || st.st_uid != ::getuid()) return std::nullopt;
    auto cmdline = read_at(proc_dir, "cmdline");
    auto start = start_time_at(proc_dir);
    if (!cmdline || !start) return std::nullopt;
    std::vector<std::string> argv;
    for (size_t i = 0; i < cmdline->size();) {
        size_t end = cmdline->find('\0', i);
        if (end == std::string::npos) end = cmdline->size();
        argv.push_back(cmdline->substr(i, end - i));
        i = end + 1;
    }
    if (argv.size() < 2 || argv[1] != kHolderArg) return std::nullopt;
    return HolderProcess{pid, *start, argv.size() > 2 ? argv[2] : "", argv.size() > 5 ? argv[5] : ""};
}

// SIGKILL (it holds nothing to clean up, and a stopped holder must end too) to `pid`
// only while it is still the holder that started at `start`: through a pidfd taken after
// the checks, so a recycled pid is never hit.
bool stop_holder(pid_t pid, uint64_t start) {
    UniqueFd proc = open_proc(pid);
    if (!proc) return false;
    auto h = inspect_holder(pid, proc.get());
    if (!h || h->start != start) return false;
    UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
    return pidfd && start_time_at(proc.get()) == start &&
           ::syscall(SYS_pidfd_send_signal, pidfd.get(), SIGKILL, nullptr, 0) == 0;
}

// True when the record at `path` names exactly this holder.
bool record_names(const std::string& path, pid_t pid, uint64_t start) {
    auto r = read_record(path);
    return r && r->pid == pid && r->start == start;
}

// A pc is starting a holder for `record` and is about to write it (it holds the lock).
bool being_recorded(const std::string& record) {
    if (::access(dir_of(record).c_str(), F_OK) != 0) return false;
    try {
        return !FileLock::try_lock(lock_path(record)).held();
    } catch (const Error&) {
        return false;
    }
}

}  // namespace

namespace {

// Every holder process of the caller, as /proc shows them now.
std::vector<HolderProcess> running_holders() {
    std::vector<HolderProcess> out;
    for (pid_t pid : proc_pids()) {
        UniqueFd pdir = open_proc(pid);
        if (auto h = pdir ? inspect_holder(pid, pdir.get()) : std::nullopt) out.push_back(*h);
    }
    return out;
}

}  // namespace

void set_holder_runtime_dir(const std::string& dir) { holder_dir_setting() = dir; }

int stop_userns_holders(const std::string& dir) {
    int stopped = 0;
    std::set<pid_t> signalled;
    // Those recorded here, for every mapping.
    if (std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir.c_str()), ::closedir); d) {
        const std::string prefix = dir + "/";
        while (struct dirent* e = ::readdir(d.get())) {
            const std::string name = e->d_name;
            if (!str::starts_with(name, kRecordPrefix) || !str::ends_with(name, kRecordSuffix)) continue;
            const std::string path = prefix + name;
            if (auto r = read_record(path); r && stop_holder(r->pid, r->start)) {
                ++stopped;
                signalled.insert(r->pid);
            }
            ::unlink(path.c_str());
        }
    }
    // Holders whose record is lost: their runtime dir was removed or replaced while they
    // could not notice (stopped, or without an inotify instance), or they belong to a pc
    // that did not watch its record. Holders recorded in another runtime dir that still
    // exists serve another session and are left alone.
    for (const HolderProcess& h : running_holders()) {
        if (signalled.count(h.pid)) continue;
        const bool lost = h.record.empty() || dir_of(h.record) == dir ||
                          (!record_names(h.record, h.pid, h.start) && !being_recorded(h.record));
        if (lost && stop_holder(h.pid, h.start)) ++stopped;
    }
    return stopped;
}

std::vector<pid_t> stop_job_userns_holders(const std::string& job) {
    std::vector<pid_t> stopped;
    if (job.empty()) return stopped;
    for (const HolderProcess& h : running_holders()) {
        if (h.job != job || !stop_holder(h.pid, h.start)) continue;
        stopped.push_back(h.pid);
        if (record_names(h.record, h.pid, h.start)) ::unlink(h.record.c_str());
    }
    return stopped;
}

namespace {

// Holds the namespace while `record` names this process: returns once the record is
// gone or names another process, or its directory was removed, renamed or unmounted (a
// login session ended, a job's tmpdir was cleaned). `watch` is the inotify instance made
// before the exec, so the record's first write (right after it, by the pc that started
// this holder) cannot be missed. A record that never comes (that pc died) ends it too, and
// so does the end of the Slurm job it was started in (`job`, a pidfd of the job's anchor,
// readable once that process is gone; -1 outside a job). Without `watch` (-1: no inotify
// instance to be had) only the job or a signal ends it.
PC_IDLE_PATH void hold_while_recorded(const std::string& record, int watch, int job) {
    const auto start = [] {
        UniqueFd self(::open("/proc/self", O_PATH | O_DIRECTORY | O_CLOEXEC));
        return self ? start_time_at(self.get()) : std::nullopt;
    }();
    if (!start) return;
    const pid_t pid = ::getpid();
    const std::string name = base_of(record);
    bool confirmed = watch < 0 || record_names(record, pid, *start);
    const int64_t record_due = monotonic_ns() + 60'000'000'000;
    // The holder lives as long as the user's containers do and wakes for every file made
    // in its directory: what starting it paged in (the whole exec'd binary's start-up
    // text, ~1 MiB) goes once nothing has happened for 2 s.
    IdleTrimmer idle;
    alignas(struct inotify_event) char buf[4096];
    for (;;) {
        struct pollfd p[2] = {{watch, POLLIN, 0}, {job, POLLIN, 0}};  // poll skips an fd of -1
        int timeout = -1;
        if (!confirmed) timeout = static_cast<int>(std::max<int64_t>(0, (record_due - monotonic_ns()) / 1'000'000));
        idle.before_sleep(timeout);
        const int n = ::poll(p, 2, timeout);
        if (n < 0) {
            if (errno == EINTR) continue;
            return;
        }
        idle.after_wake(n > 0);
        if (p[1].revents) return;  // the job has ended on this node
        if (n == 0) {  // no record within a minute: nobody will ever find this holder
            if (confirmed || monotonic_ns() < record_due) continue;  // the trim's wakeup
            if (!record_names(record, pid, *start)) return;
            confirmed = true;
            continue;
        }
        const ssize_t len = ::read(watch, buf, sizeof buf);
        if (len < 0) {
            if (errno == EINTR || errno == EAGAIN) continue;
            return;
        }
        bool check = false;
        for (ssize_t off = 0; off < len;) {
            const auto* ev = reinterpret_cast<const struct inotify_event*>(buf + off);
            if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_UNMOUNT | IN_IGNORED)) return;
            if ((ev->mask & IN_Q_OVERFLOW) || (ev->len > 0 && name == ev->name)) check = true;
            off += static_cast<ssize_t>(sizeof(struct inotify_event) + ev->len);
        }
        if (!check) continue;
        if (record_names(record, pid, *start)) confirmed = true;
        else if (confirmed) return;  // removed, or replaced by another holder's
    }
}

}  // namespace

void userns_holder_main(int argc, char** argv) {
    // Nothing to do but exist: the namespace lives as long as this process does.
    // A terminating signal ends it (whatever the starting pc ignored); job control and
    // stray terminal signals do not.
    for (int sig : {SIGHUP, SIGINT, SIGQUIT, SIGPIPE, SIGUSR1, SIGUSR2}) ::signal(sig, SIG_IGN);
    ::signal(SIGTERM, SIG_DFL);
    const int watch = argc > 3 ? std::atoi(argv[3]) : -1;
    int job = -1;
    if (argc > 4 && *argv[4]) {
        job = open_job_anchor(argv[4]);
        if (job < 0) ::_exit(0);  // the job it was started for has ended already
    }
    hold_while_recorded(argc > 2 ? argv[2] : "", watch, job);
    ::_exit(0);
}

}  // namespace pc::rootless
