#include "compose/watch_sync.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <map>

#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/process.hpp"
#include "common/strings.hpp"
#include "compose/service_container.hpp"
#include "compose/short_syntax.hpp"
#include "container/copy.hpp"
#include "container/cp_archive.hpp"
#include "container/exec.hpp"

namespace pc::compose {

namespace {

UniqueFd memory_file(const char* name) {
    UniqueFd fd(::memfd_create(name, MFD_CLOEXEC));
    if (!fd) throw Error::sys("memfd_create", errno);
    return fd;
}

// What a process wrote into a memory file, for an error message.
std::string contents(int fd) {
    std::string out;
    char buf[4096];
    ssize_t n;
    ::lseek(fd, 0, SEEK_SET);
    while (out.size() < 4096 && (n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
    return str::trim(out);
}

// exec_in_container from a forked child: the signals an exec forwards to its command (a
// Ctrl-C) must still reach the watch loop's signalfd afterwards.
int exec_forked(container::ContainerStore& containers, const container::Container& c, const container::ExecOptions& o) {
    Pipe report = Pipe::make();
    std::fflush(nullptr);
    const pid_t pid = ::fork();
    if (pid < 0) throw Error::sys("fork", errno);
    if (pid == 0) {
        report.read.reset();
        int code = 125;
        try {
            code = container::exec_in_container(containers, c, o);
        } catch (const std::exception& e) {
            (void)write_all(report.write.get(), e.what(), std::char_traits<char>::length(e.what()));
        }
        ::_exit(code);
    }
    report.write.reset();
    ChildProcess child(pid);
    std::string message;
    (void)read_to_eof(report.read.get(), message);
    const ExitStatus st = child.wait();
    if (!message.empty()) throw Error(message);
    return st.shell_code();
}

void delete_paths(container::ContainerStore& containers, const container::Container& c, const std::vector<std::string>& paths) {
    container::ExecOptions o;
    o.args = {"rm", "-rf"};
    o.args.insert(o.args.end(), paths.begin(), paths.end());
    UniqueFd null(::open("/dev/null", O_RDWR | O_CLOEXEC));
    UniqueFd err = memory_file("pc-watch-rm");
    o.stdin_fd = o.stdout_fd = null.get();
    o.stderr_fd = err.get();
    const int code = exec_forked(containers, c, o);
    if (code != 0)
        throw Error("deleting paths in " + c.config.name + ": rm exited with " + std::to_string(code) + ": " + contents(err.get()));
}

}  // namespace

void sync_to_containers(container::ContainerStore& containers, const std::vector<container::Container>& ctrs,
                        const std::vector<SyncPath>& paths, const std::function<void(const std::string&)>& warning) {
    std::map<std::string, std::string> copies;  // name in the archive -> host path (the last one wins)
    std::vector<std::string> deletes;
    for (const auto& p : paths) {
        std::string target = clean_path("/" + p.container);
        if (target == "/") continue;  // the container's root is never replaced or removed
        struct stat st {};
        if (::lstat(p.host.c_str(), &st) == 0) copies[target.substr(1)] = p.host;
        else if (errno == ENOENT || errno == ENOTDIR) deletes.push_back(target);
        else throw Error::sys("stat " + p.host, errno);
    }
    UniqueFd archive;
    if (!copies.empty()) {
        std::vector<container::ArchiveNode> nodes;
        for (const auto& [name, host] : copies) nodes.push_back({host, name});
        archive = memory_file("pc-watch-sync");
        container::write_nodes_archive(nodes, archive.get());
    }
    for (const auto& given : ctrs) {
        auto c = containers.find(given.config.id);
        if (!c) continue;  // removed meanwhile
        if (!deletes.empty()) {
            if (c->state.running()) delete_paths(containers, *c, deletes);
            else
                warning("container " + c->config.name + " is not running: " + std::to_string(deletes.size()) +
                        " removed path(s) are still in it");
        }
        if (!archive) continue;
        ::lseek(archive.get(), 0, SEEK_SET);
        try {
            container::copy_to_container(containers, *c, "-", "/", {}, archive.get());
        } catch (const Error& e) {
            throw Error("copying files to " + c->config.name + ": " + e.what());
        }
    }
}

void run_exec_hook(container::ContainerStore& containers, const std::vector<container::Container>& ctrs,
                   const ServiceHook& hook, int out, int err) {
    if (!hook.command || hook.command->empty()) return;
    for (const auto& given : ctrs) {
        auto c = containers.find(given.config.id);
        if (!c || !c->state.running()) continue;
        container::ExecOptions o = hook_exec_options(hook);
        UniqueFd null(::open("/dev/null", O_RDONLY | O_CLOEXEC));
        o.stdin_fd = null.get();
        o.stdout_fd = out;
        o.stderr_fd = err;
        const int code = exec_forked(containers, *c, o);
        if (code != 0)
            throw Error("container " + c->config.name + ": " + str::join(*hook.command, " ") + " exited with " +
                        std::to_string(code));
    }
}

}  // namespace pc::compose
