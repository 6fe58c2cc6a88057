#include "net/netns_setup.hpp"

#include <fcntl.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cstring>

#include "common/error.hpp"
#include "common/fd.hpp"

namespace pc::net {

void bring_up_loopback() {
    UniqueFd sock(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!sock) throw Error::sys("bringing up lo: socket");
    struct ifreq ifr {};
    std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
    if (::ioctl(sock.get(), SIOCGIFFLAGS, &ifr) < 0) throw Error::sys("bringing up lo: SIOCGIFFLAGS");
    ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP | IFF_RUNNING);
    if (::ioctl(sock.get(), SIOCSIFFLAGS, &ifr) < 0) throw Error::sys("bringing up lo: SIOCSIFFLAGS");
}

void allow_unprivileged_ping() {
    // /proc/sys/net shows the writer's network namespace, and the group ids are read in
    // its user namespace: "0 0" is the container's root group, as Podman sets it.
    UniqueFd fd(::open("/proc/sys/net/ipv4/ping_group_range", O_WRONLY | O_CLOEXEC));
    if (fd) (void)write_all(fd.get(), "0 0", 3);
}

}  // namespace pc::net
