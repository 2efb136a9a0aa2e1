#include "separate/dsp/dsp_separator.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numbers>
#include <random>

#include "core/error.h"

namespace midistems::separate::dsp {
namespace {

constexpr int kRate = DspSeparator::kSampleRate;

// A small stereo "song": a centred 220 Hz lead with harmonics, a 70 Hz bass, a panned chord,
// decaying noise bursts every quarter second and a little noise floor.
AudioBuffer syntheticMix(double seconds, uint32_t seed = 7) {
  const int64_t n = int64_t(seconds * kRate);
  AudioBuffer mix(2, n, kRate);
  std::mt19937 rng(seed);
  std::normal_distribution<float> noise(0.0f, 1.0f);
  const double twoPi = 2 * std::numbers::pi;
  for (int64_t i = 0; i < n; ++i) {
    const double t = double(i) / kRate;
    const double lead = 0.15 * (std::sin(twoPi * 220 * t) + 0.5 * std::sin(twoPi * 440 * t));
    const double bass = 0.2 * std::sin(twoPi * 70 * t);
    const double chord = 0.08 * (std::sin(twoPi * 330 * t) + std::sin(twoPi * 415 * t));
    const double sinceHit = std::fmod(t, 0.25);
    const double hit = 0.3 * std::exp(-sinceHit * 60) * noise(rng);
    const float floorNoise = 1e-3f * noise(rng);
    mix.channels[0][size_t(i)] = float(lead + bass + 0.9 * chord + hit) + floorNoise;
    mix.channels[1][size_t(i)] = float(lead + bass + 0.3 * chord + hit) - floorNoise;
  }
  return mix;
}

std::vector<AudioBuffer> separateWith(const AudioBuffer& mix, DspSeparatorOptions options) {
  DspSeparator separator(options);
  CollectingStemSink sink;
  separator.separate(mix, sink, {});
  return sink.stems;
}

double energy(const AudioBuffer& b) {
  double e = 0;
  for (const auto& ch : b.channels)
    for (float v : ch) e += double(v) * v;
  return e;
}

// 10 log10(|reference|^2 / |reference - estimate|^2), the MDX definition.
double sdrDb(const AudioBuffer& reference, const AudioBuffer& estimate) {
  double signal = 0, error = 0;
  for (size_t c = 0; c < reference.channels.size(); ++c)
    for (size_t i = 0; i < reference.channels[c].size(); ++i) {
      const double r = reference.channels[c][i], d = r - estimate.channels[c][i];
      signal += r * r;
      error += d * d;
    }
  return 10 * std::log10(signal / error);
}

AudioBuffer sumOf(const AudioBuffer& a, const AudioBuffer& b) {
  AudioBuffer sum = a;
  for (size_t c = 0; c < sum.channels.size(); ++c)
    for (size_t i = 0; i < sum.channels[c].size(); ++i) sum.channels[c][i] += b.channels[c][i];
  return sum;
}

// NaN, which fails every comparison, when the stem sets differ in shape or are empty (a separator
// that emitted nothing must not compare as identical).
double maxAbsDifference(const std::vector<AudioBuffer>& a, const std::vector<AudioBuffer>& b) {
  const auto shapeOf = [](const std::vector<AudioBuffer>& stems) {
    std::vector<std::pair<int, int64_t>> shape;
    for (const auto& s : stems) shape.emplace_back(s.numChannels(), s.numFrames());
    return shape;
  };
  if (a.empty() || a[0].numFrames() == 0 || shapeOf(a) != shapeOf(b)) return std::numeric_limits<double>::quiet_NaN();
  double worst = 0;
  for (size_t s = 0; s < a.size(); ++s)
    for (size_t c = 0; c < a[s].channels.size(); ++c)
      for (size_t i = 0; i < a[s].channels[c].size(); ++i)
        worst = std::max(worst, double(std::fabs(a[s].channels[c][i] - b[s].channels[c][i])));
  return worst;
}

TEST(DspSeparator, SourcesAreTheDemucsFour) {
  DspSeparator separator;
  EXPECT_EQ(separator.sources(), (std::vector<std::string>{"drums", "bass", "other", "vocals"}));
  EXPECT_EQ(separator.sampleRate(), 44100);
  EXPECT_EQ(separator.channels(), 2);
}

TEST(DspSeparator, StemsSumToTheMix) {
  const AudioBuffer mix = syntheticMix(3.0);
  const auto stems = separateWith(mix, {});
  ASSERT_EQ(stems.size(), 4u);
  double worst = 0;
  for (int c = 0; c < 2; ++c)
    for (int64_t i = 0; i < mix.numFrames(); ++i) {
      double sum = 0;
      for (const auto& s : stems) sum += s.channels[size_t(c)][size_t(i)];
      worst = std::max(worst, std::fabs(sum - mix.channels[size_t(c)][size_t(i)]));
    }
  EXPECT_LT(worst, 1e-6);
  for (const auto& s : stems) {
    EXPECT_EQ(s.numFrames(), mix.numFrames());
    EXPECT_EQ(s.sampleRate, kRate);
  }
}

TEST(DspSeparator, SameResultForAnyThreadCount) {
  const AudioBuffer mix = syntheticMix(2.0);
  const auto one = separateWith(mix, {.threads = 1});
  const auto three = separateWith(mix, {.threads = 3});
  const auto again = separateWith(mix, {.threads = 1});
  EXPECT_EQ(maxAbsDifference(one, again), 0.0);
  EXPECT_EQ(maxAbsDifference(one, three), 0.0);
}

TEST(DspSeparator, BlockSizeDoesNotChangeTheResult) {
  const AudioBuffer mix = syntheticMix(4.0);
  const auto whole = separateWith(mix, {.threads = 2, .blockFrames = 1000});
  const auto blocks = separateWith(mix, {.threads = 2, .blockFrames = 24});
  // Only the order of additions in the covariance sums differs.
  EXPECT_LT(maxAbsDifference(whole, blocks), 1e-5);
}

TEST(DspSeparator, SinkReceivesContiguousBlocksCoveringTheInput) {
  struct RecordingSink : StemSink {
    std::vector<std::pair<int64_t, int64_t>> calls;
    void write(const std::vector<AudioBuffer>& stems, int64_t offset, int64_t frames) override {
      ASSERT_EQ(stems.size(), 4u);
      for (const auto& s : stems) ASSERT_EQ(s.numFrames(), frames);
      calls.emplace_back(offset, frames);
    }
  } sink;
  const AudioBuffer mix = syntheticMix(3.0);
  DspSeparator separator({.threads = 1, .blockFrames = 20});
  double lastProgress = 0;
  separator.separate(mix, sink, [&](double p) {
    EXPECT_GE(p, lastProgress);
    lastProgress = p;
  });
  ASSERT_GT(sink.calls.size(), 3u);
  int64_t expected = 0;
  for (const auto& [offset, frames] : sink.calls) {
    EXPECT_EQ(offset, expected);
    expected += frames;
  }
  EXPECT_EQ(expected, mix.numFrames());
  EXPECT_DOUBLE_EQ(lastProgress, 1.0);
}

TEST(DspSeparator, SustainedSineGoesToAPitchedStem) {
  AudioBuffer mix(2, 3 * kRate, kRate);
  for (int64_t i = 0; i < mix.numFrames(); ++i)
    mix.channels[0][size_t(i)] = mix.channels[1][size_t(i)] =
        0.3f * float(std::sin(2 * std::numbers::pi * 440.0 * double(i) / kRate));
  const auto stems = separateWith(mix, {});
  const double total = energy(mix);
  EXPECT_LT(energy(stems[0]) / total, 0.05) << "drums";
  // The pitched stems may share the tone; their sum must carry it.
  EXPECT_GT(energy(sumOf(stems[2], stems[3])) / total, 0.9) << "other + vocals";
}

TEST(DspSeparator, LowSineGoesToBass) {
  AudioBuffer mix(2, 3 * kRate, kRate);
  for (int64_t i = 0; i < mix.numFrames(); ++i)
    mix.channels[0][size_t(i)] = mix.channels[1][size_t(i)] =
        0.3f * float(std::sin(2 * std::numbers::pi * 55.0 * double(i) / kRate));
  const auto stems = separateWith(mix, {});
  // The narrow low-band percussive median (see stem_model.cpp) and the soft masks give part of
  // the sine's side lobes to the drums; the bass stem must still hold the tone: its SDR against
  // the whole sine above 6 dB (at most a quarter of the amplitude missing).
  EXPECT_GT(sdrDb(mix, stems[1]), 6.0);
  EXPECT_LT(energy(stems[0]) / energy(mix), 0.1);
}

TEST(DspSeparator, ClickTrainGoesToDrums) {
  AudioBuffer mix(2, 3 * kRate, kRate);
  for (int64_t i = 0; i < mix.numFrames(); i += kRate / 4) {
    mix.channels[0][size_t(i)] = 0.9f;
    mix.channels[1][size_t(i)] = 0.9f;
  }
  const auto stems = separateWith(mix, {});
  EXPECT_GT(energy(stems[0]) / energy(mix), 0.8);
}

TEST(DspSeparator, RejectsMonoAndWrongRate) {
  DspSeparator separator;
  CollectingStemSink sink;
  EXPECT_THROW(separator.separate(AudioBuffer(1, 100, kRate), sink, {}), Error);
  EXPECT_THROW(separator.separate(AudioBuffer(2, 100, 48000), sink, {}), Error);
}

TEST(DspSeparator, ShortAndEmptyInputs) {
  DspSeparator separator;
  CollectingStemSink sink;
  separator.separate(AudioBuffer(2, 0, kRate), sink, {});
  EXPECT_TRUE(sink.stems.empty());
  const AudioBuffer tiny = syntheticMix(0.001);
  const auto stems = separateWith(tiny, {});
  ASSERT_EQ(stems.size(), 4u);
  EXPECT_EQ(stems[0].numFrames(), tiny.numFrames());
}

}  // namespace
}  // namespace midistems::separate::dsp
