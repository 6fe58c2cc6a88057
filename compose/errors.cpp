#include "compose/errors.hpp"

namespace pc::compose {

std::string location_prefix(const Mark& mark) {
    std::string where = mark.where();
    return where.empty() ? "" : where + ": ";
}

void fail(const std::string& message) { throw Error(message, kExitInvalidProject); }

void fail_at(const Mark& mark, const std::string& message) { fail(location_prefix(mark) + message); }

}  // namespace pc::compose
