#include "net/dns_message.hpp"

#include <sys/socket.h>

#include <cctype>

#include "common/strings.hpp"

namespace pc::net::dns {

namespace {

constexpr size_t kHeader = 12;
constexpr size_t kMaxName = 255;
constexpr int kMaxPointers = 16;

uint16_t u16(std::string_view p, size_t at) {
    return static_cast<uint16_t>((static_cast<uint8_t>(p[at]) << 8) | static_cast<uint8_t>(p[at + 1]));
}

void put16(std::string& out, uint16_t v) {
    out += static_cast<char>(v >> 8);
    out += static_cast<char>(v & 0xff);
}

void put32(std::string& out, uint32_t v) {
    put16(out, static_cast<uint16_t>(v >> 16));
    put16(out, static_cast<uint16_t>(v & 0xffff));
}

// Reads the name at `at`; sets `end` to just past it in the packet (past the first
// pointer when compressed). Lower-cased, dot-separated.
std::optional<std::string> read_name(std::string_view p, size_t at, size_t& end) {
    std::string name;
    size_t wire = 0;  // bytes of the uncompressed name
    int pointers = 0;
    bool jumped = false;
    for (;;) {
        if (at >= p.size()) return std::nullopt;
        const auto len = static_cast<uint8_t>(p[at]);
        if ((len & 0xc0) == 0xc0) {
            if (at + 1 >= p.size() || ++pointers > kMaxPointers) return std::nullopt;
            if (!jumped) end = at + 2;
            jumped = true;
            at = static_cast<size_t>(u16(p, at) & 0x3fff);
            continue;
        }
        if ((len & 0xc0) != 0) return std::nullopt;  // reserved label types
        if (len == 0) {
            if (!jumped) end = at + 1;
            return name;
        }
        if (at + 1 + len > p.size()) return std::nullopt;
        wire += len + 1U;
        if (wire > kMaxName) return std::nullopt;
        if (!name.empty()) name += '.';
        for (size_t i = 0; i < len; ++i) name += static_cast<char>(std::tolower(static_cast<unsigned char>(p[at + 1 + i])));
        at += 1 + len;
    }
}

// The name in wire format; names that cannot be encoded (a label over 63 bytes) are cut.
std::string encode_name(std::string_view name) {
    std::string out;
    for (const auto& label : str::split(name, '.')) {
        if (label.empty()) continue;
        const size_t len = std::min<size_t>(label.size(), 63);
        out += static_cast<char>(len);
        out.append(label, 0, len);
    }
    out += '\0';
    return out;
}

std::string reply_header(const Query& q, uint8_t rcode, uint16_t answers) {
    std::string out;
    put16(out, q.id);
    // QR, opcode 0, AA, the query's RD, RA, rcode.
    const uint16_t rd = q.flags & 0x0100;
    put16(out, static_cast<uint16_t>(0x8000 | 0x0400 | rd | 0x0080 | (rcode & 0x0f)));
    put16(out, 1);        // the question
    put16(out, answers);
    put16(out, 0);
    put16(out, 0);
    return out;
}

}  // namespace

std::optional<Query> parse_query(std::string_view p) {
    if (p.size() < kHeader) return std::nullopt;
    Query q;
    q.id = u16(p, 0);
    q.flags = u16(p, 2);
    if ((q.flags & 0x8000) != 0 || ((q.flags >> 11) & 0xf) != 0) return std::nullopt;  // a reply, or not QUERY
    if (u16(p, 4) != 1) return std::nullopt;
    size_t end = 0;
    auto name = read_name(p, kHeader, end);
    if (!name || end + 4 > p.size()) return std::nullopt;
    q.name = std::move(*name);
    q.type = u16(p, end);
    q.klass = u16(p, end + 2);
    q.question_end = end + 4;
    // Written out, a name takes its text plus two bytes (one for the root); a pointer
    // replaces a suffix of 1 or at least 3 bytes with 2, so a different length means one.
    q.compressed = end - kHeader != q.name.size() + (q.name.empty() ? 1 : 2);
    return q;
}

std::string build_reply(std::string_view packet, const Query& q, uint8_t rcode, const std::vector<IpAddress>& addresses,
                        const std::vector<std::string>& names, uint32_t ttl) {
    std::string out = reply_header(q, rcode, static_cast<uint16_t>(addresses.size() + names.size()));
    if (q.compressed) {
        // A pointer would lead nowhere in this reply: the name written out in full.
        out += encode_name(q.name);
        put16(out, q.type);
        put16(out, q.klass);
    } else {
        out.append(packet.substr(kHeader, q.question_end - kHeader));
    }
    for (const auto& a : addresses) {
        put16(out, 0xc000 | kHeader);  // the question's name
        put16(out, a.v4() ? kTypeA : kTypeAaaa);
        put16(out, kClassIn);
        put32(out, ttl);
        put16(out, static_cast<uint16_t>(a.size()));
        out.append(reinterpret_cast<const char*>(a.bytes.data()), a.size());
    }
    for (const auto& n : names) {
        const std::string rdata = encode_name(n);
        put16(out, 0xc000 | kHeader);
        put16(out, kTypePtr);
        put16(out, kClassIn);
        put32(out, ttl);
        put16(out, static_cast<uint16_t>(rdata.size()));
        out += rdata;
    }
    return out;
}

std::string build_error(std::string_view packet, const Query& q, uint8_t rcode) { return build_reply(packet, q, rcode, {}); }

std::optional<uint16_t> packet_id(std::string_view packet) {
    if (packet.size() < kHeader) return std::nullopt;
    return u16(packet, 0);
}

std::string with_id(std::string_view packet, uint16_t id) {
    std::string out(packet);
    if (out.size() >= 2) {
        out[0] = static_cast<char>(id >> 8);
        out[1] = static_cast<char>(id & 0xff);
    }
    return out;
}

std::optional<IpAddress> reverse_name_address(std::string_view name) {
    auto labels = str::split(name, '.');
    IpAddress a;
    if (str::ends_with(name, ".in-addr.arpa") && labels.size() == 6) {
        a.family = AF_INET;
        for (size_t i = 0; i < 4; ++i) {
            auto v = str::parse_u64(labels[3 - i]);
            if (!v || *v > 255 || labels[3 - i].size() > 3) return std::nullopt;
            a.bytes[i] = static_cast<uint8_t>(*v);
        }
        return a;
    }
    if (str::ends_with(name, ".ip6.arpa") && labels.size() == 34) {
        a.family = AF_INET6;
        for (size_t i = 0; i < 32; ++i) {
            const std::string& l = labels[31 - i];
            if (l.size() != 1 || !std::isxdigit(static_cast<unsigned char>(l[0]))) return std::nullopt;
            const int v = std::isdigit(static_cast<unsigned char>(l[0])) ? l[0] - '0' : std::tolower(l[0]) - 'a' + 10;
            a.bytes[i / 2] = static_cast<uint8_t>(a.bytes[i / 2] | (i % 2 == 0 ? v << 4 : v));
        }
        return a;
    }
    return std::nullopt;
}

}  // namespace pc::net::dns
