// The monitor's side of `pc attach`: the listening socket and the attached clients of a
// detached container. The monitor has no threads; its poll loop asks for the descriptors
// to watch (poll_fds) and hands back what poll found (handle). The container's output is
// copied to every client besides the log; client input goes to the container's stdin pipe
// (created with -i) or its terminal (-t), and resize requests to the terminal.
#pragma once

#include <poll.h>

#include <string>
#include <vector>

#include "common/fd.hpp"
#include "container/log_file.hpp"

namespace pc::container {

class AttachServer {
public:
    // Listens on `runtime_dir`/attach; the socket is removed on destruction.
    explicit AttachServer(std::string runtime_dir);
    AttachServer(const AttachServer&) = delete;
    AttachServer& operator=(const AttachServer&) = delete;
    ~AttachServer();

    // Where input and resizes go for the current run (-1: nowhere, input is dropped).
    void set_targets(int stdin_fd, int pty_master);

    // Appends the listening socket and the clients to `fds`.
    void poll_fds(std::vector<struct pollfd>& fds) const;
    // Accepts and serves what poll reported; `fds` points at the entries poll_fds added.
    void handle(const struct pollfd* fds);

    // Copies container output to every client; a client that cannot keep up is dropped
    // rather than stalling the container's output and its log.
    void broadcast(LogStream stream, const char* data, size_t len);
    // Tells every client the container's exit code and disconnects them.
    void finish(int exit_code);

private:
    void accept_clients();
    // false when the client is gone.
    bool serve(int client);
    void write_input(const char* data, size_t len);

    std::string dir_;
    UniqueFd listener_;
    std::vector<UniqueFd> clients_;
    int stdin_fd_ = -1, pty_master_ = -1;
};

}  // namespace pc::container
