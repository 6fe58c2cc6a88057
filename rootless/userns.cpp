#include "rootless/userns.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <algorithm>
#include <cstring>
#include <exception>

#include "common/error.hpp"
#include "rootless/userns_holder.hpp"

namespace pc::rootless {

namespace {

// Bounded so that the child never blocks on a full pipe before exiting (the parent reads
// the message only after reaping it).
constexpr size_t kMaxMessage = 4000;
constexpr int kExitParentGone = 1;

[[noreturn]] void child_main(int go_fd, int error_fd, pid_t parent, int flags,
                             const std::function<void()>& before_release, const std::function<int()>& fn) {
    // Dies with the parent so that nothing lingers in a half-set-up namespace. The signal is
    // tied to the thread that cloned us: callers keep cloning from a thread that stays.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    // With CLONE_NEWPID getppid() reads 0; the go socket's EOF covers that case.
    if (!(flags & CLONE_NEWPID) && ::getppid() != parent) ::_exit(kExitParentGone);
    if (before_release) before_release();

    // EOF: the parent died or gave up (mapping failed) before releasing us.
    if (!wait_go(go_fd)) ::_exit(kExitParentGone);
    ::close(go_fd);

    int rc = kExitEngine;
    std::string message;
    try {
        rc = fn();
    } catch (const std::exception& e) {
        message = e.what();
    } catch (...) {
        message = "unknown error in user namespace";
    }
    if (rc == kExitEngine && !message.empty()) {
        if (message.size() > kMaxMessage) message.resize(kMaxMessage);
        (void)write_all(error_fd, message.data(), message.size());
    }
    // Only what fn itself printed is buffered here (the parent flushed before cloning).
    std::fflush(nullptr);
    ::_exit(rc);
}

std::string clone_hint(int err) {
    switch (err) {
        case ENOSPC: return " (user.max_user_namespaces or a namespace limit reached)";
        case EPERM: return " (unprivileged user namespaces are disabled on this host)";
        case EINVAL: return " (namespace flags not supported by this kernel)";
        default: return "";
    }
}

}  // namespace

UsernsChild UsernsChild::start(int extra_clone_flags, std::function<int()> fn) {
    return spawn(CLONE_NEWUSER | extra_clone_flags, nullptr, 0, {}, std::move(fn));
}

UsernsChild UsernsChild::start(int extra_clone_flags, std::function<void()> before_release, std::function<int()> fn) {
    return spawn(CLONE_NEWUSER | extra_clone_flags, nullptr, 0, before_release, std::move(fn));
}

UsernsChild UsernsChild::enter(const IdMapping& m, int extra_clone_flags, std::function<int()> fn) {
    return enter(m, extra_clone_flags, {}, std::move(fn));
}

UsernsChild UsernsChild::enter(const IdMapping& m, int extra_clone_flags, std::function<void()> before_release,
                               std::function<int()> fn) {
    if (!(extra_clone_flags & CLONE_NEWPID)) {
        if (auto ns = shared_userns(m)) {
            std::vector<NamespaceFd> joins;
            joins.push_back({"user", CLONE_NEWUSER, std::move(*ns)});
            return spawn(0, &joins, extra_clone_flags, before_release, std::move(fn));
        }
    }
    return spawn(CLONE_NEWUSER | extra_clone_flags, nullptr, 0, before_release, std::move(fn));
}

UsernsChild UsernsChild::join(std::vector<NamespaceFd> namespaces, std::function<void()> before_release,
                              std::function<int()> fn) {
    return spawn(0, &namespaces, 0, before_release, std::move(fn));
}

UsernsChild UsernsChild::spawn(int flags, const std::vector<NamespaceFd>* joins, int unshare_flags,
                               const std::function<void()>& before_release, std::function<int()> fn) {
    // A socket rather than a pipe: the parent's "go" goes through send(MSG_NOSIGNAL), so a
    // child that already died cannot raise SIGPIPE in the parent.
    SocketPair go = SocketPair::make();
    Pipe errors = Pipe::make();
    const pid_t parent = ::getpid();
    // Anything the caller left in stdio buffers would otherwise be written twice.
    std::fflush(nullptr);

    // Raw clone without a stack: fork-like semantics (the child continues on a copy of this
    // stack), which glibc's clone() wrapper does not offer. Unlike fork(), no atfork
    // handlers run: callers clone before starting threads (DESIGN.md, process model).
    long pid = ::syscall(SYS_clone, SIGCHLD | flags, nullptr, nullptr, nullptr, 0);
    if (pid < 0) {
        int err = errno;
        throw Error("creating a user namespace (clone): " + std::string(std::strerror(err)) + clone_hint(err));
    }
    if (pid == 0) {
        go.a.reset();
        errors.read.reset();
        if (joins) {
            // The parent is single-threaded, so this child may enter a user namespace.
            try {
                join_namespaces(*joins);
                if (unshare_flags != 0 && ::unshare(unshare_flags) < 0)
                    throw Error::sys("creating namespaces in the joined user namespace", errno);
            } catch (const std::exception& e) {
                (void)write_all(errors.write.get(), e.what(), std::min(std::strlen(e.what()), kMaxMessage));
                ::_exit(kExitEngine);
            }
        }
        child_main(go.b.get(), errors.write.get(), parent, flags, before_release, fn);
    }

    UsernsChild c;
    c.proc_ = ChildProcess(static_cast<pid_t>(pid));
    c.go_ = std::move(go.a);
    c.errors_ = std::move(errors.read);
    c.joined_ = joins != nullptr;
    return c;
}

void UsernsChild::map_and_release(const IdMapping& m) {
    start_mapping(m);
    finish_mapping_and_release();
}

void UsernsChild::start_mapping(const IdMapping& m) {
    if (!go_) throw Error("user namespace child: mapping already written");
    if (joined_) return;
    try {
        mapping_ = PendingMapping::start(pid(), m);
    } catch (...) {
        abandon();
        throw;
    }
}

void UsernsChild::finish_mapping_and_release() {
    try {
        mapping_.finish();
    } catch (...) {
        abandon();
        throw;
    }
    release();
}

void UsernsChild::abandon() {
    go_.reset();
    proc_.kill(SIGKILL);
    proc_.wait();
}

void UsernsChild::release() {
    // A failure here means the child is gone; wait_ok() reports how it ended.
    send_go(go_.get());
    go_.reset();
}

void UsernsChild::wait_ok() {
    go_.reset();  // never released: the child sees EOF and exits
    ExitStatus st = proc_.wait();
    std::string message;
    if (errors_) {
        // Non-blocking: a grandchild forked by fn may still hold the write end open.
        ::fcntl(errors_.get(), F_SETFL, O_NONBLOCK);
        char buf[1024];
        ssize_t n;
        while ((n = ::read(errors_.get(), buf, sizeof(buf))) > 0) message.append(buf, static_cast<size_t>(n));
        errors_.reset();
    }
    if (!message.empty()) throw Error(message);
    if (st.signaled)
        throw Error("process in user namespace was killed by signal " + std::to_string(st.signal) + " (" +
                    strsignal(st.signal) + ")");
    if (st.code != 0) throw Error("process in user namespace exited with " + std::to_string(st.code));
}

void run_in_userns(const IdMapping& m, const std::function<void()>& fn, int extra_clone_flags) {
    UsernsChild child = UsernsChild::enter(m, extra_clone_flags, [&fn] {
        fn();
        return 0;
    });
    child.map_and_release(m);
    child.wait_ok();
}

}  // namespace pc::rootless
