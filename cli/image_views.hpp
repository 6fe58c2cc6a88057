// Images as Podman shows them: `image inspect` documents and `images` rows (json and
// template forms).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/context.hpp"
#include "storage/store.hpp"

namespace pc::cli {

nlohmann::json image_inspect_json(Context& ctx, const storage::ImageRecord& img);
nlohmann::json image_list_json(Context& ctx, const storage::ImageRecord& img);
// One template row per name (REPOSITORY/TAG pair), or one "<none>" row for a dangling image.
std::vector<nlohmann::json> image_list_template_rows(Context& ctx, const storage::ImageRecord& img, bool no_trunc);
// The image's config document (parsed config blob; empty object if missing).
nlohmann::json image_config_doc(Context& ctx, const storage::ImageRecord& img);

}  // namespace pc::cli
