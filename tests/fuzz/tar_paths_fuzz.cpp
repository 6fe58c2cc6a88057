// Layer tar names and link targets (storage/tar_paths): entry and hard-link names that
// extraction accepts stay inside the layer. Input: "ENTRY\nTARGET".
#include <string>

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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    auto [name, target] = pcfuzz::split_first(pcfuzz::as_text(data, size), '\n');

    PathCheck entry = normalize_entry_path(name);
    if (entry.path) {
        // Absolute names are refused, except "/" itself: the layer root (umoci writes it).
        FUZZ_CHECK(name.empty() || name.front() != '/' || entry.path->components.empty());
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
            // Any target is accepted, even one climbing above the layer root (it resolves
            // inside the container's root at run time; extraction never follows a link),
            // but never an empty one, one with a NUL, or a link replacing the root.
            FUZZ_CHECK(!target.empty() && target.find('\0') == std::string_view::npos);
            FUZZ_CHECK(!entry.path->components.empty());
        }
    }

    WhiteoutName wh = classify_whiteout(name);
    if (wh.kind == WhiteoutKind::Whiteout) {
        FUZZ_CHECK(!wh.target.empty() && wh.target != "." && wh.target != "..");
        FUZZ_CHECK(wh.target.find('/') == std::string::npos);
    }
    return 0;
}
