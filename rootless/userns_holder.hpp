// The user's shared user namespace: one long-lived, once-mapped user namespace per user and
// mapping, held by a tiny process ("pc __userns-holder"), which containers and storage
// operations join with setns() instead of creating and mapping their own.
//
// Why: writing a multi-range mapping takes the setuid newuidmap and newgidmap, whose two
// execs are most of a fresh namespace's cost (PLATFORM.md §1: ~1 ms of a ~5 ms start on
// this machine kind). Podman does the same with its rootless "pause" process, so all of a
// user's containers share one user namespace there too. Only the default subuid mapping is
// held: a single-id mapping is written directly (cheap) and --userns=keep-id is rare.
//
// The holder is found through a record in the user's runtime dir (pid and start time, one
// file per mapping); a record is trusted only when that process still exists, started at
// that time and has exactly the mapping asked for. The holder has no open files but an
// inotify watch on its record's directory, no terminal and "/" as its directory, so it
// never keeps a caller's pipe or mount busy. It ends by itself once its record is gone or
// names another process (the runtime dir removed when a session ends, a job's tmpdir
// cleaned), when the Slurm job it was started in ends on this node, or with
// SIGTERM/SIGKILL (`pc system migrate` stops it, as `podman system migrate` stops the
// pause process); the next pc that needs it starts another.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "common/fd.hpp"
#include "rootless/idmap.hpp"

namespace pc::rootless {

// An fd of the shared user namespace for `m`, starting its holder when there is none.
// nullopt when `m` is not held (single-id mapping) or no holder could be had (the reason
// is logged at debug level): the caller then creates a fresh namespace, as before.
std::optional<UniqueFd> shared_userns(const IdMapping& m);

// Where holders are recorded: the runtime dir of the store in use (storage::Store sets
// it from --runroot), default_runtime_root() until one is set. Each runtime dir has holders
// of its own, so `system migrate --runroot DIR` concerns DIR's only.
void set_holder_runtime_dir(const std::string& dir);

// Stops every holder recorded in `runtime_dir` (all mappings) and forgets them, and every
// holder of the caller whose record is lost (its runtime dir removed or replaced); each is
// verified by pid, start time and command line first. Returns how many were running.
// Containers already running keep their namespace.
int stop_userns_holders(const std::string& runtime_dir);

// Stops every holder of the caller started inside Slurm job `job` (on this node) and
// forgets its record; returns their pids. For a site epilog (`pc system reap --job`).
std::vector<pid_t> stop_job_userns_holders(const std::string& job);

// The holder's whole life, in a process already inside its mapped namespace
// (`pc __userns-holder RECORD WATCH_FD [JOB_ANCHOR JOB_ID]`): holds the namespace until its
// record is gone or names another process (watched with inotify, see hold_while_recorded),
// the Slurm job it was started in has ended here (its anchor's pidfd), or a terminating
// signal.
[[noreturn]] void userns_holder_main(int argc, char** argv);

}  // namespace pc::rootless
