#include "common/poll_loop.hpp"

#include <errno.h>

#include <algorithm>

namespace pc {

void PollLoop::add(PollSource& source) { sources_.push_back(&source); }

void PollLoop::remove(PollSource& source) {
    // Only marked: a dispatch may be running over the list.
    std::replace(sources_.begin(), sources_.end(), &source, static_cast<PollSource*>(nullptr));
}

int PollLoop::poll_once(int timeout_ms) {
    sources_.erase(std::remove(sources_.begin(), sources_.end(), nullptr), sources_.end());
    fds_.clear();
    // Sources added by a dispatch join the next round: they have no entries in this one.
    const size_t count = sources_.size();
    for (size_t i = 0; i < count; ++i) sources_[i]->fill(fds_, timeout_ms);
    const int n = ::poll(fds_.data(), fds_.size(), timeout_ms);
    if (n < 0) return n;
    for (size_t i = 0; i < count; ++i)
        if (PollSource* s = sources_[i]) s->dispatch(fds_);
    return n;
}

int PollLoop::run_until(const std::function<bool()>& done) {
    while (!done()) {
        if (poll_once() < 0 && errno != EINTR) return -1;
    }
    return 0;
}

void FdSource::fill(std::vector<struct pollfd>& fds, int& /*timeout_ms*/) {
    index_ = fds.size();
    fds.push_back({fd_, events_, 0});  // poll() skips an fd of -1
}

void FdSource::dispatch(const std::vector<struct pollfd>& fds) {
    if (fd_ >= 0 && index_ < fds.size() && fds[index_].revents) on_ready_(fds[index_].revents);
}

}  // namespace pc
