// An image's own /etc/passwd and /etc/group (rootless/user_lookup), read to resolve --user
// and --group-add: hostile files parse, resolution either fails with pc::Error or yields
// ids that are valid for set*id calls. Input: "USER\0GROUP-ADD,...\0PASSWD\0GROUP".
#include <algorithm>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "common/strings.hpp"
#include "fuzz_check.hpp"
#include "rootless/user_lookup.hpp"

using namespace pc::rootless;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    auto [user, rest] = pcfuzz::split_first(pcfuzz::as_text(data, size), '\0');
    auto [adds, rest2] = pcfuzz::split_first(rest, '\0');
    auto [passwd, group] = pcfuzz::split_first(rest2, '\0');

    for (const auto& e : parse_passwd(passwd)) {
        FUZZ_CHECK(!e.name.empty() && e.name.find(':') == std::string::npos && e.name.find('\n') == std::string::npos);
        FUZZ_CHECK(e.uid != UINT32_MAX && e.gid != UINT32_MAX);
    }
    for (const auto& g : parse_group(group)) {
        FUZZ_CHECK(!g.name.empty() && g.gid != UINT32_MAX);
        for (const auto& m : g.members) FUZZ_CHECK(!m.empty() && m.find(',') == std::string::npos);
    }
    std::vector<std::string> group_add;
    if (!adds.empty()) group_add = pc::str::split(adds, ',');
    for (bool primary : {false, true}) {
        try {
            ResolvedUser r = resolve_user(user, passwd, group, group_add, primary);
            FUZZ_CHECK(r.uid != UINT32_MAX && r.gid != UINT32_MAX);
            for (size_t i = 0; i < r.groups.size(); ++i) {
                FUZZ_CHECK(r.groups[i] != UINT32_MAX);
                FUZZ_CHECK(std::find(r.groups.begin() + static_cast<long>(i) + 1, r.groups.end(), r.groups[i]) == r.groups.end());
            }
            if (primary) FUZZ_CHECK(!r.groups.empty() && r.groups.front() == r.gid);
            FUZZ_CHECK(!r.home.empty());
        } catch (const pc::Error& e) {
            FUZZ_CHECK(std::string(e.what()).find("unable to find") == 0);
        }
    }
    return 0;
}
