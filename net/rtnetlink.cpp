#include "net/rtnetlink.hpp"

#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <sys/random.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "common/error.hpp"

namespace pc::net::rtnl {

namespace {

constexpr size_t align(size_t n) { return NLMSG_ALIGN(n); }

uint8_t family_of(const IpAddress& a) { return static_cast<uint8_t>(a.v4() ? AF_INET : AF_INET6); }

}  // namespace

Message::Message(uint16_t type, uint16_t flags) {
    buf_.resize(NLMSG_HDRLEN);
    auto* h = hdr();
    h->nlmsg_type = type;
    h->nlmsg_flags = static_cast<uint16_t>(flags | NLM_F_REQUEST | NLM_F_ACK);
    h->nlmsg_len = static_cast<uint32_t>(buf_.size());
}

struct nlmsghdr* Message::hdr() { return reinterpret_cast<struct nlmsghdr*>(buf_.data()); }

void* Message::append(const void* data, size_t len) {
    const size_t at = align(buf_.size());
    buf_.resize(at + align(len), 0);
    if (data != nullptr && len > 0) std::memcpy(buf_.data() + at, data, len);
    hdr()->nlmsg_len = static_cast<uint32_t>(buf_.size());
    return buf_.data() + at;
}

void Message::put(uint16_t type, const void* data, size_t len) {
    struct rtattr a {};
    a.rta_type = type;
    a.rta_len = static_cast<uint16_t>(RTA_LENGTH(len));
    const size_t at = align(buf_.size());
    buf_.resize(at + RTA_SPACE(len), 0);
    std::memcpy(buf_.data() + at, &a, sizeof(a));
    if (len > 0) std::memcpy(buf_.data() + at + RTA_LENGTH(0), data, len);
    hdr()->nlmsg_len = static_cast<uint32_t>(buf_.size());
}

size_t Message::begin(uint16_t type) {
    const size_t at = align(buf_.size());
    put(type, nullptr, 0);
    return at;
}

void Message::end(size_t offset) {
    auto* a = reinterpret_cast<struct rtattr*>(buf_.data() + offset);
    a->rta_len = static_cast<uint16_t>(buf_.size() - offset);
}

Socket Socket::open() {
    UniqueFd fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
    if (!fd) throw Error::sys("opening a netlink socket");
    // Extended acks: the kernel says which attribute it refused, in the message.
    int one = 1;
    (void)::setsockopt(fd.get(), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
    return Socket(std::move(fd));
}

int Socket::try_call(Message& m) {
    auto* h = m.hdr();
    h->nlmsg_seq = ++seq_;
    struct sockaddr_nl kernel {};
    kernel.nl_family = AF_NETLINK;
    ssize_t n;
    while ((n = ::sendto(fd_.get(), h, m.size(), 0, reinterpret_cast<struct sockaddr*>(&kernel), sizeof(kernel))) < 0 &&
           errno == EINTR) {
    }
    if (n < 0) return errno;
    // The answer to this request: an NLMSG_ERROR carrying its sequence number (0 = ack).
    alignas(struct nlmsghdr) char buf[8192];
    for (;;) {
        while ((n = ::recv(fd_.get(), buf, sizeof(buf), 0)) < 0 && errno == EINTR) {
        }
        if (n < 0) return errno;
        size_t left = static_cast<size_t>(n);
        for (auto* r = reinterpret_cast<struct nlmsghdr*>(buf); NLMSG_OK(r, left); r = NLMSG_NEXT(r, left)) {
            if (r->nlmsg_seq != seq_ || r->nlmsg_type != NLMSG_ERROR) continue;
            if (r->nlmsg_len < NLMSG_LENGTH(sizeof(struct nlmsgerr))) return EPROTO;
            const auto* e = static_cast<const struct nlmsgerr*>(NLMSG_DATA(r));
            return -e->error;
        }
    }
}

void Socket::call(Message& m, const std::string& what) {
    if (int err = try_call(m); err != 0) throw Error::sys(what, err);
}

int Socket::link_index(const std::string& name) {
    Message m(RTM_GETLINK, 0);
    m.header<struct ifinfomsg>()->ifi_family = AF_UNSPEC;
    m.put_str(IFLA_IFNAME, name);
    // The reply (RTM_NEWLINK) precedes the ack: read it here rather than in try_call.
    auto* h = m.hdr();
    h->nlmsg_flags = NLM_F_REQUEST;
    h->nlmsg_seq = ++seq_;
    struct sockaddr_nl kernel {};
    kernel.nl_family = AF_NETLINK;
    if (::sendto(fd_.get(), h, m.size(), 0, reinterpret_cast<struct sockaddr*>(&kernel), sizeof(kernel)) < 0)
        throw Error::sys("looking up interface " + name);
    alignas(struct nlmsghdr) char buf[16384];
    for (;;) {
        ssize_t n = ::recv(fd_.get(), buf, sizeof(buf), 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw Error::sys("looking up interface " + name);
        size_t left = static_cast<size_t>(n);
        for (auto* r = reinterpret_cast<struct nlmsghdr*>(buf); NLMSG_OK(r, left); r = NLMSG_NEXT(r, left)) {
            if (r->nlmsg_seq != seq_) continue;
            if (r->nlmsg_type == RTM_NEWLINK) return static_cast<const struct ifinfomsg*>(NLMSG_DATA(r))->ifi_index;
            if (r->nlmsg_type == NLMSG_ERROR) {
                const int err = -static_cast<const struct nlmsgerr*>(NLMSG_DATA(r))->error;
                if (err == ENODEV || err == 0) return 0;
                throw Error::sys("looking up interface " + name, err);
            }
        }
    }
}

void create_bridge(Socket& s, const std::string& name, unsigned mtu) {
    Message m(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
    m.header<struct ifinfomsg>()->ifi_family = AF_UNSPEC;
    m.put_str(IFLA_IFNAME, name);
    m.put_u32(IFLA_MTU, mtu);
    // A bridge takes the lowest MAC of its ports unless it has one of its own: it would
    // change as containers come and go, and every container's ARP entry for the gateway
    // with it.
    const Mac mac = random_mac();
    m.put(IFLA_ADDRESS, mac.data(), mac.size());
    const size_t info = m.begin(IFLA_LINKINFO);
    m.put_str(IFLA_INFO_KIND, "bridge");
    const size_t data = m.begin(IFLA_INFO_DATA);
    // No spanning tree, no forwarding delay: a new port forwards at once.
    m.put_u32(IFLA_BR_STP_STATE, 0);
    m.put_u32(IFLA_BR_FORWARD_DELAY, 0);
    m.end(data);
    m.end(info);
    s.call(m, "creating bridge " + name);
}

void create_veth(Socket& s, const Veth& v) {
    Message m(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
    auto* ifi = m.header<struct ifinfomsg>();
    ifi->ifi_family = AF_UNSPEC;
    ifi->ifi_flags = IFF_UP;
    ifi->ifi_change = IFF_UP;
    m.put_str(IFLA_IFNAME, v.name);
    m.put_u32(IFLA_MTU, v.mtu);
    if (v.master > 0) m.put_u32(IFLA_MASTER, static_cast<uint32_t>(v.master));
    const size_t info = m.begin(IFLA_LINKINFO);
    m.put_str(IFLA_INFO_KIND, "veth");
    const size_t data = m.begin(IFLA_INFO_DATA);
    const size_t peer = m.begin(VETH_INFO_PEER);
    m.header<struct ifinfomsg>()->ifi_family = AF_UNSPEC;
    m.put_str(IFLA_IFNAME, v.peer_name);
    m.put_u32(IFLA_MTU, v.mtu);
    m.put(IFLA_ADDRESS, v.peer_mac.data(), v.peer_mac.size());
    m.put_u32(IFLA_NET_NS_FD, static_cast<uint32_t>(v.peer_netns_fd));
    m.end(peer);
    m.end(data);
    m.end(info);
    s.call(m, "creating the veth pair for " + v.peer_name);
}

void set_up(Socket& s, int index) {
    Message m(RTM_NEWLINK, 0);
    auto* ifi = m.header<struct ifinfomsg>();
    ifi->ifi_family = AF_UNSPEC;
    ifi->ifi_index = index;
    ifi->ifi_flags = IFF_UP;
    ifi->ifi_change = IFF_UP;
    s.call(m, "bringing up interface " + std::to_string(index));
}

void delete_link(Socket& s, int index) {
    Message m(RTM_DELLINK, 0);
    auto* ifi = m.header<struct ifinfomsg>();
    ifi->ifi_family = AF_UNSPEC;
    ifi->ifi_index = index;
    if (int err = s.try_call(m); err != 0 && err != ENODEV) throw Error::sys("removing interface " + std::to_string(index), err);
}

void add_address(Socket& s, int index, const IpAddress& a, unsigned prefix, bool nodad) {
    Message m(RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE);
    auto* ifa = m.header<struct ifaddrmsg>();
    ifa->ifa_family = family_of(a);
    ifa->ifa_prefixlen = static_cast<uint8_t>(prefix);
    ifa->ifa_index = static_cast<uint32_t>(index);
    ifa->ifa_scope = RT_SCOPE_UNIVERSE;
    m.put_addr(IFA_LOCAL, a);
    m.put_addr(IFA_ADDRESS, a);
    if (a.v4()) m.put_addr(IFA_BROADCAST, Subnet::of(a, prefix).last());
    if (nodad) m.put_u32(IFA_FLAGS, IFA_F_NODAD);
    s.call(m, "adding address " + a.str() + "/" + std::to_string(prefix));
}

namespace {

Message route_message(uint16_t type, uint16_t flags, const Route& r) {
    Message m(type, flags);
    auto* rt = m.header<struct rtmsg>();
    rt->rtm_family = family_of(r.dst.network);
    rt->rtm_dst_len = static_cast<uint8_t>(r.dst.prefix);
    rt->rtm_table = r.table < 256 ? static_cast<uint8_t>(r.table) : static_cast<uint8_t>(RT_TABLE_UNSPEC);
    rt->rtm_protocol = RTPROT_STATIC;
    rt->rtm_type = r.type;
    rt->rtm_scope = r.type == RTN_UNICAST && r.gateway.empty() ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE;
    if (r.table >= 256) m.put_u32(RTA_TABLE, r.table);
    if (r.dst.prefix > 0) m.put_addr(RTA_DST, r.dst.network);
    if (!r.gateway.empty()) m.put_addr(RTA_GATEWAY, r.gateway);
    if (r.oif > 0) m.put_u32(RTA_OIF, static_cast<uint32_t>(r.oif));
    if (r.metric > 0) m.put_u32(RTA_PRIORITY, r.metric);
    return m;
}

std::string route_text(const Route& r) {
    std::string t = r.dst.prefix == 0 ? "default route" : "route to " + r.dst.str();
    if (!r.gateway.empty()) t += " via " + r.gateway.str();
    return t;
}

}  // namespace

void add_route(Socket& s, const Route& r, bool replace) {
    Message m = route_message(RTM_NEWROUTE, NLM_F_CREATE | (replace ? NLM_F_REPLACE : NLM_F_EXCL), r);
    s.call(m, "adding the " + route_text(r));
}

bool delete_route(Socket& s, const Route& r) {
    Message m = route_message(RTM_DELROUTE, 0, r);
    const int err = s.try_call(m);
    if (err == ESRCH || err == ENOENT) return false;
    if (err != 0) throw Error::sys("removing the " + route_text(r), err);
    return true;
}

namespace {

Message rule_message(uint16_t type, uint16_t flags, const Rule& r) {
    Message m(type, flags);
    auto* h = m.header<struct fib_rule_hdr>();
    h->family = static_cast<uint8_t>(r.family);
    h->action = r.action;
    h->table = r.table < 256 ? static_cast<uint8_t>(r.table) : static_cast<uint8_t>(RT_TABLE_UNSPEC);
    m.put_u32(FRA_PRIORITY, r.priority);
    if (!r.iif.empty()) m.put_str(FRA_IIFNAME, r.iif);
    if (r.action == FR_ACT_TO_TBL) m.put_u32(FRA_TABLE, r.table);
    return m;
}

}  // namespace

void add_rule(Socket& s, const Rule& r) {
    Message m = rule_message(RTM_NEWRULE, NLM_F_CREATE | NLM_F_EXCL, r);
    const int err = s.try_call(m);
    if (err != 0 && err != EEXIST) throw Error::sys("adding a routing rule for " + r.iif, err);
}

bool delete_rule(Socket& s, const Rule& r) {
    Message m = rule_message(RTM_DELRULE, 0, r);
    const int err = s.try_call(m);
    if (err == ENOENT || err == ESRCH) return false;
    if (err != 0) throw Error::sys("removing a routing rule for " + r.iif, err);
    return true;
}

namespace {

Message proxy_message(uint16_t type, uint16_t flags, int index, const IpAddress& a) {
    Message m(type, flags);
    auto* nd = m.header<struct ndmsg>();
    nd->ndm_family = family_of(a);
    nd->ndm_ifindex = index;
    nd->ndm_flags = NTF_PROXY;
    nd->ndm_state = NUD_PERMANENT;
    m.put_addr(NDA_DST, a);
    return m;
}

}  // namespace

void add_proxy_neighbour(Socket& s, int index, const IpAddress& a) {
    Message m = proxy_message(RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_REPLACE, index, a);
    s.call(m, "adding a proxy neighbour entry for " + a.str());
}

void delete_proxy_neighbour(Socket& s, int index, const IpAddress& a) {
    Message m = proxy_message(RTM_DELNEIGH, 0, index, a);
    (void)s.try_call(m);
}

Mac random_mac() {
    Mac m{};
    if (::getrandom(m.data(), m.size(), 0) != static_cast<ssize_t>(m.size())) throw Error::sys("getrandom");
    m[0] = static_cast<uint8_t>((m[0] & 0xfe) | 0x02);  // unicast, locally administered
    return m;
}

std::string mac_text(const Mac& m) {
    char out[18];
    std::snprintf(out, sizeof(out), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
    return out;
}

bool parse_mac(const std::string& text, Mac& out) {
    unsigned b[6];
    char tail = 0;
    if (std::sscanf(text.c_str(), "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &tail) != 6 ||
        text.size() != 17)
        return false;
    for (size_t i = 0; i < 6; ++i) out[i] = static_cast<uint8_t>(b[i]);
    return true;
}

}  // namespace pc::net::rtnl
