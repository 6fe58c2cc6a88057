// `pc run` / `pc create` pull an image the store lacks, as Podman's --pull policy says
// (missing by default, always, newer, never), with the registry flags and the platform of
// `pc pull`, against a real registry (registry_fixture.hpp). A failed pull leaves no
// container behind.
#include <nlohmann/json.hpp>

#include "harness.hpp"
#include "registry_fixture.hpp"

using namespace pcit;
using json = nlohmann::json;

namespace {

class RunPull : public PcTest {
 protected:
  std::string id_of(const std::string& ref) {
    Result r = pc({"image", "inspect", "--format", "{{.Id}}", ref});
    return r.ok() ? trim(r.out) : "";
  }
  // busybox pushed to the registry as REG/pull/bb:1, then removed from the store.
  std::string pushed(const Registry& reg) {
    const std::string ref = reg.host() + "/pull/bb:1";
    EXPECT_TRUE(store().import_busybox("localhost/bb-src"));
    EXPECT_PC_OK(pc({"push", "--tls-verify=false", "localhost/bb-src", ref}, {.timeout_s = 120}));
    EXPECT_PC_OK(pc({"rmi", "localhost/bb-src"}));
    return ref;
  }
  void expect_no_containers() {
    Result ps = pc({"ps", "-a", "-q"});
    EXPECT_EQ(trim(ps.out), "") << ps;
  }
};

}  // namespace

TEST_F(RunPull, MissingImageIsPulledThenRun) {
  Registry reg(Registry::Mode::Plain);
  ASSERT_TRUE(reg.ok()) << reg.error();
  const std::string ref = pushed(reg);
  ASSERT_EQ(id_of(ref), "");

  Result never = pc({"run", "--rm", "--pull=never", ref, "true"});
  EXPECT_EXIT_CODE(never, 125);
  EXPECT_TRUE(contains(never.err, "image not known")) << never;
  EXPECT_EQ(id_of(ref), "") << "--pull=never must not pull";

  Result r = pc({"run", "--rm", "--tls-verify=false", ref, "echo", "pulled-and-ran"}, {.timeout_s = 120});
  ASSERT_PC_OK(r);
  EXPECT_EQ(r.out, "pulled-and-ran\n") << "progress goes to stderr only: " << r;
  EXPECT_TRUE(contains(r.err, "Trying to pull " + ref + "...")) << r;
  EXPECT_TRUE(contains(r.err, "Writing manifest to image destination")) << r;
  const std::string id = id_of(ref);
  EXPECT_EQ(id.size(), 64u);

  // Present: missing (the default) does not ask the registry again.
  Result again = pc({"run", "--rm", ref, "true"});
  ASSERT_PC_OK(again);
  EXPECT_FALSE(contains(again.err, "Trying to pull")) << again;
  // always asks it; -q keeps the progress quiet.
  Result always = pc({"create", "--pull=always", "--tls-verify=false", "--name", "pulled", ref, "true"}, {.timeout_s = 120});
  ASSERT_PC_OK(always);
  EXPECT_TRUE(contains(always.err, "Trying to pull " + ref)) << always;
  ASSERT_PC_OK(pc({"rm", "pulled"}));
  Result quiet = pc({"run", "--rm", "-q", "--pull=always", "--tls-verify=false", ref, "true"}, {.timeout_s = 120});
  ASSERT_PC_OK(quiet);
  EXPECT_EQ(quiet.err, "") << quiet;
  EXPECT_EQ(id_of(ref), id);
  expect_no_containers();
}

TEST_F(RunPull, FailedPullsLeaveNothingAndNewerFallsBackToTheStore) {
  Registry reg(Registry::Mode::Plain);
  ASSERT_TRUE(reg.ok()) << reg.error();
  const std::string ref = pushed(reg);

  // TLS verification (the default) against a plain-HTTP registry fails: nothing is made.
  Result tls = pc({"run", "--rm", "--name", "never-made", ref, "true"}, {.timeout_s = 120});
  EXPECT_EXIT_CODE(tls, 125);
  EXPECT_TRUE(contains(tls.err, "Trying to pull " + ref)) << tls;
  Result unknown = pc({"create", "--tls-verify=false", reg.host() + "/pull/none:1", "true"}, {.timeout_s = 120});
  EXPECT_EXIT_CODE(unknown, 125);
  expect_no_containers();
  EXPECT_EQ(id_of(ref), "");

  ASSERT_PC_OK(pc({"pull", "--tls-verify=false", ref}, {.timeout_s = 120}));
  // newer: the registry cannot be reached over TLS, so the stored image is used (warning);
  // always must fail instead.
  Result newer = pc({"run", "--rm", "--pull=newer", ref, "echo", "from-store"}, {.timeout_s = 120});
  ASSERT_PC_OK(newer);
  EXPECT_EQ(newer.out, "from-store\n");
  EXPECT_TRUE(contains(newer.err, "using the image in the store")) << newer;
  EXPECT_EXIT_CODE(pc({"run", "--rm", "--pull=always", ref, "true"}, {.timeout_s = 120}), 125);
  EXPECT_EXIT_CODE(pc({"run", "--rm", "--pull=sometimes", ref, "true"}), 125);
  expect_no_containers();
}
