// The few rtnetlink requests user-defined networks need, sent straight to the kernel over
// a NETLINK_ROUTE socket (no iproute2, no libnl): bridges, veth pairs (the container's end
// created directly in the container's network namespace), addresses, routes and routing
// rules. A socket acts in the network namespace it was made in, whoever holds it later:
// the network holder administers its namespace through a socket a helper made there.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "common/fd.hpp"
#include "net/ip_address.hpp"

struct nlmsghdr;

namespace pc::net::rtnl {

using Mac = std::array<uint8_t, 6>;

// A request being built: the netlink header, the request's own header, attributes.
class Message {
public:
    Message(uint16_t type, uint16_t flags);
    // Appends the request's fixed header (ifinfomsg, ifaddrmsg, rtmsg, ...), zeroed.
    template <class T>
    T* header() {
        return reinterpret_cast<T*>(append(nullptr, sizeof(T)));
    }
    void put(uint16_t type, const void* data, size_t len);
    void put_u8(uint16_t type, uint8_t v) { put(type, &v, 1); }
    void put_u32(uint16_t type, uint32_t v) { put(type, &v, 4); }
    void put_str(uint16_t type, const std::string& s) { put(type, s.c_str(), s.size() + 1); }
    void put_addr(uint16_t type, const IpAddress& a) { put(type, a.bytes.data(), a.size()); }
    // A nested attribute: begin returns its offset, end fixes its length.
    size_t begin(uint16_t type);
    void end(size_t offset);
    struct nlmsghdr* hdr();
    size_t size() const { return buf_.size(); }

private:
    // Offset-based: the buffer moves as it grows. Returns where `len` bytes now are (at
    // the message's end, aligned).
    void* append(const void* data, size_t len);
    std::vector<uint8_t> buf_;
};

class Socket {
public:
    // A NETLINK_ROUTE socket in the caller's network namespace. Throws pc::Error.
    static Socket open();
    Socket() = default;
    explicit Socket(UniqueFd fd) : fd_(std::move(fd)) {}
    int fd() const { return fd_.get(); }
    explicit operator bool() const { return static_cast<bool>(fd_); }
    // Sends `m` asking for an acknowledgement and waits for it. Returns 0 or the kernel's
    // errno; call() throws pc::Error "<what>: <strerror>" instead.
    int try_call(Message& m);
    void call(Message& m, const std::string& what);
    // The index of link `name`; 0 when there is none.
    int link_index(const std::string& name);

private:
    UniqueFd fd_;
    uint32_t seq_ = 0;
};

// A bridge, down; its MTU and a fixed MAC so that ARP caches stay right across restarts.
void create_bridge(Socket& s, const std::string& name, unsigned mtu);
// A veth pair: `name` here (may contain "%d" for the kernel to number it), attached to
// bridge `master` and up; its peer made directly in the namespace `peer_netns_fd` as
// `peer_name` with `peer_mac`. Both ends get `mtu`.
struct Veth {
    std::string name;
    int master = 0;
    unsigned mtu = 1500;
    std::string peer_name;
    int peer_netns_fd = -1;
    Mac peer_mac{};
};
void create_veth(Socket& s, const Veth& v);
void set_up(Socket& s, int index);
void delete_link(Socket& s, int index);
// `nodad`: no duplicate address detection (IPv6): the address is usable at once.
void add_address(Socket& s, int index, const IpAddress& a, unsigned prefix, bool nodad);

struct Route {
    Subnet dst;                    // prefix 0: the default route (dst.network gives the family)
    IpAddress gateway;             // empty: none
    int oif = 0;                   // 0: none
    uint32_t table = 254;          // RT_TABLE_MAIN
    uint8_t type = 1;              // RTN_UNICAST; RTN_UNREACHABLE for a refusal
    uint32_t metric = 0;           // lower wins among routes to the same destination
};
// With `replace`, an existing route to the same destination is replaced.
void add_route(Socket& s, const Route& r, bool replace = false);
// Returns false when there was no such route.
bool delete_route(Socket& s, const Route& r);

struct Rule {
    int family = 0;                // AF_INET, AF_INET6
    uint32_t priority = 0;
    std::string iif;               // incoming interface
    uint32_t table = 0;            // with action FR_ACT_TO_TBL
    uint8_t action = 1;            // FR_ACT_TO_TBL; FR_ACT_UNREACHABLE
};
// Adding an existing rule is not an error (the kernel keeps one).
void add_rule(Socket& s, const Rule& r);
bool delete_rule(Socket& s, const Rule& r);

// IPv6 proxy neighbour: the namespace answers neighbour solicitations for `a` on `index`.
void add_proxy_neighbour(Socket& s, int index, const IpAddress& a);
void delete_proxy_neighbour(Socket& s, int index, const IpAddress& a);

// A random locally administered unicast MAC address, and its text form "aa:bb:...".
Mac random_mac();
std::string mac_text(const Mac& m);
bool parse_mac(const std::string& text, Mac& out);

}  // namespace pc::net::rtnl
