// Clocks read as nanosecond counts, the unit of every timer and timestamp in pc.
#pragma once

#include <time.h>

#include <cstdint>

namespace pc {

inline int64_t clock_ns(clockid_t id) {
    struct timespec ts {};
    ::clock_gettime(id, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

inline int64_t monotonic_ns() { return clock_ns(CLOCK_MONOTONIC); }

}  // namespace pc
