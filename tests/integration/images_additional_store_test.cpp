// Read-only additional image stores (storage/storage_conf.hpp: storage.conf's
// [storage.options] additionalimagestores): a store prepared once (`pc --root DIR load`)
// and made read-only is listed and run from by another store without a layer copied into
// it and without a byte written to the shared one; rmi refuses its images; a bad
// storage.conf is an error naming the file, the line and the key.
#include <nlohmann/json.hpp>

#include "harness.hpp"

using namespace pcit;
using json = nlohmann::json;

namespace {

std::string storage_conf(const std::string& dir, const std::string& stores) {
  const std::string path = dir + "/storage.conf";
  write_file(path, "[storage]\ndriver = \"overlay\"\n\n[storage.options]\nadditionalimagestores = " + stores + "\n");
  return path;
}

}  // namespace

TEST(ImagesAdditionalStore, ImagesOfAReadOnlyStoreAreListedAndRunAndTheStoreIsNeverWritten) {
  Store shared;  // what a site prepares once on a login node
  ASSERT_TRUE(shared.import_busybox("localhost/shared-busybox"));
  // Without a storage.conf `info` lists no other store.
  EXPECT_EQ(json::parse(shared.pc({"info", "--format", "json"}).out)["store"]["graphOptions"], json::object());
  // Read-only for everyone, its subuid-owned files included (changed inside the user namespace).
  ASSERT_PC_OK(shared.pc({"unshare", "chmod", "-R", "a-w", shared.root()}));
  const auto before = list_tree(shared.root());

  const std::string conf = storage_conf(shared.dir(), "[\"" + shared.root() + "/\"]");
  Store user({}, {{"CONTAINERS_STORAGE_CONF", conf}});
  Result images = user.pc({"images", "--format", "{{.Repository}}:{{.Tag}}"});
  EXPECT_PC_OK(images);
  EXPECT_TRUE(contains(images.out, "localhost/shared-busybox:latest")) << images;
  EXPECT_EQ(trim(user.pc({"images", "--format", "{{.ReadOnly}}"}).out), "true");
  EXPECT_EQ(trim(shared.pc({"images", "--format", "{{.ReadOnly}}"}).out), "false");
  // `info` names the file and the stores as Podman does (store.configFile, the driver's
  // additionalImageStores).
  Result info = user.pc({"info", "--format", "json"});
  ASSERT_PC_OK(info);
  const json store_info = json::parse(info.out)["store"];
  EXPECT_EQ(store_info.value("configFile", ""), conf) << info.out;
  EXPECT_EQ(store_info["graphOptions"].value("overlay.additionalImageStores", json::array()), json::array({shared.root()}))
      << info.out;
  EXPECT_EQ(store_info["graphOptions"].value("overlay.imagestore", ""), shared.root()) << info.out;

  Result run = user.pc({"run", "--rm", "localhost/shared-busybox", "sh", "-c", "echo from-shared > /tmp/x && cat /tmp/x"});
  EXPECT_PC_OK(run);
  EXPECT_EQ(run.out, "from-shared\n");
  const std::string name = "ro-" + random_suffix();
  ASSERT_PC_OK(user.pc({"run", "-d", "--name", name, "localhost/shared-busybox", "sleep", "300"}));
  EXPECT_PC_OK(user.pc({"exec", name, "true"}));
  EXPECT_PC_OK(user.pc({"rm", "-f", "-t", "0", name}));
  // No layer was copied into the user's store.
  for (const auto& entry : list_tree(user.root() + "/layers")) EXPECT_TRUE(contains(entry, ".tmp-")) << entry;
  EXPECT_TRUE(list_tree(user.root() + "/layers").empty());

  Result rmi = user.pc({"rmi", "localhost/shared-busybox"});
  EXPECT_EXIT_CODE(rmi, 125);
  EXPECT_TRUE(contains(rmi.err, "read-only image store " + shared.root())) << rmi;
  EXPECT_EQ(rmi.out, "") << "nothing may be reported untagged or deleted";
  Result all = user.pc({"rmi", "-a"});
  EXPECT_PC_OK(all);
  EXPECT_TRUE(contains(user.pc({"images"}).out, "localhost/shared-busybox")) << "rmi -a removed a read-only image";

  // Not a file, lock or directory more in the shared store.
  EXPECT_EQ(list_tree(shared.root()), before);
  ASSERT_PC_OK(shared.pc({"unshare", "chmod", "-R", "u+w", shared.root()}));
}

TEST(ImagesAdditionalStore, ABadStorageConfIsAnErrorNamingTheFileLineAndKey) {
  Store dir;
  const std::string relative = storage_conf(dir.dir(), "[\"relative/store\"]");
  Store user({}, {{"CONTAINERS_STORAGE_CONF", relative}});
  Result r = user.pc({"images"});
  EXPECT_EXIT_CODE(r, 125);
  EXPECT_TRUE(contains(r.err, relative + ":5")) << r;
  EXPECT_TRUE(contains(r.err, "storage.options.additionalimagestores")) << r;
  EXPECT_TRUE(contains(r.err, "not an absolute path")) << r;

  const std::string typed = storage_conf(dir.dir(), "\"/a/string\"");
  Result t = user.pc({"images"});
  EXPECT_EXIT_CODE(t, 125);
  EXPECT_TRUE(contains(t.err, typed + ":5")) << t;
  EXPECT_TRUE(contains(t.err, "additionalimagestores")) << t;
}
