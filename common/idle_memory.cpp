#include "common/idle_memory.hpp"

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <iterator>
#include <cstdio>
#include <cstring>

#include "common/clock.hpp"

namespace pc {

void trim_idle_memory() {
    ::malloc_trim(0);
    // The ranges are collected first and dropped together at the end: stdio and the
    // parsing would otherwise page back in the text just dropped.
    struct Range {
        unsigned long start, end;
    };
    Range ranges[128];
    size_t count = 0;
    // smaps rather than maps: read-only data is dropped too (a library's symbol tables and
    // constants, read while loading and starting: glib's alone are 180 KiB), but only where
    // no page of the mapping is a private copy (Anonymous: 0): relocated read-only data
    // (RELRO) is, and MADV_DONTNEED would throw its relocations away.
    FILE* maps = std::fopen("/proc/self/smaps", "re");
    if (!maps) return;
    char line[4096 + 128];
    Range pending{};
    bool data = false;  // `pending` is read-only data, kept if it has private copies
    while (count < std::size(ranges) && std::fgets(line, sizeof(line), maps)) {
        unsigned long start = 0, end = 0, anonymous = 0;
        if (data && std::sscanf(line, "Anonymous: %lu", &anonymous) == 1) {
            if (anonymous == 0) ranges[count++] = pending;
            data = false;
            continue;
        }
        char perms[8] = {};
        int path_at = 0;
        if (std::sscanf(line, "%lx-%lx %7s %*s %*s %*s %n", &start, &end, perms, &path_at) < 3 || path_at == 0) continue;
        data = false;
        // Only program text (r-xp) and read-only data (r--p) of files, ours and the
        // libraries': never writable data, and not the kernel's [vdso].
        if (line[path_at] != '/') continue;
        if (std::strcmp(perms, "r-xp") == 0) ranges[count++] = {start, end};
        else if (std::strcmp(perms, "r--p") == 0) {
            pending = {start, end};
            data = true;
        }
    }
    std::fclose(maps);
    for (size_t i = 0; i < count; ++i) {
        void* text = reinterpret_cast<void*>(ranges[i].start);
        const size_t length = ranges[i].end - ranges[i].start;
        ::madvise(text, length, MADV_DONTNEED);
        // No readahead-sized faults: what runs again brings back what it needs.
        ::madvise(text, length, MADV_RANDOM);
    }
}

void IdleTrimmer::before_sleep(int& timeout_ms) {
    if (trimmed_) return;
    const int64_t now = monotonic_ns();
    if (last_event_ns_ < 0) last_event_ns_ = now;
    const int64_t due = last_event_ns_ + quiet_ns_;
    if (now >= due) {
        trim_();
        trimmed_ = true;
        return;
    }
    const int wait_ms = static_cast<int>((due - now + 999'999) / 1'000'000);
    timeout_ms = timeout_ms < 0 ? wait_ms : std::min(timeout_ms, wait_ms);
}

void IdleTrimmer::after_wake(bool had_events) {
    if (!had_events) return;
    last_event_ns_ = monotonic_ns();
    trimmed_ = false;
}

void IdleTrimmer::fill(std::vector<struct pollfd>& /*fds*/, int& timeout_ms) { before_sleep(timeout_ms); }

void IdleTrimmer::dispatch(const std::vector<struct pollfd>& fds) {
    after_wake(std::any_of(fds.begin(), fds.end(), [](const struct pollfd& p) { return p.revents != 0; }));
}

}  // namespace pc
