// Layer tar names and link targets (storage/tar_paths): what extraction accepts must stay
// inside the layer. Input: "ENTRY\nTARGET".
#include <string>
#include <vector>

#include "fuzz_check.hpp"
#include "storage/tar_paths.hpp"
#include "storage/whiteouts.hpp"

using namespace pc::storage;

namespace {

void check_clean(const EntryPath& p) {
    for (const auto& c : p.components) {
        FUZZ_CHECK(!c.empty() && c != "." && c != "..");
        FUZZ_CHECK(c.find('/') == std::string::npos && c.find('\0') == std::string::npos);
    }
    // Normalizing the normal form gives it back.
    PathCheck again = normalize_entry_path(p.joined());
    FUZZ_CHECK(again.path && again.path->components == p.components);
}

// Lexical resolution of a relative `target` from the directory of `entry`: false when it
// climbs above the layer root at any step.
bool stays_inside(const EntryPath& entry, std::string_view target) {
    std::vector<std::string_view> dir;
    for (size_t i = 0; i + 1 < entry.components.size(); ++i) dir.push_back(entry.components[i]);
    size_t i = 0;
    while (i <= target.size()) {
        size_t j = target.find('/', i);
        if (j == std::string_view::npos) j = target.size();
        std::string_view c = target.substr(i, j - i);
        if (c == "..") {
            if (dir.empty()) return false;
            dir.pop_back();
        } else if (!c.empty() && c != ".") {
            dir.push_back(c);
        }
        i = j + 1;
    }
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    auto [name, target] = pcfuzz::split_first(pcfuzz::as_text(data, size), '\n');

    PathCheck entry = normalize_entry_path(name);
    if (entry.path) {
        FUZZ_CHECK(name.empty() || name.front() != '/');
        check_clean(*entry.path);
    } else {
        FUZZ_CHECK(!entry.error.empty());
    }

    PathCheck link = check_hardlink_target(target);
    if (link.path) {
        FUZZ_CHECK(!link.path->components.empty());
        check_clean(*link.path);
    }

    if (entry.path) {
        std::string why = check_symlink_target(*entry.path, target);
        if (why.empty()) {
            FUZZ_CHECK(!target.empty() && target.find('\0') == std::string_view::npos);
            if (target.front() != '/') {
                FUZZ_CHECK(!entry.path->components.empty());
                FUZZ_CHECK(stays_inside(*entry.path, target));
            }
        }
    }

    WhiteoutName wh = classify_whiteout(name);
    if (wh.kind == WhiteoutKind::Whiteout) {
        FUZZ_CHECK(!wh.target.empty() && wh.target != "." && wh.target != "..");
        FUZZ_CHECK(wh.target.find('/') == std::string::npos);
    }
    return 0;
}
