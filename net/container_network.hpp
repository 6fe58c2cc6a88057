// A container's own network (--network slirp4netns, the default) as its monitor runs it:
// the libslirp stack behind the container's tap, and the published ports: TCP through
// the splice proxy (or slirp with port_handler=slirp4netns), UDP through slirp.
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
#include "net/network_mode.hpp"
#include "net/port_spec.hpp"
#include "net/tap.hpp"

namespace pc::net {

class SlirpStack;
class TcpPortProxy;

class ContainerNetwork : public PollSource {
public:
    ContainerNetwork(const SlirpOptions& options, const std::vector<PortMapping>& ports);
    ContainerNetwork(const ContainerNetwork&) = delete;
    ContainerNetwork& operator=(const ContainerNetwork&) = delete;
    ~ContainerNetwork() override;

    void attach(UniqueFd tap, UniqueFd socket_channel);

    // The container has exited: closes the host ports and the stack, and hands back the
    // tap's fd. Closing that is the slow part (the kernel unregisters the device and waits
    // for an RCU grace period, 15-35 ms here) unless it happens as the process exits, when
    // the kernel defers it: callers keep it open until then.
    UniqueFd release_ports();

    void fill(std::vector<struct pollfd>& fds, int& timeout_ms) override;
    void dispatch(const std::vector<struct pollfd>& fds) override;

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
    UniqueFd channel_;
};

// The tap the namespace helper creates for these options.
TapConfig tap_config(const SlirpOptions& options);

}  // namespace pc::net
