// `pc run --mpi=host` as MPI ranks of the host's launcher, one container per rank: an MPI
// program compiled here with the host's mpicc runs in the busybox image with the host's
// Open MPI injected by the preset; Open MPI's shared-memory transport (vader, with
// cross-memory attach for large messages) works between the ranks' containers, and does
// not when the preset's pid/ipc view is overridden with private namespaces. Skipped,
// saying so, without mpicc and mpirun (Debian's libopenmpi-dev, openmpi-bin).
#include <sys/stat.h>

#include <iostream>

#include "harness.hpp"

using namespace pcit;

namespace {

// Hello, an 8-byte ping-pong (its one-way latency) and a 4 MiB message checked byte by
// byte: vader moves that one with process_vm_readv (CMA), which needs the peer's real pid
// and the same user namespace.
const char* kProgram = R"(#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  printf("hello rank=%d size=%d pid=%d\n", rank, size, (int)getpid());
  fflush(stdout);
  if (argc > 1 && size == 2) {
    char small[8] = {0};
    const int n = 2000;
    double t0 = 0;
    for (int i = -100; i < n; ++i) {
      if (i == 0) t0 = MPI_Wtime();
      if (rank == 0) {
        MPI_Send(small, 8, MPI_CHAR, 1, 0, MPI_COMM_WORLD);
        MPI_Recv(small, 8, MPI_CHAR, 1, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      } else {
        MPI_Recv(small, 8, MPI_CHAR, 0, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        MPI_Send(small, 8, MPI_CHAR, 0, 0, MPI_COMM_WORLD);
      }
    }
    if (rank == 0) printf("latency_us=%.2f\n", (MPI_Wtime() - t0) / n / 2 * 1e6);
    const int big = 4 << 20;
    unsigned char* b = malloc(big);
    for (int i = 0; i < big; ++i) b[i] = rank == 1 ? (unsigned char)(i * 7 + 3) : 0;
    if (rank == 1) MPI_Send(b, big, MPI_BYTE, 0, 1, MPI_COMM_WORLD);
    else MPI_Recv(b, big, MPI_BYTE, 1, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    int bad = 0;
    for (int i = 0; rank == 0 && i < big; ++i) bad += b[i] != (unsigned char)(i * 7 + 3);
    if (rank == 0) printf("large=%s\n", bad ? "corrupt" : "ok");
    fflush(stdout);
    if (bad) MPI_Abort(MPI_COMM_WORLD, 3);
  }
  MPI_Finalize();
  return 0;
}
)";

class MpiRanks : public PcTest {
 protected:
  void SetUp() override {
    Result tools = run({"sh", "-c", "command -v mpicc && command -v mpirun"});
    if (!tools.ok()) GTEST_SKIP() << "no mpicc/mpirun (Debian's libopenmpi-dev and openmpi-bin)";
    PcTest::SetUp();
    dir_ = store().dir() + "/mpi";
    ::mkdir(dir_.c_str(), 0755);
    write_file(dir_ + "/pp.c", kProgram);
    ASSERT_PC_OK(run({"mpicc", "-O2", "-o", dir_ + "/pp", dir_ + "/pp.c"}, {.timeout_s = 120}));
    // The image's C library: busybox has none, so the host's glibc and loader stand in
    // for an image built on a distribution (the preset injects the MPI, not the libc).
    Result ldd = run({"ldd", dir_ + "/pp"});
    ASSERT_PC_OK(ldd);
    for (const auto& l : lines(ldd.out)) {
      std::string path = trim(l);
      if (auto arrow = path.find("=> "); arrow != std::string::npos) path = path.substr(arrow + 3);
      path = path.substr(0, path.find(" ("));
      const std::string name = path.substr(path.rfind('/') + 1);
      if (path[0] == '/' && (name.rfind("libc.so", 0) == 0 || name.rfind("libm.so", 0) == 0 || name.rfind("ld-", 0) == 0 ||
                             name.rfind("libpthread", 0) == 0 || name.rfind("libdl.", 0) == 0 || name.rfind("librt.", 0) == 0))
        libc_flags_.insert(libc_flags_.end(), {"-v", path + ":" + path + ":ro"});
    }
  }

  // mpirun -np 2 of one `pc run` per rank; `flags` go before the image.
  Result mpirun(const std::vector<std::string>& flags, const std::map<std::string, std::string>& env,
                const std::vector<std::string>& args = {"x"}) const {
    std::vector<std::string> argv = {"mpirun", "--oversubscribe", "-np", "2"};
    std::vector<std::string> run_args = {"run", "--rm"};
    run_args.insert(run_args.end(), flags.begin(), flags.end());
    run_args.insert(run_args.end(), libc_flags_.begin(), libc_flags_.end());
    run_args.insert(run_args.end(), {"-v", dir_ + ":" + dir_ + ":ro", image(), dir_ + "/pp"});
    run_args.insert(run_args.end(), args.begin(), args.end());
    for (const auto& a : store().argv(run_args)) argv.push_back(a);
    return run(argv, {.timeout_s = 90, .env = env, .cwd = dir_});
  }

  // srun --mpi=pmix -n2 of the same: Slurm's PMIx server (slurmstepd) instead of mpirun's.
  Result srun_pmix(const std::map<std::string, std::string>& env) const {
    std::vector<std::string> argv = {"srun", "--mpi=pmix", "-n2", "--job-name=" + unique_name("pc-mpi")};
    std::vector<std::string> run_args = {"run", "--rm", "--mpi=host"};
    run_args.insert(run_args.end(), libc_flags_.begin(), libc_flags_.end());
    run_args.insert(run_args.end(), {"-v", dir_ + ":" + dir_ + ":ro", image(), dir_ + "/pp", "x"});
    for (const auto& a : store().argv(run_args)) argv.push_back(a);
    return run(argv, {.timeout_s = 90, .env = env, .cwd = dir_});
  }

  static std::string value_of(const std::string& out, const std::string& key) {
    const auto at = out.find(key + "=");
    if (at == std::string::npos) return "";
    return out.substr(at + key.size() + 1, out.find('\n', at) - at - key.size() - 1);
  }

  std::string dir_;
  std::vector<std::string> libc_flags_;
};

}  // namespace

TEST_F(MpiRanks, HelloWithTheHostsMpiInjected) {
  Result r = mpirun({"--mpi=host"}, {}, {});
  ASSERT_PC_OK(r);
  EXPECT_TRUE(contains(r.out, "hello rank=0 size=2")) << r;
  EXPECT_TRUE(contains(r.out, "hello rank=1 size=2")) << r;
  EXPECT_FALSE(contains(r.out, "pid=1\n")) << r;  // the host's pids (--pid host)
  // keep-id's fuse-overlayfs daemons are in the host's pid namespace: pc stops them.
  Result left = run({"sh", "-c", "sleep 0.3; for p in /proc/[0-9]*; do tr '\\0' ' ' < $p/cmdline 2>/dev/null; echo; done"});
  for (const auto& l : lines(left.out))
    EXPECT_FALSE(contains(l, "fuse-overlayfs") && contains(l, store().root() + "/")) << l;
}

TEST_F(MpiRanks, SharedMemoryTransportWorksAcrossContainers) {
  // vader alone (no TCP to fall back on): it must reach the other rank's container.
  Result shm = mpirun({"--mpi=host"}, {{"OMPI_MCA_btl", "self,vader"}});
  ASSERT_PC_OK(shm);
  EXPECT_EQ(value_of(shm.out, "large"), "ok") << shm;
  Result tcp = mpirun({"--mpi=host"}, {{"OMPI_MCA_btl", "self,tcp"}});
  ASSERT_PC_OK(tcp);
  std::cout << "[ latency  ] 8-byte one-way: shared memory (vader) " << value_of(shm.out, "latency_us")
            << " us, TCP " << value_of(tcp.out, "latency_us") << " us" << std::endl;
  EXPECT_FALSE(value_of(shm.out, "latency_us").empty()) << shm;
}

TEST_F(MpiRanks, PrivatePidAndIpcNamespacesBreakSharedMemory) {
  // The preset's pid/ipc view overridden: each rank is in its own pid namespace, where
  // the pid vader hands its peer for cross-memory attach names no rank (or the wrong one).
  Result r = mpirun({"--mpi=host", "--pid", "private", "--ipc", "private"}, {{"OMPI_MCA_btl", "self,vader"}});
  EXPECT_FALSE(r.ok() && value_of(r.out, "large") == "ok") << r;
}

namespace {

class MpiPresetFlags : public PcTest {
 protected:
  static bool has_mpi() { return run({"sh", "-c", "command -v mpirun"}).ok(); }
  static std::string count_containers() { return trim(pc({"ps", "-aq"}).out); }
};

}  // namespace

TEST_F(MpiPresetFlags, InspectShowsWhatThePresetApplied) {
  if (!has_mpi()) GTEST_SKIP() << "no mpirun on this host";
  const std::string name = unique_name("mpi");
  ASSERT_PC_OK(pc({"create", "--name", name, "--mpi=host", image(), "true"}));
  const std::string fmt =
      "{{.HostConfig.PidMode}} {{.HostConfig.IpcMode}} {{.HostConfig.NetworkMode}} {{.HostConfig.UsernsMode}}";
  EXPECT_EQ(trim(pc({"inspect", "--format", fmt, name}).out), "host host host keep-id");
  Result all = pc({"inspect", name});
  EXPECT_TRUE(contains(all.out, "\"/dev/shm\"")) << all;
  EXPECT_TRUE(contains(all.out, "libmpi.so.")) << all;
  EXPECT_TRUE(contains(all.out, "LD_LIBRARY_PATH=")) << all;
  // An explicit flag wins over the preset's part.
  const std::string other = unique_name("mpi");
  ASSERT_PC_OK(pc({"create", "--name", other, "--mpi=host", "--pid", "private", "--network", "none", image(), "true"}));
  EXPECT_EQ(trim(pc({"inspect", "--format", fmt, other}).out), "private host none keep-id");
}

TEST_F(MpiPresetFlags, BadValuesFailAndCreateNothing) {
  Result unknown = pc({"run", "--rm", "--mpi=nope", image(), "true"});
  EXPECT_EQ(unknown.exit_code, 125) << unknown;
  EXPECT_TRUE(contains(unknown.err, "invalid --mpi \"nope\" (valid: host)")) << unknown;
  Result missing = pc({"run", "--rm", "--mpi=host", image(), "true"}, {.env = {{"PC_MPI_LIBRARY", "/nonexistent/libmpi.so.40"}}});
  EXPECT_EQ(missing.exit_code, 125) << missing;
  EXPECT_TRUE(contains(missing.err, "PC_MPI_LIBRARY=/nonexistent/libmpi.so.40")) << missing;
  const std::string not_elf = store().dir() + "/libmpi.so.40";
  write_file(not_elf, "not a library");
  Result bad = pc({"create", "--mpi=host", image(), "true"}, {.env = {{"PC_MPI_LIBRARY", not_elf}}});
  EXPECT_EQ(bad.exit_code, 125) << bad;
  EXPECT_TRUE(contains(bad.err, "is not an ELF shared library")) << bad;
  EXPECT_EQ(count_containers(), "");
}

TEST_F(MpiRanks, SrunPmixRanksUseSharedMemory) {
  Result ping = run({"sh", "-c", "command -v srun && scontrol ping"}, {.timeout_s = 20});
  if (!ping.ok() || !contains(ping.out, "UP"))
    GTEST_SKIP() << "no Slurm cluster (run scripts/slurm-setup start as root; scripts/test does)";
  Result r = srun_pmix({{"OMPI_MCA_btl", "self,vader"}});
  ASSERT_PC_OK(r);
  EXPECT_TRUE(contains(r.out, "hello rank=1 size=2")) << r;
  EXPECT_EQ(value_of(r.out, "large"), "ok") << r;
  std::cout << "[ latency  ] srun --mpi=pmix, shared memory (vader): " << value_of(r.out, "latency_us") << " us" << std::endl;
}
