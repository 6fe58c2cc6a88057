// Host-side sockets of the network integration tests (network_*_test.cpp): IPv4 sockets on
// 127.0.0.1 or every address, random free host ports (TCP and UDP), TCP connections and
// HTTP/1.0 GETs with timeouts, counted reads.
#pragma once

#include <netinet/in.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace pcit::net {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t);

sockaddr_in addr4(const std::string& ip, int port);

struct Fd {
  int fd = -1;
  Fd() = default;
  explicit Fd(int f) : fd(f) {}
  Fd(Fd&& o) noexcept : fd(o.fd) { o.fd = -1; }
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) {
      reset();
      fd = o.fd;
      o.fd = -1;
    }
    return *this;
  }
  ~Fd() { reset(); }
  void reset() {
    if (fd >= 0) close(fd);
    fd = -1;
  }
  explicit operator bool() const { return fd >= 0; }
};

// A socket of `type` bound to ip:port (port 0 = any); invalid Fd on failure (errno kept).
Fd bound_socket(int type, const std::string& ip, int port, bool reuseaddr = false);

int local_port(int fd);

// True when ip:port can be bound now for `type` (nothing else holds it).
bool port_free(int type, const std::string& ip, int port);

// A random port free for both TCP and UDP on every address.
int free_port();

// `n` consecutive ports, all free for TCP and UDP.
int free_port_range(int n);

// Connects to 127.0.0.1:port within timeout_s; invalid Fd on failure.
Fd connect_tcp(int port, double timeout_s = 5, const std::string& ip = "127.0.0.1");

// Waits until fd is readable (or has an event), up to timeout_ms; false on timeout.
bool wait_readable(int fd, int timeout_ms, int stop_fd = -1);

bool send_all(int fd, const char* data, size_t n);

// One HTTP/1.0 GET of / from 127.0.0.1:port: the whole response (headers and body), or
// nullopt when the connection fails, is reset or nothing complete arrives in time.
std::optional<std::string> http_get(int port, double timeout_s = 10, const std::string& path = "/");

std::string http_body(const std::string& resp);

// Polls GET / on 127.0.0.1:port until the body is `expected` (the container's server may not
// listen yet when `pc run -d` returns); the last response or failure is in *last.
bool wait_http_body(int port, const std::string& expected, double timeout_s = 30, std::string* last = nullptr);

// Reads from 127.0.0.1:port until EOF (or `limit` bytes, then closes); returns the byte count,
// or -1 when the connection cannot be made. *eof tells whether the peer closed.
int64_t read_count(int port, int64_t limit, double timeout_s, bool* eof = nullptr);

}  // namespace pcit::net
