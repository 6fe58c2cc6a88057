#include <gtest/gtest.h>
#include <sys/stat.h>

#include "common/atomic_file.hpp"
#include "common/error.hpp"
#include "common/user_paths.hpp"
#include "storage/digest.hpp"
#include "storage/image_refs.hpp"
#include "storage/store.hpp"
#include "storage/volumes.hpp"
#include "storage_test_util.hpp"

using namespace pc::storage;
using storage_test::TempDir;

namespace {

std::string hex_id(char c, char first = 0) {
    std::string s(64, c);
    if (first) s[0] = first;
    return s;
}

struct StoreFixture : ::testing::Test {
    TempDir dir;
    Store store{StoreOptions{dir.path + "/root", dir.path + "/run", Driver::Vfs}};

    ImageRecord image(const std::string& id, std::vector<std::string> names, std::vector<std::string> layers = {}) {
        ImageRecord r;
        r.id = id;
        r.names = std::move(names);
        r.layers = std::move(layers);
        return r;
    }
    // A layer dir as import_layer leaves it (owned by the test user: removable from the host).
    std::string fake_layer(char c) {
        std::string chain = "sha256:" + std::string(64, c);
        std::string d = store.layers_dir() + "/" + std::string(64, c);
        pc::ensure_dir(store.layers_dir(), 0700);
        ::mkdir(d.c_str(), 0700);
        ::mkdir((d + "/diff").c_str(), 0555);  // read-only dirs come from images too
        pc::write_json_atomic(d + "/layer.json", {{"chain_id", chain}, {"diff_id", chain}, {"parent", ""}, {"size", 1}});
        return chain;
    }
};

}  // namespace

TEST(StorageImageRefs, Normalize) {
    EXPECT_EQ(normalize_image_name("busybox"), "localhost/busybox:latest");
    EXPECT_EQ(normalize_image_name("busybox:1"), "localhost/busybox:1");
    EXPECT_EQ(normalize_image_name("x/y"), "localhost/x/y:latest");
    EXPECT_EQ(normalize_image_name("quay.io/x/y"), "quay.io/x/y:latest");
    EXPECT_EQ(normalize_image_name("localhost:5000/a:b"), "localhost:5000/a:b");
    EXPECT_EQ(normalize_image_name("localhost:5000/a"), "localhost:5000/a:latest");
    EXPECT_EQ(normalize_image_name("localhost/a"), "localhost/a:latest");
    EXPECT_TRUE(short_name_matches("docker.io/library/busybox:latest", "busybox"));
    EXPECT_TRUE(short_name_matches("docker.io/library/busybox:latest", "library/busybox"));
    EXPECT_FALSE(short_name_matches("docker.io/library/busybox:latest", "box"));
    EXPECT_FALSE(short_name_matches("docker.io/library/busybox:1", "busybox"));
    EXPECT_EQ(id_prefix_of("sha256:abc"), "abc");
    EXPECT_FALSE(id_prefix_of("busybox"));
}

TEST_F(StoreFixture, FindsImagesLikePodman) {
    store.put_image(image(hex_id('a'), {"localhost/busybox:latest", "localhost/busybox:1"}));
    store.put_image(image(hex_id('b'), {"quay.io/x/y:latest"}));
    store.put_image(image(hex_id('c', 'a'), {"docker.io/library/alpine:3"}));
    EXPECT_EQ(store.find_image("busybox")->id, hex_id('a'));
    EXPECT_EQ(store.find_image("busybox:1")->id, hex_id('a'));
    EXPECT_EQ(store.find_image("localhost/busybox:latest")->id, hex_id('a'));
    EXPECT_EQ(store.find_image("quay.io/x/y")->id, hex_id('b'));
    EXPECT_EQ(store.find_image("alpine:3")->id, hex_id('c', 'a'));
    EXPECT_FALSE(store.find_image("alpine"));  // :latest is not :3
    EXPECT_FALSE(store.find_image("busybox:2"));
    EXPECT_EQ(store.find_image(hex_id('b'))->id, hex_id('b'));
    EXPECT_EQ(store.find_image("sha256:" + hex_id('b'))->id, hex_id('b'));
    EXPECT_EQ(store.find_image("bbb")->id, hex_id('b'));
    EXPECT_EQ(store.find_image("ac")->id, hex_id('c', 'a'));
    EXPECT_THROW(store.find_image("a"), pc::Error);  // two ids start with "a"
    EXPECT_FALSE(store.find_image("ffff"));
    EXPECT_FALSE(store.find_image(""));
}

TEST_F(StoreFixture, PutImageMovesNamesAndLeavesDanglingImages) {
    store.put_image(image(hex_id('a'), {"localhost/app:latest"}));
    store.put_image(image(hex_id('b'), {"localhost/app:latest", "localhost/app:2"}));
    auto imgs = store.images();
    ASSERT_EQ(imgs.size(), 2u);
    EXPECT_TRUE(imgs[0].names.empty());  // now "<none>"
    EXPECT_EQ(store.find_image("app")->id, hex_id('b'));
    // Re-putting an image keeps the names it already had.
    store.put_image(image(hex_id('b'), {"localhost/app:3"}));
    EXPECT_EQ(store.find_image("app:2")->id, hex_id('b'));
    EXPECT_EQ(store.find_image("app:3")->id, hex_id('b'));
    store.tag_image(hex_id('a'), "app:2");
    EXPECT_EQ(store.find_image("app:2")->id, hex_id('a'));
    EXPECT_TRUE(store.untag_image(hex_id('a'), "app:2"));
    EXPECT_FALSE(store.untag_image(hex_id('a'), "app:2"));
    EXPECT_FALSE(store.find_image("app:2"));
    EXPECT_THROW(store.put_image(image("xyz", {})), pc::Error);
}

TEST_F(StoreFixture, RemoveImagePrunesUnusedLayersButKeepsContainerLayers) {
    std::string l1 = fake_layer('1'), l2 = fake_layer('2'), l3 = fake_layer('3');
    store.put_image(image(hex_id('a'), {"localhost/a:latest"}, {l1, l2}));
    store.put_image(image(hex_id('b'), {"localhost/b:latest"}, {l1}));
    ::mkdir(store.container_dir("c1").c_str(), 0700);
    pc::write_json_atomic(store.container_dir("c1") + "/layers.json", nlohmann::json::array({l3}));
    EXPECT_TRUE(store.remove_image(hex_id('a')));
    EXPECT_FALSE(store.remove_image(hex_id('a')));
    EXPECT_TRUE(store.find_layer(l1));   // still used by image b
    EXPECT_FALSE(store.find_layer(l2));  // unused: gone
    EXPECT_TRUE(store.find_layer(l3));   // used by container c1
    EXPECT_EQ(::access((store.layers_dir() + "/" + std::string(64, '2')).c_str(), F_OK), -1);
    store.remove_container_storage("c1");
    EXPECT_EQ(::access(store.container_dir("c1").c_str(), F_OK), -1);
    EXPECT_THROW(store.remove_tree("/etc"), pc::Error);
    EXPECT_THROW(store.remove_tree(store.root() + "/../x"), pc::Error);
}

TEST_F(StoreFixture, BlobsAreVerified) {
    std::string d = store.put_blob("{\"config\":1}");
    EXPECT_EQ(d, "sha256:" + sha256_hex("{\"config\":1}"));
    EXPECT_EQ(store.get_blob(d), "{\"config\":1}");
    EXPECT_EQ(store.put_blob("{\"config\":1}"), d);
    pc::write_file_atomic(store.blob_path(d), "tampered");
    EXPECT_THROW(store.get_blob(d), pc::Error);
    EXPECT_FALSE(store.get_blob("sha256:" + std::string(64, '0')));
    EXPECT_THROW(store.get_blob("sha256:../../etc/passwd"), pc::Error);
}

TEST_F(StoreFixture, RuntimeRootIsPrivate) {
    struct stat st {};
    ASSERT_EQ(::stat(store.runroot().c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u);
    EXPECT_EQ(store.driver(), Driver::Vfs);  // forced: no probe
}

TEST_F(StoreFixture, Volumes) {
    Volumes v(store);
    auto rec = v.create("data", {{"a", "b"}});
    EXPECT_EQ(rec.mountpoint, store.volumes_dir() + "/data/_data");
    EXPECT_FALSE(rec.anonymous);
    EXPECT_EQ(rec.created_at.size() >= 20, true);
    try {
        v.create("data");
        FAIL();
    } catch (const pc::Error& e) {
        EXPECT_STREQ(e.what(), "volume with name data already exists: volume already exists");
    }
    EXPECT_THROW(v.create("-bad"), pc::Error);
    EXPECT_THROW(v.create("a/b"), pc::Error);
    EXPECT_THROW(v.create("../x"), pc::Error);
    auto anon = v.create("");
    EXPECT_EQ(anon.name.size(), 64u);
    EXPECT_TRUE(anon.anonymous);
    EXPECT_EQ(v.list().size(), 2u);
    EXPECT_EQ(v.find("data")->labels.at("a"), "b");
    auto j = pc::read_json(store.volumes_dir() + "/data/volume.json");
    EXPECT_EQ(j["Driver"], "local");
    EXPECT_EQ(j["Scope"], "local");
    EXPECT_TRUE(v.remove("data"));
    EXPECT_FALSE(v.remove("data"));
    EXPECT_FALSE(v.find("data"));
    EXPECT_TRUE(valid_volume_name("a.b_c-1"));
    EXPECT_FALSE(valid_volume_name(".a"));
}
