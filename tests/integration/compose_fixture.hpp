// The compose runtime tests' fixture: a store of its own (PcTest, with localhost/busybox),
// a project directory and a random project name per test, and the project taken down
// (containers, pod, volumes) at the end whatever the test left.
#pragma once

#include <string>
#include <vector>

#include "harness.hpp"
#include "network_fixtures.hpp"

namespace pcit {

class ComposeProject : public net::NetworkTest {
 protected:
  void SetUp() override {
    net::NetworkTest::SetUp();
    dir_ = make_temp_dir("pc-compose-");
    project_ = "p" + random_suffix();
  }
  void TearDown() override {
    store().pc({"compose", "-p", project_, "--project-directory", dir_, "down", "-v", "-t", "0", "--remove-orphans"},
               {.timeout_s = 120, .cwd = dir_});
    remove_tree(dir_);
    net::NetworkTest::TearDown();
  }
  // Writes a file of the project (compose.yaml by default).
  void file(const std::string& yaml, const std::string& name = "compose.yaml") { write_file(dir_ + "/" + name, yaml); }
  // pc compose -p PROJECT ARGS, in the project directory.
  Result compose(const std::vector<std::string>& args, RunOpts opts = {}) {
    std::vector<std::string> all = {"compose", "-p", project_};
    all.insert(all.end(), args.begin(), args.end());
    opts.cwd = dir_;
    if (opts.timeout_s == 60) opts.timeout_s = 120;
    return store().pc(all, opts);
  }
  static std::string state_of(const std::string& name) {
    Result r = pc({"inspect", "--format", "{{.State.Status}}", name});
    return r.ok() ? trim(r.out) : "?" + r.err;
  }
  // Docker Compose's container name: PROJECT-SERVICE-N.
  std::string ctr(const std::string& service, int n = 1) { return project_ + "-" + service + "-" + std::to_string(n); }
  std::string dir_, project_;
};

}  // namespace pcit
