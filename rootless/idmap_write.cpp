// Writing a mapping for a child in a fresh user namespace.
#include <fcntl.h>

#include <cerrno>

#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/process.hpp"
#include "common/strings.hpp"
#include "rootless/idmap.hpp"
#include "rootless/nested_userns.hpp"

namespace pc::rootless {

// A helper (newuidmap/newgidmap) started with its output captured.
struct PendingMapping::Helper {
    std::vector<std::string> argv;
    ChildProcess proc;
    UniqueFd output;
};

namespace {

using Helper = PendingMapping::Helper;

Helper start_helper(const char* prog, pid_t pid, const std::vector<IdMapEntry>& entries) {
    Helper h;
    h.argv = {prog, std::to_string(pid)};
    for (const auto& e : entries) {
        h.argv.push_back(std::to_string(e.inside));
        h.argv.push_back(std::to_string(e.outside));
        h.argv.push_back(std::to_string(e.count));
    }
    Pipe p = Pipe::make();
    // fork + exec, not posix_spawn, which would hold us until the slow setuid exec is done:
    // both helpers and the caller's own work then run at once.
    h.proc = spawn_concurrent(h.argv, -1, p.write.get(), p.write.get());
    h.output = std::move(p.read);
    return h;
}

// Reads the helper's output to EOF, then reaps it. Each helper finishes independently of
// the other, so draining them one after the other cannot deadlock.
void finish_helper(Helper& h, std::string& error) {
    std::string out;
    (void)read_to_eof(h.output.get(), out);
    out = str::trim(out);
    ExitStatus st = h.proc.wait();
    if (!st.signaled && st.code == 0) return;
    if (!error.empty()) error += "; ";
    error += "running " + str::join(h.argv, " ") + " failed (" +
             (st.signaled ? "killed by signal " + std::to_string(st.signal)
                          : "exit status " + std::to_string(st.code)) +
             ")" + (out.empty() ? "" : ": " + out);
}

void write_proc(pid_t pid, const char* file, const std::string& content) {
    const std::string path = "/proc/" + std::to_string(pid) + "/" + file;
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd) throw Error::sys("opening " + path);
    // These files need the whole content in a single write().
    ssize_t n = ::write(fd.get(), content.data(), content.size());
    if (n < 0) throw Error::sys("writing \"" + str::trim(content) + "\" to " + path);
    if (static_cast<size_t>(n) != content.size()) throw Error("short write to " + path);
}

std::string map_text(const std::vector<IdMapEntry>& entries) {
    std::string s;
    for (const auto& e : entries)
        s += std::to_string(e.inside) + ' ' + std::to_string(e.outside) + ' ' + std::to_string(e.count) + '\n';
    return s;
}

}  // namespace

PendingMapping PendingMapping::start(pid_t pid, const IdMapping& m) {
    if (m.uids.empty() || m.gids.empty()) throw Error("writing id mapping: the mapping is empty");
    PendingMapping pending;
    pending.pid_ = pid;
    if (m.single) {
        write_mapping_directly(pid, m);
        return pending;
    }
    // The exec of each setuid helper dominates the cost of mapping: run both at once.
    pending.helpers_.push_back(start_helper("newuidmap", pid, m.uids));
    pending.helpers_.push_back(start_helper("newgidmap", pid, m.gids));
    return pending;
}

void PendingMapping::finish() {
    std::string error;
    for (Helper& h : helpers_) finish_helper(h, error);
    helpers_.clear();
    if (!error.empty()) throw Error("writing id mapping for process " + std::to_string(pid_) + ": " + error);
}

PendingMapping::PendingMapping() = default;
PendingMapping::PendingMapping(PendingMapping&&) noexcept = default;
PendingMapping& PendingMapping::operator=(PendingMapping&&) noexcept = default;

PendingMapping::~PendingMapping() {
    // The helpers are setuid: they cannot be killed, only waited for (they are quick).
    for (Helper& h : helpers_) {
        h.output.reset();
        try {
            if (h.proc.running()) h.proc.wait();
        } catch (const Error&) {
            // already reaped elsewhere: nothing left to wait for
        }
    }
}

void write_mapping_directly(pid_t pid, const IdMapping& m) {
    write_proc(pid, "uid_map", map_text(m.uids));
    // The kernel refuses an unprivileged gid_map while setgroups is still allowed, and
    // setgroups can only be denied before gid_map is written (PLATFORM.md §8). A nested
    // namespace inherits its parent's setting.
    if (m.single) write_proc(pid, "setgroups", "deny");
    write_proc(pid, "gid_map", map_text(m.gids));
}

void write_mapping(pid_t pid, const IdMapping& m) { PendingMapping::start(pid, m).finish(); }

}  // namespace pc::rootless
