#include "container/stdio_redirect.hpp"

#include <fcntl.h>
#include <unistd.h>

#include "common/error.hpp"

namespace pc::container {

namespace {
void swap_in(int fd, int target, UniqueFd& saved) {
    saved.reset(::fcntl(target, F_DUPFD_CLOEXEC, 3));
    if (!saved || ::dup2(fd, target) < 0) throw Error::sys("redirecting the container's output");
}
}  // namespace

StdioRedirect::StdioRedirect(int out, int err, int in) {
    if (in >= 0) swap_in(in, STDIN_FILENO, saved_in_);
    if (out >= 0) swap_in(out, STDOUT_FILENO, saved_out_);
    if (err >= 0) swap_in(err, STDERR_FILENO, saved_err_);
}

StdioRedirect::~StdioRedirect() {
    if (saved_in_) ::dup2(saved_in_.get(), STDIN_FILENO);
    if (saved_out_) ::dup2(saved_out_.get(), STDOUT_FILENO);
    if (saved_err_) ::dup2(saved_err_.get(), STDERR_FILENO);
}

}  // namespace pc::container
