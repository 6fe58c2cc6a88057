// Docker's reference grammar as Podman applies it before any lookup (invalid names such as
// "UPPER/Case" fail with "invalid reference format", never "image not known").
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/error.hpp"
#include "storage/image_refs.hpp"

using pc::storage::check_reference_format;
using pc::storage::reference_format_error;

TEST(StorageReferenceFormat, AcceptsWhatDockerAndPodmanAccept) {
    const std::string hex(64, 'a');
    for (const std::string& ref : std::vector<std::string>{"busybox", "busybox:latest", "library/busybox", "localhost/busybox", "docker.io/library/busybox:1.36",
          "test_com", "test.com:tag", "test.com:5000", "test.com/repo:tag", "test:5000/repo", "test:5000/repo:tag",
          "test:5000/repo@sha256:" + hex, "test:5000/repo:tag@sha256:" + hex, "lowercase:Uppercase",
          "sub-dom1.foo.com/bar/baz/quux:some-long-tag", "b.gcr.io/test.example.com/my-app:test.example.com",
          "xn--n3h.com/myimage:xn--n3h.com", "Foo.com/bar", "127.0.0.1:5000/x/y:1", "[::1]:5000/x", "a--b", "a__b",
          "a.b_c-d", "foo_bar.com:8080", hex, "sha256:" + hex, "registry.example:5000/ns/app@sha256:" + hex}) {
        EXPECT_EQ(reference_format_error(ref), "") << ref;
        EXPECT_NO_THROW(check_reference_format(ref)) << ref;
    }
}

TEST(StorageReferenceFormat, RefusesWithPodmansReasons) {
    const std::string lower = "repository name must be lowercase";
    for (const char* ref : {"UPPER", "UPPER/Case", "Uppercase:tag", "test:5000/Uppercase/lowercase:tag", "Foo/FarB",
                            "docker.io/UPPER/Case", "localhost:5000/UPPER", "FOO_BAR/abc"})
        EXPECT_EQ(reference_format_error(ref), lower) << ref;
    for (const char* ref : {":justtag", "@sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
                            "repo@sha256:ffffff", "aa/asdf$$^/aa", "a:b:c", "bad@@ref", "a/", "/a", "a//b", "a..b",
                            "a___b", "-a", "a-", "a b", "a:-tag", "a:.tag", "host:port/x"})
        EXPECT_EQ(reference_format_error(ref), "invalid reference format") << ref;
    EXPECT_EQ(reference_format_error(""), "repository name must have at least one component");
    EXPECT_EQ(reference_format_error(std::string(256, 'a')), "repository name must not be more than 255 characters");
    EXPECT_EQ(reference_format_error("a:" + std::string(129, 't')), "invalid reference format");

    try {
        check_reference_format("UPPER/Case");
        ADD_FAILURE() << "no error";
    } catch (const pc::Error& e) {
        EXPECT_EQ(std::string(e.what()), "\"UPPER/Case\": invalid reference format: repository name must be lowercase");
        EXPECT_EQ(e.exit_code(), 125);
    }
}
