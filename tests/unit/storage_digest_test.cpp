#include <gtest/gtest.h>

#include "common/error.hpp"
#include "storage/digest.hpp"
#include "storage/store.hpp"

using namespace pc::storage;

TEST(StorageDigest, Sha256KnownVector) {
    EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(StorageDigest, ChainIdMath) {
    const std::string a = "sha256:" + std::string(64, 'a');
    const std::string b = "sha256:" + std::string(64, 'b');
    EXPECT_EQ(chain_id("", a), a);
    // OCI image spec: ChainID(L1|L2) = Digest(ChainID(L1) + " " + DiffID(L2)).
    EXPECT_EQ(chain_id(a, b), "sha256:" + sha256_hex(a + " " + b));
    EXPECT_NE(chain_id(a, b), chain_id(b, a));
    const std::string c = chain_id(chain_id(a, b), a);
    EXPECT_EQ(c, "sha256:" + sha256_hex(chain_id(a, b) + " " + a));
}

TEST(StorageDigest, DigestValidation) {
    EXPECT_EQ(digest_hex("sha256:" + std::string(64, 'f')), std::string(64, 'f'));
    EXPECT_THROW(digest_hex("sha512:" + std::string(64, 'f')), pc::Error);
    EXPECT_THROW(digest_hex("sha256:" + std::string(63, 'f')), pc::Error);
    EXPECT_THROW(digest_hex("sha256:" + std::string(64, 'F')), pc::Error);
    EXPECT_THROW(digest_hex("sha256:../../../../etc/passwd" + std::string(36, 'a')), pc::Error);
}

TEST(StorageDriver, Names) {
    EXPECT_EQ(driver_name(Driver::Overlay), "overlay");
    EXPECT_EQ(driver_name(Driver::FuseOverlay), "fuse-overlayfs");
    EXPECT_EQ(driver_name(Driver::Vfs), "vfs");
    EXPECT_EQ(driver_from_name("fuse"), Driver::FuseOverlay);
    EXPECT_EQ(driver_from_name("overlay"), Driver::Overlay);
    EXPECT_EQ(driver_from_name("VFS"), Driver::Vfs);
    EXPECT_FALSE(driver_from_name("btrfs"));
}

TEST(StorageFuseMapping, KeepIdPresentsImageIds) {
    using pc::rootless::IdMapEntry;
    using pc::rootless::IdMapping;
    // Default: 0 -> 1001, 1..65536 -> 100000..165535.
    IdMapping def;
    def.uids = {{0, 1001, 1}, {1, 100000, 65536}};
    def.gids = def.uids;
    // keep-id: 0..1000 -> 100000..101000, 1001 -> 1001, 1002..65536 -> 101001..165535.
    IdMapping keep;
    keep.uids = {{0, 100000, 1001}, {1001, 1001, 1}, {1002, 101001, 64535}};
    keep.gids = keep.uids;
    FuseIdMappings m = fuse_id_mappings(def, keep);
    // Image root (host 1001) is read as 1001 in the keep-id namespace and shown as 0; image
    // uid 1 (host 100000) is read as 0 and shown as 1; image uid 1002 (host 101001) read as
    // 1002 and shown as 1002.
    EXPECT_EQ(m.uidmapping, "1001:0:1:0:1:1001:1002:1002:64535");
    EXPECT_EQ(m.gidmapping, m.uidmapping);
    // Identical mappings translate nothing.
    EXPECT_EQ(fuse_id_mappings(def, def).uidmapping, "0:0:1:1:1:65536");
}
