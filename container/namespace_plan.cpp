#include "container/namespace_plan.hpp"

#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <map>

#include "common/error.hpp"
#include "common/strings.hpp"
#include "container/container_store.hpp"

namespace pc::container {

namespace {

struct Kind {
    const char* name;   // /proc/PID/ns name
    int nstype;
    const char* option; // the option that asked for it, for messages
};

// --network ns:PATH: a network namespace bind-mounted or held elsewhere; joined through the
// user namespace that owns it, which must be one of this user's.
void join_path(NamespacePlan& plan, const std::string& path) {
    UniqueFd net(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!net) throw Error::sys("--network ns:" + path + ": opening the namespace", errno);
    UniqueFd owner(::ioctl(net.get(), NS_GET_USERNS));
    if (!owner) throw Error::sys("--network ns:" + path + ": not a network namespace, or its owner is unknown", errno);
    struct stat a {}, b {};
    if (::fstat(owner.get(), &a) == 0 && ::stat("/proc/self/ns/user", &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev)
        throw Error("--network ns:" + path + ": the namespace belongs to the host's user namespace; a rootless container "
                    "can only join a network namespace created in a user namespace of its own user");
    plan.joins.push_back({"user", CLONE_NEWUSER, std::move(owner)});
    plan.joins.push_back({"net", CLONE_NEWNET, std::move(net)});
}

// The user namespace that owns namespace `fd`, as (dev, inode).
std::pair<dev_t, ino_t> owner_of(int fd) {
    UniqueFd owner(::ioctl(fd, NS_GET_USERNS));
    struct stat st {};
    if (!owner || ::fstat(owner.get(), &st) < 0) return {0, 0};
    return {st.st_dev, st.st_ino};
}

std::pair<dev_t, ino_t> identity_of(int fd) {
    struct stat st {};
    if (::fstat(fd, &st) < 0) return {0, 0};
    return {st.st_dev, st.st_ino};
}

}  // namespace

std::string shared_container(const std::string& mode) {
    return str::starts_with(mode, "container:") ? mode.substr(10) : "";
}

NamespacePlan plan_namespaces(storage::Store& store, const ContainerConfig& cfg, const net::NetworkMode& network) {
    NamespacePlan plan;
    plan.unshare_flags = CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC;
    // Which container each namespace comes from, in the order they are entered.
    std::vector<std::pair<Kind, std::string>> wanted;
    if (network.kind == net::NetworkKind::Container) wanted.push_back({{"net", CLONE_NEWNET, "--network"}, network.target});
    if (auto t = shared_container(cfg.uts_mode); !t.empty()) wanted.push_back({{"uts", CLONE_NEWUTS, "--uts"}, t});
    if (auto t = shared_container(cfg.ipc_mode); !t.empty()) wanted.push_back({{"ipc", CLONE_NEWIPC, "--ipc"}, t});
    if (auto t = shared_container(cfg.pid_mode); !t.empty()) wanted.push_back({{"pid", CLONE_NEWPID, "--pid"}, t});

    // The host's own: not made (a user namespace cannot enter its ancestors' namespaces;
    // staying in them is what "host" means).
    if (cfg.uts_mode == "host") plan.unshare_flags &= ~CLONE_NEWUTS;
    if (cfg.ipc_mode == "host") plan.unshare_flags &= ~CLONE_NEWIPC;
    if (cfg.pid_mode == "host") plan.unshare_flags &= ~CLONE_NEWPID;
    if (network.kind == net::NetworkKind::Namespace) join_path(plan, network.target);
    if (!wanted.empty()) {
        ContainerStore containers(store);
        std::map<std::string, Container> found;
        for (const auto& [kind, target] : wanted) {
            if (found.count(target)) continue;
            auto other = containers.find(target);
            const std::string what = std::string(kind.option) + " container:" + target;
            if (!other) throw Error(what + ": no container with name or ID \"" + target + "\" found: no such container");
            if (!other->state.running() || other->state.pid <= 0)
                throw Error(what + ": container " + other->config.name + " is not running, so its namespaces cannot be joined");
            found.emplace(target, std::move(*other));
        }
        for (const auto& [kind, target] : wanted) {
            const pid_t pid = found.at(target).state.pid;
            std::vector<std::string> kinds;
            if (plan.joins.empty()) kinds.push_back("user");  // the owner of all that follows
            kinds.push_back(kind.name);
            for (auto& ns : rootless::open_namespaces(pid, kinds)) {
                // Owned by a user namespace joined before it (the container's, or for a
                // keep-id container on networks the shared one its own is nested in).
                const bool owned = std::any_of(plan.joins.begin(), plan.joins.end(), [&](const rootless::NamespaceFd& u) {
                    return u.nstype == CLONE_NEWUSER && identity_of(u.fd.get()) == owner_of(ns.fd.get());
                });
                if (ns.nstype != CLONE_NEWUSER && !plan.joins.empty() && plan.joins.front().nstype == CLONE_NEWUSER && !owned)
                    throw Error(std::string(kind.option) + " container:" + target + ": its " + kind.name +
                                " namespace belongs to another user namespace than the other namespaces this container "
                                "joins (containers started with different --userns cannot share namespaces)");
                plan.joins.push_back(std::move(ns));
            }
            plan.unshare_flags &= ~kind.nstype;
        }
    }
    plan.own_net = network.kind != net::NetworkKind::Host && network.kind != net::NetworkKind::Container &&
                   network.kind != net::NetworkKind::Namespace;
    return plan;
}

}  // namespace pc::container
