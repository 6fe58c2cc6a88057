#include "net/ip_address.hpp"

#include <arpa/inet.h>

#include <algorithm>

#include "common/strings.hpp"

namespace pc::net {

namespace {

// Keeps the first `prefix` bits of `a`, clears the rest (or sets them, for the last address).
IpAddress masked(IpAddress a, unsigned prefix, bool set_host_bits) {
    for (size_t i = 0; i < a.size(); ++i) {
        const unsigned first_bit = static_cast<unsigned>(i) * 8;
        uint8_t keep = 0xff;
        if (prefix <= first_bit) keep = 0;
        else if (prefix < first_bit + 8) keep = static_cast<uint8_t>(0xff << (8 - (prefix - first_bit)));
        a.bytes[i] = set_host_bits ? static_cast<uint8_t>(a.bytes[i] | ~keep) : static_cast<uint8_t>(a.bytes[i] & keep);
    }
    return a;
}

}  // namespace

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
    const std::string s(text);
    IpAddress a;
    if (::inet_pton(AF_INET, s.c_str(), a.bytes.data()) == 1) {
        a.family = AF_INET;
        return a;
    }
    if (::inet_pton(AF_INET6, s.c_str(), a.bytes.data()) == 1) {
        a.family = AF_INET6;
        // An IPv4-mapped address is IPv4 (Go's net.ParseIP, which Podman uses, agrees).
        static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        if (std::equal(std::begin(kMapped), std::end(kMapped), a.bytes.begin())) {
            IpAddress v4;
            v4.family = AF_INET;
            std::copy(a.bytes.begin() + 12, a.bytes.end(), v4.bytes.begin());
            return v4;
        }
        return a;
    }
    return std::nullopt;
}

std::string IpAddress::str() const {
    if (empty()) return "";
    char out[INET6_ADDRSTRLEN];
    return ::inet_ntop(family, bytes.data(), out, sizeof(out)) ? out : "";
}

IpAddress IpAddress::plus(uint64_t n) const {
    IpAddress r = *this;
    unsigned carry = 0;
    for (size_t i = size(); i-- > 0;) {
        const unsigned sum = r.bytes[i] + static_cast<unsigned>(n & 0xff) + carry;
        r.bytes[i] = static_cast<uint8_t>(sum);
        carry = sum >> 8;
        n >>= 8;
    }
    return r;
}

uint64_t IpAddress::distance_to(const IpAddress& later) const {
    if (later <= *this || later.family != family) return 0;
    // Big-endian subtraction over the whole width; saturate when the high part is set.
    std::array<uint8_t, 16> diff{};
    int borrow = 0;
    for (size_t i = size(); i-- > 0;) {
        int d = later.bytes[i] - bytes[i] - borrow;
        borrow = d < 0;
        diff[i] = static_cast<uint8_t>(d + (borrow ? 256 : 0));
    }
    uint64_t out = 0;
    for (size_t i = 0; i < size(); ++i) {
        if (size() - i > 8) {
            if (diff[i] != 0) return UINT64_MAX;
            continue;
        }
        out = (out << 8) | diff[i];
    }
    return out;
}

std::optional<Subnet> Subnet::parse(std::string_view text) {
    auto [addr, len] = str::split_once(text, '/');
    if (!len) return std::nullopt;
    auto a = IpAddress::parse(addr);
    auto prefix = str::parse_u64(*len);
    if (!a || !prefix || *prefix > a->bits()) return std::nullopt;
    // "::ffff:10.0.0.0/104" style prefixes are not worth supporting: IPv4 must be written as such.
    if (a->v4() && addr.find(':') != std::string::npos) return std::nullopt;
    return of(*a, static_cast<unsigned>(*prefix));
}

Subnet Subnet::of(const IpAddress& a, unsigned prefix) { return {masked(a, prefix, false), prefix}; }

std::string Subnet::str() const { return network.str() + "/" + std::to_string(prefix); }

bool Subnet::contains(const IpAddress& a) const {
    return a.family == network.family && masked(a, prefix, false) == network;
}

bool Subnet::overlaps(const Subnet& other) const {
    if (other.network.family != network.family) return false;
    // Two prefixes overlap when the shorter one contains the other's network.
    return prefix <= other.prefix ? contains(other.network) : other.contains(network);
}

IpAddress Subnet::last() const { return masked(network, prefix, true); }

std::string Subnet::netmask() const {
    IpAddress m;
    m.family = AF_INET;
    m.bytes.fill(0xff);
    return masked(m, prefix, false).str();
}

}  // namespace pc::net
