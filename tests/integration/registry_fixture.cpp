#include "registry_fixture.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace pcit {

int free_port() {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(s, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  socklen_t len = sizeof(a);
  getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  int port = ntohs(a.sin_port);
  close(s);
  return port;
}

bool Registry::wait_port(int port, double timeout_s) {
  return poll_until(
      [&] {
        int s = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(static_cast<uint16_t>(port));
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        bool ok = connect(s, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0;
        close(s);
        return ok;
      },
      timeout_s, 50);
}

Registry::Registry(Mode mode) : mode_(mode) {
  dir_ = make_temp_dir("pc-registry");
  ca_dir_ = dir_ + "/certs";
  run({"mkdir", "-p", ca_dir_, dir_ + "/data"});
  port_ = free_port();
  bool tls = mode != Mode::Plain;
  if (tls) {
    // A CA and a server certificate for 127.0.0.1 signed by it.
    Result r = sh("set -e; cd '" + dir_ + "'; "
                  "openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out certs/ca.crt -days 2 -subj '/CN=pc test CA' 2>/dev/null; "
                  "openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj '/CN=127.0.0.1' 2>/dev/null; "
                  "printf 'subjectAltName=IP:127.0.0.1\\n' > ext.cnf; "
                  "openssl x509 -req -in server.csr -CA certs/ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 2 -extfile ext.cnf 2>/dev/null");
    if (!r.ok()) {
      error_ = "openssl: " + r.describe();
      return;
    }
  }
  std::string cfg = "version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\n"
                    "storage:\n  filesystem:\n    rootdirectory: " + dir_ + "/data\n  delete:\n    enabled: true\n"
                    "http:\n  addr: 127.0.0.1:" + std::to_string(port_) + "\n";
  if (tls) cfg += "  tls:\n    certificate: " + dir_ + "/server.crt\n    key: " + dir_ + "/server.key\n";
  if (mode == Mode::Basic) {
    Result h = run({"htpasswd", "-Bbn", kUser, kPassword});
    if (!h.ok()) {
      error_ = "htpasswd: " + h.describe();
      return;
    }
    write_file(dir_ + "/htpasswd", h.out);
    cfg += "auth:\n  htpasswd:\n    realm: pc-test\n    path: " + dir_ + "/htpasswd\n";
  }
  if (mode == Mode::Token) {
    token_port_ = free_port();
    Result r = sh("set -e; cd '" + dir_ + "'; openssl req -x509 -newkey rsa:2048 -nodes -keyout token.key -out token.crt "
                  "-days 2 -subj '/CN=pc test token issuer' 2>/dev/null");
    if (!r.ok()) {
      error_ = "openssl: " + r.describe();
      return;
    }
    token_ = std::make_unique<Child>(std::vector<std::string>{
        "python3", source_dir() + "/tests/fixtures/token_server.py", std::to_string(token_port_), dir_ + "/token.key",
        dir_ + "/token.crt", "pc-test-registry", "pc-test-issuer", kUser, kPassword});
    if (!wait_port(token_port_, 20)) {
      error_ = "token server did not start";
      return;
    }
    cfg += "auth:\n  token:\n    realm: http://127.0.0.1:" + std::to_string(token_port_) + "/token\n"
           "    service: pc-test-registry\n    issuer: pc-test-issuer\n    rootcertbundle: " + dir_ + "/token.crt\n";
  }
  write_file(dir_ + "/config.yml", cfg);
  registry_ = std::make_unique<Child>(std::vector<std::string>{"/usr/bin/docker-registry", "serve", dir_ + "/config.yml"});
  if (!wait_port(port_, 20)) {
    error_ = "docker-registry did not start: " + registry_->err();
    return;
  }
  ok_ = true;
}

Registry::~Registry() {
  registry_.reset();
  token_.reset();
  remove_tree(dir_);
}

std::vector<std::string> Registry::skopeo_dest_flags() const {
  std::vector<std::string> f{"--dest-tls-verify=false"};
  if (mode_ == Mode::Basic || mode_ == Mode::Token) f.push_back(std::string("--dest-creds=") + kUser + ":" + kPassword);
  return f;
}

std::vector<std::string> Registry::skopeo_src_flags() const {
  std::vector<std::string> f{"--src-tls-verify=false"};
  if (mode_ == Mode::Basic || mode_ == Mode::Token) f.push_back(std::string("--src-creds=") + kUser + ":" + kPassword);
  return f;
}

}  // namespace pcit
