// Socket addresses from the text forms users give (-p's host ip, slirp's addresses).
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <string>

namespace pc::net {

struct SockAddr {
    struct sockaddr_storage storage {};
    socklen_t len = 0;
    int family() const { return storage.ss_family; }
    const struct sockaddr* get() const { return reinterpret_cast<const struct sockaddr*>(&storage); }
};

// An IPv4 or IPv6 literal ("" = 0.0.0.0, every IPv4 address) and a port. Throws pc::Error.
SockAddr make_sockaddr(const std::string& ip, uint16_t port);
// The canonical text of an IP literal ("2001:DB8::1" -> "2001:db8::1") of `family`
// (AF_INET, AF_INET6, or AF_UNSPEC for either); nullopt when it is not one.
std::optional<std::string> canonical_ip(const std::string& text, int family = AF_UNSPEC);
// "0.0.0.0:8080", "[::1]:8080": how errors and `pc port` show an endpoint.
std::string format_endpoint(const std::string& ip, uint16_t port);

}  // namespace pc::net
