#include "net/sockaddr.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include "common/error.hpp"

namespace pc::net {

SockAddr make_sockaddr(const std::string& ip, uint16_t port) {
    SockAddr a;
    const std::string text = ip.empty() ? "0.0.0.0" : ip;
    if (text.find(':') != std::string::npos) {
        auto* s6 = reinterpret_cast<struct sockaddr_in6*>(&a.storage);
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons(port);
        if (::inet_pton(AF_INET6, text.c_str(), &s6->sin6_addr) != 1) throw Error("invalid IP address \"" + ip + "\"");
        a.len = sizeof(*s6);
    } else {
        auto* s4 = reinterpret_cast<struct sockaddr_in*>(&a.storage);
        s4->sin_family = AF_INET;
        s4->sin_port = htons(port);
        if (::inet_pton(AF_INET, text.c_str(), &s4->sin_addr) != 1) throw Error("invalid IP address \"" + ip + "\"");
        a.len = sizeof(*s4);
    }
    return a;
}

std::optional<std::string> canonical_ip(const std::string& text, int family) {
    unsigned char bin[16];
    char out[INET6_ADDRSTRLEN];
    for (int f : {AF_INET, AF_INET6}) {
        if (family != AF_UNSPEC && family != f) continue;
        if (::inet_pton(f, text.c_str(), bin) == 1 && ::inet_ntop(f, bin, out, sizeof(out))) return std::string(out);
    }
    return std::nullopt;
}

std::string format_endpoint(const std::string& ip, uint16_t port) {
    const std::string text = ip.empty() ? "0.0.0.0" : ip;
    if (text.find(':') != std::string::npos) return "[" + text + "]:" + std::to_string(port);
    return text + ":" + std::to_string(port);
}

}  // namespace pc::net
