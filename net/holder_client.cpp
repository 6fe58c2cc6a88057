#include "net/holder_client.hpp"

#include <fcntl.h>
#include <linux/close_range.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <sstream>
#include <thread>

#include "common/atomic_file.hpp"
#include "common/error.hpp"
#include "common/file_lock.hpp"
#include "common/log.hpp"
#include "common/process.hpp"
#include "common/process_start.hpp"
#include "common/strings.hpp"
#include "common/unix_socket.hpp"
#include "common/user_paths.hpp"

namespace pc::net {

namespace {

using nlohmann::json;

constexpr char kHolderArg[] = "__network-holder";
constexpr int kAttempts = 20;

// The recorded holder, when that process still runs and is one.
pid_t running_holder(const HolderPaths& paths) {
    auto text = try_read_file(paths.record());
    if (!text) return 0;
    std::istringstream in(*text);
    long long pid = 0;
    uint64_t start = 0;
    if (!(in >> pid >> start) || pid <= 0) return 0;
    const std::string proc = "/proc/" + std::to_string(pid);
    auto cmdline = try_read_file(proc + "/cmdline");
    if (!cmdline || start_time_of(static_cast<pid_t>(pid)) != start) return 0;
    if (cmdline->find(std::string(kHolderArg) + '\0') == std::string::npos) return 0;
    return static_cast<pid_t>(pid);
}

// Starts a holder (the caller holds the lock): a grandchild, so that init adopts it and it
// outlives whoever asked first. Returns its note ("" or what it restored).
std::string start_holder(const HolderPaths& paths) {
    std::string program = sibling_program("pc-monitor");
    if (program.empty()) program = self_exe();
    Pipe report = Pipe::make();
    std::fflush(nullptr);
    const pid_t pid = ::fork();
    if (pid < 0) throw Error::sys("starting the network holder");
    if (pid == 0) {
        ::setsid();
        if (::fork() != 0) ::_exit(0);
        // Nothing of the caller survives: no terminal, pipe or signal mask of its.
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        if (::chdir("/") < 0) ::_exit(127);
        int null = ::open("/dev/null", O_RDWR);
        for (int fd = 0; fd <= 2; ++fd) ::dup2(null, fd);
        ::dup2(report.write.get(), 3);
        ::syscall(SYS_close_range, 4U, ~0U, 0U);
        char arg0[] = "pc";
        std::string arg1 = kHolderArg, root = paths.store_root, runroot = paths.runroot;
        char* argv[] = {arg0, arg1.data(), root.data(), runroot.data(), nullptr};
        ::execv(program.c_str(), argv);
        const std::string msg = "error executing " + program + ": " + std::strerror(errno);
        (void)write_all(3, msg.data(), msg.size());
        ::_exit(127);
    }
    report.write.reset();
    ChildProcess intermediate(pid);
    intermediate.wait();
    std::string text;
    (void)read_to_eof(report.read.get(), text);
    if (str::starts_with(text, "ok")) return str::trim(text.substr(2));
    if (str::starts_with(text, "error ")) throw Error("the network holder could not start: " + text.substr(6));
    throw Error("the network holder exited before it was ready");
}

// Sends `request` to the holder, starting one when `start` allows; nullopt when none runs
// and none may be started.
std::optional<json> call(const HolderPaths& paths, const json& request, bool start, std::vector<UniqueFd>* fds,
                         std::string* note = nullptr) {
    for (int attempt = 0; attempt < kAttempts; ++attempt) {
        UniqueFd sock;
        {
            ensure_dir(paths.dir(), 0700, true);
            FileLock lock(paths.lock());
            if (running_holder(paths) > 0) sock = connect_unix(paths.dir(), HolderPaths::kSocketName);
            if (!sock) {
                if (!start) return std::nullopt;
                std::string started = start_holder(paths);
                if (note) *note = started;
                if (!started.empty()) log::warn("network holder: " + started);
                sock = connect_unix(paths.dir(), HolderPaths::kSocketName);
                if (!sock) throw Error::sys("connecting to the network holder", errno);
            }
        }
        if (send_message(sock.get(), request.dump())) {
            if (auto reply = recv_message(sock.get())) {
                json j = json::parse(reply->data);
                if (j.contains("error"))
                    throw Error(j["error"].get<std::string>(), j.value("code", static_cast<int>(kExitEngine)));
                if (fds)
                    for (auto& fd : reply->fds) fds->push_back(std::move(fd));
                return j;
            }
        }
        // The holder ended between our connect and its read: it will be gone at once.
        std::this_thread::sleep_for(std::chrono::milliseconds(2 + attempt * 5));
    }
    throw Error("the network holder keeps closing connections without an answer");
}

}  // namespace

Attachment attach_endpoints(const HolderPaths& paths, const AttachRequest& r) {
    std::vector<UniqueFd> fds;
    json reply = *call(paths, json(r), true, &fds);
    Attachment a;
    a.endpoints = reply.value("endpoints", std::vector<Endpoint>{});
    if (fds.empty()) throw Error("the network holder did not send the networks' namespace");
    a.netns = std::move(fds.front());
    return a;
}

void detach_endpoints(const HolderPaths& paths, const std::string& container, const std::vector<std::string>& networks) {
    try {
        call(paths, {{"op", "detach"}, {"container", container}, {"networks", networks}}, false, nullptr);
    } catch (const Error& e) {
        log::debug("network holder: detaching " + container + ": " + e.what());
    }
}

void add_endpoint_names(const HolderPaths& paths, const std::string& container, const std::vector<std::string>& names) {
    try {
        call(paths, {{"op", "names"}, {"container", container}, {"names", names}}, false, nullptr);
    } catch (const Error& e) {
        log::debug("network holder: naming " + container + ": " + e.what());
    }
}

std::optional<json> holder_status(const HolderPaths& paths) {
    return call(paths, {{"op", "status"}}, false, nullptr);
}

std::string restore_holder(const HolderPaths& paths) {
    if (running_holder(paths) > 0) return "";
    auto saved = try_read_json(paths.leases());
    if (!saved || saved->value("leases", json::array()).empty()) return "";
    std::string note;
    call(paths, {{"op", "status"}}, true, nullptr, &note);
    return note;
}

pid_t holder_pid(const HolderPaths& paths) { return running_holder(paths); }

}  // namespace pc::net
