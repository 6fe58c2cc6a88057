// Servers of the network integration tests: real TCP and UDP servers in threads of this
// process (on 127.0.0.1 by default, random free ports), stopped and joined by their destructors.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "network_sockets.hpp"

namespace pcit::net {

// A TCP server on ip:port (port 0 = random) in a thread, one connection at a time:
//   Http: reads the request head, answers `body` (HTTP/1.0, Connection: close);
//   Sink: reads until EOF, counting bytes (totals() has one entry per finished connection).
class TcpServer {
 public:
  enum class Mode { Http, Sink };
  TcpServer(Mode mode, std::string body = "", const std::string& ip = "127.0.0.1", int port = 0);
  ~TcpServer();
  int port() const { return port_; }
  int connections() const { return connections_.load(); }
  std::vector<int64_t> totals() const;
  std::vector<std::string> requests() const;
  // Waits until `n` sink connections have finished (EOF seen).
  bool wait_totals(size_t n, double timeout_s);

 private:
  void loop();
  void serve_http(int fd);
  void serve_sink(int fd);

  Mode mode_;
  std::string body_;
  Fd listen_;
  int port_ = 0;
  int stop_[2] = {-1, -1};
  std::thread thread_;
  std::atomic<int> connections_{0};
  mutable std::mutex mu_;
  std::vector<int64_t> totals_;
  std::vector<std::string> requests_;
};

// A UDP server on 127.0.0.1:port in a thread. Tftp: answers a TFTP read request (opcode 1)
// with one DATA packet (block 1) carrying `reply` (< 512 bytes: the whole file), from the
// same port; other datagrams (the client's ACK) are only recorded.
class UdpServer {
 public:
  explicit UdpServer(std::string reply, const std::string& ip = "127.0.0.1");
  ~UdpServer();
  int port() const { return port_; }
  std::vector<std::string> received() const;

 private:
  void loop();

  std::string reply_;
  Fd sock_;
  int port_ = 0;
  int stop_[2] = {-1, -1};
  std::thread thread_;
  mutable std::mutex mu_;
  std::vector<std::string> received_;
};

}  // namespace pcit::net
