#include "rootless/ns_join.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>

#include <cerrno>

#include "common/error.hpp"
#include "common/lazy_library.hpp"
#include "rootless/nested_userns.hpp"

namespace pc::rootless {

namespace {

int nstype_of(const std::string& kind) {
    if (kind == "user") return CLONE_NEWUSER;
    if (kind == "mnt") return CLONE_NEWNS;
    if (kind == "pid") return CLONE_NEWPID;
    if (kind == "uts") return CLONE_NEWUTS;
    if (kind == "ipc") return CLONE_NEWIPC;
    if (kind == "net") return CLONE_NEWNET;
    if (kind == "cgroup") return CLONE_NEWCGROUP;
    throw Error("unknown namespace kind \"" + kind + "\"");
}

bool same_file(int fd, const std::string& path) {
    struct stat a {}, b {};
    if (::fstat(fd, &a) < 0 || ::stat(path.c_str(), &b) < 0) return false;
    return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

}  // namespace

std::vector<NamespaceFd> open_namespaces(pid_t pid, const std::vector<std::string>& kinds) {
    // One directory fd for the process: every ns/* below names the same process even if
    // the pid is recycled meanwhile (the lookups then fail with ESRCH/ENOENT).
    const std::string proc = "/proc/" + std::to_string(pid);
    UniqueFd dir(::open(proc.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!dir) throw Error::sys("opening " + proc + " (the container's process)", errno);
    std::vector<NamespaceFd> out;
    for (const std::string& kind : kinds) {
        NamespaceFd ns{kind, nstype_of(kind), UniqueFd(::openat(dir.get(), ("ns/" + kind).c_str(), O_RDONLY | O_CLOEXEC))};
        if (!ns.fd) throw Error::sys("opening " + proc + "/ns/" + kind, errno);
        if (same_file(ns.fd.get(), "/proc/self/ns/" + kind)) {
            if (kind == "user")
                throw Error("process " + std::to_string(pid) + " is not in a container's user namespace");
            continue;
        }
        out.push_back(std::move(ns));
    }
    order_for_joining(out);
    return out;
}

void join_namespaces(const std::vector<NamespaceFd>& namespaces) {
    for (const NamespaceFd& ns : namespaces) {
        if (ns.nstype == CLONE_NEWNS) common::LazyLibrary::forbid_opening();  // the container's files from here
        if (::setns(ns.fd.get(), ns.nstype) < 0) throw Error::sys("joining the container's " + ns.kind + " namespace", errno);
    }
}

}  // namespace pc::rootless
