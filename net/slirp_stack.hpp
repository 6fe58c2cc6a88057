// The user-mode network behind a container's tap device: libslirp, linked in and driven
// by the monitor's poll loop (no slirp4netns process). Ethernet frames the container sends
// on its tap become the monitor's own sockets on the host (NAT); replies come back as
// frames written to the tap. The gateway (10.0.2.2 by default) is the host itself, its
// loopback included unless allow_host_loopback=false; 10.0.2.3 forwards DNS to the host's
// resolver.
#pragma once

#include <netinet/in.h>

#include <memory>
#include <string>
#include <vector>

#include "common/fd.hpp"
#include "common/poll_source.hpp"
#include "net/network_mode.hpp"
#include "net/port_spec.hpp"

struct Slirp;

namespace pc::net {

class SlirpStack : public PollSource {
public:
    // Creates the stack; frames for the container are dropped until attach_tap().
    SlirpStack(const SlirpOptions& options, bool ipv6);
    SlirpStack(const SlirpStack&) = delete;
    SlirpStack& operator=(const SlirpStack&) = delete;
    ~SlirpStack() override;

    // Forwards a host port to the container through slirp itself (UDP, and TCP with
    // port_handler=slirp4netns). Binds at once: throws pc::Error when the port is taken.
    void add_host_forward(const PortMapping& m);
    // The tap's fd (non-blocking), received from the container's namespace helper.
    void attach_tap(UniqueFd tap);
    UniqueFd detach_tap() { return std::move(tap_); }

    void fill(std::vector<struct pollfd>& fds, int& timeout_ms) override;
    void dispatch(const std::vector<struct pollfd>& fds) override;

    // Callbacks from libslirp (public for the C trampolines only).
    struct Timer;
    ssize_t send_frame(const void* buf, size_t len);
    Timer* new_timer(int id, void* cb_opaque);
    void free_timer(Timer* t);

private:
    void read_tap();
    void run_timers();

    Slirp* slirp_ = nullptr;
    UniqueFd tap_;
    SlirpAddresses addresses_;
    std::vector<std::unique_ptr<Timer>> timers_;
    struct sockaddr_in outbound_ {};
    struct sockaddr_in6 outbound6_ {};
    size_t tap_index_ = SIZE_MAX;
    // Not zero-filled: only the pages that frames reach become resident.
    std::unique_ptr<uint8_t[]> frame_;
};

// libslirp's version, for `pc info`.
std::string slirp_version();

}  // namespace pc::net
