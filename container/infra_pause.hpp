// The second process of a pod's infra container (Podman's `catatonit -P`): PID 1 of the
// pod's pid namespace, which members join with `pod create --share pid`. It only reaps the
// processes reparented to it and exits on SIGTERM, SIGINT or SIGHUP, so that `pod stop`
// ends it at once (a PID 1 ignores signals it has no handler for).
//
// It is not exec'd: a fork of the infra's P1 shares that process's pages, which costs a
// pod ~40 KiB where an exec'd program cost ~370 KiB of Pss (its memory is a product
// feature, as the monitor's). Its command line is rewritten in place to "pc __pause" so
// that `pod top` and ps(1) say what it is.
#pragma once

namespace pc::container {

// In the forked P2: drops every inherited descriptor and signal setting, renames itself
// and pauses. Never returns. `parent`: a pidfd of P1, opened before the fork (-1: not
// checked). The pause dies with P1 (PR_SET_PDEATHSIG); a P1 that died before that was set
// is seen on the pidfd (as PID 1 of its own pid namespace the pause reads 0 from
// getppid()), and the pause exits rather than outlive its holder unowned.
[[noreturn]] void become_infra_pause(int parent);

}  // namespace pc::container
