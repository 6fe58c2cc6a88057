#include "net/tap.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>  // before the linux/ headers: glibc's definitions win, theirs step aside
#include <linux/if_tun.h>
#include <linux/route.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "common/error.hpp"

namespace pc::net {

namespace {

struct ifreq named(const std::string& name) {
    struct ifreq ifr {};
    std::strncpy(ifr.ifr_name, name.c_str(), IFNAMSIZ - 1);
    return ifr;
}

struct sockaddr ipv4(const std::string& text, const char* what) {
    struct sockaddr_in sin {};
    sin.sin_family = AF_INET;
    if (::inet_pton(AF_INET, text.c_str(), &sin.sin_addr) != 1) throw Error("invalid " + std::string(what) + " \"" + text + "\"");
    struct sockaddr sa {};
    std::memcpy(&sa, &sin, sizeof(sin));
    return sa;
}

void ioctl_or_throw(int sock, unsigned long request, void* arg, const std::string& what) {
    if (::ioctl(sock, request, arg) < 0) throw Error::sys("configuring the container's network: " + what, errno);
}

UniqueFd open_tun() {
    UniqueFd tun(::open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK));
    if (tun) return tun;
    const int err = errno;
    if (err == EACCES || err == EPERM)
        throw Error("/dev/net/tun is not accessible to this user (" + std::string(std::strerror(err)) +
                    "): a container's default network needs a tap device. Make it usable as a distribution's udev "
                    "rules do (as root: chmod 0666 /dev/net/tun), or run with --network none or --network host");
    if (err == ENOENT || err == ENODEV)
        throw Error("/dev/net/tun does not exist (" + std::string(std::strerror(err)) +
                    "): load the tun module (modprobe tun) or run with --network none or --network host");
    throw Error::sys("opening /dev/net/tun", err);
}

}  // namespace

UniqueFd create_tap(const TapConfig& c) {
    UniqueFd tun = open_tun();
    struct ifreq ifr = named(c.name);
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    ioctl_or_throw(tun.get(), TUNSETIFF, &ifr, "creating " + c.name);
    // Persistent: closing the last fd then leaves the device to its network namespace, which
    // is always this container's (or pod's) own and goes when it does, in the kernel's
    // asynchronous namespace cleanup. A non-persistent tap is unregistered by that close,
    // in the exit of whoever holds it last (the monitor, the foreground `pc run`), which
    // waits for several RCU grace periods there: 10-30 ms added to every `run --rm`
    // (perf sched_switch stacks: tun_chr_close -> unregister_netdevice ->
    // synchronize_rcu_expedited, seen in Slurm job steps). Best effort: without it the
    // device still goes, only later in the exit.
    (void)::ioctl(tun.get(), TUNSETPERSIST, 1);

    UniqueFd sock(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!sock) throw Error::sys("configuring the container's network: socket");
    ifr = named(c.name);
    ifr.ifr_mtu = static_cast<int>(c.mtu);
    ioctl_or_throw(sock.get(), SIOCSIFMTU, &ifr, "MTU " + std::to_string(c.mtu) + " on " + c.name);
    ifr = named(c.name);
    ifr.ifr_addr = ipv4(c.address, "address");
    ioctl_or_throw(sock.get(), SIOCSIFADDR, &ifr, "address " + c.address);
    ifr = named(c.name);
    ifr.ifr_netmask = ipv4(c.netmask, "netmask");
    ioctl_or_throw(sock.get(), SIOCSIFNETMASK, &ifr, "netmask " + c.netmask);
    ifr = named(c.name);
    ioctl_or_throw(sock.get(), SIOCGIFFLAGS, &ifr, "reading " + c.name + "'s flags");
    ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP | IFF_RUNNING);
    ioctl_or_throw(sock.get(), SIOCSIFFLAGS, &ifr, "bringing up " + c.name);

    struct rtentry route {};
    route.rt_dst = ipv4("0.0.0.0", "route");
    route.rt_genmask = ipv4("0.0.0.0", "route");
    route.rt_gateway = ipv4(c.gateway, "gateway");
    route.rt_flags = RTF_UP | RTF_GATEWAY;
    std::string dev = c.name;
    route.rt_dev = dev.data();
    ioctl_or_throw(sock.get(), SIOCADDRT, &route, "default route via " + c.gateway);
    return tun;
}

}  // namespace pc::net
