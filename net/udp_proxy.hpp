// Published UDP ports of a container on user-defined networks (on the default network,
// slirp's own host forwarding serves them): the monitor binds the host port; each client
// (address and port) gets its own socket, made inside the container's network namespace
// (netns_sockets.hpp) and connected to the container's address, so that replies find
// their way back to that client. Datagrams are relayed both ways as they come; a flow idle
// for a minute is forgotten, as NAT tables forget them.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <list>
#include <string>
#include <vector>

#include "common/fd.hpp"
#include "common/poll_source.hpp"
#include "net/port_spec.hpp"

namespace pc::net {

class UdpPortProxy : public PollSource {
public:
    // Binds every mapping now (a port in use fails the start). Throws pc::Error.
    UdpPortProxy(const std::vector<PortMapping>& udp_mappings, std::string guest_ip);
    UdpPortProxy(const UdpPortProxy&) = delete;
    UdpPortProxy& operator=(const UdpPortProxy&) = delete;
    ~UdpPortProxy() override;

    // The channel to the container's namespace helper; datagrams wait in the socket buffer
    // until there is one.
    void attach(int socket_channel) { channel_ = socket_channel; }

    void fill(std::vector<struct pollfd>& fds, int& timeout_ms) override;
    void dispatch(const std::vector<struct pollfd>& fds) override;

private:
    struct Listener {
        UniqueFd fd;
        uint16_t container_port;
        size_t index = SIZE_MAX;
    };
    struct Flow {
        size_t listener;
        struct sockaddr_storage client {};
        socklen_t client_len = 0;
        UniqueFd inner;       // in the container's namespace, connected to it
        int64_t last_ns = 0;
        size_t index = SIZE_MAX;
    };

    void from_clients(size_t listener);
    void from_container(Flow& f);
    Flow* flow_for(size_t listener, const struct sockaddr_storage& client, socklen_t len);

    std::string guest_ip_;
    int channel_ = -1;
    std::vector<Listener> listeners_;
    std::list<Flow> flows_;
};

}  // namespace pc::net
