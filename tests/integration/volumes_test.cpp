// Named volumes: create/ls/inspect/rm/prune, -v NAME:/path (created on first use, image
// content copied into an empty volume), kept when the container is removed.
#include <nlohmann/json.hpp>

#include "harness.hpp"

using namespace pcit;
using json = nlohmann::json;

namespace {
class Volumes : public PcTest {};
}  // namespace

TEST_F(Volumes, CreateLsInspectRm) {
  Result c = pc({"volume", "create", "vol1"});
  ASSERT_PC_OK(c);
  EXPECT_EQ(trim(c.out), "vol1");
  Result ls = pc({"volume", "ls"});
  ASSERT_PC_OK(ls);
  EXPECT_TRUE(contains(ls.out, "vol1")) << ls;
  Result q = pc({"volume", "ls", "-q"});
  EXPECT_EQ(trim(q.out), "vol1") << q;
  Result in = pc({"volume", "inspect", "vol1"});
  ASSERT_PC_OK(in);
  json j = json::parse(in.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << in;
  ASSERT_TRUE(j.is_array() && j.size() == 1) << in;
  EXPECT_EQ(j[0].value("Name", ""), "vol1") << in;
  std::string mp = j[0].value("Mountpoint", "");
  EXPECT_FALSE(mp.empty()) << in;
  EXPECT_EQ(mp.rfind(store().root(), 0), 0u) << "volumes live in the store" << in;
  Result fmt = pc({"volume", "inspect", "--format", "{{.Name}}", "vol1"});
  EXPECT_EQ(trim(fmt.out), "vol1") << fmt;
  Result rm = pc({"volume", "rm", "vol1"});
  EXPECT_PC_OK(rm);
  EXPECT_FALSE(contains(pc({"volume", "ls"}).out, "vol1"));
}

TEST_F(Volumes, CreateDuplicateFails) {
  ASSERT_PC_OK(pc({"volume", "create", "dupvol"}));
  Result r = pc({"volume", "create", "dupvol"});
  EXPECT_NE(r.exit_code, 0) << r;
  EXPECT_TRUE(contains(r.err, "dupvol")) << r;
}

TEST_F(Volumes, RmUnknownFails) {
  Result r = pc({"volume", "rm", "no-such-volume"});
  EXPECT_NE(r.exit_code, 0) << r;
  EXPECT_TRUE(contains(r.err, "no-such-volume")) << r;
}

TEST_F(Volumes, RunCreatesVolumeOnFirstUseAndKeepsData) {
  Result w = run_in({"-v", "data1:/data"}, {"sh", "-c", "echo persisted > /data/f"});
  ASSERT_PC_OK(w);
  EXPECT_TRUE(contains(pc({"volume", "ls"}).out, "data1"));
  Result r = run_in({"-v", "data1:/data:ro"}, {"cat", "/data/f"});
  ASSERT_PC_OK(r);
  EXPECT_EQ(r.out, "persisted\n");
}

TEST_F(Volumes, EmptyVolumeGetsImageContent) {
  // like podman: mounting an empty named volume over /etc copies the image's /etc into it
  Result r = run_in({"-v", "etcvol:/etc"}, {"cat", "/etc/passwd"});
  ASSERT_PC_OK(r);
  EXPECT_TRUE(contains(r.out, "root:x:0:0")) << r;
  Result in = pc({"volume", "inspect", "--format", "{{.Mountpoint}}", "etcvol"});
  ASSERT_PC_OK(in);
  std::string mp = trim(in.out);
  EXPECT_TRUE(contains(read_file(mp + "/passwd"), "root:x:0:0")) << "copied into " << mp;
  // ownership preserved inside the container
  Result st = run_in({"-v", "etcvol:/etc"}, {"stat", "-c", "%u:%g %a", "/etc/passwd"});
  EXPECT_EQ(trim(st.out), "0:0 644") << st;
}

TEST_F(Volumes, NonEmptyVolumeIsNotOverwritten) {
  ASSERT_PC_OK(run_in({"-v", "ne:/data"}, {"sh", "-c", "echo mine > /data/mine"}));
  Result r = run_in({"-v", "ne:/home"}, {"ls", "/home"});  // the image has /home/user
  ASSERT_PC_OK(r);
  EXPECT_EQ(trim(r.out), "mine") << r;
}

TEST_F(Volumes, KeptAfterContainerRmAndInUseCannotBeRemoved) {
  std::string name = unique_name("volctr");
  ASSERT_PC_OK(pc({"run", "--name", name, "-v", "kept:/data", image(), "sh", "-c",
                   "echo x > /data/x"}));
  Result busy = pc({"volume", "rm", "kept"});
  EXPECT_NE(busy.exit_code, 0) << "volume used by a container" << busy;
  ASSERT_PC_OK(pc({"rm", name}));
  EXPECT_TRUE(contains(pc({"volume", "ls"}).out, "kept"));
  Result r = run_in({"-v", "kept:/data"}, {"cat", "/data/x"});
  EXPECT_EQ(r.out, "x\n") << r;
}

TEST_F(Volumes, MountShowsInInspect) {
  std::string name = unique_name("volinsp");
  ASSERT_PC_OK(pc({"run", "--name", name, "-v", "iv:/data", image(), "true"}));
  Result r = pc({"inspect", "--format", "{{range .Mounts}}{{.Type}}:{{.Name}}:{{.Destination}} {{end}}",
                 name});
  ASSERT_PC_OK(r);
  EXPECT_TRUE(contains(r.out, "volume:iv:/data")) << r;
}

TEST_F(Volumes, Prune) {
  ASSERT_PC_OK(pc({"volume", "create", "unused1"}));
  ASSERT_PC_OK(pc({"volume", "create", "unused2"}));
  std::string name = unique_name("holder");
  ASSERT_PC_OK(pc({"run", "--name", name, "-v", "used:/data", image(), "true"}));
  Result r = pc({"volume", "prune", "-f"});
  EXPECT_PC_OK(r);
  Result ls = pc({"volume", "ls", "-q"});
  EXPECT_FALSE(contains(ls.out, "unused1")) << ls;
  EXPECT_FALSE(contains(ls.out, "unused2")) << ls;
  EXPECT_TRUE(contains(ls.out, "used")) << ls;
}

TEST_F(Volumes, SubuidOwnedVolumeContentIsRemovable) {
  ASSERT_PC_OK(run_in({"-v", "owned:/data"},
                      {"sh", "-c", "mkdir /data/d && touch /data/d/f && chown -R 1000:1000 /data/d "
                                   "&& chmod 700 /data/d"}));
  Result rm = pc({"volume", "rm", "owned"});
  EXPECT_PC_OK(rm);
  EXPECT_FALSE(contains(pc({"volume", "ls"}).out, "owned"));
}
