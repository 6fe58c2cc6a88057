// The store's removal queue (store.hpp): `run --rm` returns before its container's files
// are deleted, and however many runs do so, one reaper per store deletes them.
//
// Why a queue rather than a remover per removal: deleting a container tree costs ~1 ms per
// inode on a disk with online discard, and a script that runs `pc run --rm` a thousand
// times must not end with hundreds of removers (each holding its container's mount
// namespace, hence its overlay mount) and their trees piling up.
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <memory>
#include <set>
#include <string_view>

#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/file_lock.hpp"
#include "common/user_paths.hpp"
#include "storage/remove_tree.hpp"
#include "storage/store.hpp"

namespace pc::storage {

namespace {

// Entries of the queue (a container's dir, "<id>.name" for its name link, or a leftover).
std::vector<std::string> queued(const std::string& queue) {
    std::vector<std::string> out;
    std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(queue.c_str()), ::closedir);
    if (!d) return out;
    while (struct dirent* e = ::readdir(d.get())) {
        const std::string n = e->d_name;
        if (n != "." && n != "..") out.push_back(n);
    }
    return out;
}

std::string lock_of(const std::string& queue) { return queue + ".lock"; }

// Closes every descriptor from 3 up but the mount namespaces the caller hands over (the
// container's), so that nothing else of the caller (a pipe whose end of file someone waits
// for, a socket) outlives its closing there.
void keep_only_namespaces() {
    std::vector<int> others;
    if (std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir("/proc/self/fd"), ::closedir); d) {
        const int own = ::dirfd(d.get());
        while (struct dirent* e = ::readdir(d.get())) {
            const int fd = std::atoi(e->d_name);
            if (fd < 3 || fd == own || e->d_name[0] == '.') continue;
            char target[64] = {};
            const ssize_t n = ::readlinkat(own, e->d_name, target, sizeof(target) - 1);
            if (n > 0 && std::string_view(target, static_cast<size_t>(n)).rfind("mnt:[", 0) == 0) continue;
            others.push_back(fd);
        }
    }
    for (int fd : others) ::close(fd);
}

}  // namespace

void Store::queue_removal(const std::string& id, const std::string& name_link) {
    const std::string queue = removal_queue_dir();
    ensure_dir(queue, 0700);
    const std::string entry = queue + "/" + id;
    if (::rename(container_dir(id).c_str(), entry.c_str()) < 0) {
        const int err = errno;
        if (!name_link.empty()) ::unlink(name_link.c_str());
        if (err == ENOENT) return;
        throw Error::sys("removing container " + id + " (rename into " + queue + ")", err);
    }
    if (!name_link.empty() && ::rename(name_link.c_str(), (entry + ".name").c_str()) < 0) ::unlink(name_link.c_str());
    // The reaper is behind (the loop makes containers faster than the disk deletes them):
    // this caller deletes its own, so the backlog stays bounded.
    if (queued(queue).size() > 2 * kMaxQueuedRemovals) remove_trees_in_userns(mapping(), {entry, entry + ".name"});
    spawn_remover();
}

void Store::queue_leftover(const std::string& path) {
    const std::string queue = removal_queue_dir();
    ensure_dir(queue, 0700);
    const std::string name = path.substr(path.rfind('/') + 1);
    if (::rename(path.c_str(), (queue + "/" + name).c_str()) < 0 && errno != ENOENT)
        throw Error::sys("moving " + path + " into " + queue);
}

void Store::resume_removals() {
    const std::string queue = removal_queue_dir();
    if (queued(queue).empty()) return;
    if (!FileLock::try_lock(lock_of(queue)).held()) return;  // a reaper is at work
    spawn_remover();
}

void Store::spawn_remover() {
    const pid_t caller = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) {
        drain_removals();  // no helper to be had: the caller does it
        return;
    }
    if (pid == 0) remover_main(caller);
    // Not waited for: the caller exits soon, and init reaps the helper.
}

void Store::remover_main(pid_t caller) {
    // Let go of the caller's stdio first: whoever waits for EOF on it (a shell pipeline, a
    // test harness) must not wait for this clean-up.
    const int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null >= 0)
        for (int fd = 0; fd <= 2; ++fd) ::dup2(null, fd);
    ::setsid();
    // A monitor blocks the signals it forwards; this helper must stay killable by them.
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    keep_only_namespaces();
    // What the caller hands over (the container's mount namespace, Launched::mount_ns: its
    // teardown takes two expedited RCU grace periods) is released here, after the caller
    // has exited, so never in the exit the user waits for.
    {
        UniqueFd parent(static_cast<int>(::syscall(SYS_pidfd_open, caller, 0)));
        struct pollfd p {parent.get(), POLLIN, 0};
        if (parent) (void)::poll(&p, 1, 10 * 1000);
    }
    ::syscall(SYS_close_range, 3U, ~0U, 0U);
    try {
        drain_removals();
    } catch (...) {
    }
    ::_exit(0);
}

void Store::drain_removals() {
    const std::string queue = removal_queue_dir();
    FileLock reaper = FileLock::try_lock(lock_of(queue));
    if (!reaper.held()) return;  // the running reaper takes what we queued
    std::set<std::string> failed;  // left for the next reaper (e.g. a full disk)
    const std::string prefix = queue + "/";
    for (;;) {
        std::vector<std::string> batch;
        for (const auto& n : queued(queue))
            if (!failed.count(n)) batch.push_back(prefix + n);
        if (batch.empty()) {
            reaper.unlock();
            // Queued after our last look, by a remover that found us still running: ours.
            bool more = false;
            for (const auto& n : queued(queue)) more = more || !failed.count(n);
            if (!more) return;
            reaper = FileLock::try_lock(lock_of(queue));
            if (!reaper.held()) return;  // a newer reaper took over
            continue;
        }
        try {
            remove_trees_in_userns(mapping(), batch);
        } catch (const Error&) {
            for (const auto& p : batch) {
                try {
                    remove_trees_in_userns(mapping(), {p});
                } catch (const Error&) {
                    failed.insert(p.substr(prefix.size()));
                }
            }
        }
    }
}

}  // namespace pc::storage
