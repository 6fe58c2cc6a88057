// A container's own network (--network slirp4netns, the default) as its monitor runs it:
// the libslirp stack behind the container's tap, and the published ports: TCP through
// the splice proxy (or slirp with port_handler=slirp4netns), UDP through slirp.
//
// On user-defined networks there is no stack of its own (the network holder runs the
// uplink): the published ports go to the container's first address, TCP through the same
// proxy and UDP through a datagram relay, and the monitor keeps the networks' namespace
// open and gives the container's endpoints back to the holder when the container ends.
//
// Made before the container starts, so that every host port is bound (and a port in use
// fails the start with nothing running); attached once the container's namespace helper
// has handed over the tap and its socket channel. The slirp stack itself (libslirp and
// glib loaded, the instance made) is built at attach time, while the container's init
// sets up its filesystems: during the id mapping, when the network would be made, both
// CPUs of a small machine are busy already. Only libslirp's own host forwards
// (port_handler=slirp4netns) need it at once.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "common/fd.hpp"
#include "common/idle_memory.hpp"
#include "common/poll_source.hpp"
#include "net/holder_client.hpp"
#include "net/network_mode.hpp"
#include "net/port_spec.hpp"
#include "net/tap.hpp"

namespace pc::net {

class SlirpStack;
class TcpPortProxy;
class UdpPortProxy;

class ContainerNetwork : public PollSource {
public:
    ContainerNetwork(const SlirpOptions& options, const std::vector<PortMapping>& ports);
    // On user-defined networks: `attachment` is what the holder gave container `container`.
    ContainerNetwork(const std::vector<PortMapping>& ports, HolderPaths holder, std::string container,
                     Attachment attachment);
    ContainerNetwork(const ContainerNetwork&) = delete;
    ContainerNetwork& operator=(const ContainerNetwork&) = delete;
    ~ContainerNetwork() override;

    // `tap`: none on user-defined networks.
    void attach(UniqueFd tap, UniqueFd socket_channel);

    // The container has exited: closes the host ports and the stack (gives its endpoints
    // back to the network holder), and hands back the tap's fd. The tap is persistent
    // (net/tap.cpp), so closing it leaves the device to the namespace's asynchronous
    // teardown; should TUNSETPERSIST have failed, the close unregisters the device and waits
    // for RCU grace periods (15-35 ms here, in an exit too), so callers close it only after
    // the exit is recorded.
    UniqueFd release_ports();

    void fill(std::vector<struct pollfd>& fds, int& timeout_ms) override;
    void dispatch(const std::vector<struct pollfd>& fds) override;

    // The networks' namespace, for the container's namespace process to enter (-1: none).
    int networks_netns() const { return networks_netns_ ? networks_netns_.get() : -1; }

private:
    void build_stack();

    SlirpOptions options_;
    std::vector<PortMapping> slirp_forwards_;  // bound by build_stack()
    std::unique_ptr<SlirpStack> slirp_;
    size_t first_fd_ = 0, end_fd_ = 0;  // this network's entries in the last fill()
    // What is left in the heap after many connections (small allocations interleaved with
    // live ones) is handed back once this network's own traffic has stopped for 2 s: an
    // idle monitor's memory must come back to its idle size.
    IdleTrimmer heap_trimmer_;
    std::unique_ptr<TcpPortProxy> proxy_;
    std::unique_ptr<UdpPortProxy> udp_proxy_;
    UniqueFd channel_;
    // User-defined networks.
    std::optional<HolderPaths> holder_;
    std::string container_;
    UniqueFd networks_netns_;
};

// The tap the namespace helper creates for these options.
TapConfig tap_config(const SlirpOptions& options);

}  // namespace pc::net
