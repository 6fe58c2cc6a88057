#include "image_fixtures.hpp"

#include <fstream>
#include <cstring>
#include <random>

#include "harness.hpp"

namespace pcit {

const char* const kCheckScript =
    "cd /data && echo $(stat -c %u a) $(stat -c %u:%g b) $(ls opq | tr '\\n' ,) $(cat sym) $(stat -c %h a) "
    "$([ -e gone ] && echo gone || echo nogone) $(cat sub/kept)";
const char* const kCheckExpected = "1000 2000:2001 new, hello 2 nogone kept";

std::string sha256_of_file(const std::string& path) {
  Result r = run({"sha256sum", path});
  return r.ok() ? r.out.substr(0, 64) : "";
}

std::string sha256_of(const std::string& data) {
  Result r = run({"sha256sum"}, {.input = data});
  return r.ok() ? r.out.substr(0, 64) : "";
}

namespace {

std::vector<std::string> test_layers() {
  TarWriter l1;
  l1.dir("data");
  l1.file("data/a", "hello\n", 0644, 1000, 1000);
  l1.hardlink("data/a-link", "data/a");
  l1.symlink("data/sym", "a");
  l1.file("data/b", "bee\n", 0600, 2000, 2001);
  l1.file("data/gone", "to be deleted\n");
  l1.dir("data/opq");
  l1.file("data/opq/old", "hidden by an opaque dir\n");
  l1.dir("data/sub");
  l1.file("data/sub/kept", "kept\n");
  TarWriter l2;
  l2.dir("data");
  l2.file("data/.wh.gone", "");
  l2.dir("data/opq");
  l2.file("data/opq/.wh..wh..opq", "");
  l2.file("data/opq/new", "new\n");
  return {l1.finish(), l2.finish()};
}

std::string assemble(const std::string& dir, const std::string& name, std::vector<std::string> layers,
                     const std::string& comp, bool tamper, bool drop_layer) {
  run({"rm", "-rf", dir});
  run({"mkdir", "-p", dir + "/a"});
  layers.insert(layers.begin(), read_file(busybox_tar()));

  std::string diff_ids, layer_names;
  for (size_t i = 0; i < layers.size(); ++i) {
    std::string diff = sha256_of(layers[i]);
    if (tamper && i == 1) {
      auto pos = layers[i].find("hello\n");
      if (pos != std::string::npos) layers[i][pos] = 'j';
    }
    std::string fname = "layer" + std::to_string(i) + ".tar";
    std::string path = dir + "/a/" + fname;
    if (!(drop_layer && i == layers.size() - 1)) {
      write_file(path, layers[i]);
      if (comp == "gzip") run({"gzip", "-n", "-f", path}), run({"mv", path + ".gz", path});
      if (comp == "zstd") run({"zstd", "-q", "-f", "--rm", path, "-o", path + ".zst"}), run({"mv", path + ".zst", path});
    }
    diff_ids += std::string(i ? "," : "") + "\"sha256:" + diff + "\"";
    layer_names += std::string(i ? "," : "") + "\"" + fname + "\"";
  }
  std::string config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\"2024-01-02T03:04:05Z\","
                       "\"config\":{\"Env\":[\"PATH=/usr/sbin:/usr/bin:/sbin:/bin\",\"FROM_CONFIG=yes\"],"
                       "\"WorkingDir\":\"/data\",\"Cmd\":[\"sh\"],\"Labels\":{\"test\":\"multi\"}},"
                       "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[" + diff_ids + "]},"
                       "\"history\":[{\"created_by\":\"busybox\"},{\"created_by\":\"layer one\"},{\"created_by\":\"layer two\"}"
                       ",{\"created_by\":\"ENV FROM_CONFIG=yes\",\"empty_layer\":true}]}";
  std::string cfg_hex = sha256_of(config);
  write_file(dir + "/a/" + cfg_hex + ".json", config);
  write_file(dir + "/a/manifest.json", "[{\"Config\":\"" + cfg_hex + ".json\",\"RepoTags\":[\"" + name +
                                           "\"],\"Layers\":[" + layer_names + "]}]");
  std::string out = dir + "/image.tar";
  run({"tar", "-C", dir + "/a", "-cf", out, "."});
  return out;
}

}  // namespace

std::string make_test_archive(const std::string& dir, const std::string& name, const std::string& comp, bool tamper,
                              bool drop_layer) {
  return assemble(dir, name, test_layers(), comp, tamper, drop_layer);
}

std::string make_archive_with_layers(const std::string& dir, const std::string& name, const std::vector<std::string>& extra) {
  return assemble(dir, name, extra, "none", false, false);
}

std::string make_big_archive(const std::string& dir, const std::string& name, int layers, size_t bytes) {
  std::mt19937_64 rng(42);
  std::vector<std::string> out;
  for (int i = 0; i < layers; ++i) {
    std::string data(bytes, '\0');
    for (size_t j = 0; j + 8 <= bytes; j += 8) {
      uint64_t v = rng();
      std::memcpy(&data[j], &v, 8);
    }
    TarWriter t;
    t.file("big" + std::to_string(i), data);
    out.push_back(t.finish());
  }
  return assemble(dir, name, out, "none", false, false);
}

}  // namespace pcit
