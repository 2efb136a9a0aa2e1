// A registry RoFormer opened by name (openSplitModel) from its installed pair of files, here the
// random-weight fixture roformer/bs_small under names whose stems differ, described by a registry
// file: it separates the fixture's whole input as the reference pipeline does, and reports its
// progress once per chunk of the reference's chunk schedule (manifest.json → demix_plan), which
// is what the progress bar of `split` and `run` draws.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include "core/npy.h"
#include "separate/models/sha256.h"
#include "separate/split/split_song.h"
#include "support/fixtures.h"
#include "support/run_cli.h"
#include "support/scoped_env.h"

namespace midistems::separate {
namespace {

namespace fs = std::filesystem;
using testing::ScopedEnv;

// Keeps what the separator emits, source by source.
class CollectingSink final : public StemSink {
 public:
  explicit CollectingSink(size_t sources) : stems(sources, std::vector<std::vector<float>>(2)) {}
  void write(const std::vector<AudioBuffer>& block, int64_t, int64_t) override {
    for (size_t s = 0; s < block.size(); ++s)
      for (size_t c = 0; c < 2; ++c)
        stems[s][c].insert(stems[s][c].end(), block[s].channels[c].begin(), block[s].channels[c].end());
  }
  std::vector<std::vector<std::vector<float>>> stems;  // [source][channel][frame]
};

TEST(SplitRegistryRoformer, OpensThePairByNameAndReportsProgressPerChunk) {
  MIDISTEMS_REQUIRE_FIXTURE("roformer/bs_small/stems.npy");
  MIDISTEMS_REQUIRE_FIXTURE("roformer/bs_small/manifest.json");
  const fs::path dir = testing::scratchDir("split-registry-roformer");
  const fs::path models = dir / "models";
  fs::create_directories(models);
  const fs::path ckpt = testing::fixturePath("roformer/bs_small/model.ckpt");
  const fs::path yaml = testing::fixturePath("roformer/bs_small/config.yaml");
  fs::copy_file(ckpt, models / "weights.ckpt");
  fs::copy_file(yaml, models / "settings.yaml");
  const auto hash = [](const fs::path& p) {
    const std::string bytes = testing::slurp(p);
    return sha256Hex(bytes.data(), bytes.size());
  };
  std::ofstream(dir / "registry.json") << nlohmann::json{
      {"models",
       {{{"name", "tiny"},
         {"architecture", "bs_roformer"},
         {"sources", {"vocals"}},
         {"files",
          {{{"name", "weights.ckpt"}, {"url", "http://127.0.0.1:1/w"}, {"size", fs::file_size(ckpt)}, {"sha256", hash(ckpt)}},
           {{"name", "settings.yaml"}, {"url", "http://127.0.0.1:1/s"}, {"size", fs::file_size(yaml)}, {"sha256", hash(yaml)}}}}}}}};
  ScopedEnv registry("MIDISTEMS_MODELS_REGISTRY", (dir / "registry.json").c_str());
  ScopedEnv modelsDir("MIDISTEMS_MODELS_DIR", models.c_str());

  SplitSongOptions options;
  options.model = "tiny";
  options.threads = 1;
  ::testing::internal::CaptureStderr();
  SplitModel model = openSplitModel(options);
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "split: using model tiny\n");
  ASSERT_EQ(model.separator->sources(), std::vector<std::string>{"vocals"});

  const NpyArray input = readNpy(testing::fixturePath("roformer/bs_small/input.npy"));
  const NpyArray reference = readNpy(testing::fixturePath("roformer/bs_small/stems.npy"));
  const int64_t n = input.shape[1];
  AudioBuffer mix(2, n, 44100);
  for (int64_t c = 0; c < 2; ++c) std::copy_n(input.data.begin() + c * n, n, mix.channels[size_t(c)].begin());
  CollectingSink sink(1);
  std::vector<double> progress;
  model.separator->separate(mix, sink, [&](double f) { progress.push_back(f); });

  std::ifstream manifestFile(testing::fixturePath("roformer/bs_small/manifest.json"));
  const size_t chunks = nlohmann::json::parse(manifestFile)["demix_plan"]["chunks"].size();
  ASSERT_GT(chunks, 2u);
  ASSERT_EQ(progress.size(), chunks);
  for (size_t k = 0; k < chunks; ++k) EXPECT_DOUBLE_EQ(progress[k], double(k + 1) / double(chunks)) << k;

  double worst = 0;
  for (size_t c = 0; c < 2; ++c) {
    ASSERT_EQ(int64_t(sink.stems[0][c].size()), n);
    for (int64_t i = 0; i < n; ++i)
      worst = std::max(worst, double(std::fabs(sink.stems[0][c][size_t(i)] - reference.data[size_t(int64_t(c) * n + i)])));
  }
  EXPECT_LE(worst, 2e-6);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace midistems::separate
