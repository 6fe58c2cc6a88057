#include "network_sockets.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include "harness.hpp"

namespace pcit::net {

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

sockaddr_in addr4(const std::string& ip, int port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, ip.c_str(), &a.sin_addr);
  return a;
}

Fd bound_socket(int type, const std::string& ip, int port, bool reuseaddr) {
  Fd s(socket(AF_INET, type | SOCK_CLOEXEC, 0));
  if (!s) return s;
  if (reuseaddr) {
    int one = 1;
    setsockopt(s.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  }
  sockaddr_in a = addr4(ip, port);
  if (bind(s.fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    int e = errno;
    s.reset();
    errno = e;
  }
  return s;
}

int local_port(int fd) {
  sockaddr_in a{};
  socklen_t l = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &l);
  return ntohs(a.sin_port);
}

bool port_free(int type, const std::string& ip, int port) {
  Fd s = bound_socket(type, ip, port, /*reuseaddr=*/type == SOCK_STREAM);
  return bool(s);
}

int free_port() {
  for (int i = 0; i < 200; ++i) {
    Fd s = bound_socket(SOCK_STREAM, "0.0.0.0", 0);
    if (!s) continue;
    int p = local_port(s.fd);
    s.reset();
    if (p >= 1024 && port_free(SOCK_DGRAM, "0.0.0.0", p) && port_free(SOCK_STREAM, "0.0.0.0", p)) return p;
  }
  ADD_FAILURE() << "no free port found";
  return 0;
}

int free_port_range(int n) {
  for (int i = 0; i < 500; ++i) {
    int base = free_port();
    if (base == 0 || base + n > 65535) continue;
    bool ok = true;
    for (int k = 1; k < n && ok; ++k)
      ok = port_free(SOCK_STREAM, "0.0.0.0", base + k) && port_free(SOCK_DGRAM, "0.0.0.0", base + k);
    if (ok) return base;
  }
  ADD_FAILURE() << "no free port range of " << n;
  return 0;
}

Fd connect_tcp(int port, double timeout_s, const std::string& ip) {
  Fd s(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!s) return s;
  sockaddr_in a = addr4(ip, port);
  if (connect(s.fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    if (errno != EINPROGRESS) return Fd();
    pollfd p{s.fd, POLLOUT, 0};
    if (poll(&p, 1, static_cast<int>(timeout_s * 1000)) != 1) return Fd();
    int err = 0;
    socklen_t l = sizeof err;
    getsockopt(s.fd, SOL_SOCKET, SO_ERROR, &err, &l);
    if (err != 0) return Fd();
  }
  fcntl(s.fd, F_SETFL, fcntl(s.fd, F_GETFL) & ~O_NONBLOCK);
  return s;
}

bool wait_readable(int fd, int timeout_ms, int stop_fd) {
  pollfd p[2] = {{fd, POLLIN, 0}, {stop_fd, POLLIN, 0}};
  int r = poll(p, stop_fd >= 0 ? 2 : 1, timeout_ms);
  if (r <= 0) return false;
  if (stop_fd >= 0 && p[1].revents) return false;
  return p[0].revents != 0;
}

bool send_all(int fd, const char* data, size_t n) {
  while (n > 0) {
    ssize_t k = send(fd, data, n, MSG_NOSIGNAL);
    if (k < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += k;
    n -= static_cast<size_t>(k);
  }
  return true;
}

std::optional<std::string> http_get(int port, double timeout_s, const std::string& path) {
  auto start = Clock::now();
  Fd s = connect_tcp(port, timeout_s);
  if (!s) return std::nullopt;
  std::string req = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\nUser-Agent: pcit\r\n\r\n";
  if (!send_all(s.fd, req.data(), req.size())) return std::nullopt;
  std::string resp;
  char buf[65536];
  for (;;) {
    int left = static_cast<int>((timeout_s - since(start)) * 1000);
    if (left <= 0 || !wait_readable(s.fd, left)) return std::nullopt;
    ssize_t k = recv(s.fd, buf, sizeof buf, 0);
    if (k < 0) {
      if (errno == EINTR) continue;
      return std::nullopt;
    }
    if (k == 0) break;
    resp.append(buf, static_cast<size_t>(k));
  }
  if (resp.rfind("HTTP/", 0) != 0) return std::nullopt;
  return resp;
}

std::string http_body(const std::string& resp) {
  size_t p = resp.find("\r\n\r\n");
  return p == std::string::npos ? "" : resp.substr(p + 4);
}

bool wait_http_body(int port, const std::string& expected, double timeout_s, std::string* last) {
  return poll_until(
      [&] {
        auto r = http_get(port, 5);
        if (last) *last = r ? *r : "(no complete HTTP response)";
        return r && http_body(*r) == expected;
      },
      timeout_s, 100);
}

int64_t read_count(int port, int64_t limit, double timeout_s, bool* eof) {
  auto start = Clock::now();
  Fd s = connect_tcp(port, 5);
  if (!s) return -1;
  static thread_local std::vector<char> buf(1 << 20);
  int64_t n = 0;
  if (eof) *eof = false;
  while (n < limit) {
    int left = static_cast<int>((timeout_s - since(start)) * 1000);
    if (left <= 0 || !wait_readable(s.fd, left)) break;
    ssize_t k = recv(s.fd, buf.data(), std::min<int64_t>(buf.size(), limit - n), 0);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) {
      if (eof) *eof = (k == 0);
      break;
    }
    n += k;
  }
  return n;
}

}  // namespace pcit::net
