// What /proc lists now: the pids of every process, and a process's command line. Scans
// that look for processes by name or namespace (job anchors, holders, fuse daemons, `top`)
// share these instead of each walking /proc with its own directory loop.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace pc {

// Every numeric entry of /proc (a process may be gone by the time it is looked at).
std::vector<pid_t> proc_pids();

// The process's argv from /proc/PID/cmdline; empty once it is gone (or for a kernel thread).
std::vector<std::string> proc_cmdline(pid_t pid);

}  // namespace pc
