// --network values (net/network_mode), also compose's network_mode: accepted values
// round-trip through their canonical form, and slirp options give valid addresses.
#include <string>

#include "common/error.hpp"
#include "fuzz_check.hpp"
#include "net/network_mode.hpp"

using namespace pc::net;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string value(pcfuzz::as_text(data, size));
    NetworkMode m;
    try {
        m = parse_network_mode(value);
    } catch (const pc::Error& e) {
        FUZZ_CHECK(std::string(e.what()).find("--network") != std::string::npos);
        return 0;
    }
    const std::string canonical = to_string(m);
    FUZZ_CHECK(parse_network_mode(canonical) == m);
    FUZZ_CHECK(to_string(parse_network_mode(canonical)) == canonical);
    if (m.kind == NetworkKind::Slirp) {
        SlirpAddresses a = slirp_addresses(m.slirp);
        FUZZ_CHECK(a.prefix <= 25 && !a.gateway.empty() && !a.guest.empty() && !a.dns.empty());
        FUZZ_CHECK(m.slirp.mtu >= 68 && m.slirp.mtu <= 65521);
    }
    (void)has_global_ipv6(value);
    return 0;
}
