// The TCP port proxy and its socket factory, with real sockets on 127.0.0.1. Without a
// container the "container's network namespace" is the test's own: the factory runs in a
// thread here, exactly as P1 runs it in the container's netns.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "common/error.hpp"
#include "common/fd.hpp"
#include "net/netns_sockets.hpp"
#include "net/port_proxy.hpp"
#include "net/sockaddr.hpp"

namespace {

using pc::UniqueFd;

uint16_t bound_port(int fd) {
    struct sockaddr_in sin {};
    socklen_t len = sizeof(sin);
    ::getsockname(fd, reinterpret_cast<struct sockaddr*>(&sin), &len);
    return ntohs(sin.sin_port);
}

UniqueFd listen_local() {
    UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    auto addr = pc::net::make_sockaddr("127.0.0.1", 0);
    EXPECT_EQ(::bind(fd.get(), addr.get(), addr.len), 0);
    EXPECT_EQ(::listen(fd.get(), 16), 0);
    return fd;
}

uint16_t free_port() {
    UniqueFd fd = listen_local();
    return bound_port(fd.get());
}

UniqueFd connect_local(uint16_t port) {
    UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    auto addr = pc::net::make_sockaddr("127.0.0.1", port);
    if (::connect(fd.get(), addr.get(), addr.len) != 0) return UniqueFd();
    return fd;
}

std::string read_all(int fd) {
    std::string out;
    char buf[65536];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof(buf))) > 0) out.append(buf, static_cast<size_t>(n));
    return out;
}

// The proxy, its poll loop and the socket factory, each in a thread, for one test.
class ProxyRig {
public:
    ProxyRig(uint16_t host_port, uint16_t container_port)
        : proxy_({{"127.0.0.1", host_port, container_port, "tcp"}}, "127.0.0.1"), channel_(pc::SocketPair::make()) {
        factory_ = std::thread([fd = channel_.b.get()] {
            while (pc::net::serve_socket_request(fd)) {
            }
        });
        proxy_.attach(channel_.a.get());
        loop_ = std::thread([this] {
            std::vector<struct pollfd> fds;
            while (!stop_) {
                fds.clear();
                int timeout = 20;
                proxy_.fill(fds, timeout);
                ::poll(fds.data(), fds.size(), timeout);
                proxy_.dispatch(fds);
            }
        });
    }
    ~ProxyRig() {
        stop_ = true;
        loop_.join();
        ::shutdown(channel_.a.get(), SHUT_RDWR);
        factory_.join();
    }
    size_t connections() const { return proxy_.connections(); }

private:
    pc::net::TcpPortProxy proxy_;
    pc::SocketPair channel_;
    std::atomic<bool> stop_{false};
    std::thread factory_, loop_;
};

TEST(NetnsSockets, MakesTheRequestedSocketKinds) {
    pc::SocketPair ch = pc::SocketPair::make();
    std::thread server([fd = ch.b.get()] {
        while (pc::net::serve_socket_request(fd)) {
        }
    });
    UniqueFd tcp = pc::net::request_netns_socket(ch.a.get(), AF_INET, SOCK_STREAM);
    UniqueFd udp6 = pc::net::request_netns_socket(ch.a.get(), AF_INET6, SOCK_DGRAM);
    int type = 0;
    socklen_t len = sizeof(type);
    ASSERT_EQ(::getsockopt(tcp.get(), SOL_SOCKET, SO_TYPE, &type, &len), 0);
    EXPECT_EQ(type, SOCK_STREAM);
    ASSERT_EQ(::getsockopt(udp6.get(), SOL_SOCKET, SO_TYPE, &type, &len), 0);
    EXPECT_EQ(type, SOCK_DGRAM);
    // Nothing but inet stream/datagram sockets is made on the monitor's behalf.
    EXPECT_THROW(pc::net::request_netns_socket(ch.a.get(), AF_UNIX, SOCK_STREAM), pc::Error);
    EXPECT_THROW(pc::net::request_netns_socket(ch.a.get(), AF_INET, SOCK_RAW), pc::Error);
    ::shutdown(ch.a.get(), SHUT_RDWR);
    server.join();
}

TEST(PortProxy, RelaysBothWaysAndPassesHalfClose) {
    UniqueFd server = listen_local();
    const uint16_t host_port = free_port();
    ProxyRig rig(host_port, bound_port(server.get()));
    // An echo server that answers after the client has shut down writing.
    std::thread echo([&] {
        UniqueFd c(::accept(server.get(), nullptr, nullptr));
        std::string got = read_all(c.get());
        std::string reply = "echo:" + got;
        (void)pc::write_all(c.get(), reply.data(), reply.size());
    });
    UniqueFd client = connect_local(host_port);
    ASSERT_TRUE(client);
    ASSERT_TRUE(pc::write_all(client.get(), "hello", 5));
    ::shutdown(client.get(), SHUT_WR);
    EXPECT_EQ(read_all(client.get()), "echo:hello");
    echo.join();
}

TEST(PortProxy, MovesLargeTransfersIntact) {
    UniqueFd server = listen_local();
    const uint16_t host_port = free_port();
    ProxyRig rig(host_port, bound_port(server.get()));
    std::string payload(8 << 20, '\0');
    for (size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<char>((i * 131) ^ (i >> 9));
    std::thread sender([&] {
        UniqueFd c(::accept(server.get(), nullptr, nullptr));
        (void)pc::write_all(c.get(), payload.data(), payload.size());
    });
    UniqueFd client = connect_local(host_port);
    ASSERT_TRUE(client);
    std::string got = read_all(client.get());
    sender.join();
    EXPECT_EQ(got.size(), payload.size());
    EXPECT_TRUE(got == payload);
}

TEST(PortProxy, ClosesTheClientWhenNothingListensInside) {
    const uint16_t host_port = free_port();
    ProxyRig rig(host_port, free_port());  // nobody listens on the container port
    UniqueFd client = connect_local(host_port);
    ASSERT_TRUE(client);
    EXPECT_EQ(read_all(client.get()), "");
}

TEST(PortProxy, ForgetsFinishedConnections) {
    UniqueFd server = listen_local();
    const uint16_t host_port = free_port();
    ProxyRig rig(host_port, bound_port(server.get()));
    std::thread acceptor([&] {
        for (int i = 0; i < 200; ++i) UniqueFd c(::accept(server.get(), nullptr, nullptr));
    });
    for (int i = 0; i < 200; ++i) {
        UniqueFd client = connect_local(host_port);
        ASSERT_TRUE(client);
        EXPECT_EQ(read_all(client.get()), "");
    }
    acceptor.join();
    for (int i = 0; i < 100 && rig.connections() > 0; ++i) ::usleep(10000);
    EXPECT_EQ(rig.connections(), 0u);
}

TEST(PortProxy, APortInUseFailsWithTheAddress) {
    UniqueFd taken = listen_local();
    const uint16_t port = bound_port(taken.get());
    try {
        pc::net::TcpPortProxy proxy({{"127.0.0.1", port, 80, "tcp"}}, "10.0.2.100");
        FAIL() << "binding a port in use succeeded";
    } catch (const pc::Error& e) {
        std::string msg = e.what();
        EXPECT_NE(msg.find("127.0.0.1:" + std::to_string(port)), std::string::npos) << msg;
        EXPECT_NE(msg.find("in use"), std::string::npos) << msg;
    }
}

}  // namespace
