// Layer extraction (storage/tar_extract) on hostile archive bytes: tar, compressed or not,
// truncated, with escaping names and links. Each input is extracted into a fresh directory;
// whatever happens (success or pc::Error), nothing outside it is created or changed, and
// no device node but an overlay whiteout (char 0:0) exists inside.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "common/error.hpp"
#include "common/fd.hpp"
#include "fuzz_check.hpp"
#include "storage/tar_extract.hpp"

namespace fs = std::filesystem;

namespace {

void remove_box(const fs::path& dir);

// A private directory for the run, removed at exit.
const std::string& base_dir() {
    // Never destroyed: the atexit handler below runs after static destructors registered
    // later, so a static std::string would be gone by then.
    static const std::string& dir = *new std::string([] {
        const char* tmp = std::getenv("TMPDIR");
        std::string t = std::string(tmp && *tmp ? tmp : "/tmp") + "/pc-fuzz-extract-XXXXXX";
        if (!::mkdtemp(t.data())) std::abort();
        std::atexit([] { remove_box(base_dir()); });
        return t;
    }());
    return dir;
}

// Everything below `dir` writable and searchable again (an entry may have made a directory
// 0000), then removed; symlinks are never followed.
void remove_box(const fs::path& dir) {
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(dir, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_directory(ec) && !it->is_symlink(ec)) ::chmod(it->path().c_str(), 0700);
    }
    ::chmod(dir.c_str(), 0700);
    fs::remove_all(dir, ec);
}

void check_inside(const fs::path& root) {
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        struct stat st {};
        if (::lstat(it->path().c_str(), &st) != 0) continue;
        FUZZ_CHECK(!S_ISBLK(st.st_mode));
        if (S_ISCHR(st.st_mode)) FUZZ_CHECK(major(st.st_rdev) == 0 && minor(st.st_rdev) == 0);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const fs::path box = fs::path(base_dir()) / "box";
    fs::create_directory(box);
    fs::create_directory(box / "root");
    { std::ofstream(box / "canary") << "canary"; }

    pc::UniqueFd in(::memfd_create("layer", MFD_CLOEXEC));
    FUZZ_CHECK(in.get() >= 0);
    FUZZ_CHECK(size == 0 || ::write(in.get(), data, size) == static_cast<ssize_t>(size));
    ::lseek(in.get(), 0, SEEK_SET);
    pc::UniqueFd root(::open((box / "root").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    FUZZ_CHECK(root.get() >= 0);
    try {
        (void)pc::storage::extract_layer(in.get(), root.get(), pc::storage::ExtractOptions{});
    } catch (const pc::Error&) {
    }

    // Nothing appeared or changed beside the root.
    std::set<std::string> names;
    for (const auto& e : fs::directory_iterator(box)) names.insert(e.path().filename());
    FUZZ_CHECK((names == std::set<std::string>{"canary", "root"}));
    FUZZ_CHECK(fs::is_directory(fs::symlink_status(box / "root")));
    std::string canary;
    std::getline(std::ifstream(box / "canary"), canary);
    FUZZ_CHECK(canary == "canary");
    std::set<std::string> top;
    for (const auto& e : fs::directory_iterator(base_dir())) top.insert(e.path().filename());
    FUZZ_CHECK((top == std::set<std::string>{"box"}));
    check_inside(box / "root");
    remove_box(box);
    return 0;
}
