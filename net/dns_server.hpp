// The name server of the user-defined networks (aardvark-dns's job, in-process): listens on
// port 53 of every address of the networks' namespace, so each network's gateway, over UDP
// and TCP; answers what the lookup knows (containers' names and aliases) and forwards the
// rest, unchanged but for its transaction id, to the host's resolvers (/etc/resolv.conf,
// re-read when it changes) over this process's own sockets in the host's namespace.
//
// Which network a query came from is told by the address it was sent to (IP_PKTINFO), and
// the reply goes out from that address.
#pragma once

#include <netinet/in.h>

#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <string>
#include <vector>

#include "common/fd.hpp"
#include "common/poll_source.hpp"
#include "net/dns_message.hpp"
#include "net/ip_address.hpp"

namespace pc::net {

struct DnsAnswer {
    enum class Kind { Forward, Refuse, NotFound, Found };
    Kind kind = Kind::Forward;
    std::vector<IpAddress> addresses;  // A/AAAA
    std::vector<std::string> names;    // PTR
};
// `client`: who asked; `server`: the address it asked (a gateway).
using DnsLookup = std::function<DnsAnswer(const IpAddress& client, const IpAddress& server, const dns::Query& q)>;

class DnsServer : public PollSource {
public:
    // `udp`/`tcp`: sockets bound to port 53 in the networks' namespace (UDP ones with
    // IP_PKTINFO / IPV6_RECVPKTINFO on, TCP ones listening), non-blocking.
    DnsServer(std::vector<UniqueFd> udp, std::vector<UniqueFd> tcp, DnsLookup lookup);
    DnsServer(const DnsServer&) = delete;
    DnsServer& operator=(const DnsServer&) = delete;
    ~DnsServer() override;

    void fill(std::vector<struct pollfd>& fds, int& timeout_ms) override;
    void dispatch(const std::vector<struct pollfd>& fds) override;

    // Where queries are forwarded; by default the host's resolv.conf (for tests).
    void set_upstream(std::vector<struct sockaddr_storage> servers);

private:
    struct Source;     // where a query came from, and how to answer it
    struct Pending;    // a query forwarded upstream
    struct TcpClient;

    void read_udp(size_t index);
    void accept_tcp(size_t index);
    void read_tcp(TcpClient& c);
    void handle(const std::string& packet, const Source& from);
    void answer(const std::string& reply, const Source& to);
    void forward(const std::string& packet, uint16_t id, const Source& from);
    bool send_upstream(Pending& p);
    void read_upstream(int family);
    void expire();
    const std::vector<struct sockaddr_storage>& upstream();

    std::vector<UniqueFd> udp_, tcp_;
    DnsLookup lookup_;
    UniqueFd up4_, up6_;                       // this process's own sockets to the resolvers
    std::map<uint16_t, Pending> pending_;      // by the id sent upstream
    uint16_t next_id_ = 1;
    std::list<TcpClient> clients_;
    std::vector<struct sockaddr_storage> servers_;
    bool fixed_servers_ = false;
    int64_t resolv_mtime_ = -1;
    // Indexes of this server's entries in the last fill().
    size_t first_udp_ = 0, first_tcp_ = 0, up4_index_ = SIZE_MAX, up6_index_ = SIZE_MAX, first_client_ = 0;
};

// The nameservers of a resolv.conf text, as socket addresses on port 53.
std::vector<struct sockaddr_storage> resolv_conf_servers(const std::string& text);

}  // namespace pc::net
