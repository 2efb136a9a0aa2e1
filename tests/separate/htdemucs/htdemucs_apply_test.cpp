// The whole public pipeline (api.Separator.separate_tensor: normalisation, chunking, overlap-add)
// against the reference stems, plus the streaming, shift and bag behaviour of apply.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.h"
#include "core/npy.h"
#include "separate/htdemucs/htdemucs_separator.h"
#include "support/fixtures.h"

namespace midistems::separate {
namespace {

using midistems::testing::fixturePath;

AudioBuffer fixtureMix(const std::string& folder, int64_t maxFrames = -1) {
  const NpyArray in = readNpy(fixturePath("htdemucs/" + folder + "/input.npy"));
  const int64_t channels = in.shape[0], frames = in.shape[1];
  const int64_t n = maxFrames > 0 ? std::min(maxFrames, frames) : frames;
  AudioBuffer mix(int(channels), n, 44100);
  for (int64_t c = 0; c < channels; ++c)
    std::copy(in.data.begin() + c * frames, in.data.begin() + c * frames + n, mix.channels[size_t(c)].begin());
  return mix;
}

// Records the order and extent of the sink's calls while collecting.
class CheckingSink : public CollectingStemSink {
 public:
  int64_t next = 0;
  int calls = 0;
  void write(const std::vector<AudioBuffer>& block, int64_t offset, int64_t frames) override {
    EXPECT_EQ(offset, next) << "blocks must be contiguous and in order";
    next = offset + frames;
    ++calls;
    CollectingStemSink::write(block, offset, frames);
  }
};

// NaN, which fails every comparison, when the stem sets differ in shape or are empty (a separator
// that emitted nothing must not compare as identical).
double maxAbsDiff(const std::vector<AudioBuffer>& a, const std::vector<AudioBuffer>& b) {
  const auto shapeOf = [](const std::vector<AudioBuffer>& stems) {
    std::vector<std::pair<int, int64_t>> shape;
    for (const auto& s : stems) shape.emplace_back(s.numChannels(), s.numFrames());
    return shape;
  };
  if (a.empty() || a[0].numFrames() == 0 || shapeOf(a) != shapeOf(b)) return std::numeric_limits<double>::quiet_NaN();
  double m = 0.0;
  for (size_t s = 0; s < a.size(); ++s)
    for (size_t c = 0; c < a[s].channels.size(); ++c)
      for (size_t i = 0; i < a[s].channels[c].size(); ++i)
        m = std::max(m, double(std::fabs(a[s].channels[c][i] - b[s].channels[c][i])));
  return m;
}

TEST(HTDemucsApply, Small4PipelineMatchesReferenceStems) {
  MIDISTEMS_REQUIRE_FIXTURE("htdemucs/small4/stems.npy");
  auto separator = openHTDemucs({fixturePath("htdemucs/small4/htdemucs_ref.th")}, {}, HTDemucsOptions{});
  EXPECT_EQ(separator->sources(), (std::vector<std::string>{"drums", "bass", "other", "vocals"}));
  const AudioBuffer mix = fixtureMix("small4");
  const NpyArray expected = readNpy(fixturePath("htdemucs/small4/stems.npy"));
  CheckingSink sink;
  double lastProgress = 0.0;
  separator->separate(mix, sink, [&](double p) {
    EXPECT_GE(p, lastProgress);
    lastProgress = p;
  });
  EXPECT_EQ(sink.next, mix.numFrames());
  EXPECT_GE(sink.calls, 2) << "stems should leave before the whole song is done";
  EXPECT_DOUBLE_EQ(lastProgress, 1.0);
  const int64_t frames = expected.shape[2];
  double err = 0.0;
  for (int64_t s = 0; s < 4; ++s)
    for (int64_t c = 0; c < 2; ++c)
      for (int64_t i = 0; i < frames; ++i)
        err = std::max(err, double(std::fabs(sink.stems[size_t(s)].channels[size_t(c)][size_t(i)] -
                                             expected.data[size_t((s * 2 + c) * frames + i)])));
  std::printf("[htdemucs small4] full pipeline max abs error vs stems.npy: %.3g\n", err);
  EXPECT_LE(err, 1e-4);
}

TEST(HTDemucsApply, ShiftsAreSeededAndBagOfIdenticalModelsEqualsOneModel) {
  MIDISTEMS_REQUIRE_FIXTURE("htdemucs/small4/htdemucs_ref.th");
  const auto file = fixturePath("htdemucs/small4/htdemucs_ref.th");
  const AudioBuffer mix = fixtureMix("small4", 100000);  // one chunk keeps this fast

  HTDemucsOptions shifted;
  shifted.shifts = 1;
  shifted.seed = 7;
  CollectingStemSink a, b, plain;
  openHTDemucs({file}, {}, shifted)->separate(mix, a, nullptr);
  openHTDemucs({file}, {}, shifted)->separate(mix, b, nullptr);
  EXPECT_EQ(maxAbsDiff(a.stems, b.stems), 0.0) << "same seed, same result";
  openHTDemucs({file}, {}, HTDemucsOptions{})->separate(mix, plain, nullptr);
  const double shiftEffect = maxAbsDiff(a.stems, plain.stems);
  std::printf("[htdemucs small4] a random shift changes the stems by up to %.3g\n", shiftEffect);
  EXPECT_GT(shiftEffect, 1e-4) << "a shift must change the network's input alignment";

  // Two copies of one model with weights [1, 3] per source average to the model itself.
  CollectingStemSink bag;
  openHTDemucs({file, file}, {{1, 1, 1, 1}, {3, 3, 3, 3}}, HTDemucsOptions{})->separate(mix, bag, nullptr);
  const double bagErr = maxAbsDiff(bag.stems, plain.stems);
  std::printf("[htdemucs small4] bag of two identical models vs one: %.3g\n", bagErr);
  EXPECT_LE(bagErr, 1e-5);

  // Per-source weights pick each source from a different model (as htdemucs_ft does); a model
  // with an all-zero row is never run.
  CollectingStemSink picked;
  openHTDemucs({file, file, file}, {{1, 0, 1, 0}, {0, 1, 0, 1}, {0, 0, 0, 0}}, HTDemucsOptions{})
      ->separate(mix, picked, nullptr);
  EXPECT_LE(maxAbsDiff(picked.stems, plain.stems), 1e-6);
}

TEST(HTDemucsApply, RejectsBadOptionsAndInput) {
  MIDISTEMS_REQUIRE_FIXTURE("htdemucs/small4/htdemucs_ref.th");
  const auto file = fixturePath("htdemucs/small4/htdemucs_ref.th");
  HTDemucsOptions badOverlap;
  badOverlap.overlap = 1.0;
  EXPECT_THROW(openHTDemucs({file}, {}, badOverlap), Error);
  EXPECT_THROW(openHTDemucs({file}, {{1, 1, 1}}, HTDemucsOptions{}), Error);
  EXPECT_THROW(openHTDemucs({file}, {{0, 0, 0, 0}}, HTDemucsOptions{}), Error);
  auto separator = openHTDemucs({file}, {}, HTDemucsOptions{});
  CollectingStemSink sink;
  AudioBuffer mono(1, 1000, 44100);
  EXPECT_THROW(separator->separate(mono, sink, nullptr), Error);
  AudioBuffer wrongRate(2, 1000, 48000);
  EXPECT_THROW(separator->separate(wrongRate, sink, nullptr), Error);
  AudioBuffer nonFinite(2, 1000, 44100);
  nonFinite.channels[0][10] = std::nanf("");
  EXPECT_THROW(separator->separate(nonFinite, sink, nullptr), Error);
  EXPECT_TRUE(sink.stems.empty());
}

}  // namespace
}  // namespace midistems::separate
