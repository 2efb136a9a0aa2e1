// Parity of the native HTDemucs network with the reference (PyTorch, official Demucs code) on the
// small random-weight fixtures in ../shared/fixtures/htdemucs.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "core/npy.h"
#include "nn/checkpoint.h"
#include "nn/ops/parallel.h"
#include "separate/htdemucs/model.h"
#include "support/fixtures.h"

namespace midistems::separate::htdemucs {
namespace {

using midistems::testing::fixturePath;

struct LoadedModel {
  std::unique_ptr<HTDemucsModel> model;
  size_t tensorsConsumed = 0;
};

LoadedModel loadFixtureModel(const std::string& folder) {
  const auto path = fixturePath("htdemucs/" + folder + "/htdemucs_ref.th");
  nn::Checkpoint checkpoint = nn::loadCheckpoint(path);
  const HTDemucsConfig config = HTDemucsConfig::fromKwargs(checkpoint.kwargs, path.filename().string());
  CheckpointWeights weights(std::move(checkpoint.state), path.filename().string());
  LoadedModel loaded;
  loaded.model = std::make_unique<HTDemucsModel>(config, weights);
  loaded.tensorsConsumed = weights.consumed();
  return loaded;
}

double maxAbsDiff(const std::vector<float>& a, const std::vector<float>& b) {
  double m = 0.0;
  for (size_t i = 0; i < a.size(); ++i) m = std::max(m, double(std::fabs(a[i] - b[i])));
  return m;
}

void expectSegmentParity(const std::string& folder, int threads) {
  nn::setThreads(threads);
  LoadedModel loaded = loadFixtureModel(folder);
  const NpyArray in = readNpy(fixturePath("htdemucs/" + folder + "/seg0_in.npy"));
  const NpyArray expected = readNpy(fixturePath("htdemucs/" + folder + "/seg0_out.npy"));
  const int64_t length = in.shape.back();
  std::vector<float> out(expected.data.size());
  loaded.model->forward(in.data.data(), length, out.data());
  const double err = maxAbsDiff(out, expected.data);
  double peak = 0.0;
  for (float v : expected.data) peak = std::max(peak, double(std::fabs(v)));
  std::printf("[htdemucs %s] seg0 max abs error %.3g (reference peak %.3g, %d thread(s))\n", folder.c_str(), err, peak,
              threads);
  EXPECT_LE(err, 1e-4);
}

TEST(HTDemucsModel, Small4SegmentMatchesReference) {
  MIDISTEMS_REQUIRE_FIXTURE("htdemucs/small4/htdemucs_ref.th");
  expectSegmentParity("small4", 2);
}

TEST(HTDemucsModel, Small6sSegmentMatchesReference) {
  MIDISTEMS_REQUIRE_FIXTURE("htdemucs/small6s/htdemucs_ref.th");
  expectSegmentParity("small6s", 2);
}

}  // namespace
}  // namespace midistems::separate::htdemucs
