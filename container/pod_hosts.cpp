#include "container/pod_hosts.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <sstream>

#include "common/atomic_file.hpp"
#include "common/error.hpp"
#include "common/fd.hpp"

namespace pc::container {

void add_pod_member_host(const std::string& hosts_path, const std::string& name) {
    std::istringstream in(try_read_file(hosts_path).value_or(""));
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::string ip, host;
        fields >> ip;
        if (ip.empty() || ip[0] == '#') continue;
        while (fields >> host)
            if (host == name) return;
    }
    append_hosts_line(hosts_path, "127.0.0.1\t" + name + "\n");
}

void append_hosts_line(const std::string& hosts_path, const std::string& line) {
    UniqueFd fd(::open(hosts_path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC));
    if (!fd) throw Error::sys("opening the hosts file " + hosts_path);
    if (!write_all(fd.get(), line.data(), line.size())) throw Error::sys("adding to " + hosts_path);
}

}  // namespace pc::container
