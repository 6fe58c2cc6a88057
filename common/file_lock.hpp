// flock-based locks (RAII). Concurrent pc invocations are normal (HPC array jobs, compose):
// a second invocation waits for the lock instead of failing.
#pragma once

#include <string>

#include "common/fd.hpp"

namespace pc {

class FileLock {
public:
    enum class Mode { Shared, Exclusive };
    // Opens (creating) `path` and blocks until the lock is held.
    FileLock(const std::string& path, Mode mode = Mode::Exclusive);
    // Non-blocking attempt; check held().
    static FileLock try_lock(const std::string& path, Mode mode = Mode::Exclusive);
    FileLock(FileLock&&) noexcept = default;
    FileLock& operator=(FileLock&&) noexcept = default;
    ~FileLock() = default;  // closing the fd releases the lock

    bool held() const noexcept { return static_cast<bool>(fd_); }
    void unlock() { fd_.reset(); }

private:
    FileLock() = default;
    UniqueFd fd_;
};

}  // namespace pc
