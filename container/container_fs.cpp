#include "container/container_fs.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>

#include "common/error.hpp"
#include "common/lazy_library.hpp"
#include "rootless/idmap.hpp"
#include "rootless/ns_join.hpp"
#include "rootless/sandbox.hpp"
#include "rootless/userns.hpp"
#include "storage/lazy_libraries.hpp"
#include "storage/store.hpp"

namespace pc::container {

namespace {

[[noreturn]] void run_child(int error_fd, const std::function<void()>& body) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    // Output streams may be pipes whose reader stops early (`pc cp c:/x - | head`):
    // that is a write error to report, not a silent death.
    ::signal(SIGPIPE, SIG_IGN);
    ::umask(0);
    int code = 0;
    try {
        body();
    } catch (const Error& e) {
        rootless::report_child_error(error_fd, e.exit_code(), e.what());
        code = e.exit_code();
    } catch (const std::exception& e) {
        rootless::report_child_error(error_fd, kExitEngine, e.what());
        code = kExitEngine;
    }
    std::fflush(nullptr);
    ::_exit(code);
}

UniqueFd open_root(const std::string& path) {
    UniqueFd root(::open(path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root) throw Error::sys("opening the container's root " + path, errno);
    return root;
}

}  // namespace

ContainerFsChild ContainerFsChild::start(ContainerStore& containers, const Container& c,
                                         std::function<void(int root_fd)> fn) {
    Pipe errors = Pipe::make();
    ContainerFsChild out;
    // The child works with tar streams inside the container's root.
    storage::load_archive_libraries();
    std::fflush(nullptr);
    if (c.state.running() && c.state.pid > 0) {
        std::vector<rootless::NamespaceFd> ns = rootless::open_namespaces(c.state.pid, {"user", "mnt"});
        pid_t pid = ::fork();
        if (pid < 0) throw Error::sys("fork");
        if (pid == 0) {
            errors.read.reset();
            run_child(errors.write.get(), [&] {
                rootless::join_namespaces(ns);
                // setns(CLONE_NEWNS) moved our root to the container's.
                UniqueFd root = open_root("/");
                fn(root.get());
            });
        }
        out.proc_ = ChildProcess(pid);
    } else {
        const rootless::Userns userns = rootless::parse_userns(c.config.userns);
        storage::RootfsPlan plan = storage::rootfs_plan(containers.storage(), c.config.id, c.config.layers, userns);
        const rootless::IdMapping& mapping = rootless::caller_mapping(userns);
        const int error_fd = errors.write.get();
        rootless::UsernsChild child = rootless::UsernsChild::enter(mapping, CLONE_NEWNS, [&plan, &fn, error_fd]() -> int {
            run_child(error_fd, [&] {
                check_sys(::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr), "making / private");
                storage::mount_rootfs(plan);
                common::LazyLibrary::forbid_opening();
                UniqueFd root = open_root(plan.target);
                fn(root.get());
            });
        });
        child.map_and_release(mapping);
        out.proc_ = ChildProcess(child.process().release());
    }
    out.errors_ = std::move(errors.read);
    return out;
}

void ContainerFsChild::finish() {
    ExitStatus st = proc_.wait();
    if (auto err = rootless::read_child_error(errors_.get())) throw Error(err->message, err->code);
    if (st.signaled)
        throw Error("copy process killed by signal " + std::to_string(st.signal));
    if (st.code != 0) throw Error("copy process exited with " + std::to_string(st.code));
}

}  // namespace pc::container
