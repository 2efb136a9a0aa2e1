// BS-RoFormer stage by stage, the raw forward and the whole chunked demix against the reference
// tensors of fixtures/roformer/bs_small (random weights; see its README for the float32 floor).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/npy.h"
#include "nn/ops/parallel.h"
#include "separate/roformer/roformer_separator.h"
#include "support/fixtures.h"

namespace midistems::separate::roformer {
namespace {

using midistems::testing::fixturePath;

const std::string kDir = "roformer/bs_small/";

std::unique_ptr<BSRoformerModel> loadSmall() {
  const RoformerConfig config = RoformerConfig::fromYamlFile(fixturePath(kDir + "config.yaml"));
  const std::string ckpt = fixturePath(kDir + "model.ckpt").string();
  return buildBSRoformerModel(config, nn::loadCheckpoint(ckpt), ckpt);
}

nn::Tensor fromNpy(const NpyArray& a, std::vector<int64_t> shape) {
  nn::Tensor t(std::move(shape));
  EXPECT_EQ(int64_t(a.data.size()), t.numel());
  std::copy(a.data.begin(), a.data.end(), t.data());
  return t;
}

// Max abs difference; NaN (failing every bound) when the sizes differ.
double maxAbsDiff(const float* a, const std::vector<float>& b, size_t n) {
  if (n != b.size() || n == 0) return std::numeric_limits<double>::quiet_NaN();
  double m = 0.0;
  for (size_t i = 0; i < n; ++i) m = std::max(m, double(std::fabs(a[i] - b[i])));
  return m;
}

AudioBuffer mixOf(const NpyArray& in, int64_t frames) {
  const int64_t total = in.shape[1];
  AudioBuffer mix(2, frames, 44100);
  for (int64_t c = 0; c < 2; ++c)
    std::copy_n(in.data.begin() + c * total, frames, mix.channels[size_t(c)].begin());
  return mix;
}

std::vector<float> flatten(const std::vector<AudioBuffer>& stems) {
  std::vector<float> v;
  for (const auto& s : stems)
    for (const auto& ch : s.channels) v.insert(v.end(), ch.begin(), ch.end());
  return v;
}

TEST(BSRoformerModel, StagesMatchReference) {
  MIDISTEMS_REQUIRE_FIXTURE(kDir + "model.ckpt");
  nn::setThreads(1);
  auto model = loadSmall();
  const NpyArray in = readNpy(fixturePath(kDir + "seg_in.npy"));
  const int64_t length = in.shape[2];

  // STFT: reference (channel, bin, frame, re/im); ours (frame, (bin, channel, re/im)).
  const nn::Tensor spec = model->stft(in.data.data(), length);
  const NpyArray refSpec = readNpy(fixturePath(kDir + "seg_stft.npy"));
  const int64_t frames = refSpec.shape[2], bins = refSpec.shape[1];
  ASSERT_EQ(spec.dim(0), frames);
  std::vector<float> packed(size_t(spec.numel()));
  for (int64_t s = 0; s < 2; ++s)
    for (int64_t f = 0; f < bins; ++f)
      for (int64_t t = 0; t < frames; ++t)
        for (int64_t c = 0; c < 2; ++c)
          packed[size_t(t * bins * 4 + (f * 2 + s) * 2 + c)] = refSpec.data[size_t(((s * bins + f) * frames + t) * 2 + c)];
  // Bins sum 2048 windowed samples: the error is relative to the largest.
  double peak = 0.0;
  for (float v : packed) peak = std::max(peak, double(std::fabs(v)));
  const double stftErr = maxAbsDiff(spec.data(), packed, packed.size());
  std::printf("STFT: max abs error %.3g, peak %.3g\n", stftErr, peak);
  EXPECT_LE(stftErr, 1e-6 * peak) << "STFT";

  // Each later stage from the reference's own input, so that errors do not compound.
  nn::Tensor refStft = fromNpy(NpyArray{{}, packed}, {frames, bins * 4});
  const NpyArray refBand = readNpy(fixturePath(kDir + "seg_band_split_out.npy"));
  const nn::Tensor band = model->bandSplit(refStft);
  const double bandErr = maxAbsDiff(band.data(), refBand.data, size_t(band.numel()));
  std::printf("band split: max abs error %.3g\n", bandErr);
  EXPECT_LE(bandErr, 2e-5) << "band split";

  const int64_t bands = refBand.shape[2], dim = refBand.shape[3];
  nn::Tensor x = fromNpy(refBand, {frames, bands, dim});
  model->timeTransformer(model->layers[0].time, x);
  const NpyArray refTime = readNpy(fixturePath(kDir + "seg_layer0_time_out.npy"));  // (band, frame, dim)
  std::vector<float> timeOut(size_t(x.numel()));
  for (int64_t t = 0; t < frames; ++t)
    for (int64_t b = 0; b < bands; ++b)
      std::copy_n(x.data() + (t * bands + b) * dim, dim, timeOut.begin() + (b * frames + t) * dim);
  EXPECT_LE(maxAbsDiff(timeOut.data(), refTime.data, timeOut.size()), 2e-5) << "layer 0 time transformer";

  x = fromNpy(readNpy(fixturePath(kDir + "seg_layer0_time_out.npy")), {bands, frames, dim});
  nn::Tensor y({frames, bands, dim});
  for (int64_t t = 0; t < frames; ++t)
    for (int64_t b = 0; b < bands; ++b) std::copy_n(x.data() + (b * frames + t) * dim, dim, y.data() + (t * bands + b) * dim);
  model->freqTransformer(model->layers[0].freq, y);
  const NpyArray refFreq = readNpy(fixturePath(kDir + "seg_layer0_freq_out.npy"));
  EXPECT_LE(maxAbsDiff(y.data(), refFreq.data, size_t(y.numel())), 2e-5) << "layer 0 freq transformer";

  const nn::Tensor maskIn = fromNpy(readNpy(fixturePath(kDir + "seg_mask_in.npy")), {frames, bands, dim});
  const nn::Tensor mask = model->maskEstimator(0, maskIn);
  const NpyArray refMask = readNpy(fixturePath(kDir + "seg_mask_out.npy"));
  EXPECT_LE(maxAbsDiff(mask.data(), refMask.data, size_t(mask.numel())), 2e-5) << "mask estimator";
}

TEST(BSRoformerModel, ForwardMatchesReferenceWithOneAndTwoThreads) {
  MIDISTEMS_REQUIRE_FIXTURE(kDir + "model.ckpt");
  auto model = loadSmall();
  const NpyArray in = readNpy(fixturePath(kDir + "seg_in.npy"));
  const NpyArray ref = readNpy(fixturePath(kDir + "seg_out.npy"));
  const int64_t length = in.shape[2];
  std::vector<float> one(size_t(2 * length)), two(size_t(2 * length));
  nn::setThreads(1);
  model->forward(in.data.data(), length, one.data());
  nn::setThreads(2);
  model->forward(in.data.data(), length, two.data());
  nn::setThreads(1);
  const double err = maxAbsDiff(one.data(), ref.data, one.size());
  std::printf("raw forward: max abs error %.3g\n", err);
  EXPECT_LE(err, 2e-6);
  EXPECT_EQ(maxAbsDiff(one.data(), two, two.size()), 0.0) << "1 and 2 threads must agree exactly";
}

// demix on the whole input (reflect-padded, several batches) and on its first 5 s (no padding:
// output sample 0 is 0/0 -> 0), each with 1 and 2 threads.
void checkDemix(const std::string& expectedFile, int64_t frames) {
  auto model = loadSmall();
  auto separator = makeRoformerSeparator(std::move(model), RoformerOptions{1});
  const NpyArray in = readNpy(fixturePath(kDir + "input.npy"));
  const NpyArray ref = readNpy(fixturePath(kDir + expectedFile));
  ASSERT_EQ(ref.shape.back(), frames);
  const AudioBuffer mix = mixOf(in, frames);
  CollectingStemSink one;
  int calls = 0;
  double last = 0.0;
  separator->separate(mix, one, [&](double p) {
    EXPECT_GE(p, last);
    last = p;
    ++calls;
  });
  EXPECT_DOUBLE_EQ(last, 1.0);
  const std::vector<float> got = flatten(one.stems);
  const double err = maxAbsDiff(got.data(), ref.data, got.size());
  std::printf("%s: max abs error %.3g over %zu values\n", expectedFile.c_str(), err, got.size());
  EXPECT_LE(err, 2e-6);

  auto twoThreads = makeRoformerSeparator(loadSmall(), RoformerOptions{2});
  CollectingStemSink two;
  twoThreads->separate(mix, two, {});
  EXPECT_EQ(maxAbsDiff(got.data(), flatten(two.stems), got.size()), 0.0) << "1 and 2 threads must agree exactly";
  nn::setThreads(1);
}

TEST(BSRoformerDemix, WholeSongMatchesReferenceStems) {
  MIDISTEMS_REQUIRE_FIXTURE(kDir + "stems.npy");
  checkDemix("stems.npy", 376084);
}

TEST(BSRoformerDemix, ShortSongWithoutPaddingMatchesReferenceStems) {
  MIDISTEMS_REQUIRE_FIXTURE(kDir + "stems_short.npy");
  checkDemix("stems_short.npy", 220500);
}

}  // namespace
}  // namespace midistems::separate::roformer
