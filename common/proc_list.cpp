#include "common/proc_list.hpp"

#include <dirent.h>

#include <memory>

#include "common/atomic_file.hpp"
#include "common/strings.hpp"

namespace pc {

std::vector<pid_t> proc_pids() {
    std::vector<pid_t> out;
    std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir("/proc"), ::closedir);
    while (struct dirent* e = d ? ::readdir(d.get()) : nullptr)
        if (auto pid = str::parse_i64(e->d_name); pid && *pid > 0) out.push_back(static_cast<pid_t>(*pid));
    return out;
}

std::vector<std::string> proc_cmdline(pid_t pid) {
    std::string text = try_read_file("/proc/" + std::to_string(pid) + "/cmdline").value_or("");
    if (!text.empty() && text.back() == '\0') text.pop_back();  // argv's last terminator
    if (text.empty()) return {};
    return str::split(text, '\0');
}

}  // namespace pc
