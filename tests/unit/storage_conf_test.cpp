// storage.conf's additionalimagestores (storage/storage_conf.hpp): read as containers/storage
// reads it; anything else in the file is Podman's and ignored; bad values name the key.
#include <gtest/gtest.h>

#include "common/error.hpp"
#include "storage/storage_conf.hpp"

using pc::storage::parse_additional_image_stores;

TEST(StorageConf, ReadsAdditionalImageStoresAndIgnoresTheRest) {
  const auto stores = parse_additional_image_stores(
      "[storage]\ndriver = \"overlay\"\ngraphroot = \"/var/lib/containers/storage\"\n"
      "[storage.options]\nadditionalimagestores = [\"/shared/a/\", \"/shared/b\"]\nmount_program = \"/usr/bin/fuse-overlayfs\"\n",
      "storage.conf");
  EXPECT_EQ(stores, (std::vector<std::string>{"/shared/a", "/shared/b"}));
  EXPECT_TRUE(parse_additional_image_stores("[storage]\ndriver = \"vfs\"\n", "storage.conf").empty());
  EXPECT_TRUE(parse_additional_image_stores("", "storage.conf").empty());
}

TEST(StorageConf, BadValuesNameTheFileLineAndKey) {
  auto message = [](const std::string& text) {
    try {
      parse_additional_image_stores(text, "/etc/containers/storage.conf");
    } catch (const pc::Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const std::string relative = message("[storage.options]\nadditionalimagestores = [\"/ok\", \"rel\"]\n");
  EXPECT_NE(relative.find("/etc/containers/storage.conf:2"), std::string::npos) << relative;
  EXPECT_NE(relative.find("storage.options.additionalimagestores"), std::string::npos) << relative;
  EXPECT_NE(relative.find("\"rel\" is not an absolute path"), std::string::npos) << relative;
  EXPECT_NE(message("[storage.options]\nadditionalimagestores = [1]\n").find("expected"), std::string::npos);
  EXPECT_NE(message("[storage]\noptions = 3\n").find("storage.options"), std::string::npos);
  EXPECT_NE(message("[storage.options\n").find("/etc/containers/storage.conf:1"), std::string::npos);
}
