// A real registry for the tests: Debian's docker-registry on 127.0.0.1 with a free port and
// a generated config, in one of four modes: plain HTTP, TLS with a self-signed CA made by
// openssl at test time, htpasswd basic auth (over TLS, as the registry requires), or the
// Docker token flow with tests/fixtures/token_server.py. Stopped and removed at the end.
#pragma once

#include <memory>
#include <string>

#include "harness.hpp"

namespace pcit {

class Registry {
 public:
  enum class Mode { Plain, Tls, Basic, Token };
  explicit Registry(Mode mode);
  ~Registry();

  bool ok() const { return ok_; }
  const std::string& error() const { return error_; }
  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }
  const std::string& ca_dir() const { return ca_dir_; }  // holds ca.crt (TLS modes)
  const std::string& dir() const { return dir_; }        // config and storage (data/)
  static constexpr const char* kUser = "testuser";
  static constexpr const char* kPassword = "s3cret-pass";
  // skopeo flags to reach this registry (tls verify off, creds when needed).
  std::vector<std::string> skopeo_dest_flags() const;
  std::vector<std::string> skopeo_src_flags() const;

 private:
  bool wait_port(int port, double timeout_s);
  Mode mode_;
  std::string dir_, ca_dir_;
  int port_ = 0, token_port_ = 0;
  std::unique_ptr<Child> registry_, token_;
  bool ok_ = false;
  std::string error_;
};

int free_port();

}  // namespace pcit
