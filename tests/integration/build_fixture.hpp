// The fixture of the `pc build` tests: a build context directory inside the test's store
// dir (removed with it), helpers to write files into it and to build and inspect.
#pragma once

#include <dirent.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness.hpp"

namespace pcit {

class BuildTest : public PcTest {
 protected:
  void SetUp() override {
    PcTest::SetUp();
    ctx_ = store().dir() + "/ctx";
    mkdir(ctx_.c_str(), 0755);
  }

  const std::string& ctx() const { return ctx_; }

  // Writes ctx/REL (parents made).
  void file(const std::string& rel, const std::string& content, mode_t mode = 0644) const {
    std::string path = ctx_ + "/" + rel;
    for (size_t slash = path.find('/', ctx_.size() + 1); slash != std::string::npos; slash = path.find('/', slash + 1))
      mkdir(path.substr(0, slash).c_str(), 0755);
    write_file(path, content, mode);
  }
  void containerfile(const std::string& text, const std::string& name = "Containerfile") const { file(name, text); }

  // pc build ARGS... CTX
  static Result build_in(const std::string& dir, std::vector<std::string> args, RunOpts opts = {}) {
    std::vector<std::string> a = {"build"};
    a.insert(a.end(), args.begin(), args.end());
    a.push_back(dir);
    if (opts.timeout_s == 60) opts.timeout_s = 180;
    return pc(a, opts);
  }
  Result build(std::vector<std::string> args = {}, RunOpts opts = {}) const { return build_in(ctx_, std::move(args), opts); }

  // The image id a build printed last.
  static std::string built_id(const Result& r) {
    auto ls = lines(r.out);
    return ls.empty() ? "" : trim(ls.back());
  }

  static nlohmann::json inspect(const std::string& ref) {
    Result r = pc({"image", "inspect", ref});
    if (!r.ok()) return nlohmann::json();
    nlohmann::json j = nlohmann::json::parse(r.out, nullptr, false);
    return j.is_array() && !j.empty() ? j[0] : nlohmann::json();
  }
  static nlohmann::json config(const std::string& ref) { return inspect(ref).value("Config", nlohmann::json::object()); }

  // `pc run --rm REF sh -c SCRIPT` output.
  static Result sh_in(const std::string& ref, const std::string& script) {
    return pc({"run", "--rm", "--entrypoint", "", ref, "sh", "-c", script});
  }

  static std::vector<std::string> entries(const std::string& dir) {
    std::vector<std::string> out;
    if (DIR* d = opendir(dir.c_str())) {
      while (struct dirent* e = readdir(d))
        if (std::string(e->d_name) != "." && std::string(e->d_name) != "..") out.push_back(e->d_name);
      closedir(d);
    }
    return out;
  }

  // Nothing a failed build may leave: no build container, no half-made layer, no mount.
  void expect_no_leftovers() const {
    for (const std::string sub : {"/containers", "/layers"})
      for (const auto& e : entries(store().root() + sub))
        EXPECT_EQ(e.find(".tmp-"), std::string::npos) << "left behind: " << sub << "/" << e;
    Result ps = pc({"ps", "-a", "-q"});
    EXPECT_TRUE(trim(ps.out).empty()) << ps;
    std::string mounts = read_file("/proc/self/mountinfo");
    EXPECT_FALSE(contains(mounts, store().root())) << mounts;
  }

 private:
  std::string ctx_;
};

}  // namespace pcit
