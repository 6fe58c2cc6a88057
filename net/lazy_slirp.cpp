// libslirp (and glib behind it), opened on first use (see common/lazy_library.hpp for why):
// only a container with the default network needs it, and only in its monitor.
#include <libslirp.h>

#include "common/lazy_library.hpp"

namespace {

pc::common::LazyLibrary& slirp_library() {
    static pc::common::LazyLibrary library(PC_SONAME_SLIRP, "the slirp4netns network");
    return library;
}

}  // namespace

PC_LAZY_FORWARD(slirp_library(), Slirp*, slirp_new,
                (const SlirpConfig* cfg, const SlirpCb* callbacks, void* opaque), (cfg, callbacks, opaque))
PC_LAZY_FORWARD(slirp_library(), void, slirp_cleanup, (Slirp * slirp), (slirp))
PC_LAZY_FORWARD(slirp_library(), void, slirp_pollfds_fill,
                (Slirp * slirp, uint32_t* timeout, SlirpAddPollCb add_poll, void* opaque),
                (slirp, timeout, add_poll, opaque))
PC_LAZY_FORWARD(slirp_library(), void, slirp_pollfds_poll,
                (Slirp * slirp, int select_error, SlirpGetREventsCb get_revents, void* opaque),
                (slirp, select_error, get_revents, opaque))
PC_LAZY_FORWARD(slirp_library(), void, slirp_input, (Slirp * slirp, const uint8_t* packet, int length),
                (slirp, packet, length))
PC_LAZY_FORWARD(slirp_library(), void, slirp_handle_timer, (Slirp * slirp, SlirpTimerId id, void* opaque),
                (slirp, id, opaque))
PC_LAZY_FORWARD(slirp_library(), int, slirp_add_hostxfwd,
                (Slirp * slirp, const struct sockaddr* host, socklen_t host_length, const struct sockaddr* guest,
                 socklen_t guest_length, int flags),
                (slirp, host, host_length, guest, guest_length, flags))
PC_LAZY_FORWARD(slirp_library(), const char*, slirp_version_string, (void), ())
