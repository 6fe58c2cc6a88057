// The network tests' in-container UDP helper (PCIT_NET_HELPER), how `pc run` starts it, and
// the NetworkTest fixture. The helper is hooked in by a static initializer of this file (part
// of pc_integration_tests like every tests/integration/*.cpp): it runs before main().
#include "network_fixtures.hpp"

#include <arpa/inet.h>
#include <dirent.h>
#include <elf.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace pcit::net {

namespace {

// ---------------------------------------------------------------- in-container helper mode

// `PCIT_NET_HELPER=udp-echo:PORT`: a UDP server on 0.0.0.0:PORT that answers every datagram
// with "echo:" + payload and prints "got PAYLOAD" (one line each, flushed) for `pc logs`.
// Runs before main() when the variable is set (only ever inside a container) and never returns.
int net_helper_main(const std::string& spec) {
  setvbuf(stdout, nullptr, _IOLBF, 0);
  // `sysv-create:KEY` / `sysv-find:KEY`: a SysV shared memory segment made, or looked up,
  // in the container's IPC namespace (the pod tests: members share it). busybox has no
  // ipcmk/ipcs.
  if (spec.rfind("sysv-create:", 0) == 0 || spec.rfind("sysv-find:", 0) == 0) {
    const bool create = spec[5] == 'c';
    const key_t key = static_cast<key_t>(atoi(spec.c_str() + spec.find(':') + 1));
    int id = shmget(key, 4096, create ? (IPC_CREAT | 0600) : 0);
    printf("%s\n", id >= 0 ? "found" : "missing");
    return 0;
  }
  if (spec.rfind("udp-echo:", 0) != 0) {
    fprintf(stderr, "pcit helper: unknown mode %s\n", spec.c_str());
    return 2;
  }
  int port = atoi(spec.c_str() + 9);
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_ANY);
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    fprintf(stderr, "pcit helper: bind udp %d: %s\n", port, strerror(errno));
    return 1;
  }
  printf("listening udp %d\n", port);
  for (;;) {
    char buf[65536];
    sockaddr_in from{};
    socklen_t fl = sizeof from;
    ssize_t n = recvfrom(fd, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &fl);
    if (n < 0) {
      if (errno == EINTR) continue;
      fprintf(stderr, "pcit helper: recvfrom: %s\n", strerror(errno));
      return 1;
    }
    std::string payload(buf, static_cast<size_t>(n));
    printf("got %s\n", payload.c_str());
    std::string reply = "echo:" + payload;
    sendto(fd, reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&from), fl);
  }
}

[[maybe_unused]] const bool kHelperMode = [] {
  const char* h = getenv("PCIT_NET_HELPER");
  if (h && *h) _exit(net_helper_main(h));
  return false;
}();

// The program interpreter (PT_INTERP) of this binary, e.g. /lib64/ld-linux-x86-64.so.2.
std::string own_interpreter() {
  std::string elf = read_file("/proc/self/exe");
  if (elf.size() < sizeof(Elf64_Ehdr)) return "";
  Elf64_Ehdr eh;
  memcpy(&eh, elf.data(), sizeof eh);
  if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64) return "";
  for (int i = 0; i < eh.e_phnum; ++i) {
    size_t off = eh.e_phoff + size_t(i) * eh.e_phentsize;
    if (off + sizeof(Elf64_Phdr) > elf.size()) break;
    Elf64_Phdr ph;
    memcpy(&ph, elf.data() + off, sizeof ph);
    if (ph.p_type == PT_INTERP && ph.p_offset + ph.p_filesz <= elf.size())
      return std::string(elf.data() + ph.p_offset, strnlen(elf.data() + ph.p_offset, ph.p_filesz));
  }
  return "";
}

std::string real_path(const std::string& p) {
  char buf[PATH_MAX];
  return realpath(p.c_str(), buf) ? std::string(buf) : "";
}
std::string dir_of(const std::string& p) { return p.substr(0, p.rfind('/')); }
std::string base_of(const std::string& p) { return p.substr(p.rfind('/') + 1); }

}  // namespace

pid_t parent_of(pid_t pid) {
  std::istringstream is(read_file("/proc/" + std::to_string(pid) + "/status"));
  std::string line;
  while (std::getline(is, line))
    if (line.rfind("PPid:", 0) == 0) return static_cast<pid_t>(atol(line.c_str() + 5));
  return -1;
}

HelperInvocation helper_invocation(const std::string& spec) {
  std::string self = real_path("/proc/self/exe");
  std::string ld = real_path(own_interpreter());
  if (self.empty() || ld.empty()) return {};
  return {{"-v", dir_of(ld) + ":/pcit-lib:ro", "-v", dir_of(self) + ":/pcit-bin:ro", "-e",
           "PCIT_NET_HELPER=" + spec},
          {"/pcit-lib/" + base_of(ld), "--library-path", "/pcit-lib", "/pcit-bin/" + base_of(self)}};
}

// ---------------------------------------------------------------- `ip` output

std::set<std::string> link_names(const std::string& ip_o_link) {
  std::set<std::string> names;
  for (const auto& l : lines(ip_o_link)) {
    size_t a = l.find(": ");
    if (a == std::string::npos) continue;
    size_t b = l.find(':', a + 2);
    std::string n = l.substr(a + 2, b == std::string::npos ? std::string::npos : b - a - 2);
    n = n.substr(0, n.find('@'));
    names.insert(trim(n));
  }
  return names;
}

std::string join(const std::set<std::string>& s) {
  std::string o;
  for (const auto& x : s) o += (o.empty() ? "" : ",") + x;
  return o;
}

// ---------------------------------------------------------------- fixture

void NetworkTest::TearDown() {
  if (store_) store_->pc({"rm", "-a", "-f", "-t", "0"}, {.timeout_s = 120});
  PcTest::TearDown();
}

std::string NetworkTest::inspect(const std::string& name, const std::string& format) {
  Result r = store_->pc({"inspect", "--format", format, name}, {.timeout_s = 20});
  return r.ok() ? trim(r.out) : "<inspect failed: " + trim(r.err) + ">";
}

Result NetworkTest::run_d(const std::string& name, const std::vector<std::string>& flags,
                          const std::vector<std::string>& cmd, const std::string& img, int soft_nofile) {
  std::vector<std::string> args = {"run", "-d", "--name", name};
  args.insert(args.end(), flags.begin(), flags.end());
  args.push_back(img.empty() ? image() : img);
  args.insert(args.end(), cmd.begin(), cmd.end());
  if (soft_nofile <= 0) return store_->pc(args, {.timeout_s = 60});
  std::vector<std::string> argv = {"sh", "-c", "ulimit -Sn " + std::to_string(soft_nofile) + " && exec \"$@\"", "sh"};
  for (auto& a : store_->argv(args)) argv.push_back(a);
  return run(argv, {.timeout_s = 60});
}

Result NetworkTest::run_web(const std::string& name, const std::vector<std::string>& flags,
                            const std::string& content, int cport, const std::string& img, int soft_nofile) {
  std::string script = "mkdir -p /www && printf '%s' '" + content + "' > /www/index.html && exec httpd -f -p " +
                       std::to_string(cport) + " -h /www";
  return run_d(name, flags, {"sh", "-c", script}, img, soft_nofile);
}

bool NetworkTest::import_image_with(const std::string& name, const std::vector<std::pair<std::string, std::string>>& files,
                                    const std::vector<std::string>& changes) {
  std::string tar = read_file(busybox_tar());
  while (tar.size() >= 512 && tar.find_first_not_of('\0', tar.size() - 512) == std::string::npos)
    tar.resize(tar.size() - 512);
  TarWriter t;
  for (const auto& [path, content] : files) t.file(path, content);
  tar += t.finish();
  std::string dir = make_temp_dir("pc-net-img-");
  write_file(dir + "/img.tar", tar);
  std::vector<std::string> args = {"import"};
  for (const auto& c : changes) args.insert(args.end(), {"--change", c});
  args.insert(args.end(), {dir + "/img.tar", name});
  Result r = pc(args, {.timeout_s = 120});
  remove_tree(dir);
  EXPECT_PC_OK(r);
  return r.ok();
}

pid_t NetworkTest::monitor_pid(const std::string& name) {
  std::string s = inspect(name, "{{.State.ConmonPid}}");
  if (!s.empty() && std::all_of(s.begin(), s.end(), ::isdigit) && std::stol(s) > 1) return std::stoi(s);
  std::string p = inspect(name, "{{.State.Pid}}");
  ADD_FAILURE() << "no .State.ConmonPid (" << s << "); using the grandparent of .State.Pid " << p;
  if (p.empty() || !std::all_of(p.begin(), p.end(), ::isdigit)) return -1;
  return parent_of(parent_of(std::stoi(p)));
}

void NetworkTest::expect_no_running() {
  Result ps = store_->pc({"ps", "-q"});
  EXPECT_PC_OK(ps);
  EXPECT_TRUE(trim(ps.out).empty()) << "containers still running:" << ps;
}

  // Processes of the test user whose command line names this test's store: monitors,
// infra pauses and containers' namespace holders all carry it or were started from it.
std::vector<std::string> NetworkTest::store_processes() {
  std::vector<std::string> found;
  DIR* d = opendir("/proc");
  if (!d) return found;
  while (dirent* e = readdir(d)) {
    if (!isdigit(static_cast<unsigned char>(e->d_name[0]))) continue;
    std::string cmd = read_file(std::string("/proc/") + e->d_name + "/cmdline");
    for (char& c : cmd)
      if (c == '\0') c = ' ';
    if (cmd.find(store_->root()) != std::string::npos && cmd.find(" rm ") == std::string::npos &&
        cmd.find("rm -f") == std::string::npos)
      found.push_back(std::string(e->d_name) + ": " + cmd);
  }
  closedir(d);
  return found;
}

std::string NetworkTest::ps_all() {
  Result ps = store_->pc({"ps", "-a", "--format", "{{.Names}} {{.Status}}"});
  return ps.out + ps.err;
}

}  // namespace pcit::net
