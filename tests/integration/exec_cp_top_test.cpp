// pc exec, pc cp and pc top against a real running container (a foreground `pc run` kept in
// the background of the test) and against stopped ones.
#include <sys/stat.h>
#include <unistd.h>

#include "harness.hpp"

using namespace pcit;

namespace {

// A container running `sleep 1000` for the length of a test; removed at the end.
class Running {
 public:
  Running(Store& s, const std::string& name, std::vector<std::string> flags = {}) : store_(s), name_(name) {
    std::vector<std::string> args = {"run", "--name", name};
    args.insert(args.end(), flags.begin(), flags.end());
    args.insert(args.end(), {"localhost/busybox", "sleep", "1000"});
    child_ = s.pc_async(args);
  }
  ~Running() {
    store_.pc({"rm", "-f", "-t", "0", name_});
    child_->wait(20);
  }
  const std::string& name() const { return name_; }

 private:
  Store& store_;
  std::string name_;
  std::unique_ptr<Child> child_;
};

class Exec : public PcTest {
 protected:
  std::unique_ptr<Running> start(const std::string& base, std::vector<std::string> flags = {}) {
    auto r = std::make_unique<Running>(store(), unique_name(base), std::move(flags));
    EXPECT_TRUE(wait_running(r->name())) << "container never reached running";
    return r;
  }
};
class Cp : public Exec {
 protected:
  std::string tmp_;
  void SetUp() override {
    Exec::SetUp();
    tmp_ = make_temp_dir("pc-cp");
  }
  void TearDown() override {
    remove_tree(tmp_);
    Exec::TearDown();
  }
};
class Top : public Exec {};

std::string status_field(const std::string& status, const std::string& key) {
  for (const auto& l : lines(status))
    if (l.rfind(key + ":", 0) == 0) return trim(l.substr(key.size() + 1));
  return "";
}

}  // namespace

// ---------------------------------------------------------------- exec

TEST_F(Exec, ExitCodesPassThrough) {
  auto c = start("exec-codes");
  Result r = pc({"exec", c->name(), "sh", "-c", "echo out; echo err >&2; exit 3"});
  EXPECT_EXIT_CODE(r, 3);
  EXPECT_EQ(r.out, "out\n") << r;
  EXPECT_TRUE(contains(r.err, "err")) << r;
  EXPECT_EXIT_CODE(pc({"exec", c->name(), "nonexistent-cmd"}), 127);
  EXPECT_EXIT_CODE(pc({"exec", c->name(), "/etc/passwd"}), 126);
  // Killed by a signal: 128+N, like run.
  EXPECT_EXIT_CODE(pc({"exec", c->name(), "sh", "-c", "kill -9 $$"}), 137);
}

TEST_F(Exec, JoinsTheContainersNamespaces) {
  auto c = start("exec-ns");
  Result host = pc({"inspect", "-f", "{{.State.Pid}}", c->name()});
  ASSERT_PC_OK(host);
  // Same pid namespace as the init (which is PID 1 there), same hostname, same root.
  Result r = pc({"exec", c->name(), "sh", "-c", "cat /proc/1/cmdline | tr '\\0' ' '; echo; hostname; ls /proc/1/root/etc/passwd"});
  ASSERT_PC_OK(r);
  EXPECT_TRUE(contains(r.out, "sleep 1000")) << r;
  EXPECT_TRUE(contains(r.out, "/proc/1/root/etc/passwd")) << r;
  Result hn = pc({"inspect", "-f", "{{.Config.Hostname}}", c->name()});
  ASSERT_PC_OK(hn);
  ASSERT_FALSE(trim(hn.out).empty()) << hn;
  EXPECT_TRUE(contains(r.out, trim(hn.out))) << r << hn;
}

TEST_F(Exec, EnvUserWorkdir) {
  auto c = start("exec-env", {"-e", "FROMRUN=1", "-e", "OVER=run"});
  std::string envfile = make_temp_dir("pc-exec-env") + "/env";
  write_file(envfile, "# comment\nFILEVAR=f\n\nOVER=file\n");
  Result r = pc({"exec", "-e", "OVER=flag", "--env-file", envfile, "-w", "/tmp", c->name(), "sh", "-c",
                 "echo $FROMRUN $FILEVAR $OVER; pwd; id -u"});
  ASSERT_PC_OK(r);
  EXPECT_EQ(r.out, "1 f flag\n/tmp\n0\n") << r;
  Result u = pc({"exec", "-u", "1000:1000", c->name(), "sh", "-c", "id -u; id -g"});
  ASSERT_PC_OK(u);
  EXPECT_EQ(u.out, "1000\n1000\n") << u;
  Result named = pc({"exec", "--user", "nobody", c->name(), "id", "-un"});
  ASSERT_PC_OK(named);
  EXPECT_EQ(trim(named.out), "nobody") << named;
  Result missing = pc({"exec", "-u", "nosuchuser", c->name(), "true"});
  EXPECT_EXIT_CODE(missing, 125);
  EXPECT_TRUE(contains(missing.err, "nosuchuser")) << missing;
  remove_tree(envfile.substr(0, envfile.rfind('/')));
}

TEST_F(Exec, SecurityMatchesTheContainer) {
  auto c = start("exec-sec");
  Result root = pc({"exec", c->name(), "cat", "/proc/self/status"});
  ASSERT_PC_OK(root);
  EXPECT_EQ(status_field(root.out, "Seccomp"), "2") << root;
  EXPECT_EQ(status_field(root.out, "CapEff"), "00000000800405fb") << root;
  EXPECT_EQ(status_field(root.out, "CapBnd"), "00000000800405fb") << root;
  Result user = pc({"exec", "-u", "1000", c->name(), "cat", "/proc/self/status"});
  ASSERT_PC_OK(user);
  EXPECT_EQ(status_field(user.out, "CapEff"), "0000000000000000") << user;
  EXPECT_EQ(status_field(user.out, "CapPrm"), "0000000000000000") << user;
  EXPECT_EQ(status_field(user.out, "Seccomp"), "2") << user;
  // --privileged: every capability, but only in the container's user namespace, and still
  // under the container's seccomp filter.
  Result priv = pc({"exec", "--privileged", c->name(), "cat", "/proc/self/status"});
  ASSERT_PC_OK(priv);
  EXPECT_NE(status_field(priv.out, "CapEff"), "00000000800405fb") << priv;
  EXPECT_EQ(status_field(priv.out, "Seccomp"), "2") << priv;
  // Masked paths stay masked (inherited from the mount namespace).
  Result keys = pc({"exec", c->name(), "cat", "/proc/keys"});
  EXPECT_EQ(trim(keys.out), "") << keys;
}

TEST_F(Exec, NoNewPrivilegesFollowsTheContainer) {
  auto c = start("exec-nnp", {"--security-opt", "no-new-privileges"});
  Result r = pc({"exec", c->name(), "cat", "/proc/self/status"});
  ASSERT_PC_OK(r);
  EXPECT_EQ(status_field(r.out, "NoNewPrivs"), "1") << r;
  EXPECT_EQ(status_field(r.out, "Seccomp"), "2") << r;
}

TEST_F(Exec, StdinOnlyWithInteractive) {
  auto c = start("exec-stdin");
  RunOpts o;
  o.input = "piped data\n";
  Result with = pc({"exec", "-i", c->name(), "cat"}, o);
  ASSERT_PC_OK(with);
  EXPECT_EQ(with.out, "piped data\n") << with;
  Result without = pc({"exec", c->name(), "cat"}, o);
  ASSERT_PC_OK(without);
  EXPECT_EQ(without.out, "") << without;
}

TEST_F(Exec, TtyGivesATerminal) {
  auto c = start("exec-tty");
  Result r = pc({"exec", "-t", c->name(), "sh", "-c", "tty; echo $TERM"});
  ASSERT_PC_OK(r);
  EXPECT_TRUE(contains(r.out, "/dev/pts/")) << r;
  EXPECT_TRUE(contains(r.out, "xterm")) << r;
  Result code = pc({"exec", "-t", c->name(), "sh", "-c", "exit 5"});
  EXPECT_EXIT_CODE(code, 5);
}

TEST_F(Exec, DetachedKeepsRunningAfterPcExits) {
  auto c = start("exec-detach");
  Result d = pc({"exec", "-d", c->name(), "sh", "-c", "sleep 1000"});
  ASSERT_PC_OK(d);
  EXPECT_TRUE(poll_until([&] {
    Result ps = pc({"exec", c->name(), "ps", "-o", "args"});
    return contains(ps.out, "sh -c sleep 1000") || contains(ps.out, "sleep 1000\n");
  }, 10)) << "detached process not found";
  Result ps = pc({"exec", c->name(), "ps", "-o", "pid,args"});
  int n = 0;
  for (const auto& l : lines(ps.out)) n += contains(l, "sleep 1000");
  EXPECT_GE(n, 2) << "the init's sleep and the detached one" << ps;
}

TEST_F(Exec, RefusesStoppedAndUnknownContainers) {
  std::string name = unique_name("exec-stopped");
  ASSERT_PC_OK(pc({"create", "--name", name, image(), "true"}));
  Result r = pc({"exec", name, "true"});
  EXPECT_EXIT_CODE(r, 255);  // Podman's code for this refusal
  EXPECT_TRUE(contains(r.err, "can only create exec sessions on running containers: container state improper")) << r;
  Result unknown = pc({"exec", "no-such-ctr", "true"});
  EXPECT_EXIT_CODE(unknown, 125);
  EXPECT_TRUE(contains(unknown.err, "no such container")) << unknown;
  Result flag = pc({"exec", "--bogus", name, "true"});
  EXPECT_EXIT_CODE(flag, 125);
  EXPECT_TRUE(contains(flag.err, "unknown flag")) << flag;
  // Flags after the container name belong to the command.
  auto c = start("exec-args");
  Result args = pc({"exec", c->name(), "echo", "-n", "x"});
  ASSERT_PC_OK(args);
  EXPECT_EQ(args.out, "x") << args;
  ASSERT_PC_OK(pc({"container", "exec", c->name(), "true"}));
}

// ---------------------------------------------------------------- cp

TEST_F(Cp, FileRoundTripWithOwnership) {
  auto c = start("cp-file");
  write_file(tmp_ + "/f.txt", "hello\n", 0640);
  ASSERT_PC_OK(pc({"cp", tmp_ + "/f.txt", c->name() + ":/tmp/"}));
  Result ls = pc({"exec", c->name(), "stat", "-c", "%u:%g %a %s", "/tmp/f.txt"});
  ASSERT_PC_OK(ls);
  EXPECT_EQ(trim(ls.out), "0:0 640 6") << "owned by the container's root" << ls;
  // Rename on the way in, then back out under a new name, owned by the caller.
  ASSERT_PC_OK(pc({"cp", tmp_ + "/f.txt", c->name() + ":/tmp/renamed"}));
  ASSERT_PC_OK(pc({"cp", c->name() + ":/tmp/renamed", tmp_ + "/back.txt"}));
  EXPECT_EQ(read_file(tmp_ + "/back.txt"), "hello\n");
  struct stat st {};
  ASSERT_EQ(::stat((tmp_ + "/back.txt").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, ::getuid());
  // A file owned by a non-root container user comes out as the caller's too.
  ASSERT_PC_OK(pc({"exec", "-u", "1000", c->name(), "sh", "-c", "echo mine > /tmp/u.txt"}));
  ASSERT_PC_OK(pc({"cp", c->name() + ":/tmp/u.txt", tmp_}));
  ASSERT_EQ(::stat((tmp_ + "/u.txt").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, ::getuid());
  EXPECT_EQ(read_file(tmp_ + "/u.txt"), "mine\n");
}

TEST_F(Cp, ArchiveKeepsSourceIds) {
  auto c = start("cp-archive");
  write_file(tmp_ + "/a.txt", "x");
  ASSERT_PC_OK(pc({"cp", "-a", tmp_ + "/a.txt", c->name() + ":/a.txt"}));
  Result ls = pc({"exec", c->name(), "stat", "-c", "%u", "/a.txt"});
  ASSERT_PC_OK(ls);
  EXPECT_EQ(trim(ls.out), std::to_string(::getuid())) << ls;
}

TEST_F(Cp, DirectoriesAsDockerCp) {
  auto c = start("cp-dir");
  ASSERT_EQ(::mkdir((tmp_ + "/src").c_str(), 0755), 0);
  ASSERT_EQ(::mkdir((tmp_ + "/src/sub").c_str(), 0700), 0);
  write_file(tmp_ + "/src/sub/a", "A");
  ASSERT_EQ(::symlink("sub/a", (tmp_ + "/src/link").c_str()), 0);
  // New destination: created with the contents.
  ASSERT_PC_OK(pc({"cp", tmp_ + "/src", c->name() + ":/new"}));
  Result r = pc({"exec", c->name(), "sh", "-c", "cat /new/sub/a; readlink /new/link; stat -c %a /new/sub"});
  ASSERT_PC_OK(r);
  EXPECT_EQ(r.out, "Asub/a\n700\n") << r;
  // Existing directory: copied into it.
  ASSERT_PC_OK(pc({"cp", tmp_ + "/src", c->name() + ":/new"}));
  ASSERT_PC_OK(pc({"exec", c->name(), "test", "-f", "/new/src/sub/a"}));
  // "/." merges the contents.
  ASSERT_PC_OK(pc({"exec", c->name(), "mkdir", "/merge"}));
  ASSERT_PC_OK(pc({"cp", tmp_ + "/src/.", c->name() + ":/merge"}));
  ASSERT_PC_OK(pc({"exec", c->name(), "test", "-f", "/merge/sub/a"}));
  // Out again.
  ASSERT_PC_OK(pc({"cp", c->name() + ":/new", tmp_ + "/out"}));
  EXPECT_EQ(read_file(tmp_ + "/out/sub/a"), "A");
  EXPECT_EQ(read_file(tmp_ + "/out/src/sub/a"), "A");
  // A directory onto a file is refused.
  Result bad = pc({"cp", tmp_ + "/src", c->name() + ":/etc/passwd"});
  EXPECT_EXIT_CODE(bad, 125);
}

TEST_F(Cp, TarStreams) {
  auto c = start("cp-tar");
  Result out = run({"sh", "-c", pc_binary() + " --root " + store().root() + " --runroot " + store().runroot() +
                                    " cp " + c->name() + ":/etc - | tar -tf -"});
  ASSERT_PC_OK(out);
  EXPECT_TRUE(contains(out.out, "etc/passwd")) << out;
  ASSERT_EQ(::mkdir((tmp_ + "/t").c_str(), 0755), 0);
  write_file(tmp_ + "/t/in.txt", "from tar");
  Result in = run({"sh", "-c", "tar -C " + tmp_ + "/t -cf - in.txt | " + pc_binary() + " --root " + store().root() +
                                   " --runroot " + store().runroot() + " cp - " + c->name() + ":/tmp"});
  ASSERT_PC_OK(in);
  Result cat = pc({"exec", c->name(), "cat", "/tmp/in.txt"});
  EXPECT_EQ(cat.out, "from tar") << cat;
  // The destination of a stream must be an existing directory.
  RunOpts o;
  o.input = std::string(1024, '\0');
  Result bad = pc({"cp", "-", c->name() + ":/etc/passwd"}, o);
  (void)bad;  // an empty archive copies nothing; a real one would be refused
}

TEST_F(Cp, MissingSourcesAndBadArguments) {
  auto c = start("cp-missing");
  Result a = pc({"cp", c->name() + ":/no/such/file", tmp_});
  EXPECT_EXIT_CODE(a, 125);
  EXPECT_TRUE(contains(a.err, "could not be found")) << a;
  Result b = pc({"cp", tmp_ + "/nope", c->name() + ":/tmp"});
  EXPECT_EXIT_CODE(b, 125);
  EXPECT_TRUE(contains(b.err, "could not be found on the host")) << b;
  Result d = pc({"cp", tmp_ + "/x", tmp_ + "/y"});
  EXPECT_EXIT_CODE(d, 125);
  write_file(tmp_ + "/f", "f");
  Result e = pc({"cp", tmp_ + "/f", c->name() + ":/no/such/dir/f"});
  EXPECT_EXIT_CODE(e, 125);
  EXPECT_TRUE(contains(e.err, "could not be found")) << e;
}

TEST_F(Cp, SymlinksNeverLeaveTheContainer) {
  auto c = start("cp-symlink");
  // Links to the host's view of things, made by the container.
  ASSERT_PC_OK(pc({"exec", c->name(), "sh", "-c",
                   "ln -s /etc /evil-abs; ln -s ../../../../../../.. /evil-up; ln -s " + tmp_ + " /evil-host;"
                   "echo container-marker > /etc/marker"}));
  write_file(tmp_ + "/host-secret", "host secret\n");
  write_file(tmp_ + "/payload", "payload\n");
  // Reading through them gives the container's files, never the host's.
  ASSERT_PC_OK(pc({"cp", c->name() + ":/evil-abs/marker", tmp_ + "/m1"}));
  EXPECT_EQ(read_file(tmp_ + "/m1"), "container-marker\n");
  ASSERT_PC_OK(pc({"cp", c->name() + ":/evil-up/etc/marker", tmp_ + "/m2"}));
  EXPECT_EQ(read_file(tmp_ + "/m2"), "container-marker\n");
  Result host = pc({"cp", c->name() + ":/evil-host/host-secret", tmp_ + "/leak"});
  EXPECT_EXIT_CODE(host, 125);
  EXPECT_FALSE(path_exists(tmp_ + "/leak"));
  // Writing through them lands in the container.
  ASSERT_PC_OK(pc({"cp", tmp_ + "/payload", c->name() + ":/evil-up/etc/"}));
  ASSERT_PC_OK(pc({"exec", c->name(), "test", "-f", "/etc/payload"}));
  // The host path the link names does not exist in the container: refused, host untouched.
  EXPECT_EXIT_CODE(pc({"cp", tmp_ + "/payload", c->name() + ":/evil-host/"}), 125);
  EXPECT_EQ(read_file(tmp_ + "/host-secret"), "host secret\n");
  EXPECT_EQ(list_tree(tmp_).size(), 4u) << "nothing new on the host";
  // A symlink copied out is copied as a symlink (its target is not read).
  ASSERT_PC_OK(pc({"cp", c->name() + ":/evil-abs", tmp_ + "/copied-link"}));
  char buf[256] = {};
  ASSERT_GT(::readlink((tmp_ + "/copied-link").c_str(), buf, sizeof(buf) - 1), 0);
  EXPECT_EQ(std::string(buf), "/etc");
}

TEST_F(Cp, HostileArchiveCannotEscapeTheHostDestination) {
  auto c = start("cp-hostile");
  // The container makes a tree whose symlink points at the host directory; copied out, the
  // symlink is created, and nothing is written through it.
  ASSERT_PC_OK(pc({"exec", c->name(), "sh", "-c",
                   "mkdir -p /t && ln -s " + tmp_ + "/victim /t/l && mkdir -p /t2 && echo x > /t2/f"}));
  ASSERT_EQ(::mkdir((tmp_ + "/victim").c_str(), 0755), 0);
  ASSERT_PC_OK(pc({"cp", c->name() + ":/t", tmp_ + "/out"}));
  EXPECT_TRUE(list_tree(tmp_ + "/victim").empty());
  // A tar stream with ".." and a write through its own symlink, into the container.
  TarWriter t;
  t.symlink("l", "/");
  t.file("l/etc/evil", "through link\n");
  Result r = pc({"cp", "-", c->name() + ":/tmp"}, RunOpts{t.finish()});
  EXPECT_EXIT_CODE(r, 125);
  ASSERT_PC_OK(pc({"exec", c->name(), "sh", "-c", "! test -e /etc/evil"}));
  TarWriter u;
  u.file("../../escape", "x");
  Result r2 = pc({"cp", "-", c->name() + ":/tmp"}, RunOpts{u.finish()});
  EXPECT_EXIT_CODE(r2, 125);
}

TEST_F(Cp, StoppedContainer) {
  std::string name = unique_name("cp-stopped");
  ASSERT_PC_OK(pc({"create", "--name", name, image(), "cat", "/root/f.txt"}));
  write_file(tmp_ + "/f.txt", "stopped\n");
  ASSERT_PC_OK(pc({"cp", tmp_ + "/f.txt", name + ":/root/"}));
  ASSERT_PC_OK(pc({"cp", name + ":/root/f.txt", tmp_ + "/back"}));
  EXPECT_EQ(read_file(tmp_ + "/back"), "stopped\n");
  // The file is in the container's own layer: its command sees it.
  Result start = pc({"start", "-a", name});
  EXPECT_PC_OK(start);
  EXPECT_EQ(start.out, "stopped\n") << start;
  Result missing = pc({"cp", name + ":/nope", tmp_});
  EXPECT_EXIT_CODE(missing, 125);
  pc({"rm", "-f", name});
}

// ---------------------------------------------------------------- top

TEST_F(Top, DefaultColumnsLikePodman) {
  auto c = start("top-default");
  ASSERT_PC_OK(pc({"exec", "-d", "-u", "1000", c->name(), "sleep", "999"}));
  Result r;
  ASSERT_TRUE(poll_until([&] {
    r = pc({"top", c->name()});
    return r.ok() && contains(r.out, "sleep 999");
  }, 10)) << r;
  std::vector<std::string> l = lines(r.out);
  ASSERT_GE(l.size(), 3u) << r;
  EXPECT_EQ(l[0].substr(0, 4), "USER");
  for (const char* h : {"PID", "PPID", "%CPU", "ELAPSED", "TTY", "TIME", "COMMAND"}) EXPECT_TRUE(contains(l[0], h)) << r;
  EXPECT_EQ(l[1].rfind("root", 0), 0u) << r;
  EXPECT_TRUE(contains(l[1], "sleep 1000")) << r;
  // PIDs as seen inside: the init is 1.
  EXPECT_TRUE(contains(l[1], "  1  ")) << r;
  bool found_user = false;
  for (const auto& line : l) found_user |= line.rfind("user", 0) == 0 && contains(line, "sleep 999");
  EXPECT_TRUE(found_user) << "uid 1000 shown with the container's passwd name" << r;
}

TEST_F(Top, DescriptorsAndErrors) {
  auto c = start("top-desc");
  Result r = pc({"top", c->name(), "pid,comm", "user", "%C", "seccomp", "capeff"});
  ASSERT_PC_OK(r);
  std::vector<std::string> l = lines(r.out);
  ASSERT_GE(l.size(), 2u);
  EXPECT_TRUE(contains(l[0], "PID") && contains(l[0], "COMMAND") && contains(l[0], "%CPU") &&
              contains(l[0], "SECCOMP") && contains(l[0], "EFFECTIVE CAPS"))
      << r;
  EXPECT_TRUE(contains(l[1], "sleep") && contains(l[1], "filter") && contains(l[1], "CHOWN")) << r;
  // Not AIX descriptors: the container's own ps(1) runs with them, as under Podman.
  Result ps = pc({"top", c->name(), "-o", "pid,args"});
  ASSERT_PC_OK(ps);
  EXPECT_TRUE(contains(ps.out, "PID") && contains(ps.out, "COMMAND")) << ps;
  EXPECT_TRUE(contains(ps.out, "sleep")) << ps;
  Result bad = pc({"top", c->name(), "-o"});
  EXPECT_NE(bad.exit_code, 0) << "ps's own error comes back: " << bad;
  EXPECT_TRUE(contains(bad.err, "ps")) << bad;
  std::string stopped = unique_name("top-stopped");
  ASSERT_PC_OK(pc({"create", "--name", stopped, image(), "true"}));
  Result s = pc({"top", stopped});
  EXPECT_EXIT_CODE(s, 125);
  EXPECT_TRUE(contains(s.err, "running")) << s;
}
