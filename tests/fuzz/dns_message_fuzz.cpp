// DNS messages (net/dns_message): the networks' name server reads whatever any container
// sends to port 53 of a gateway. Any bytes are either not a query (dropped) or a query
// whose name and question lie within the packet; the reply built for it carries the
// query's id and question, and re-numbering a packet changes only its id. Input: one
// UDP payload.
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "net/dns_message.hpp"

using namespace pc::net;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view packet = pcfuzz::as_text(data, size);
    auto q = dns::parse_query(packet);
    if (auto id = dns::packet_id(packet)) {
        const std::string renumbered = dns::with_id(packet, static_cast<uint16_t>(*id + 1));
        FUZZ_CHECK(renumbered.size() == packet.size() && renumbered.substr(2) == packet.substr(2));
    }
    if (!q) return 0;
    FUZZ_CHECK(q->question_end <= packet.size());
    FUZZ_CHECK(q->name.size() <= 255);
    (void)dns::reverse_name_address(q->name);
    std::vector<IpAddress> addresses;
    if (auto a = IpAddress::parse("10.89.0.5")) addresses.push_back(*a);
    if (auto a = IpAddress::parse("fd00::5")) addresses.push_back(*a);
    const std::string reply = dns::build_reply(packet, *q, dns::kNoError, addresses, {q->name});
    FUZZ_CHECK(reply.size() >= 12 && dns::packet_id(reply) == q->id);
    FUZZ_CHECK((static_cast<uint8_t>(reply[2]) & 0x80) != 0);
    const std::string refusal = dns::build_error(packet, *q, dns::kRefused);
    FUZZ_CHECK((static_cast<uint8_t>(refusal[3]) & 0x0f) == dns::kRefused);
    return 0;
}
