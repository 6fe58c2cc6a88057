#include "common/error.hpp"

#include <cerrno>
#include <cstring>

namespace pc {

Error Error::sys(const std::string& context, int err) {
    return Error(context + ": " + std::strerror(err));
}

Error Error::sys(const std::string& context) { return sys(context, errno); }

long check_sys(long rc, const std::string& context) {
    if (rc < 0) throw Error::sys(context);
    return rc;
}

}  // namespace pc
