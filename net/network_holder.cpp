#include "net/network_holder.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <list>
#include <map>
#include <memory>
#include <optional>

#include "common/atomic_file.hpp"
#include "common/clock.hpp"
#include "common/error.hpp"
#include "common/file_lock.hpp"
#include "common/idle_memory.hpp"
#include "common/log.hpp"
#include "common/process.hpp"
#include "common/process_start.hpp"
#include "common/strings.hpp"
#include "common/unix_socket.hpp"
#include "common/user_paths.hpp"
#include "net/dns_server.hpp"
#include "net/holder_protocol.hpp"
#include "net/ipam.hpp"
#include "net/netns_helper.hpp"
#include "net/network_mode.hpp"
#include "net/rtnetlink.hpp"
#include "net/slirp_stack.hpp"
#include "rootless/idmap.hpp"
#include "rootless/userns_holder.hpp"

namespace pc::net {

namespace {

using nlohmann::json;

constexpr uint32_t kUplinkTable = 100;     // the uplink's default routes, and refusals
constexpr uint32_t kToUplinkPriority = 100;
constexpr uint32_t kRefusePriority = 101;
constexpr int64_t kFirstRequestNs = 10'000'000'000;  // a holder nobody asks for goes
// A network nobody uses keeps its bridge this long: deleting a link waits for the kernel's
// RCU grace periods (~50 ms here), which a burst of `run --rm` would pay every time; and
// when the holder leaves first, its namespace takes the bridges along for free.
constexpr int64_t kRetireNs = 2'000'000'000;
constexpr char kDnsDomain[] = ".dns.podman";
constexpr int kReportFd = 3;

// A pidfd of `pid` when it is still the process that started at `start`.
UniqueFd watch(pid_t pid, uint64_t start) {
    if (pid <= 0) return UniqueFd();
    UniqueFd fd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
    if (!fd || start_time_of(pid) != start) return UniqueFd();
    return fd;
}

// The namespace a killed holder left, through a descriptor one of the monitors holds
// (they are this user's processes: /proc lets their owner open their descriptors).
UniqueFd find_namespace(pid_t pid, ino_t ino, dev_t dev) {
    const std::string dir = "/proc/" + std::to_string(pid) + "/fd";
    std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir.c_str()), ::closedir);
    if (!d) return UniqueFd();
    const std::string want = "net:[" + std::to_string(ino) + "]";
    while (struct dirent* e = ::readdir(d.get())) {
        const std::string path = dir + "/" + e->d_name;
        char link[64];
        const ssize_t n = ::readlink(path.c_str(), link, sizeof(link) - 1);
        if (n <= 0 || std::string(link, static_cast<size_t>(n)) != want) continue;
        UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
        struct stat st {};
        if (fd && ::fstat(fd.get(), &st) == 0 && st.st_ino == ino && st.st_dev == dev) return fd;
    }
    return UniqueFd();
}

struct ActiveNetwork {
    NetworkConfig cfg;
    int bridge = 0;
    std::vector<SubnetAllocator> allocators;
    size_t users = 0;
    int64_t unused_since_ns = 0;  // when users last fell to 0
};

struct Client {
    UniqueFd fd;
    size_t index = SIZE_MAX;
};

struct Tracked {
    Lease lease;
    UniqueFd pidfd;
    size_t index = SIZE_MAX;
};

class Holder {
public:
    Holder(HolderPaths paths, int report) : paths_(std::move(paths)), report_(report) {}
    int run();

private:
    void start();
    void recover(const json& saved, std::string& note);
    void build_uplink();
    void serve(Client& c);
    json handle(const json& request, pid_t peer, std::vector<int>& fds);
    json attach(const AttachRequest& r, pid_t peer);
    json detach(const std::string& container, const std::vector<std::string>& networks);
    json add_names(const std::string& container, const std::vector<std::string>& names);
    json status() const;

    // `adopt`: a bridge already there is this network's, with containers on it (a killed
    // holder's, restored); otherwise one this holder does not know of is stale and goes.
    ActiveNetwork& activate(const NetworkConfig& cfg, bool adopt = false);
    void deactivate(const std::string& name);
    int retire_unused();
    Endpoint make_endpoint(ActiveNetwork& n, const EndpointOptions& o, const std::string& container,
                           const std::string& ifname);
    void release(const Endpoint& e);
    void release_lease(const std::string& container);
    void save() const;
    bool exit_if_idle();
    DnsAnswer lookup(const IpAddress& client, const IpAddress& server, const dns::Query& q);

    HolderPaths paths_;
    int report_;
    std::optional<UniqueFd> userns_;
    NetnsKit kit_;
    rtnl::Socket rtnl_;
    int tap_index_ = 0;
    std::unique_ptr<SlirpStack> slirp_;
    std::unique_ptr<DnsServer> dns_;
    UniqueFd listener_;
    std::list<Client> clients_;
    std::map<std::string, Tracked> leases_;        // by container id
    std::map<std::string, ActiveNetwork> networks_;  // by name
    bool ipv6_uplink_ = false;
    bool served_ = false;
    int64_t started_ns_ = 0;
};

void Holder::start() {
    started_ns_ = monotonic_ns();
    ensure_dir(paths_.dir(), 0700, true);
    // The containers' holder: the one recorded in their runtime dir (set_holder_runtime_dir).
    rootless::set_holder_runtime_dir(paths_.runroot);
    userns_ = rootless::shared_userns(rootless::caller_mapping(rootless::UsernsMode::Default));
    if (!userns_)
        throw Error("user-defined networks need the shared user namespace of this user (a subuid range in /etc/subuid "
                    "and newuidmap/newgidmap), which could not be set up; run with --log-level debug for why");
    std::string note;
    auto saved = try_read_json(paths_.leases());
    if (saved) recover(*saved, note);
    if (!kit_.netns) kit_ = prepare_networks_namespace(userns_->get(), -1);
    rtnl_ = rtnl::Socket(std::move(kit_.rtnl));
    tap_index_ = rtnl_.link_index(kUplinkTap);
    build_uplink();
    // Restored leases take their addresses back and their networks their bridges.
    const json saved_networks = saved ? saved->value("networks", json::object()) : json::object();
    for (auto& [id, t] : leases_) {
        for (auto& e : t.lease.endpoints) {
            auto saved_cfg = saved_networks.find(e.network);
            if (saved_cfg == saved_networks.end()) continue;
            ActiveNetwork& n = activate(saved_cfg->get<NetworkConfig>(), true);
            ++n.users;
            for (auto& a : n.allocators) {
                if (a.subnet().subnet.contains(e.ip4)) a.reserve(e.ip4);
                if (a.subnet().subnet.contains(e.ip6)) a.reserve(e.ip6);
            }
            if (ipv6_uplink_ && !e.ip6.empty() && !e.internal) rtnl::add_proxy_neighbour(rtnl_, tap_index_, e.ip6);
        }
    }
    save();
    listener_ = listen_unix(paths_.dir(), HolderPaths::kSocketName);
    const std::string record = std::to_string(::getpid()) + " " + std::to_string(start_time_of(::getpid()).value_or(0)) + "\n";
    write_file_atomic(paths_.record(), record, 0600, false);
    const std::string ok = note.empty() ? "ok" : "ok " + note;
    (void)write_all(report_, ok.data(), ok.size());
    ::close(report_);
    report_ = -1;
}

void Holder::recover(const json& saved, std::string& note) {
    const auto ino = saved.value("netns_ino", uint64_t{0});
    const auto dev = saved.value("netns_dev", uint64_t{0});
    std::vector<Lease> live;
    for (const auto& l : saved.value("leases", json::array())) {
        Lease lease = l.get<Lease>();
        if (start_time_of(lease.owner_pid) == lease.owner_start) live.push_back(std::move(lease));
    }
    if (live.empty()) return;
    UniqueFd netns;
    for (const auto& l : live)
        if ((netns = find_namespace(l.owner_pid, static_cast<ino_t>(ino), static_cast<dev_t>(dev)))) break;
    if (!netns) {
        note = "the networks of " + std::to_string(live.size()) +
               " running container(s) could not be restored (their network namespace is gone): restart them";
        return;
    }
    kit_ = prepare_networks_namespace(userns_->get(), netns.get());
    for (auto& l : live) {
        Tracked t;
        t.pidfd = watch(l.owner_pid, l.owner_start);
        if (!t.pidfd) continue;
        t.lease = std::move(l);
        leases_.emplace(t.lease.container, std::move(t));
    }
    note = "restored the uplink and name server of " + std::to_string(leases_.size()) + " running container(s)";
}

void Holder::build_uplink() {
    // Everything a bridge sends that is not for the namespace itself goes through table
    // 100: slirp's gateway, or a refusal (other networks' subnets, internal networks).
    rtnl::Route up;
    up.dst = *Subnet::parse("0.0.0.0/0");
    up.gateway = *IpAddress::parse(kUplinkGateway);
    up.oif = tap_index_;
    up.table = kUplinkTable;
    rtnl::add_route(rtnl_, up, true);
    ipv6_uplink_ = host_has_ipv6();
    if (ipv6_uplink_) {
        // slirp's router is fe80::2 on its link (its advertisements come from there).
        rtnl::Route up6;
        up6.dst = *Subnet::parse("::/0");
        up6.gateway = *IpAddress::parse("fe80::2");
        up6.oif = tap_index_;
        up6.table = kUplinkTable;
        try {
            rtnl::add_route(rtnl_, up6, true);
        } catch (const Error& e) {
            log::debug("network holder: no IPv6 uplink: " + std::string(e.what()));
            ipv6_uplink_ = false;
        }
    }
    dns_ = std::make_unique<DnsServer>(std::move(kit_.dns_udp), std::move(kit_.dns_tcp),
                                       [this](const IpAddress& c, const IpAddress& s, const dns::Query& q) {
                                           return lookup(c, s, q);
                                       });
}

ActiveNetwork& Holder::activate(const NetworkConfig& cfg, bool adopt) {
    auto it = networks_.find(cfg.name);
    if (it != networks_.end()) {
        if (it->second.cfg.id == cfg.id) return it->second;
        if (it->second.users > 0)
            throw Error("network " + cfg.name + " was removed and created again while containers still use the old one");
        deactivate(cfg.name);
    }
    // An unused network's bridge may still stand on the interface name or the subnets the
    // new one needs (removed and created again under another name): it goes first.
    std::vector<std::string> in_the_way;
    for (const auto& [name, other] : networks_) {
        if (other.users > 0) continue;
        bool clash = other.cfg.interface == cfg.interface;
        for (const auto& a : other.cfg.subnets)
            for (const auto& b : cfg.subnets) clash |= a.subnet.overlaps(b.subnet);
        if (clash) in_the_way.push_back(name);
    }
    for (const auto& name : in_the_way) deactivate(name);
    ActiveNetwork n;
    n.cfg = cfg;
    n.bridge = rtnl_.link_index(cfg.interface);
    if (n.bridge != 0 && !adopt) {
        // Left unused by a killed holder: its addresses and rules may be another network's.
        for (int family : {AF_INET, AF_INET6}) {
            rtnl::delete_rule(rtnl_, {family, kToUplinkPriority, cfg.interface, kUplinkTable, FR_ACT_TO_TBL});
            rtnl::delete_rule(rtnl_, {family, kRefusePriority, cfg.interface, 0, FR_ACT_UNREACHABLE});
        }
        rtnl::delete_link(rtnl_, n.bridge);
        n.bridge = 0;
    }
    if (n.bridge == 0) {
        rtnl::create_bridge(rtnl_, cfg.interface, cfg.mtu());
        n.bridge = rtnl_.link_index(cfg.interface);
    }
    bool v4 = false, v6 = false;
    for (const auto& s : cfg.subnets) {
        (s.subnet.v4() ? v4 : v6) = true;
        rtnl::add_address(rtnl_, n.bridge, s.gateway, s.subnet.prefix, true);
        rtnl::Route refuse;
        refuse.dst = s.subnet;
        refuse.table = kUplinkTable;
        refuse.type = RTN_UNREACHABLE;
        rtnl::add_route(rtnl_, refuse, true);
        n.allocators.emplace_back(s);
    }
    rtnl::set_up(rtnl_, n.bridge);
    for (int family : {AF_INET, AF_INET6}) {
        if ((family == AF_INET && !v4) || (family == AF_INET6 && !v6)) continue;
        if (!cfg.internal) rtnl::add_rule(rtnl_, {family, kToUplinkPriority, cfg.interface, kUplinkTable, FR_ACT_TO_TBL});
        rtnl::add_rule(rtnl_, {family, kRefusePriority, cfg.interface, 0, FR_ACT_UNREACHABLE});
    }
    return networks_[cfg.name] = std::move(n);
}

void Holder::deactivate(const std::string& name) {
    auto it = networks_.find(name);
    if (it == networks_.end()) return;
    const ActiveNetwork& n = it->second;
    try {
        for (int family : {AF_INET, AF_INET6}) {
            rtnl::delete_rule(rtnl_, {family, kToUplinkPriority, n.cfg.interface, kUplinkTable, FR_ACT_TO_TBL});
            rtnl::delete_rule(rtnl_, {family, kRefusePriority, n.cfg.interface, 0, FR_ACT_UNREACHABLE});
        }
        for (const auto& s : n.cfg.subnets) {
            rtnl::Route refuse;
            refuse.dst = s.subnet;
            refuse.table = kUplinkTable;
            refuse.type = RTN_UNREACHABLE;
            rtnl::delete_route(rtnl_, refuse);
        }
        rtnl::delete_link(rtnl_, n.bridge);
    } catch (const Error& e) {
        log::warn("network holder: removing network " + name + ": " + e.what());
    }
    networks_.erase(it);
}

Endpoint Holder::make_endpoint(ActiveNetwork& n, const EndpointOptions& o, const std::string& container,
                               const std::string& ifname) {
    Endpoint e;
    e.network = n.cfg.name;
    e.network_id = n.cfg.id;
    e.interface = ifname;
    e.bridge = n.cfg.interface;
    e.mtu = n.cfg.mtu();
    e.internal = n.cfg.internal;
    e.dns = n.cfg.dns;
    e.aliases = o.aliases;
    const std::string short_id = container.substr(0, 12);
    if (std::find(e.aliases.begin(), e.aliases.end(), short_id) == e.aliases.end()) e.aliases.push_back(short_id);
    rtnl::Mac mac{};
    if (o.mac.empty() || !rtnl::parse_mac(o.mac, mac)) mac = rtnl::random_mac();
    e.mac = rtnl::mac_text(mac);
    auto want4 = IpAddress::parse(o.ip4), want6 = IpAddress::parse(o.ip6);
    // One address of the network's first subnet of each family (the static one where it is).
    std::vector<std::pair<SubnetAllocator*, IpAddress>> taken;
    try {
        for (bool v4 : {true, false}) {
            const auto& want = v4 ? want4 : want6;
            SubnetAllocator* chosen = nullptr;
            for (auto& a : n.allocators) {
                if (a.subnet().subnet.v4() != v4) continue;
                if (!chosen) chosen = &a;
                if (want && a.subnet().subnet.contains(*want)) chosen = &a;
            }
            if (!chosen) {
                if (want) throw Error("requested static ip " + want->str() + " not in any subnet on network " + n.cfg.name);
                continue;
            }
            if (want && !chosen->subnet().subnet.contains(*want))
                throw Error("requested static ip " + want->str() + " not in any subnet on network " + n.cfg.name);
            std::string why;
            auto got = chosen->allocate(want.value_or(IpAddress{}), why);
            if (!got) throw Error("network " + n.cfg.name + ": " + why);
            taken.emplace_back(chosen, *got);
            const SubnetConfig& s = chosen->subnet();
            (v4 ? e.ip4 : e.ip6) = *got;
            (v4 ? e.gateway4 : e.gateway6) = s.gateway;
            (v4 ? e.prefix4 : e.prefix6) = s.subnet.prefix;
        }
    } catch (...) {
        for (auto& [a, ip] : taken) a->release(ip);
        throw;
    }
    if (ipv6_uplink_ && !e.ip6.empty() && !e.internal) rtnl::add_proxy_neighbour(rtnl_, tap_index_, e.ip6);
    ++n.users;
    return e;
}

void Holder::release(const Endpoint& e) {
    auto it = networks_.find(e.network);
    if (it == networks_.end()) return;
    for (auto& a : it->second.allocators) {
        if (!e.ip4.empty() && a.subnet().subnet.contains(e.ip4)) a.release(e.ip4);
        if (!e.ip6.empty() && a.subnet().subnet.contains(e.ip6)) a.release(e.ip6);
    }
    if (ipv6_uplink_ && !e.ip6.empty()) rtnl::delete_proxy_neighbour(rtnl_, tap_index_, e.ip6);
    if (--it->second.users == 0) it->second.unused_since_ns = monotonic_ns();  // retire_unused() removes it
}

// Removes the bridges of networks unused for kRetireNs; returns the ms until the next one
// is due (-1: none).
int Holder::retire_unused() {
    const int64_t now = monotonic_ns();
    int64_t next = -1;
    std::vector<std::string> due;
    for (const auto& [name, n] : networks_) {
        if (n.users > 0) continue;
        const int64_t at = n.unused_since_ns + kRetireNs;
        if (at <= now) due.push_back(name);
        else next = next < 0 ? at : std::min(next, at);
    }
    for (const auto& name : due) deactivate(name);
    return next < 0 ? -1 : static_cast<int>((next - now) / 1'000'000 + 1);
}

void Holder::release_lease(const std::string& container) {
    auto it = leases_.find(container);
    if (it == leases_.end()) return;
    for (const auto& e : it->second.lease.endpoints) release(e);
    leases_.erase(it);
}

json Holder::attach(const AttachRequest& r, pid_t peer) {
    const pid_t owner = r.owner_pid > 0 ? r.owner_pid : peer;
    const uint64_t start = r.owner_pid > 0 ? r.owner_start : start_time_of(peer).value_or(0);
    UniqueFd pidfd = watch(owner, start);
    if (!pidfd) throw Error("the container's monitor (process " + std::to_string(owner) + ") is gone");
    if (!r.add) release_lease(r.container);  // a restart: its old addresses go first
    auto existing = leases_.find(r.container);
    Lease lease;
    if (existing != leases_.end()) lease = existing->second.lease;
    lease.container = r.container;
    lease.name = r.name.empty() ? lease.name : r.name;
    for (const auto& n : r.names)
        if (std::find(lease.names.begin(), lease.names.end(), n) == lease.names.end()) lease.names.push_back(n);
    lease.owner_pid = owner;
    lease.owner_start = start;
    std::vector<Endpoint> added;
    try {
        for (const auto& [cfg, options] : r.endpoints) {
            for (const auto& e : lease.endpoints)
                if (e.network == cfg.name)
                    throw Error("container " + r.container + " is already connected to network \"" + cfg.name +
                                "\": network is already connected");
            std::string ifname = options.interface_name;
            for (unsigned i = 0; ifname.empty(); ++i) {
                const std::string candidate = "eth" + std::to_string(i);
                bool used = false;
                for (const auto& e : lease.endpoints) used |= e.interface == candidate;
                for (const auto& [c2, o2] : r.endpoints) used |= o2.interface_name == candidate;
                if (!used) ifname = candidate;
            }
            ActiveNetwork& n = activate(cfg);
            try {
                added.push_back(make_endpoint(n, options, r.container, ifname));
            } catch (...) {
                if (n.users == 0) deactivate(cfg.name);
                throw;
            }
            lease.endpoints.push_back(added.back());
        }
    } catch (...) {
        for (const auto& e : added) release(e);
        throw;
    }
    Tracked& t = leases_[r.container];
    t.lease = std::move(lease);
    t.pidfd = std::move(pidfd);
    save();
    return {{"ok", true}, {"endpoints", added}};
}

json Holder::detach(const std::string& container, const std::vector<std::string>& networks) {
    auto it = leases_.find(container);
    if (it == leases_.end()) return {{"ok", true}};
    if (networks.empty()) {
        release_lease(container);
    } else {
        auto& eps = it->second.lease.endpoints;
        for (auto e = eps.begin(); e != eps.end();) {
            if (std::find(networks.begin(), networks.end(), e->network) == networks.end()) {
                ++e;
                continue;
            }
            release(*e);
            e = eps.erase(e);
        }
    }
    save();
    return {{"ok", true}};
}

json Holder::add_names(const std::string& container, const std::vector<std::string>& names) {
    auto it = leases_.find(container);
    if (it == leases_.end()) return {{"ok", true}};
    auto& have = it->second.lease.names;
    for (const auto& n : names)
        if (std::find(have.begin(), have.end(), n) == have.end()) have.push_back(n);
    save();
    return {{"ok", true}};
}

json Holder::status() const {
    json leases = json::array();
    for (const auto& [id, t] : leases_) leases.push_back(t.lease);
    json networks = json::array();
    for (const auto& [name, n] : networks_) networks.push_back({{"name", name}, {"users", n.users}, {"bridge", n.cfg.interface}});
    return {{"ok", true}, {"pid", ::getpid()}, {"leases", leases}, {"networks", networks}};
}

void Holder::save() const {
    json leases = json::array(), networks = json::object();
    for (const auto& [id, t] : leases_) leases.push_back(t.lease);
    for (const auto& [name, n] : networks_) networks[name] = n.cfg;
    struct stat st {};
    if (kit_.netns) ::fstat(kit_.netns.get(), &st);
    json all = {{"netns_ino", static_cast<uint64_t>(st.st_ino)}, {"netns_dev", static_cast<uint64_t>(st.st_dev)},
                {"leases", leases}, {"networks", networks}};
    // Runtime state: atomic against a kill, not worth an fsync.
    write_file_atomic(paths_.leases(), all.dump(), 0600, false);
}

json Holder::handle(const json& request, pid_t peer, std::vector<int>& fds) {
    const std::string op = request.value("op", "");
    if (op == "attach" || op == "connect") {
        json reply = attach(request.get<AttachRequest>(), peer);
        fds.push_back(kit_.netns.get());
        return reply;
    }
    if (op == "detach") return detach(request.at("container"), request.value("networks", std::vector<std::string>{}));
    if (op == "names") return add_names(request.at("container"), request.value("names", std::vector<std::string>{}));
    if (op == "status") return status();
    throw Error("unknown request \"" + op + "\"");
}

void Holder::serve(Client& c) {
    auto msg = recv_message(c.fd.get());
    if (!msg) {
        if (errno != EAGAIN) c.fd.reset();
        return;
    }
    struct ucred cred {};
    socklen_t len = sizeof(cred);
    ::getsockopt(c.fd.get(), SOL_SOCKET, SO_PEERCRED, &cred, &len);
    json reply;
    std::vector<int> fds;
    try {
        reply = handle(json::parse(msg->data), cred.pid, fds);
        served_ = true;
    } catch (const Error& e) {
        reply = {{"error", e.what()}, {"code", e.exit_code()}};
        fds.clear();
    } catch (const std::exception& e) {
        reply = {{"error", std::string("bad request: ") + e.what()}, {"code", kExitEngine}};
        fds.clear();
    }
    if (!send_message(c.fd.get(), reply.dump(), fds)) c.fd.reset();
}

bool Holder::exit_if_idle() {
    if (!leases_.empty() || !clients_.empty()) return false;
    if (!served_ && monotonic_ns() - started_ns_ < kFirstRequestNs) return false;
    // Under the start lock, so that nobody connects between the last look and the end:
    // a client holds it from reading the record until it has connected.
    FileLock lock(paths_.lock());
    struct pollfd p {listener_.get(), POLLIN, 0};
    if (::poll(&p, 1, 0) > 0) return false;  // someone is knocking: serve them first
    ::unlink((paths_.dir() + "/" + HolderPaths::kSocketName).c_str());
    ::unlink(paths_.record().c_str());
    ::unlink(paths_.leases().c_str());
    listener_.reset();
    return true;
}

DnsAnswer Holder::lookup(const IpAddress& client, const IpAddress& server, const dns::Query& q) {
    DnsAnswer out;
    // The network asked: the one whose gateway the query was sent to.
    const ActiveNetwork* asked = nullptr;
    for (const auto& [name, n] : networks_)
        for (const auto& s : n.cfg.subnets)
            if (s.gateway == server) asked = &n;
    if (!asked || !asked->cfg.dns) {
        out.kind = DnsAnswer::Kind::Refuse;
        return out;
    }
    // The networks searched: every network the asking container is on (with DNS), the
    // one asked first; only the one asked for anybody else.
    std::vector<std::string> searched{asked->cfg.name};
    for (const auto& [id, t] : leases_) {
        bool is_client = false;
        for (const auto& e : t.lease.endpoints) is_client |= e.ip4 == client || e.ip6 == client;
        if (!is_client) continue;
        for (const auto& e : t.lease.endpoints)
            if (e.dns && std::find(searched.begin(), searched.end(), e.network) == searched.end()) searched.push_back(e.network);
    }
    const bool internal = asked->cfg.internal;
    if (q.klass != dns::kClassIn) {
        out.kind = internal ? DnsAnswer::Kind::Refuse : DnsAnswer::Kind::Forward;
        return out;
    }
    if (q.type == dns::kTypePtr) {
        auto addr = dns::reverse_name_address(q.name);
        if (!addr) {
            out.kind = internal ? DnsAnswer::Kind::Refuse : DnsAnswer::Kind::Forward;
            return out;
        }
        for (const auto& network : searched)
            for (const auto& [id, t] : leases_)
                for (const auto& e : t.lease.endpoints)
                    if (e.network == network && (e.ip4 == *addr || e.ip6 == *addr)) out.names.push_back(t.lease.name + kDnsDomain);
        bool ours = false;
        for (const auto& [name, n] : networks_)
            for (const auto& s : n.cfg.subnets) ours |= s.subnet.contains(*addr);
        out.kind = !out.names.empty() ? DnsAnswer::Kind::Found
                   : ours         ? DnsAnswer::Kind::NotFound
                   : internal     ? DnsAnswer::Kind::Refuse
                                  : DnsAnswer::Kind::Forward;
        if (out.names.size() > 1) out.names.resize(1);
        return out;
    }
    std::string name = q.name;
    const bool in_domain = str::ends_with(name, kDnsDomain);
    if (in_domain) name.resize(name.size() - std::strlen(kDnsDomain));
    bool known = false;
    for (const auto& network : searched) {
        for (const auto& [id, t] : leases_) {
            const Lease& l = t.lease;
            for (const auto& e : l.endpoints) {
                if (e.network != network) continue;
                const bool match = str::to_lower(l.name) == name ||
                                   std::any_of(l.names.begin(), l.names.end(), [&](const std::string& n) { return str::to_lower(n) == name; }) ||
                                   std::any_of(e.aliases.begin(), e.aliases.end(), [&](const std::string& a) { return str::to_lower(a) == name; });
                if (!match) continue;
                known = true;
                if ((q.type == dns::kTypeA || q.type == dns::kTypeAny) && !e.ip4.empty()) out.addresses.push_back(e.ip4);
                if ((q.type == dns::kTypeAaaa || q.type == dns::kTypeAny) && !e.ip6.empty()) out.addresses.push_back(e.ip6);
            }
        }
        if (known) break;  // the nearest network's answer
    }
    if (known) {
        out.kind = DnsAnswer::Kind::Found;
    } else if (in_domain || name.find('.') == std::string::npos) {
        // Names of the networks' own domain, and single labels, are not asked of the host.
        out.kind = DnsAnswer::Kind::NotFound;
    } else {
        out.kind = internal ? DnsAnswer::Kind::Refuse : DnsAnswer::Kind::Forward;
    }
    return out;
}

int Holder::run() {
    start();
    // libslirp (and glib) load while the first container's request is on its way.
    SlirpOptions uplink;
    uplink.enable_ipv6 = ipv6_uplink_;
    slirp_ = std::make_unique<SlirpStack>(uplink, ipv6_uplink_);
    slirp_->attach_tap(std::move(kit_.tap));
    IdleTrimmer idle;
    std::vector<struct pollfd> fds;
    for (;;) {
        fds.clear();
        fds.push_back({listener_.get(), POLLIN, 0});
        for (auto& c : clients_) {
            c.index = fds.size();
            fds.push_back({c.fd.get(), POLLIN, 0});
        }
        for (auto& [id, t] : leases_) {
            t.index = fds.size();
            fds.push_back({t.pidfd.get(), POLLIN, 0});
        }
        int timeout = served_ ? -1 : 1000;
        const int retire_ms = retire_unused();
        if (retire_ms >= 0 && (timeout < 0 || retire_ms < timeout)) timeout = retire_ms;
        slirp_->fill(fds, timeout);
        dns_->fill(fds, timeout);
        idle.before_sleep(timeout);
        const int n = ::poll(fds.data(), fds.size(), timeout);
        if (n < 0 && errno != EINTR) throw Error::sys("network holder: poll");
        idle.after_wake(n > 0);
        if (n < 0) continue;
        slirp_->dispatch(fds);
        dns_->dispatch(fds);
        if (fds[0].revents & POLLIN) {
            for (;;) {
                UniqueFd fd(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK));
                if (!fd) break;
                clients_.push_back({std::move(fd)});
            }
        }
        for (auto it = clients_.begin(); it != clients_.end();) {
            if (it->index < fds.size() && (fds[it->index].revents & (POLLIN | POLLHUP | POLLERR))) serve(*it);
            it = it->fd ? std::next(it) : clients_.erase(it);
        }
        // A monitor that died took its container with it: its addresses come back.
        std::vector<std::string> gone;
        for (auto& [id, t] : leases_)
            if (t.index < fds.size() && (fds[t.index].revents & (POLLIN | POLLHUP))) gone.push_back(id);
        for (const auto& id : gone) release_lease(id);
        if (!gone.empty()) save();
        if (exit_if_idle()) return 0;
    }
}

}  // namespace

int network_holder_main(const std::vector<std::string>& args) {
    if (args.size() != 2) return kExitEngine;
    ::prctl(PR_SET_NAME, "pc-net-holder");  // what top and ps -o comm show (not "pc-monitor")
    ::signal(SIGPIPE, SIG_IGN);
    for (int sig : {SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2}) ::signal(sig, SIG_IGN);
    ::fcntl(kReportFd, F_SETFD, FD_CLOEXEC);
    Holder holder({args[0], args[1]}, kReportFd);
    try {
        return holder.run();
    } catch (const std::exception& e) {
        const std::string msg = std::string("error ") + e.what();
        (void)write_all(kReportFd, msg.data(), msg.size());
        log::debug(msg);
        return kExitEngine;
    }
}

}  // namespace pc::net
