#include "cli/short_name_prompt.hpp"

#include <iostream>

#include "common/error.hpp"
#include "common/strings.hpp"

namespace pc::cli {

std::string choose_short_name_interactively(const std::string& name, const std::vector<std::string>& candidates) {
    std::cerr << "? Please select an image for \"" << name << "\":\n";
    for (size_t i = 0; i < candidates.size(); ++i) std::cerr << "  " << i + 1 << ") " << candidates[i] << "\n";
    std::cerr << "Enter a number [1-" << candidates.size() << "]: " << std::flush;
    std::string line;
    if (!std::getline(std::cin, line)) throw Error("short-name resolution: no image selected for \"" + name + "\"");
    auto n = str::parse_u64(str::trim(line));
    if (!n || *n < 1 || *n > candidates.size())
        throw Error("short-name resolution: \"" + str::trim(line) + "\" is not one of 1-" + std::to_string(candidates.size()));
    return candidates[*n - 1];
}

}  // namespace pc::cli
