// BS-RoFormer and Mel-Band RoFormer stage by stage, the raw forward and the whole chunked demix
// against the reference tensors of fixtures/roformer/bs_small and mel_small (random weights; see
// their README for the float32 floor).
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

struct Variant {
  std::string dir;
  RoformerKind kind;
};
const Variant kBS{"roformer/bs_small/", RoformerKind::kBandSplit};
const Variant kMel{"roformer/mel_small/", RoformerKind::kMelBand};

std::unique_ptr<RoformerModel> loadSmall(const Variant& v) {
  const RoformerConfig config = RoformerConfig::fromYamlFile(fixturePath(v.dir + "config.yaml"), v.kind);
  const std::string ckpt = fixturePath(v.dir + "model.ckpt").string();
  return buildRoformerModel(config, nn::loadCheckpoint(ckpt), ckpt);
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

void checkStages(const Variant& v) {
  const std::string& kDir = v.dir;
  nn::setThreads(1);
  auto model = loadSmall(v);
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
  NpyArray refMask = readNpy(fixturePath(kDir + "seg_mask_out.npy"));  // band after band
  if (v.kind == RoformerKind::kMelBand) {
    // Mel: the reference's band masks scattered onto their (bin, channel) rows through its own
    // gather index, and averaged over the bands covering each bin.
    const NpyArray index = readNpy(fixturePath(kDir + "mel_freq_indices.npy"));
    const int64_t rows = bins * 2, slots = int64_t(index.data.size());
    std::vector<float> sum(size_t(frames * rows * 2), 0.0f), count(size_t(rows), 0.0f);
    for (int64_t j = 0; j < slots; ++j) count[size_t(index.data[size_t(j)])] += 1.0f;
    for (int64_t t = 0; t < frames; ++t)
      for (int64_t j = 0; j < slots; ++j)
        for (int64_t c = 0; c < 2; ++c)
          sum[size_t((t * rows + int64_t(index.data[size_t(j)])) * 2 + c)] += refMask.data[size_t((t * slots + j) * 2 + c)];
    for (int64_t t = 0; t < frames; ++t)
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t c = 0; c < 2; ++c) sum[size_t((t * rows + r) * 2 + c)] /= count[size_t(r)];
    refMask.data = sum;
  }
  const double maskErr = maxAbsDiff(mask.data(), refMask.data, size_t(mask.numel()));
  std::printf("mask estimator: max abs error %.3g\n", maskErr);
  EXPECT_LE(maskErr, 2e-5) << "mask estimator";
}

TEST(BSRoformerModel, StagesMatchReference) {
  MIDISTEMS_REQUIRE_FIXTURE(kBS.dir + "model.ckpt");
  checkStages(kBS);
}

TEST(MelBandRoformerModel, StagesMatchReference) {
  MIDISTEMS_REQUIRE_FIXTURE(kMel.dir + "model.ckpt");
  checkStages(kMel);
}

// The mel bands rebuilt from sample_rate, n_fft and num_bands (not stored in the checkpoint) are
// the reference's.
TEST(MelBandRoformerModel, BandsMatchReference) {
  MIDISTEMS_REQUIRE_FIXTURE(kMel.dir + "mel_num_freqs_per_band.npy");
  const RoformerConfig config = RoformerConfig::fromYamlFile(fixturePath(kMel.dir + "config.yaml"), kMel.kind);
  const NpyArray counts = readNpy(fixturePath(kMel.dir + "mel_num_freqs_per_band.npy"));
  const NpyArray index = readNpy(fixturePath(kMel.dir + "mel_freq_indices.npy"));
  ASSERT_EQ(config.freqsPerBands.size(), counts.data.size());
  size_t slot = 0;
  for (size_t b = 0; b < counts.data.size(); ++b) {
    EXPECT_EQ(config.freqsPerBands[b], int64_t(counts.data[b])) << "band " << b;
    // The reference's stereo gather index: bin * 2 + channel, bin after bin.
    EXPECT_EQ(config.bandStarts[b] * 2, int64_t(index.data[slot])) << "band " << b;
    slot += size_t(2 * counts.data[b]);
  }
  EXPECT_EQ(slot, index.data.size());
}

void checkForward(const Variant& v) {
  auto model = loadSmall(v);
  const NpyArray in = readNpy(fixturePath(v.dir + "seg_in.npy"));
  const NpyArray ref = readNpy(fixturePath(v.dir + "seg_out.npy"));
  const int64_t length = in.shape[2], refLength = ref.shape.back();
  std::vector<float> one(size_t(2 * length)), two(size_t(2 * length));
  nn::setThreads(1);
  model->forward(in.data.data(), length, one.data());
  nn::setThreads(2);
  model->forward(in.data.data(), length, two.data());
  nn::setThreads(1);
  // Mel-Band RoFormer returns hop * (L // hop) samples; the rest of ours is zero.
  std::vector<float> kept;
  for (int64_t c = 0; c < 2; ++c) {
    kept.insert(kept.end(), one.begin() + c * length, one.begin() + c * length + refLength);
    for (int64_t i = refLength; i < length; ++i) EXPECT_EQ(one[size_t(c * length + i)], 0.0f);
  }
  const double err = maxAbsDiff(kept.data(), ref.data, kept.size());
  std::printf("raw forward: max abs error %.3g\n", err);
  EXPECT_LE(err, 2e-6);
  EXPECT_EQ(maxAbsDiff(one.data(), two, two.size()), 0.0) << "1 and 2 threads must agree exactly";
}

TEST(BSRoformerModel, ForwardMatchesReferenceWithOneAndTwoThreads) {
  MIDISTEMS_REQUIRE_FIXTURE(kBS.dir + "model.ckpt");
  checkForward(kBS);
}

TEST(MelBandRoformerModel, ForwardMatchesReferenceWithOneAndTwoThreads) {
  MIDISTEMS_REQUIRE_FIXTURE(kMel.dir + "model.ckpt");
  checkForward(kMel);
}

// demix on the whole input (reflect-padded, several batches) and on its first 5 s (no padding:
// output sample 0 is 0/0 -> 0), each with 1 and 2 threads.
void checkDemix(const Variant& v, const std::string& expectedFile, int64_t frames) {
  const std::string& kDir = v.dir;
  auto model = loadSmall(v);
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

  auto twoThreads = makeRoformerSeparator(loadSmall(v), RoformerOptions{2});
  CollectingStemSink two;
  twoThreads->separate(mix, two, {});
  EXPECT_EQ(maxAbsDiff(got.data(), flatten(two.stems), got.size()), 0.0) << "1 and 2 threads must agree exactly";
  nn::setThreads(1);
}

TEST(BSRoformerDemix, WholeSongMatchesReferenceStems) {
  MIDISTEMS_REQUIRE_FIXTURE(kBS.dir + "stems.npy");
  checkDemix(kBS, "stems.npy", 376084);
}

TEST(BSRoformerDemix, ShortSongWithoutPaddingMatchesReferenceStems) {
  MIDISTEMS_REQUIRE_FIXTURE(kBS.dir + "stems_short.npy");
  checkDemix(kBS, "stems_short.npy", 220500);
}

TEST(MelBandRoformerDemix, WholeSongMatchesReferenceStems) {
  MIDISTEMS_REQUIRE_FIXTURE(kMel.dir + "stems.npy");
  checkDemix(kMel, "stems.npy", 376084);
}

}  // namespace
}  // namespace midistems::separate::roformer

namespace midistems::separate::roformer {
namespace {

// Songs shorter than anything demix pads by reflection: one sample, and silence, give finite
// stems of the song's length (silence: exactly zero, as RMSNorm leaves an all-zero band at 0).
TEST(BSRoformerDemix, TinyAndSilentSongs) {
  MIDISTEMS_REQUIRE_FIXTURE(kBS.dir + "model.ckpt");
  auto separator = makeRoformerSeparator(loadSmall(kBS), RoformerOptions{1});
  for (const int64_t frames : {int64_t(1), int64_t(3000)}) {
    AudioBuffer mix(2, frames, 44100);
    if (frames == 1) mix.channels[0][0] = mix.channels[1][0] = 0.25f;
    CollectingStemSink sink;
    separator->separate(mix, sink, {});
    ASSERT_EQ(sink.stems.size(), 1u);
    ASSERT_EQ(sink.stems[0].numFrames(), frames);
    for (const auto& ch : sink.stems[0].channels)
      for (float v : ch) {
        EXPECT_TRUE(std::isfinite(v));
        if (frames > 1) {
          EXPECT_EQ(v, 0.0f);
        }
      }
  }
}

}  // namespace
}  // namespace midistems::separate::roformer
