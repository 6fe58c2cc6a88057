// Published TCP ports without slirp in the data path (slirp's own host forwarding copies
// every byte through its TCP emulation): the monitor listens on the host port, and for
// each connection it accepts, connects a socket made inside the container's network
// namespace (netns_sockets.hpp) to the container's address, then moves bytes between the
// two with splice() through a pipe per direction, never copying them to user space.
// Half-closes are passed on, so request/response protocols that shut down writing work.
#pragma once

#include <list>
#include <string>
#include <vector>

#include "common/fd.hpp"
#include "common/poll_source.hpp"
#include "net/port_spec.hpp"

namespace pc::net {

// The host socket of a published port, bound (and listening, for TCP); throws pc::Error
// naming the address and the port when it cannot be had (in use, no permission).
UniqueFd bind_published_port(const PortMapping& m);

class TcpPortProxy : public PollSource {
public:
    // Binds and listens on every mapping now, so a port in use fails before the container
    // starts. Throws pc::Error naming the address and -p value.
    TcpPortProxy(const std::vector<PortMapping>& tcp_mappings, std::string guest_ip);
    TcpPortProxy(const TcpPortProxy&) = delete;
    TcpPortProxy& operator=(const TcpPortProxy&) = delete;
    ~TcpPortProxy() override;

    // The channel to the container's namespace helper; connections wait in the listen
    // backlog until there is one.
    void attach(int socket_channel) { channel_ = socket_channel; }

    void fill(std::vector<struct pollfd>& fds, int& timeout_ms) override;
    void dispatch(const std::vector<struct pollfd>& fds) override;

    size_t connections() const { return relays_.size(); }

private:
    struct Listener {
        UniqueFd fd;
        uint16_t container_port;
        size_t index = SIZE_MAX;
    };
    struct Half;
    struct Relay;

    void accept_from(Listener& l);
    void connect_guest(UniqueFd client, uint16_t container_port);

    std::string guest_ip_;
    int channel_ = -1;
    std::vector<Listener> listeners_;
    std::list<Relay> relays_;
};

}  // namespace pc::net
