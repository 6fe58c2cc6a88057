#include "net/slirp_stack.hpp"

#include <arpa/inet.h>
#include <libslirp.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "common/log.hpp"
#include "net/sockaddr.hpp"

namespace pc::net {

struct SlirpStack::Timer {
    SlirpTimerId id;
    void* cb_opaque;
    int64_t expire_ms = -1;  // -1: not armed
};

namespace {

// Frames from the container: an Ethernet header on top of the MTU (65520 at most).
constexpr size_t kFrameBuffer = 65536 + 64;
// Frames read from the tap per wakeup, so a busy container cannot starve the rest of the
// loop (its output, other connections).
constexpr int kFramesPerWakeup = 64;

SlirpStack* self(void* opaque) { return static_cast<SlirpStack*>(opaque); }

ssize_t cb_send_packet(const void* buf, size_t len, void* opaque) { return self(opaque)->send_frame(buf, len); }
void cb_guest_error(const char* msg, void*) { log::debug(std::string("slirp: container network error: ") + msg); }
int64_t cb_clock_get_ns(void*) { return monotonic_ns(); }
void* cb_timer_new_opaque(SlirpTimerId id, void* cb_opaque, void* opaque) { return self(opaque)->new_timer(id, cb_opaque); }
void cb_timer_free(void* timer, void* opaque) { self(opaque)->free_timer(static_cast<SlirpStack::Timer*>(timer)); }
void cb_timer_mod(void* timer, int64_t expire_ms, void*) { static_cast<SlirpStack::Timer*>(timer)->expire_ms = expire_ms; }
// Descriptors are collected afresh before every poll: nothing to register or wake.
void cb_register_poll_fd(int, void*) {}
void cb_unregister_poll_fd(int, void*) {}
void cb_notify(void*) {}

const SlirpCb kCallbacks = {
    .send_packet = cb_send_packet,
    .guest_error = cb_guest_error,
    .clock_get_ns = cb_clock_get_ns,
    .timer_new = nullptr,
    .timer_free = cb_timer_free,
    .timer_mod = cb_timer_mod,
    .register_poll_fd = cb_register_poll_fd,
    .unregister_poll_fd = cb_unregister_poll_fd,
    .notify = cb_notify,
    .init_completed = nullptr,
    .timer_new_opaque = cb_timer_new_opaque,
};

short to_poll(int slirp_events) {
    short e = 0;
    if (slirp_events & SLIRP_POLL_IN) e |= POLLIN;
    if (slirp_events & SLIRP_POLL_OUT) e |= POLLOUT;
    if (slirp_events & SLIRP_POLL_PRI) e |= POLLPRI;
    if (slirp_events & SLIRP_POLL_ERR) e |= POLLERR;
    if (slirp_events & SLIRP_POLL_HUP) e |= POLLHUP;
    return e;
}

int from_poll(short revents) {
    int e = 0;
    if (revents & POLLIN) e |= SLIRP_POLL_IN;
    if (revents & POLLOUT) e |= SLIRP_POLL_OUT;
    if (revents & POLLPRI) e |= SLIRP_POLL_PRI;
    if (revents & POLLERR) e |= SLIRP_POLL_ERR;
    if (revents & POLLHUP) e |= SLIRP_POLL_HUP;
    return e;
}

struct in_addr v4(const std::string& text) {
    struct in_addr a {};
    if (::inet_pton(AF_INET, text.c_str(), &a) != 1) throw Error("invalid IPv4 address \"" + text + "\"");
    return a;
}

struct in6_addr v6(const std::string& text) {
    struct in6_addr a {};
    if (::inet_pton(AF_INET6, text.c_str(), &a) != 1) throw Error("invalid IPv6 address \"" + text + "\"");
    return a;
}

struct FillContext {
    std::vector<struct pollfd>* fds;
};

int add_poll(int fd, int events, void* opaque) {
    auto* fds = static_cast<FillContext*>(opaque)->fds;
    fds->push_back({fd, to_poll(events), 0});
    return static_cast<int>(fds->size() - 1);
}

int get_revents(int idx, void* opaque) {
    const auto* fds = static_cast<const std::vector<struct pollfd>*>(opaque);
    if (idx < 0 || static_cast<size_t>(idx) >= fds->size()) return 0;
    return from_poll((*fds)[static_cast<size_t>(idx)].revents);
}

}  // namespace

SlirpStack::SlirpStack(const SlirpOptions& o, bool ipv6) : addresses_(slirp_addresses(o)), frame_(new uint8_t[kFrameBuffer]) {
    SlirpConfig cfg {};
    cfg.version = 4;
    cfg.in_enabled = true;
    cfg.vnetwork = v4(addresses_.network);
    cfg.vnetmask = v4(addresses_.netmask);
    cfg.vhost = v4(addresses_.gateway);
    cfg.vnameserver = v4(addresses_.dns);
    cfg.vdhcp_start = v4(addresses_.guest);
    cfg.in6_enabled = ipv6;
    if (ipv6) {
        cfg.vprefix_addr6 = v6(addresses_.network6);
        cfg.vprefix_len = static_cast<uint8_t>(addresses_.prefix6);
        cfg.vhost6 = v6(addresses_.gateway6);
        cfg.vnameserver6 = v6(addresses_.dns6);
    }
    cfg.if_mtu = o.mtu;
    cfg.if_mru = o.mtu;
    cfg.disable_host_loopback = !o.allow_host_loopback;
    if (!o.outbound_addr.empty()) {
        outbound_.sin_family = AF_INET;
        outbound_.sin_addr = v4(o.outbound_addr);
        cfg.outbound_addr = &outbound_;
    }
    if (!o.outbound_addr6.empty()) {
        outbound6_.sin6_family = AF_INET6;
        outbound6_.sin6_addr = v6(o.outbound_addr6);
        cfg.outbound_addr6 = &outbound6_;
    }
    slirp_ = ::slirp_new(&cfg, &kCallbacks, this);
    if (!slirp_) throw Error("starting the container's network: libslirp could not be initialised (slirp_new failed)");
}

SlirpStack::~SlirpStack() {
    if (slirp_) ::slirp_cleanup(slirp_);
}

void SlirpStack::add_host_forward(const PortMapping& m) {
    const bool udp = m.protocol == "udp";
    const SockAddr host = make_sockaddr(m.host_ip, m.host_port);
    const SockAddr guest = make_sockaddr(addresses_.guest, m.container_port);
    int flags = udp ? SLIRP_HOSTFWD_UDP : 0;
    if (host.family() == AF_INET6) flags |= SLIRP_HOSTFWD_V6ONLY;
    if (::slirp_add_hostxfwd(slirp_, host.get(), host.len, guest.get(), guest.len, flags) == 0) return;
    // libslirp does not say why; binding the same address ourselves does.
    int err = EADDRINUSE;
    UniqueFd probe(::socket(host.family(), (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0));
    if (probe && ::bind(probe.get(), host.get(), host.len) < 0) err = errno;
    throw Error("cannot publish port " + std::to_string(m.container_port) + "/" + m.protocol + " on " +
                format_endpoint(m.host_ip, m.host_port) + ": " + std::strerror(err));
}

void SlirpStack::attach_tap(UniqueFd tap) { tap_ = std::move(tap); }

ssize_t SlirpStack::send_frame(const void* buf, size_t len) {
    if (!tap_) return static_cast<ssize_t>(len);  // no container yet: dropped, TCP retransmits
    ssize_t n;
    while ((n = ::write(tap_.get(), buf, len)) < 0 && errno == EINTR) {
    }
    // A full queue drops the frame, as a real link would.
    return n < 0 && errno == EAGAIN ? static_cast<ssize_t>(len) : n;
}

SlirpStack::Timer* SlirpStack::new_timer(int id, void* cb_opaque) {
    timers_.push_back(std::make_unique<Timer>(Timer{static_cast<SlirpTimerId>(id), cb_opaque, -1}));
    return timers_.back().get();
}

void SlirpStack::free_timer(Timer* t) {
    std::erase_if(timers_, [t](const std::unique_ptr<Timer>& p) { return p.get() == t; });
}

namespace {
constexpr uint32_t kSlirpIdleCap = 1000;  // slirp_update_timeout()'s cap, in ms
}  // namespace

void SlirpStack::fill(std::vector<struct pollfd>& fds, int& timeout_ms) {
    if (tap_) {
        tap_index_ = fds.size();
        fds.push_back({tap_.get(), POLLIN, 0});
    } else {
        tap_index_ = SIZE_MAX;
    }
    uint32_t t = UINT32_MAX;
    FillContext ctx{&fds};
    ::slirp_pollfds_fill(slirp_, &t, add_poll, &ctx);
    // libslirp caps every timeout at 1 s, but only its TCP and fragment timers need a
    // wake-up (they ask for 2 or 499 ms); exactly 1000 means nothing is pending. Sleeping
    // until the next event instead keeps an idle monitor off the CPU and its memory from
    // being paged back in every second.
    if (t == kSlirpIdleCap) t = UINT32_MAX;
    if (timeout_ms >= 0) t = std::min<uint32_t>(t, static_cast<uint32_t>(timeout_ms));
    const int64_t now_ms = monotonic_ns() / 1000000;
    for (const auto& timer : timers_) {
        if (timer->expire_ms < 0) continue;
        t = std::min<uint32_t>(t, static_cast<uint32_t>(std::max<int64_t>(0, timer->expire_ms - now_ms)));
    }
    timeout_ms = t == UINT32_MAX ? -1 : static_cast<int>(std::min<uint32_t>(t, INT_MAX));
}

void SlirpStack::dispatch(const std::vector<struct pollfd>& fds) {
    // The tap first: slirp sends what waited for an ARP answer only at the end of
    // slirp_pollfds_poll, so an answer read after it would leave that packet queued until
    // the next wakeup, up to half a second later (on user-defined networks, every
    // container's first packet from outside waits for one).
    if (tap_index_ < fds.size() && (fds[tap_index_].revents & (POLLIN | POLLERR | POLLHUP))) read_tap();
    ::slirp_pollfds_poll(slirp_, 0, get_revents, const_cast<std::vector<struct pollfd>*>(&fds));
    run_timers();
}

void SlirpStack::run_timers() {
    const int64_t now_ms = monotonic_ns() / 1000000;
    // Handling a timer may add or free timers: collect first.
    std::vector<std::pair<SlirpTimerId, void*>> due;
    for (const auto& timer : timers_) {
        if (timer->expire_ms >= 0 && timer->expire_ms <= now_ms) {
            timer->expire_ms = -1;
            due.emplace_back(timer->id, timer->cb_opaque);
        }
    }
    for (auto [id, opaque] : due) ::slirp_handle_timer(slirp_, id, opaque);
}

void SlirpStack::read_tap() {
    for (int i = 0; i < kFramesPerWakeup; ++i) {
        ssize_t n = ::read(tap_.get(), frame_.get(), kFrameBuffer);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;  // EAGAIN (drained); the device goes away with the namespace
        ::slirp_input(slirp_, frame_.get(), static_cast<int>(n));
    }
}

std::string slirp_version() { return ::slirp_version_string(); }

}  // namespace pc::net
