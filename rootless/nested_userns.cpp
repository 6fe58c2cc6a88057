#include "rootless/nested_userns.hpp"

#include <linux/nsfs.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>

#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/process.hpp"

namespace pc::rootless {

IdMapping nested_mapping(const IdMapping& inner, const IdMapping& outer) {
    // Each extent is split where the outer mapping's extents split its host ids.
    auto translate = [](const std::vector<IdMapEntry>& entries, const std::vector<IdMapEntry>& parent, const char* kind) {
        std::vector<IdMapEntry> out;
        for (const auto& e : entries) {
            uint64_t done = 0;
            while (done < e.count) {
                const uint64_t host = static_cast<uint64_t>(e.outside) + done;
                const IdMapEntry* p = nullptr;
                for (const auto& q : parent)
                    if (host >= q.outside && host < static_cast<uint64_t>(q.outside) + q.count) p = &q;
                if (!p)
                    throw Error(std::string("host ") + kind + " " + std::to_string(host) +
                                " is not mapped in the user's shared user namespace");
                const uint64_t len = std::min<uint64_t>(e.count - done, p->outside + uint64_t{p->count} - host);
                out.push_back({static_cast<uint32_t>(e.inside + done), static_cast<uint32_t>(p->inside + (host - p->outside)),
                               static_cast<uint32_t>(len)});
                done += len;
            }
        }
        return out;
    };
    IdMapping m;
    m.single = inner.single;
    m.uids = translate(inner.uids, outer.uids, "uid");
    m.gids = translate(inner.gids, outer.gids, "gid");
    return m;
}

namespace {

std::pair<dev_t, ino_t> identity_of(int fd) {
    struct stat st {};
    if (::fstat(fd, &st) < 0) return {0, 0};
    return {st.st_dev, st.st_ino};
}

std::pair<dev_t, ino_t> current_userns() {
    struct stat st {};
    if (::stat("/proc/self/ns/user", &st) < 0) return {0, 0};
    return {st.st_dev, st.st_ino};
}

std::pair<dev_t, ino_t> owner_of(int fd) {
    UniqueFd owner(::ioctl(fd, NS_GET_USERNS));
    return owner ? identity_of(owner.get()) : std::pair<dev_t, ino_t>{0, 0};
}

}  // namespace

void order_for_joining(std::vector<NamespaceFd>& ns) {
    if (ns.empty() || ns.front().nstype != CLONE_NEWUSER) return;
    const auto user = identity_of(ns.front().fd.get());
    if (std::all_of(ns.begin() + 1, ns.end(), [&](const NamespaceFd& n) { return owner_of(n.fd.get()) == user; }))
        return;
    UniqueFd parent(::ioctl(ns.front().fd.get(), NS_GET_PARENT));
    if (!parent) return;  // the join reports what it cannot enter
    const auto parent_id = identity_of(parent.get());
    std::vector<NamespaceFd> first, rest;
    if (parent_id != current_userns()) first.push_back({"user", CLONE_NEWUSER, std::move(parent)});
    for (size_t i = 1; i < ns.size(); ++i)
        (owner_of(ns[i].fd.get()) == parent_id ? first : rest).push_back(std::move(ns[i]));
    first.push_back(std::move(ns.front()));
    for (auto& n : rest) first.push_back(std::move(n));
    ns = std::move(first);
}

std::vector<NamespaceFd> open_network_namespace(pid_t pid) {
    std::vector<NamespaceFd> all = open_namespaces(pid, {"user", "net"});
    auto net = std::find_if(all.begin(), all.end(), [](const NamespaceFd& n) { return n.nstype == CLONE_NEWNET; });
    if (net == all.end()) throw Error("process " + std::to_string(pid) + " has no network namespace of its own");
    UniqueFd owner(::ioctl(net->fd.get(), NS_GET_USERNS));
    if (!owner) throw Error::sys("finding the owner of process " + std::to_string(pid) + "'s network namespace", errno);
    std::vector<NamespaceFd> out;
    out.push_back({"user", CLONE_NEWUSER, std::move(owner)});
    out.push_back(std::move(*net));
    return out;
}

void unshare_nested_userns(const IdMapping& m) {
    const pid_t self = ::getpid();
    Pipe go = Pipe::make();
    Pipe errors = Pipe::make();
    std::fflush(nullptr);
    const pid_t helper = ::fork();
    if (helper < 0) throw Error::sys("fork (id mapping helper)");
    if (helper == 0) {
        go.write.reset();
        errors.read.reset();
        char byte = 0;
        // EOF: the caller could not unshare (it reports why) or is gone.
        if (read_full(go.read.get(), &byte, 1) != 1) ::_exit(1);
        try {
            write_mapping_directly(self, m);
        } catch (const std::exception& e) {
            (void)write_all(errors.write.get(), e.what(), std::min(std::strlen(e.what()), size_t{4000}));
            ::_exit(kExitEngine);
        }
        ::_exit(0);
    }
    go.read.reset();
    errors.write.reset();
    ChildProcess writer(helper);
    const int unshared = ::unshare(CLONE_NEWUSER);
    const int err = errno;
    if (unshared == 0) (void)write_all(go.write.get(), "1", 1);
    go.write.reset();
    const ExitStatus st = writer.wait();
    if (unshared < 0) throw Error::sys("creating the container's user namespace", err);
    std::string message;
    (void)read_to_eof(errors.read.get(), message);
    if (st.signaled || st.code != 0)
        throw Error("writing the id mapping of the container's user namespace: " +
                    (message.empty() ? std::string("the helper failed") : message));
}

}  // namespace pc::rootless
