// The part of the DNS wire format (RFC 1035) the networks' name server needs: reading the
// one question of a query, and writing an answer with A, AAAA or PTR records, or an error
// code. Everything else (EDNS, other record types) is passed through to the host's
// resolvers untouched. Input is untrusted (any container may send anything): every read
// is bounds-checked, compression pointers are followed a bounded number of times, and a
// malformed query is simply not answered (tests/fuzz/dns_message_fuzz.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/ip_address.hpp"

namespace pc::net::dns {

inline constexpr uint16_t kTypeA = 1;
inline constexpr uint16_t kTypePtr = 12;
inline constexpr uint16_t kTypeAaaa = 28;
inline constexpr uint16_t kTypeAny = 255;
inline constexpr uint16_t kClassIn = 1;

inline constexpr uint8_t kNoError = 0;
inline constexpr uint8_t kServFail = 2;
inline constexpr uint8_t kNxDomain = 3;
inline constexpr uint8_t kRefused = 5;

struct Query {
    uint16_t id = 0;
    uint16_t flags = 0;
    std::string name;          // lower case, no trailing dot ("" for the root)
    uint16_t type = 0;
    uint16_t klass = 0;
    size_t question_end = 0;   // offset just past the question
    bool compressed = false;   // the question's name uses a pointer (then it is re-encoded)
};

// A standard query (QR=0, opcode 0) with exactly one question; nullopt otherwise.
std::optional<Query> parse_query(std::string_view packet);

// A reply to `q` (whose packet is `packet`): the question echoed, then `addresses` as A or
// AAAA records, or `names` as PTR records, with `rcode`. Authoritative (these are the
// network's own names); recursion available.
std::string build_reply(std::string_view packet, const Query& q, uint8_t rcode, const std::vector<IpAddress>& addresses,
                        const std::vector<std::string>& names = {}, uint32_t ttl = 60);
// A reply with only an error code (SERVFAIL, REFUSED), for a query we could not handle.
std::string build_error(std::string_view packet, const Query& q, uint8_t rcode);

// The transaction id of a packet, and the packet with another one (forwarding renumbers
// queries so that replies from the host's resolvers can be told apart).
std::optional<uint16_t> packet_id(std::string_view packet);
std::string with_id(std::string_view packet, uint16_t id);

// "4.3.2.1.in-addr.arpa" -> 1.2.3.4; the nibble form under ip6.arpa for IPv6.
std::optional<IpAddress> reverse_name_address(std::string_view name);

}  // namespace pc::net::dns
