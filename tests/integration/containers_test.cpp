// Containers: ps, rm, inspect (JSON keys and Go templates), management forms, crashes of
// the monitor, and many runs in parallel on one store.
#include <signal.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "harness.hpp"

using namespace pcit;
using json = nlohmann::json;

namespace {

class Ps : public PcTest {};
class Rm : public PcTest {};
class Inspect : public PcTest {};
class ContainerCmd : public PcTest {};
class Robustness : public PcTest {};

bool is_hex(const std::string& s) {
  return !s.empty() && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

// Names from `ps --format json`: podman gives "Names": ["x"]; accept a string too.
std::vector<std::string> json_names(const json& c) {
  std::vector<std::string> v;
  if (!c.contains("Names")) return v;
  if (c["Names"].is_array())
    for (auto& n : c["Names"]) v.push_back(n.get<std::string>());
  else if (c["Names"].is_string())
    v.push_back(c["Names"].get<std::string>());
  return v;
}

}  // namespace

// ---------------------------------------------------------------- ps

TEST_F(Ps, AllShowsExitedContainerDefaultHidesIt) {
  std::string name = unique_name("exited");
  ASSERT_PC_OK(pc({"run", "--name", name, image(), "true"}));
  Result all = pc({"ps", "-a"});
  ASSERT_PC_OK(all);
  EXPECT_TRUE(contains(all.out, name)) << all;
  EXPECT_TRUE(contains(all.out, "CONTAINER ID")) << "podman-style header" << all;
  EXPECT_TRUE(contains(all.out, "Exited (0)")) << all;
  Result running = pc({"ps"});
  ASSERT_PC_OK(running);
  EXPECT_FALSE(contains(running.out, name)) << running;
}

TEST_F(Ps, ShowsRunningContainer) {
  std::string name = unique_name("running");
  auto child = store().pc_async({"run", "--rm", "--name", name, image(), "sh", "-c",
                                 "echo ready; sleep 300"});
  ASSERT_TRUE(child->wait_for_output("ready", 30)) << child->wait(1);
  ASSERT_TRUE(wait_running(name)) << "never reached state running";
  Result r = pc({"ps", "--format", "{{.Names}} {{.Status}}"});
  ASSERT_PC_OK(r);
  EXPECT_TRUE(contains(r.out, name + " Up")) << r;
  child->signal(SIGKILL);  // kill the monitor; the payload must go with it
  child->wait(30);
  pc({"rm", "-f", name});
}

TEST_F(Ps, QuietPrintsShortIds) {
  std::string name = unique_name("q");
  ASSERT_PC_OK(pc({"run", "--name", name, image(), "true"}));
  Result r = pc({"ps", "-a", "-q"});
  ASSERT_PC_OK(r);
  auto ls = lines(r.out);
  ASSERT_EQ(ls.size(), 1u) << r;
  EXPECT_EQ(trim(ls[0]).size(), 12u) << r;
  EXPECT_TRUE(is_hex(trim(ls[0]))) << r;
  Result full = pc({"ps", "-a", "-q", "--no-trunc"});
  ASSERT_PC_OK(full);
  ASSERT_EQ(lines(full.out).size(), 1u) << full;
  EXPECT_EQ(trim(full.out).size(), 64u) << full;
  EXPECT_TRUE(is_hex(trim(full.out))) << full;
  EXPECT_EQ(trim(full.out).substr(0, 12), trim(ls[0]));
}

TEST_F(Ps, FormatJson) {
  std::string name = unique_name("js");
  EXPECT_EXIT_CODE(pc({"run", "--name", name, image(), "sh", "-c", "exit 4"}), 4);
  Result r = pc({"ps", "-a", "--format", "json"});
  ASSERT_PC_OK(r);
  json j = json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r;
  ASSERT_TRUE(j.is_array()) << r;
  ASSERT_EQ(j.size(), 1u) << r;
  auto names = json_names(j[0]);
  ASSERT_EQ(names.size(), 1u) << r;
  EXPECT_EQ(names[0], name);
  ASSERT_TRUE(j[0].contains("Id")) << r;
  EXPECT_EQ(j[0]["Id"].get<std::string>().size(), 64u) << r;
  ASSERT_TRUE(j[0].contains("State")) << r;
  EXPECT_EQ(j[0]["State"], "exited") << r;
  EXPECT_EQ(j[0].value("ExitCode", -1), 4) << r;
  EXPECT_TRUE(j[0].contains("Image")) << r;
  EXPECT_TRUE(j[0].contains("Command")) << r;
}

TEST_F(Ps, FormatEmptyJsonIsEmptyArray) {
  Result r = pc({"ps", "-a", "--format", "json"});
  ASSERT_PC_OK(r);
  json j = json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r;
  EXPECT_TRUE(j.is_array() && j.empty()) << r;
}

TEST_F(Ps, FormatGoTemplate) {
  std::string name = unique_name("tpl");
  Result run = pc({"run", "--name", name, image(), "sh", "-c", "exit 3"});
  EXPECT_EXIT_CODE(run, 3);
  Result r = pc({"ps", "-a", "--format", "{{.Names}} {{.Status}}"});
  ASSERT_PC_OK(r);
  auto ls = lines(r.out);
  ASSERT_EQ(ls.size(), 1u) << r;
  EXPECT_EQ(ls[0].rfind(name + " Exited (3) ", 0), 0u) << r;
  Result ids = pc({"ps", "-a", "--format", "{{.ID}}:{{.Image}}"});
  ASSERT_PC_OK(ids);
  EXPECT_TRUE(contains(ids.out, ":localhost/busybox")) << ids;
  Result tbl = pc({"ps", "-a", "--format", "table {{.Names}}"});
  ASSERT_PC_OK(tbl);
  EXPECT_TRUE(contains(tbl.out, "NAMES")) << tbl;
  EXPECT_TRUE(contains(tbl.out, name)) << tbl;
}

TEST_F(Ps, NoTruncShowsFullIdAndCommand) {
  std::string name = unique_name("nt");
  ASSERT_PC_OK(pc({"run", "--name", name, image(), "echo",
                   "a-rather-long-argument-that-would-be-truncated-in-the-table"}));
  Result r = pc({"ps", "-a", "--no-trunc"});
  ASSERT_PC_OK(r);
  std::string id = trim(pc({"inspect", "--format", "{{.Id}}", name}).out);
  ASSERT_EQ(id.size(), 64u);
  EXPECT_TRUE(contains(r.out, id)) << r;
  EXPECT_TRUE(contains(r.out, "a-rather-long-argument-that-would-be-truncated-in-the-table")) << r;
  Result t = pc({"ps", "-a"});
  EXPECT_FALSE(contains(t.out, id)) << "the default table truncates the id" << t;
  EXPECT_TRUE(contains(t.out, id.substr(0, 12))) << t;
}

// ---------------------------------------------------------------- rm

TEST_F(Rm, RemovesSeveral) {
  std::string a = unique_name("a"), b = unique_name("b"), c = unique_name("c");
  for (auto& n : {a, b, c}) ASSERT_PC_OK(pc({"run", "--name", n, image(), "true"}));
  Result r = pc({"rm", a, b});
  EXPECT_PC_OK(r);
  Result ps = pc({"ps", "-a", "--format", "{{.Names}}"});
  EXPECT_FALSE(contains(ps.out, a)) << ps;
  EXPECT_FALSE(contains(ps.out, b)) << ps;
  EXPECT_TRUE(contains(ps.out, c)) << ps;
  // by id prefix too
  std::string id = trim(pc({"inspect", "--format", "{{.Id}}", c}).out);
  EXPECT_PC_OK(pc({"rm", id.substr(0, 12)}));
  EXPECT_TRUE(trim(pc({"ps", "-a", "-q"}).out).empty());
}

TEST_F(Rm, UnknownContainerFails) {
  Result r = pc({"rm", "no-such-container"});
  EXPECT_NE(r.exit_code, 0) << r;
  EXPECT_EQ(r.exit_code, 1) << "podman: 1 for no such container" << r;
  EXPECT_TRUE(contains(r.err, "no-such-container")) << r;
}

TEST_F(Rm, ForceRemovesRunningContainer) {
  std::string name = unique_name("busy");
  auto child = store().pc_async({"run", "--name", name, image(), "sh", "-c", "echo ready; sleep 300"});
  ASSERT_TRUE(child->wait_for_output("ready", 30)) << child->wait(1);
  ASSERT_TRUE(wait_running(name)) << "never reached state running";
  Result norm = pc({"rm", name});
  EXPECT_NE(norm.exit_code, 0) << "rm of a running container needs -f" << norm;
  Result f = pc({"rm", "-f", name}, {.timeout_s = 60});
  EXPECT_PC_OK(f);
  Result r = child->wait(30);  // the foreground pc returns once its container is gone
  EXPECT_FALSE(r.timed_out) << r;
  EXPECT_FALSE(contains(pc({"ps", "-a"}).out, name));
}

TEST_F(Rm, ContainerPrune) {
  std::string a = unique_name("p1"), b = unique_name("p2");
  ASSERT_PC_OK(pc({"run", "--name", a, image(), "true"}));
  ASSERT_PC_OK(pc({"run", "--name", b, image(), "true"}));
  Result r = pc({"container", "prune", "-f"});
  EXPECT_PC_OK(r);
  EXPECT_TRUE(trim(pc({"ps", "-a", "-q"}).out).empty());
}

// ---------------------------------------------------------------- inspect

TEST_F(Inspect, PodmanKeys) {
  std::string name = unique_name("insp");
  std::string dir = make_temp_dir("pc-it-insp-");
  Result run = pc({"run", "--name", name, "-e", "FOO=bar", "-v", dir + ":/data:ro", image(), "sh",
                   "-c", "exit 3"});
  EXPECT_EXIT_CODE(run, 3);
  Result r = pc({"inspect", name});
  ASSERT_PC_OK(r);
  json j = json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r;
  ASSERT_TRUE(j.is_array() && j.size() == 1) << r;
  const json& c = j[0];
  ASSERT_TRUE(c.contains("Id")) << r;
  EXPECT_EQ(c["Id"].get<std::string>().size(), 64u);
  EXPECT_EQ(c.value("Name", ""), name);
  ASSERT_TRUE(c.contains("State")) << r;
  EXPECT_EQ(c["State"].value("Status", ""), "exited") << r;
  EXPECT_EQ(c["State"].value("ExitCode", -1), 3) << r;
  ASSERT_TRUE(c.contains("Config")) << r;
  ASSERT_TRUE(c["Config"].contains("Env")) << r;
  bool has_env = false;
  for (auto& e : c["Config"]["Env"]) has_env |= e == "FOO=bar";
  EXPECT_TRUE(has_env) << r;
  ASSERT_TRUE(c["Config"].contains("Cmd")) << r;
  EXPECT_EQ(c["Config"]["Cmd"], json({"sh", "-c", "exit 3"})) << r;
  ASSERT_TRUE(c.contains("Mounts") && c["Mounts"].is_array()) << r;
  bool has_mount = false;
  for (auto& m : c["Mounts"])
    has_mount |= m.value("Destination", "") == "/data" && m.value("Source", "") == dir;
  EXPECT_TRUE(has_mount) << r;
  EXPECT_TRUE(c.contains("HostConfig")) << r;
  EXPECT_TRUE(c.contains("Image")) << r;
  EXPECT_TRUE(c.contains("Created")) << r;
  remove_tree(dir);
}

TEST_F(Inspect, FormatTemplates) {
  std::string name = unique_name("fmt");
  ASSERT_PC_OK(pc({"run", "--name", name, "--label", "k=v", image(), "true"}));
  Result st = pc({"inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", name});
  ASSERT_PC_OK(st);
  EXPECT_EQ(trim(st.out), "exited 0");
  Result pid = pc({"inspect", "--format", "{{.State.Pid}}", name});
  ASSERT_PC_OK(pid);
  EXPECT_EQ(trim(pid.out), "0") << "exited container has pid 0" << pid;
  Result cfg = pc({"inspect", "--format", "{{json .Config}}", name});
  ASSERT_PC_OK(cfg);
  json j = json::parse(cfg.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << cfg;
  EXPECT_EQ(j["Cmd"], json({"true"})) << cfg;
  Result lbl = pc({"inspect", "--format", "{{index .Config.Labels \"k\"}}", name});
  ASSERT_PC_OK(lbl);
  EXPECT_EQ(trim(lbl.out), "v");
  Result nm = pc({"inspect", "--format", "{{.Name}}", name});
  EXPECT_EQ(trim(nm.out), name);
}

TEST_F(Inspect, RangeOverMounts) {
  std::string name = unique_name("rng");
  std::string d1 = make_temp_dir("pc-it-r1-"), d2 = make_temp_dir("pc-it-r2-");
  ASSERT_PC_OK(pc({"run", "--name", name, "-v", d1 + ":/one", "-v", d2 + ":/two:ro", image(), "true"}));
  Result r = pc({"inspect", "--format", "{{range .Mounts}}{{.Destination}} {{end}}", name});
  ASSERT_PC_OK(r);
  EXPECT_TRUE(contains(r.out, "/one ")) << r;
  EXPECT_TRUE(contains(r.out, "/two ")) << r;
  Result rw = pc({"inspect", "--format", "{{range .Mounts}}{{.Destination}}={{.RW}};{{end}}", name});
  EXPECT_TRUE(contains(rw.out, "/one=true;")) << rw;
  EXPECT_TRUE(contains(rw.out, "/two=false;")) << rw;
  remove_tree(d1);
  remove_tree(d2);
}

TEST_F(Inspect, RunningContainerPid) {
  std::string name = unique_name("live");
  auto child = store().pc_async({"run", "--rm", "--name", name, image(), "sh", "-c",
                                 "echo ready; sleep 300"});
  ASSERT_TRUE(child->wait_for_output("ready", 30)) << child->wait(1);
  ASSERT_TRUE(wait_running(name)) << "never reached state running";
  Result r = pc({"inspect", "-f", "{{.State.Status}} {{.State.Pid}}", name});
  ASSERT_PC_OK(r);
  auto parts = trim(r.out);
  ASSERT_EQ(parts.rfind("running ", 0), 0u) << r;
  int pid = std::stoi(parts.substr(8));
  EXPECT_GT(pid, 1);
  // the pid is a host pid of the payload (sh, or sleep when sh execs it)
  std::string cmdline = read_file("/proc/" + std::to_string(pid) + "/cmdline");
  EXPECT_TRUE(contains(cmdline, "sh") || contains(cmdline, "sleep")) << cmdline;
  pc({"rm", "-f", name}, {.timeout_s = 60});
  child->wait(30);
}

TEST_F(Inspect, UnknownIs125) {
  Result r = pc({"inspect", "no-such-thing"});
  EXPECT_NE(r.exit_code, 0) << r;
  EXPECT_TRUE(contains(r.err, "no-such-thing")) << r;
}

TEST_F(Inspect, ImageAndContainerBoth) {
  std::string name = unique_name("both");
  ASSERT_PC_OK(pc({"run", "--name", name, image(), "true"}));
  Result r = pc({"inspect", "--format", "{{.Id}}", name, image()});
  ASSERT_PC_OK(r);
  EXPECT_EQ(lines(r.out).size(), 2u) << r;
}

// ---------------------------------------------------------------- management forms

TEST_F(ContainerCmd, LsInspectRm) {
  std::string name = unique_name("mgmt");
  ASSERT_PC_OK(pc({"run", "--name", name, image(), "true"}));
  Result ls = pc({"container", "ls", "-a"});
  ASSERT_PC_OK(ls);
  EXPECT_TRUE(contains(ls.out, name)) << ls;
  Result list = pc({"container", "list", "--all"});
  EXPECT_TRUE(contains(list.out, name)) << list;
  Result insp = pc({"container", "inspect", "--format", "{{.Name}}", name});
  ASSERT_PC_OK(insp);
  EXPECT_EQ(trim(insp.out), name);
  Result rm = pc({"container", "rm", name});
  EXPECT_PC_OK(rm);
  EXPECT_FALSE(contains(pc({"ps", "-a"}).out, name));
}

// Podman's `container` group has the lifecycle commands too, and `exists`.
TEST_F(ContainerCmd, LifecycleAndExists) {
  std::string name = unique_name("mgmt-life");
  ASSERT_PC_OK(pc({"container", "create", "--name", name, image(), "sleep", "60"}));
  EXPECT_PC_OK(pc({"container", "exists", name}));
  EXPECT_EXIT_CODE(pc({"container", "exists", name + "-none"}), 1);
  ASSERT_PC_OK(pc({"container", "start", name}));
  ASSERT_TRUE(wait_running(name));
  ASSERT_PC_OK(pc({"container", "stop", "-t", "0", name}));
  Result wait = pc({"container", "wait", name});
  ASSERT_PC_OK(wait);
  EXPECT_EQ(trim(wait.out), "137") << wait;
  ASSERT_PC_OK(pc({"container", "rename", name, name + "-2"}));
  EXPECT_PC_OK(pc({"container", "exists", name + "-2"}));
  EXPECT_PC_OK(pc({"container", "rm", name + "-2"}));
  EXPECT_EXIT_CODE(pc({"container", "exists", name + "-2"}), 1);
}

// `system prune`: stopped containers and dangling images go (volumes with --volumes);
// running containers, used images and, without -f, everything stay.
TEST_F(ContainerCmd, SystemPrune) {
  std::string stopped = unique_name("prune-stopped");
  std::string running = unique_name("prune-running");
  ASSERT_PC_OK(pc({"create", "--name", stopped, "-v", "prunevol:/data", image(), "true"}));
  ASSERT_PC_OK(pc({"run", "-d", "--name", running, image(), "sleep", "60"}));
  ASSERT_PC_OK(pc({"volume", "create", "lonely"}));
  Result declined = pc({"system", "prune"}, {.input = "n\n"});
  ASSERT_PC_OK(declined);
  EXPECT_TRUE(contains(declined.out, "Are you sure you want to continue? [y/N]")) << declined;
  EXPECT_PC_OK(pc({"container", "exists", stopped}));

  Result pruned = pc({"system", "prune", "-f", "--volumes"});
  ASSERT_PC_OK(pruned);
  EXPECT_TRUE(contains(pruned.out, "Deleted Containers")) << pruned;
  EXPECT_TRUE(contains(pruned.out, "Deleted Volumes\n")) << pruned;
  EXPECT_TRUE(contains(pruned.out, "lonely")) << pruned;
  EXPECT_EXIT_CODE(pc({"container", "exists", stopped}), 1);
  EXPECT_PC_OK(pc({"container", "exists", running}));
  EXPECT_PC_OK(pc({"image", "exists", image()}));  // in use by the running container
  EXPECT_EXIT_CODE(pc({"volume", "exists", "lonely"}), 1);
  EXPECT_PC_OK(pc({"rm", "-f", "-t", "0", running}));
}

// ---------------------------------------------------------------- robustness

TEST_F(Robustness, KillDashNineOfPcDuringRun) {
  std::string name = unique_name("k9");
  auto child = store().pc_async({"run", "--name", name, image(), "sh", "-c", "echo ready; sleep 300"});
  ASSERT_TRUE(child->wait_for_output("ready", 30)) << child->wait(1);
  EXPECT_TRUE(wait_running(name)) << "never reached state running";
  std::string pid = trim(pc({"inspect", "--format", "{{.State.Pid}}", name}).out);
  child->signal(SIGKILL);
  child->wait(30);
  Result ps = pc({"ps", "-a"}, {.timeout_s = 30});
  ASSERT_PC_OK(ps);
  Result img = pc({"images"}, {.timeout_s = 30});
  EXPECT_PC_OK(img);
  EXPECT_TRUE(contains(img.out, "localhost/busybox")) << img;
  // the record is usable: it can be removed, and the name reused
  Result rm = pc({"rm", "-f", name}, {.timeout_s = 60});
  EXPECT_PC_OK(rm);
  EXPECT_FALSE(contains(pc({"ps", "-a"}).out, name));
  // whether or not the payload outlived its monitor, it is gone after rm -f
  ASSERT_FALSE(pid.empty() || pid == "0") << "no pid recorded for the running container";
  bool gone = poll_until([&] { return !path_exists("/proc/" + pid); }, 20, 50);
  EXPECT_TRUE(gone) << "payload pid " << pid << " still alive after pc rm -f";
  Result again = pc({"run", "--rm", "--name", name, image(), "true"});
  EXPECT_PC_OK(again);
}

TEST_F(Robustness, KillDashNineDuringStartupLeavesNoHalfMadeEntries) {
  for (int delay_ms : {5, 20, 60, 150}) {
    auto child = store().pc_async({"run", "--rm", image(), "true"});
    child->wait_exit(delay_ms / 1000.0);
    child->signal(SIGKILL);
    child->wait(30);
    Result ps = pc({"ps", "-a", "--format", "json"}, {.timeout_s = 30});
    ASSERT_PC_OK(ps);
    json j = json::parse(ps.out, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << ps;
    // whatever is listed must be complete enough to be inspected and removed
    for (auto& c : j) {
      std::string id = c.value("Id", "");
      EXPECT_FALSE(id.empty()) << ps;
      EXPECT_PC_OK(pc({"inspect", id}));
      EXPECT_PC_OK(pc({"rm", "-f", id}, {.timeout_s = 60}));
    }
  }
  EXPECT_PC_OK(pc({"images"}));
  EXPECT_PC_OK(pc({"run", "--rm", image(), "true"}));
}

TEST_F(Robustness, TwentyParallelRunsOnOneStore) {
  Store fresh;
  ASSERT_TRUE(fresh.import_busybox());
  std::vector<std::unique_ptr<Child>> kids;
  for (int i = 0; i < 20; ++i)
    kids.push_back(fresh.pc_async(
        {"run", "--rm", "localhost/busybox", "sh", "-c", "echo run-" + std::to_string(i)}));
  for (int i = 0; i < 20; ++i) {
    Result r = kids[i]->wait(180);
    EXPECT_PC_OK(r);
    EXPECT_EQ(r.out, "run-" + std::to_string(i) + "\n") << r;
  }
  Result ps = fresh.pc({"ps", "-a", "-q"});
  ASSERT_PC_OK(ps);
  EXPECT_TRUE(trim(ps.out).empty()) << "--rm containers left behind" << ps;
  // nothing left in containers/ either (allowing a few seconds for a cleanup that pc
  // may finish after the foreground process returned): the removal queue empty, only it
  // and its lock remain
  auto count_top = [&] {
    size_t top = 0;
    for (auto& p : list_tree(fresh.root() + "/containers"))
      if (p != ".removing" && p != ".removing.lock" && (p.find('/') == std::string::npos || p.rfind(".removing/", 0) == 0))
        ++top;
    return top;
  };
  poll_until([&] { return count_top() == 0; }, 10, 50);
  EXPECT_EQ(count_top(), 0u) << "leftover container directories";
}

TEST_F(Robustness, ParallelNamedRunsGetUniqueNames) {
  std::string name = unique_name("race");
  std::vector<std::unique_ptr<Child>> kids;
  for (int i = 0; i < 6; ++i)
    kids.push_back(store().pc_async({"run", "--name", name, image(), "true"}));
  int ok = 0, in_use = 0;
  for (auto& k : kids) {
    Result r = k->wait(120);
    if (r.ok())
      ++ok;
    else if (r.exit_code == 125)
      ++in_use;
    else
      ADD_FAILURE() << r;
  }
  EXPECT_EQ(ok, 1);
  EXPECT_EQ(in_use, 5);
  EXPECT_EQ(lines(pc({"ps", "-a", "--format", "{{.Names}}"}).out).size(), 1u);
}
