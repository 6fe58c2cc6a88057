// Processes inside a fresh user namespace. The child is created with clone(CLONE_NEWUSER |
// extra flags), blocks until the parent has written its id mapping, then runs a function
// with full capabilities in that namespace (it stays in the host's mount namespace unless
// CLONE_NEWNS is among the flags). The child dies with its parent (PR_SET_PDEATHSIG).
#pragma once

#include <functional>
#include <string>

#include "common/fd.hpp"
#include "common/process.hpp"
#include "rootless/idmap.hpp"
#include "rootless/ns_join.hpp"

namespace pc::rootless {

class UsernsChild {
public:
    // Clones the child; it waits. `fn`'s return value becomes the child's exit code; an
    // exception escaping `fn` is reported to the parent (see wait_ok) and exits 125.
    static UsernsChild start(int extra_clone_flags, std::function<int()> fn);
    // The same, with `before_release` run in the child right after the clone, while the
    // parent writes the mapping (newuidmap/newgidmap take most of a millisecond): work
    // that needs only the namespace's capabilities, not its ids (creating network
    // devices in a CLONE_NEWNET namespace, unsharing the other namespaces, forking). It
    // must not throw; it keeps its own errors for `fn` to report.
    static UsernsChild start(int extra_clone_flags, std::function<void()> before_release, std::function<int()> fn);

    // Like start(), but in the user's shared user namespace for `m` when there is one (see
    // userns_holder.hpp): the child joins it with setns() and unshares `extra_clone_flags`
    // there, and the mapping calls below only let it run, since the namespace is mapped
    // already; else a fresh namespace as with start(). CLONE_NEWPID always means a fresh
    // one (unshare() would put only the child's children in the new pid namespace).
    static UsernsChild enter(const IdMapping& m, int extra_clone_flags, std::function<int()> fn);
    static UsernsChild enter(const IdMapping& m, int extra_clone_flags, std::function<void()> before_release,
                             std::function<int()> fn);

    // The same protocol for a forked child that joins existing namespaces (user namespace
    // first) instead of creating one: a container that shares another's network must live
    // in the user namespace that owns it (PLATFORM.md §5). Let it run with release();
    // `before_release` runs once it has joined.
    static UsernsChild join(std::vector<NamespaceFd> namespaces, std::function<void()> before_release,
                            std::function<int()> fn);

    pid_t pid() const { return proc_.pid(); }
    // Writes the mapping and lets the child run. May be called once.
    void map_and_release(const IdMapping& m);
    // The same in two steps, for a caller with work to do while the mapping helpers run.
    void start_mapping(const IdMapping& m);
    void finish_mapping_and_release();
    // Lets a joined child run.
    void release();
    // Waits; returns its status.
    ExitStatus wait() { return proc_.wait(); }
    // Waits; throws pc::Error with the child's error message when it failed.
    void wait_ok();
    ChildProcess& process() { return proc_; }

private:
    // A mapping that failed: the child is killed and reaped, never released.
    void abandon();

    // `unshare_flags`: namespaces the child creates after joining `joins`.
    static UsernsChild spawn(int clone_flags, const std::vector<NamespaceFd>* joins, int unshare_flags,
                             const std::function<void()>& before_release, std::function<int()> fn);

    ChildProcess proc_;
    UniqueFd go_;      // parent's end: written once the mapping is in place
    UniqueFd errors_;  // parent's end: error message from the child, if any
    PendingMapping mapping_;
    bool joined_ = false;  // in namespaces mapped before: nothing to write
};

// Runs `fn` in a user namespace with mapping `m` (the shared one, else a fresh one: see
// UsernsChild::enter; caps in that namespace, host mount namespace) and waits. Exceptions thrown by `fn` in the child are re-thrown in the parent
// as pc::Error with the same message. Used for layer extraction and removal of subuid-owned
// files.
void run_in_userns(const IdMapping& m, const std::function<void()>& fn, int extra_clone_flags = 0);

}  // namespace pc::rootless
