#include "network_servers.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <utility>

#include "harness.hpp"

namespace pcit::net {

// ---------------------------------------------------------------- TcpServer

TcpServer::TcpServer(Mode mode, std::string body, const std::string& ip, int port)
    : mode_(mode), body_(std::move(body)) {
  listen_ = bound_socket(SOCK_STREAM, ip, port, true);
  if (!listen_ || listen(listen_.fd, 128) != 0) throw std::runtime_error("TcpServer: bind/listen: " + std::string(strerror(errno)));
  port_ = local_port(listen_.fd);
  if (pipe2(stop_, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
  thread_ = std::thread([this] { loop(); });
}

TcpServer::~TcpServer() {
  (void)!write(stop_[1], "x", 1);
  thread_.join();
  close(stop_[0]);
  close(stop_[1]);
}

std::vector<int64_t> TcpServer::totals() const {
  std::lock_guard<std::mutex> g(mu_);
  return totals_;
}

std::vector<std::string> TcpServer::requests() const {
  std::lock_guard<std::mutex> g(mu_);
  return requests_;
}

bool TcpServer::wait_totals(size_t n, double timeout_s) {
  return poll_until([&] { return totals().size() >= n; }, timeout_s, 20);
}

void TcpServer::loop() {
  for (;;) {
    if (!wait_readable(listen_.fd, -1, stop_[0])) return;
    Fd c(accept4(listen_.fd, nullptr, nullptr, SOCK_CLOEXEC));
    if (!c) continue;
    ++connections_;
    if (mode_ == Mode::Http)
      serve_http(c.fd);
    else
      serve_sink(c.fd);
  }
}

void TcpServer::serve_http(int fd) {
  std::string req;
  char buf[4096];
  while (req.find("\r\n\r\n") == std::string::npos && req.find("\n\n") == std::string::npos) {
    if (!wait_readable(fd, 10000, stop_[0])) return;
    ssize_t k = recv(fd, buf, sizeof buf, 0);
    if (k <= 0) break;
    req.append(buf, static_cast<size_t>(k));
  }
  {
    std::lock_guard<std::mutex> g(mu_);
    requests_.push_back(req);
  }
  std::string resp = "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " +
                     std::to_string(body_.size()) + "\r\nConnection: close\r\n\r\n" + body_;
  send_all(fd, resp.data(), resp.size());
  shutdown(fd, SHUT_WR);
  // let the client see the whole answer before the close (no RST for unread request bytes)
  while (wait_readable(fd, 2000, stop_[0]) && recv(fd, buf, sizeof buf, 0) > 0) {
  }
}

void TcpServer::serve_sink(int fd) {
  std::vector<char> buf(1 << 20);
  int64_t n = 0;
  for (;;) {
    if (!wait_readable(fd, 60000, stop_[0])) break;
    ssize_t k = recv(fd, buf.data(), buf.size(), 0);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) break;
    n += k;
  }
  std::lock_guard<std::mutex> g(mu_);
  totals_.push_back(n);
}

// ---------------------------------------------------------------- UdpServer

UdpServer::UdpServer(std::string reply, const std::string& ip) : reply_(std::move(reply)) {
  sock_ = bound_socket(SOCK_DGRAM, ip, 0);
  if (!sock_) throw std::runtime_error("UdpServer: bind: " + std::string(strerror(errno)));
  port_ = local_port(sock_.fd);
  if (pipe2(stop_, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
  thread_ = std::thread([this] { loop(); });
}

UdpServer::~UdpServer() {
  (void)!write(stop_[1], "x", 1);
  thread_.join();
  close(stop_[0]);
  close(stop_[1]);
}

std::vector<std::string> UdpServer::received() const {
  std::lock_guard<std::mutex> g(mu_);
  return received_;
}

void UdpServer::loop() {
  for (;;) {
    if (!wait_readable(sock_.fd, -1, stop_[0])) return;
    char buf[65536];
    sockaddr_in from{};
    socklen_t fl = sizeof from;
    ssize_t n = recvfrom(sock_.fd, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &fl);
    if (n <= 0) continue;
    std::string d(buf, static_cast<size_t>(n));
    {
      std::lock_guard<std::mutex> g(mu_);
      received_.push_back(d);
    }
    if (d.size() >= 2 && d[0] == 0 && d[1] == 1) {  // RRQ
      std::string data("\0\3\0\1", 4);
      data += reply_;
      sendto(sock_.fd, data.data(), data.size(), 0, reinterpret_cast<sockaddr*>(&from), fl);
    }
  }
}

}  // namespace pcit::net
