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

// Fifty runs started together, all creating the same named volume on first use: none
// fails, the volume exists once, and the image's content is copied into it once (the
// copy is under the volume's lock; a volume emptied later is not filled again, as with
// Podman's NeedsCopyUp).
TEST_F(Volumes, ParallelFirstUsesCreateAndCopyUpTheVolumeOnce) {
  Result image_passwd = run_in({}, {"sh", "-c", "wc -l < /etc/passwd"});
  ASSERT_PC_OK(image_passwd);
  std::vector<std::unique_ptr<Child>> runs;
  runs.reserve(50);
  for (int i = 0; i < 50; ++i)
    runs.push_back(store().pc_async({"run", "--rm", "-v", "shared-data:/etc", image(), "sh", "-c",
                                     "wc -l < /etc/passwd; touch /etc/seen-$HOSTNAME"},
                                    {.timeout_s = 240}));
  int failed = 0;
  for (auto& c : runs) {
    Result r = c->wait(240);
    if (!r.ok()) {
      ++failed;
      ADD_FAILURE() << r;
      continue;
    }
    // Each container sees the image's files, never a half-made copy.
    EXPECT_EQ(trim(r.out), trim(image_passwd.out)) << r;
  }
  EXPECT_EQ(failed, 0);
  Result ls = pc({"volume", "ls", "-q"});
  EXPECT_EQ(trim(ls.out), "shared-data") << ls;
  Result mp = pc({"volume", "inspect", "--format", "{{.Mountpoint}} {{.NeedsCopyUp}}", "shared-data"});
  ASSERT_PC_OK(mp);
  const std::string dir = trim(mp.out).substr(0, trim(mp.out).find(' '));
  EXPECT_TRUE(contains(mp.out, " false")) << mp;
  int seen = 0, image_files = 0;
  for (const std::string& f : list_tree(dir)) {
    if (f.rfind("seen-", 0) == 0) ++seen;
    else ++image_files;
  }
  EXPECT_EQ(seen, 50);
  Result image_etc = run_in({}, {"sh", "-c", "find /etc -mindepth 1 | wc -l"});
  EXPECT_EQ(std::to_string(image_files), trim(image_etc.out)) << "the volume holds the image's /etc once";

  // Emptied (but for the files pc mounts over /etc/hosts...), it is not filled again: the
  // copy-up happened, once.
  ASSERT_PC_OK(run_in({"-v", "shared-data:/etc"}, {"sh", "-c", "rm -rf /etc/* 2>/dev/null; true"}));
  Result after = run_in({"-v", "shared-data:/etc"}, {"sh", "-c", "test -e /etc/passwd && echo refilled; true"});
  ASSERT_PC_OK(after);
  EXPECT_EQ(trim(after.out), "") << after;
}

TEST_F(Volumes, ANewVolumeNeedsCopyUpUntilFilled) {
  ASSERT_PC_OK(pc({"volume", "create", "fresh"}));
  Result a = pc({"volume", "inspect", "--format", "{{.NeedsCopyUp}}", "fresh"});
  EXPECT_EQ(trim(a.out), "true") << a;
  // Mounted where the image has nothing: nothing to copy, still pending.
  ASSERT_PC_OK(run_in({"-v", "fresh:/nothing-here"}, {"true"}));
  EXPECT_EQ(trim(pc({"volume", "inspect", "--format", "{{.NeedsCopyUp}}", "fresh"}).out), "true");
  ASSERT_PC_OK(run_in({"-v", "fresh:/etc"}, {"true"}));
  EXPECT_EQ(trim(pc({"volume", "inspect", "--format", "{{.NeedsCopyUp}}", "fresh"}).out), "false");
}
