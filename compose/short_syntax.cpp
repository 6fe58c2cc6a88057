#include "compose/short_syntax.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <stdexcept>

#include "common/strings.hpp"

namespace pc::compose {

namespace {

bool ascii_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// ---- volumes (compose-go format.ParseVolume) ---------------------------------------

bool windows_drive(const std::string& buffer, char c) { return c == ':' && buffer.size() == 1 && ascii_letter(buffer[0]); }

bool is_file_path(const std::string& source) {
    if (source.empty()) return false;
    char c = source[0];
    if (c == '.' || c == '/' || c == '~') return true;
    if (source.rfind("\\\\", 0) == 0) return true;  // Windows named pipe
    return source.size() > 1 && windows_drive(source.substr(0, 1), source[1]);
}

bool is_propagation(const std::string& o) {
    return o == "rprivate" || o == "private" || o == "rshared" || o == "shared" || o == "rslave" || o == "slave";
}

struct VolumeParts {
    std::string source, target;
    bool read_only = false;
    bool nocopy = false;
    std::string propagation, selinux;
    bool bind_options = false;
};

void populate(VolumeParts& v, const std::string& buffer, bool end) {
    if (buffer.empty()) throw std::runtime_error("empty section between colons");
    if (v.source.empty() && end) {
        v.target = buffer;
        return;
    }
    if (v.source.empty()) {
        v.source = buffer;
        return;
    }
    if (v.target.empty()) {
        v.target = buffer;
        return;
    }
    if (!end) throw std::runtime_error("too many colons");
    for (const auto& option : str::split(buffer, ',')) {
        if (option == "ro") {
            v.read_only = true;
        } else if (option == "rw") {
            v.read_only = false;
        } else if (option == "nocopy") {
            v.nocopy = true;
        } else if (is_propagation(option)) {
            v.propagation = option;
            v.bind_options = true;
        } else if (option == "z" || option == "Z") {
            v.selinux = option;
            v.bind_options = true;
        }
        // other options are ignored, as Docker Compose ignores them
    }
}

// ---- ports (docker/go-connections nat) ---------------------------------------------

std::optional<uint64_t> parse_port_number(const std::string& s) {
    if (s.empty() || s.size() > 5) return std::nullopt;
    uint64_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + static_cast<uint64_t>(c - '0');
    }
    if (v > 65535) return std::nullopt;
    return v;
}

bool parse_port_range(const std::string& s, uint64_t& start, uint64_t& end) {
    if (s.empty()) return false;
    if (s.find('-') == std::string::npos) {
        auto v = parse_port_number(s);
        if (!v) return false;
        start = end = *v;
        return true;
    }
    auto parts = str::split(s, '-');
    auto a = parse_port_number(parts[0]);
    auto b = parse_port_number(parts[1]);
    if (!a || !b || *b < *a) return false;
    start = *a;
    end = *b;
    return true;
}

// net.SplitHostPort(raw + ":") as nat.ParsePortSpec uses it to strip IPv6 brackets.
std::string split_host(const std::string& raw) {
    std::string hostport = raw + ":";
    size_t i = hostport.rfind(':');
    size_t j = 0;
    size_t k = 0;
    std::string host;
    auto addr_err = [&](const std::string& why) {
        return std::runtime_error("Invalid ip address " + raw + ": address " + hostport + ": " + why);
    };
    if (hostport[0] == '[') {
        size_t end = hostport.find(']');
        if (end == std::string::npos) throw addr_err("missing ']' in address");
        if (end + 1 != i) throw addr_err(hostport[end + 1] == ':' ? "too many colons in address" : "missing port in address");
        host = hostport.substr(1, end - 1);
        j = 1;
        k = end + 1;
    } else {
        host = hostport.substr(0, i);
        if (host.find(':') != std::string::npos) throw addr_err("too many colons in address");
    }
    if (hostport.find('[', j) != std::string::npos) throw addr_err("unexpected '[' in address");
    if (hostport.find(']', k) != std::string::npos) throw addr_err("unexpected ']' in address");
    return host;
}

}  // namespace

bool is_ip_address(const std::string& text) {
    unsigned char buf[16];
    if (text.find('%') != std::string::npos) return false;
    return ::inet_pton(AF_INET, text.c_str(), buf) == 1 || ::inet_pton(AF_INET6, text.c_str(), buf) == 1;
}

std::string clean_path(const std::string& path) {
    if (path.empty()) return path;
    bool rooted = path[0] == '/';
    std::vector<std::string> out;
    for (const auto& part : str::split(path, '/')) {
        if (part.empty() || part == ".") continue;
        if (part == "..") {
            if (!out.empty() && out.back() != "..") out.pop_back();
            else if (!rooted) out.push_back("..");
            continue;
        }
        out.push_back(part);
    }
    std::string joined = str::join(out, "/");
    if (rooted) return "/" + joined;
    return joined.empty() ? "." : joined;
}

Node parse_volume_spec(const std::string& spec, const Mark& mark) {
    Node out = Node::mapping(mark);
    if (spec.empty()) throw std::runtime_error("invalid empty volume spec");
    if (spec.size() <= 2) {
        out.set("type", Node::string("volume", mark));
        out.set("target", Node::string(spec, mark));
        return out;
    }
    VolumeParts v;
    std::string buffer;
    int in_var = 0;
    try {
        for (size_t i = 0; i <= spec.size(); ++i) {
            bool end = i == spec.size();
            char c = end ? '\0' : spec[i];
            if (!end && c == '$' && i + 1 < spec.size() && spec[i + 1] == '{') {
                ++in_var;
                buffer.push_back(c);
                continue;
            }
            if (!end && c == '}' && in_var > 0) {
                --in_var;
                buffer.push_back(c);
                continue;
            }
            if (!end && windows_drive(buffer, c)) {
                buffer.push_back(c);
            } else if ((end || c == ':') && in_var == 0) {
                populate(v, buffer, end);
                buffer.clear();
            } else if (!end) {
                buffer.push_back(c);
            }
            // (an unbalanced "${" at the end: that last section is dropped, as compose-go does)
        }
    } catch (const std::exception& e) {
        throw std::runtime_error("invalid spec: " + spec + ": " + e.what());
    }
    bool bind = is_file_path(v.source);
    out.set("type", Node::string(bind ? "bind" : "volume", mark));
    if (!v.source.empty()) out.set("source", Node::string(v.source, mark));
    if (!v.target.empty()) out.set("target", Node::string(v.target, mark));
    if (v.read_only) out.set("read_only", Node::boolean(true, mark));
    if (bind || v.bind_options) {
        Node b = Node::mapping(mark);
        if (!v.selinux.empty()) b.set("selinux", Node::string(v.selinux, mark));
        if (!v.propagation.empty()) b.set("propagation", Node::string(v.propagation, mark));
        if (bind) b.set("create_host_path", Node::boolean(true, mark));
        out.set("bind", std::move(b));
    }
    if (!bind || v.nocopy) {
        Node vol = Node::mapping(mark);
        if (v.nocopy) vol.set("nocopy", Node::boolean(true, mark));
        out.set("volume", std::move(vol));
    }
    return out;
}

std::vector<Node> parse_port_spec(const std::string& spec, const Mark& mark) {
    auto parts = str::split(spec, ':');
    size_t n = parts.size();
    std::string raw_ip, host_port, container_port = parts[n - 1];
    if (n == 2) {
        host_port = parts[0];
    } else if (n == 3) {
        raw_ip = parts[0];
        host_port = parts[1];
    } else if (n > 3) {
        raw_ip = str::join(std::vector<std::string>(parts.begin(), parts.end() - 2), ":");
        host_port = parts[n - 2];
    }
    std::string proto;
    {
        auto pp = str::split(container_port, '/');
        if (container_port.empty() || pp[0].empty()) {
            proto.clear();
            container_port.clear();
        } else if (pp.size() == 1) {
            proto = "tcp";
        } else {
            proto = pp[1].empty() ? "tcp" : pp[1];
            container_port = pp[0];
        }
    }
    std::string ip = split_host(raw_ip);
    if (!ip.empty() && !is_ip_address(ip)) throw std::runtime_error("Invalid ip address: " + ip);
    if (container_port.empty()) throw std::runtime_error("No port specified: " + spec + "<empty>");
    uint64_t start = 0, end = 0;
    if (!parse_port_range(container_port, start, end)) throw std::runtime_error("Invalid containerPort: " + container_port);
    uint64_t host_start = 0, host_end = 0;
    if (!host_port.empty() && !parse_port_range(host_port, host_start, host_end))
        throw std::runtime_error("Invalid hostPort: " + host_port);
    if (!host_port.empty() && (end - start) != (host_end - host_start) && end != start)
        throw std::runtime_error("Invalid ranges specified for container and host Ports: " + container_port + " and " +
                                 host_port);
    std::string lproto = str::to_lower(proto);
    if (lproto != "tcp" && lproto != "udp" && lproto != "sctp") throw std::runtime_error("Invalid proto: " + proto);
    struct Entry {
        std::string key;
        Node node;
    };
    std::vector<Entry> entries;
    for (uint64_t i = 0; i <= end - start; ++i) {
        std::string published;
        if (!host_port.empty()) {
            published = std::to_string(host_start + i);
            if (start == end && host_start != host_end) published += "-" + std::to_string(host_end);
        }
        Node p = Node::mapping(mark);
        p.set("mode", Node::string("ingress", mark));
        if (!ip.empty()) p.set("host_ip", Node::string(ip, mark));
        if (start + i != 0) p.set("target", Node::integer(static_cast<int64_t>(start + i), mark));
        if (!published.empty()) p.set("published", Node::string(published, mark));
        p.set("protocol", Node::string(lproto, mark));
        entries.push_back(Entry{std::to_string(start + i) + "/" + lproto, std::move(p)});
    }
    // Docker Compose orders the ports of a range by their text ("10/tcp" < "8/tcp").
    std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.key < b.key; });
    std::vector<Node> out;
    for (auto& e : entries) out.push_back(std::move(e.node));
    return out;
}

Node parse_device_spec(const std::string& spec, const Mark& mark) {
    auto parts = str::split(spec, ':');
    if (parts.size() > 3) throw std::runtime_error("confusing device mapping, please use long syntax: " + spec);
    std::string src = parts[0];
    std::string dst = parts.size() > 1 ? parts[1] : "";
    std::string perms = parts.size() > 2 ? parts[2] : "rwm";
    if (dst.empty()) dst = src;
    Node d = Node::mapping(mark);
    d.set("source", Node::string(src, mark));
    d.set("target", Node::string(dst, mark));
    d.set("permissions", Node::string(perms, mark));
    return d;
}

std::vector<std::string> split_command(const std::string& line, std::string* dropped) {
    std::vector<std::string> args;
    std::string buf;
    bool escaped = false, dq = false, sq = false, backq = false, dollarq = false;
    enum { kNone, kSingle, kQuoted } got = kNone;
    size_t stop = std::string::npos;
    for (size_t i = 0; i < line.size(); ++i) {
        char r = line[i];
        if (escaped) {
            buf.push_back(r);
            escaped = false;
            got = kSingle;
            continue;
        }
        if (r == '\\') {
            if (sq) buf.push_back(r);
            else escaped = true;
            continue;
        }
        if (r == ' ' || r == '\t' || r == '\r' || r == '\n') {
            if (sq || dq || backq || dollarq) {
                buf.push_back(r);
            } else if (got != kNone) {
                args.push_back(buf);
                buf.clear();
                got = kNone;
            }
            continue;
        }
        switch (r) {
        case '`':
            if (!sq && !dq && !dollarq) backq = !backq;
            break;
        case ')':
            if (!sq && !dq && !backq) dollarq = !dollarq;
            break;
        case '(':
            if (!sq && !dq && !backq) {
                if (!dollarq && !buf.empty() && buf.back() == '$') {
                    dollarq = true;
                    buf.push_back('(');
                    continue;
                }
                throw std::runtime_error("invalid command line string");
            }
            break;
        case '"':
            if (!sq && !dollarq) {
                if (dq) got = kQuoted;
                dq = !dq;
                continue;
            }
            break;
        case '\'':
            if (!dq && !dollarq) {
                if (sq) got = kQuoted;
                sq = !sq;
                continue;
            }
            break;
        case ';':
        case '&':
        case '|':
        case '<':
        case '>':
            if (!(sq || dq || backq || dollarq)) {
                if (r == '>' && !buf.empty() && buf[0] >= '0' && buf[0] <= '9') got = kNone;  // "2>": a redirection
                stop = i;
            }
            break;
        default: break;
        }
        if (stop != std::string::npos) break;
        got = kSingle;
        buf.push_back(r);
    }
    if (got != kNone) args.push_back(buf);
    if (escaped || sq || dq || backq || dollarq) throw std::runtime_error("invalid command line string");
    if (dropped) *dropped = stop == std::string::npos ? "" : line.substr(stop);
    return args;
}

}  // namespace pc::compose
