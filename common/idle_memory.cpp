#include "common/idle_memory.hpp"

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

namespace pc {

void trim_idle_memory() {
    ::malloc_trim(0);
    FILE* maps = std::fopen("/proc/self/maps", "re");
    if (!maps) return;
    char line[4096 + 128];
    while (std::fgets(line, sizeof(line), maps)) {
        unsigned long start = 0, end = 0;
        char perms[8] = {};
        int path_at = 0;
        if (std::sscanf(line, "%lx-%lx %7s %*s %*s %*s %n", &start, &end, perms, &path_at) < 3 || path_at == 0) continue;
        // Only program text (r-xp) of files, ours and the libraries': never data, whose
        // relocated or written pages are private copies that MADV_DONTNEED would throw
        // away, and not the kernel's [vdso].
        if (std::strcmp(perms, "r-xp") != 0) continue;
        const char* path = line + path_at;
        if (path[0] != '/') continue;
        void* text = reinterpret_cast<void*>(start);
        ::madvise(text, end - start, MADV_DONTNEED);
        // No fault-around: a page that runs again brings back itself, not its 64 KiB
        // neighbourhood.
        ::madvise(text, end - start, MADV_RANDOM);
    }
    std::fclose(maps);
}

}  // namespace pc
