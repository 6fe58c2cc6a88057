// Pure parts of image transfer: references, short names, platforms, manifests, base64,
// archive member names.
#include <gtest/gtest.h>

#include "common/error.hpp"
#include "image/archive_source.hpp"
#include "image/auth_file.hpp"
#include "image/manifest.hpp"
#include "image/media_types.hpp"
#include "image/reference.hpp"
#include "image/registries_conf.hpp"

using namespace pc::image;

TEST(ImageReference, ParsesQualifiedAndDockerNormalized) {
  Reference r = parse_qualified("127.0.0.1:5000/ns/app:1.2");
  EXPECT_EQ(r.registry, "127.0.0.1:5000");
  EXPECT_EQ(r.repository, "ns/app");
  EXPECT_EQ(r.tag, "1.2");
  EXPECT_EQ(r.str(), "127.0.0.1:5000/ns/app:1.2");
  Reference d = parse_qualified("quay.io/x/y@sha256:" + std::string(64, 'a'));
  EXPECT_EQ(d.tag, "");
  EXPECT_EQ(d.manifest_ref(), "sha256:" + std::string(64, 'a'));
  EXPECT_EQ(parse_docker_normalized("busybox").str(), "docker.io/library/busybox:latest");
  EXPECT_EQ(parse_docker_normalized("x/y:2").str(), "docker.io/x/y:2");
  EXPECT_EQ(parse_docker_normalized("localhost/app:1").str(), "localhost/app:1");
  EXPECT_THROW(parse_qualified("busybox"), pc::Error);
  EXPECT_THROW(parse_qualified("quay.io/UPPER/x"), pc::Error);
  EXPECT_THROW(parse_qualified("quay.io/x:bad tag"), pc::Error);
  EXPECT_THROW(parse_qualified("quay.io/x@sha256:123"), pc::Error);
}

TEST(ImageRegistriesConf, SearchAliasesInsecureAndShortNames) {
  RegistriesConf c;
  parse_registries_conf(R"(
# comment
unqualified-search-registries = ["quay.io",
  "docker.io"]
[[registry]]
location = "10.0.0.1:5000"
insecure = true
[aliases]
"myapp" = "quay.io/team/myapp"
)", "test.conf", c);
  EXPECT_EQ(c.search, (std::vector<std::string>{"quay.io", "docker.io"}));
  EXPECT_TRUE(c.insecure("10.0.0.1:5000"));
  EXPECT_EQ(resolve_short_name("myapp:2", c), std::vector<std::string>{"quay.io/team/myapp:2"});
  EXPECT_EQ(resolve_short_name("busybox", c),
            (std::vector<std::string>{"quay.io/busybox", "docker.io/library/busybox"}));
  RegistriesConf empty;
  EXPECT_THROW(resolve_short_name("busybox", empty), pc::Error);
}

TEST(ImageManifest, PlatformSelection) {
  std::string idx = R"({"schemaVersion":2,"manifests":[
    {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:)" + std::string(64, '1') +
                    R"(","size":1,"platform":{"os":"linux","architecture":"amd64"}},
    {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:)" + std::string(64, '2') +
                    R"(","size":1,"platform":{"os":"linux","architecture":"arm64","variant":"v8"}}]})";
  auto index = parse_index(idx, "t");
  EXPECT_EQ(select_platform(index, parse_platform("linux/amd64"), "t").digest, "sha256:" + std::string(64, '1'));
  EXPECT_EQ(select_platform(index, parse_platform("linux/arm64"), "t").digest, "sha256:" + std::string(64, '2'));
  EXPECT_EQ(select_platform(index, parse_platform("aarch64"), "t").digest, "sha256:" + std::string(64, '2'));
  try {
    select_platform(index, parse_platform("linux/s390x"), "t");
    FAIL();
  } catch (const pc::Error& e) {
    EXPECT_NE(std::string(e.what()).find("linux/arm64/v8"), std::string::npos);
  }
  EXPECT_THROW(parse_platform("linux//x"), pc::Error);
  EXPECT_EQ(document_media_type(idx), media::kOciIndex);
}

TEST(ImageManifest, RejectsSchema1AndUnknownLayerTypes) {
  EXPECT_THROW(parse_manifest(R"({"schemaVersion":1,"fsLayers":[]})", "t"), pc::Error);
  std::string bad = R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"x","digest":"sha256:)" +
                    std::string(64, 'a') + R"(","size":1},"layers":[{"mediaType":"application/x-weird","digest":"sha256:)" +
                    std::string(64, 'b') + R"(","size":1}]})";
  EXPECT_THROW(parse_manifest(bad, "t"), pc::Error);
}

TEST(ImageAuthFile, Base64RoundTrip) {
  for (std::string s : {"", "a", "ab", "abc", "user:p@ss:word"}) {
    auto d = base64_decode(base64_encode(s));
    ASSERT_TRUE(d.has_value());
    EXPECT_EQ(*d, s);
  }
  EXPECT_EQ(base64_encode("testuser:s3cret"), "dGVzdHVzZXI6czNjcmV0");
  EXPECT_FALSE(base64_decode("abc").has_value());
}

TEST(ImageArchive, MemberNames) {
  EXPECT_EQ(normalize_member("./a//b/./c", "t"), "a/b/c");
  EXPECT_EQ(normalize_member("x/../y/layer.tar", "t"), "y/layer.tar");
  EXPECT_THROW(normalize_member("../etc/passwd", "t"), pc::Error);
  EXPECT_THROW(normalize_member("a/../../b", "t"), pc::Error);
  EXPECT_THROW(normalize_member("/abs", "t"), pc::Error);
  unsigned char gz[] = {0x1f, 0x8b, 8}, zs[] = {0x28, 0xb5, 0x2f, 0xfd}, plain[] = {'a', 'b', 'c', 'd'};
  EXPECT_EQ(media::sniff_compression(gz, 3), media::Compression::Gzip);
  EXPECT_EQ(media::sniff_compression(zs, 4), media::Compression::Zstd);
  EXPECT_EQ(media::sniff_compression(plain, 4), media::Compression::None);
}
