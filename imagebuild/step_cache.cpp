#include "imagebuild/step_cache.hpp"

#include <sys/stat.h>

#include <ctime>

#include "common/atomic_file.hpp"
#include "common/strings.hpp"
#include "common/user_paths.hpp"
#include "storage/digest.hpp"

namespace pc::build {

StepCache::StepCache(storage::Store& store) : store_(store), dir_(store.root() + "/build-cache") {}

std::optional<storage::ImageRecord> StepCache::lookup(const std::string& key, std::optional<int64_t> max_age_s) {
    const std::string entry = dir_ + "/" + key;
    if (max_age_s) {
        struct stat st {};
        if (::stat(entry.c_str(), &st) < 0 || std::time(nullptr) - st.st_mtime >= *max_age_s) return std::nullopt;
    }
    auto text = try_read_file(entry, true);
    if (!text) return std::nullopt;
    const std::string id = str::trim(*text);
    if (!storage::is_hex64(id)) return std::nullopt;
    auto img = store_.find_image(id);
    if (!img || img->id != id) return std::nullopt;
    for (const auto& l : img->layers)
        if (!store_.find_layer(l)) return std::nullopt;
    return img;
}

void StepCache::record(const std::string& key, const std::string& image_id) {
    ensure_dir(dir_, 0700);
    write_file_atomic(dir_ + "/" + key, image_id + "\n", 0600, false);
}

std::string step_key(const std::vector<std::string>& parts) {
    std::string all;
    for (const auto& p : parts) {
        all += p;
        all.push_back('\0');
    }
    return storage::sha256_hex(all);
}

}  // namespace pc::build
