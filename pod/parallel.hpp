// Work on several containers at once (a pod's members are stopped together: one waiting
// out its stop timeout must not delay the others). Each item runs in a forked child, since
// pc stays single-threaded; errors come back as text.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace pc::pod {

// Runs fn(i) for every i < n concurrently; returns each one's error message ("" when it
// succeeded). One item runs in the calling process, without a fork.
std::vector<std::string> run_in_parallel(size_t n, const std::function<void(size_t)>& fn);

}  // namespace pc::pod
