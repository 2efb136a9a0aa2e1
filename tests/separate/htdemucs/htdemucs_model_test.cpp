// Parity of the native HTDemucs network with the reference (PyTorch, official Demucs code) on the
// small random-weight fixtures in ../shared/fixtures/htdemucs.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "core/error.h"
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

struct Segment {
  NpyArray in, expected;
};

Segment readSegment(const std::string& folder) {
  return {readNpy(fixturePath("htdemucs/" + folder + "/seg0_in.npy")),
          readNpy(fixturePath("htdemucs/" + folder + "/seg0_out.npy"))};
}

std::vector<float> runSegment(HTDemucsModel& model, const Segment& seg, int threads) {
  nn::setThreads(threads);
  std::vector<float> out(seg.expected.data.size());
  model.forward(seg.in.data.data(), seg.in.shape.back(), out.data());
  return out;
}

double peakOf(const std::vector<float>& v) {
  double peak = 0.0;
  for (float x : v) peak = std::max(peak, double(std::fabs(x)));
  return peak;
}

TEST(HTDemucsModel, Small4SegmentMatchesReferenceWithOneAndTwoThreads) {
  MIDISTEMS_REQUIRE_FIXTURE("htdemucs/small4/htdemucs_ref.th");
  LoadedModel loaded = loadFixtureModel("small4");
  const Segment seg = readSegment("small4");
  const auto one = runSegment(*loaded.model, seg, 1);
  const auto two = runSegment(*loaded.model, seg, 2);
  const double err1 = maxAbsDiff(one, seg.expected.data), err2 = maxAbsDiff(two, seg.expected.data);
  const double threadDiff = maxAbsDiff(one, two);
  std::printf("[htdemucs small4] seg0 max abs error %.3g (1 thread), %.3g (2 threads); 1 vs 2 threads %.3g; "
              "reference peak %.3g\n", err1, err2, threadDiff, peakOf(seg.expected.data));
  EXPECT_LE(err1, 1e-4);
  EXPECT_LE(err2, 1e-4);
  EXPECT_LE(threadDiff, 1e-5);
}

TEST(HTDemucsModel, Small6sSegmentMatchesReference) {
  MIDISTEMS_REQUIRE_FIXTURE("htdemucs/small6s/htdemucs_ref.th");
  LoadedModel loaded = loadFixtureModel("small6s");
  EXPECT_EQ(loaded.model->numSources(), 6);
  EXPECT_FALSE(loaded.model->channel_upsampler.has_value()) << "htdemucs_6s has bottom_channels 0";
  const Segment seg = readSegment("small6s");
  const double err = maxAbsDiff(runSegment(*loaded.model, seg, 2), seg.expected.data);
  std::printf("[htdemucs small6s] seg0 max abs error %.3g (reference peak %.3g)\n", err, peakOf(seg.expected.data));
  EXPECT_LE(err, 1e-4);
}

TEST(HTDemucsModel, EveryCheckpointKeyMapsToOneModelTensor) {
  MIDISTEMS_REQUIRE_FIXTURE("htdemucs/small4/htdemucs_ref.th");
  const auto path = fixturePath("htdemucs/small4/htdemucs_ref.th");
  const nn::Checkpoint checkpoint = nn::loadCheckpoint(path);
  const HTDemucsConfig config = HTDemucsConfig::fromKwargs(checkpoint.kwargs, "small4");
  {
    CheckpointWeights weights(checkpoint.state, "small4");
    HTDemucsModel model(config, weights);  // finish() throws if any key is left over
    EXPECT_EQ(weights.consumed(), checkpoint.state.size());
    EXPECT_EQ(weights.consumed(), 533u);  // manifest.json: state_tensors
  }
  auto expectError = [&](std::map<std::string, nn::LoadedTensor> state, const std::string& mention) {
    CheckpointWeights weights(std::move(state), "small4.th");
    try {
      HTDemucsModel model(config, weights);
      ADD_FAILURE() << "no error for " << mention;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(mention), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("small4.th"), std::string::npos) << e.what();
    }
  };
  auto missing = checkpoint.state;
  missing.erase("crosstransformer.layers_t.3.norm3.bias");
  expectError(missing, "crosstransformer.layers_t.3.norm3.bias");
  auto extra = checkpoint.state;
  extra["decoder.0.norm2.weight"] = nn::LoadedTensor{{64}, std::vector<float>(64, 1.0f)};
  expectError(extra, "decoder.0.norm2.weight");
  auto misShaped = checkpoint.state;
  misShaped["tencoder.2.conv.weight"].shape = {32, 16, 4, 2};
  expectError(misShaped, "tencoder.2.conv.weight");
}

TEST(HTDemucsModel, UnsupportedOptionsAreRejected) {
  nlohmann::json kwargs = {{"sources", {"a", "b"}}, {"cac", false}};
  EXPECT_THROW(HTDemucsConfig::fromKwargs(kwargs, "x.th"), Error);
  kwargs = {{"sources", {"a", "b"}}, {"norm_starts", 2}};
  EXPECT_THROW(HTDemucsConfig::fromKwargs(kwargs, "x.th"), Error);
  kwargs = {{"sources", {"a", "b"}}, {"segment", {{"numerator", 39}, {"denominator", 5}}}};
  EXPECT_EQ(HTDemucsConfig::fromKwargs(kwargs, "x.th").segmentLength(), 343980);
  EXPECT_THROW(HTDemucsConfig::fromKwargs(nlohmann::json::object(), "x.th"), Error);
}

// Checkpoint settings are untrusted: each wrong type or size is refused with the key named (the
// CLI's crafted-file tests are in tests/cli/split/hostile_checkpoint_test.cpp).
TEST(HTDemucsModel, SettingsOfTheWrongTypeOrSizeAreRejected) {
  const auto errorOf = [](const nlohmann::json& settings) -> std::string {
    nlohmann::json kwargs = {{"sources", {"drums", "bass"}}};
    kwargs.update(settings);
    try {
      HTDemucsConfig::fromKwargs(kwargs, "x.th");
    } catch (const Error& e) {
      return e.what();
    }
    return "accepted";
  };
  EXPECT_EQ(errorOf({{"channels", 18446744073709551615ull}}),
            "x.th: model kwarg 'channels' = 18446744073709551615 is outside 1..512");
  EXPECT_EQ(errorOf({{"stride", true}}), "x.th: model kwarg 'stride' = true is not an integer");
  EXPECT_EQ(errorOf({{"stride", 4.0}}), "x.th: model kwarg 'stride' = 4.0 is not an integer");
  EXPECT_EQ(errorOf({{"nfft", 1 << 20}}), "x.th: model kwarg 'nfft' = 1048576 is outside 256..32768");
  EXPECT_EQ(errorOf({{"segment", 1e300}}), "x.th: model kwarg 'segment' = 1e+300 is outside [1.0, 60.0]");
  EXPECT_EQ(errorOf({{"segment", {{"numerator", 39}, {"denominator", 0}}}}),
            "x.th: model kwarg 'segment' = 0 is outside 1..1000000");
  EXPECT_EQ(errorOf({{"segment", {{"numerator", 1}, {"denominator", 5}}}}),
            "x.th: model kwarg 'segment' = 1/5 s is outside 1.0..60.0 s");
  EXPECT_EQ(errorOf({{"t_hidden_scale", std::nan("")}}), "x.th: model kwarg 't_hidden_scale' is not a finite number");
  EXPECT_EQ(errorOf({{"t_norm_out", 1}}), "x.th: model kwarg 't_norm_out' = 1 is not true or false");
  EXPECT_EQ(errorOf({{"wiener_iters", 4294967296ll}}),
            "x.th: HTDemucs option 'wiener_iters' = 4294967296 is not supported");
  EXPECT_EQ(errorOf({{"sources", {"drums", "drums"}}}), "x.th: model kwarg 'sources' names 'drums' twice");
  EXPECT_EQ(errorOf({{"sources", {"/etc/passwd"}}}),
            "x.th: model kwarg 'sources' holds \"/etc/passwd\", not a name of letters, digits, '_' or '-'");
  EXPECT_EQ(errorOf({{"dconv_comp", 64}, {"channels", 8}}), "x.th: model kwarg 'dconv_comp' leaves no hidden channels");
  // The released settings and the 6-source one pass.
  EXPECT_EQ(errorOf({{"channels", 48}, {"bottom_channels", 512}, {"dconv_mode", 3}}), "accepted");
  EXPECT_EQ(errorOf({{"sources", {"drums", "bass", "other", "vocals", "guitar", "piano"}}}), "accepted");
}

}  // namespace
}  // namespace midistems::separate::htdemucs
