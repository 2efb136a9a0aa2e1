// Unit tests of the drum classifier's inputs and groups: the decay features that separate closed
// hi-hats from rides and open hi-hats, and the General MIDI key groups.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "transcribe/drums/drum_analysis.h"
#include "transcribe/drums/drum_classifier.h"

namespace {

namespace drums = midistems::transcribe::drums;

// Rising-spectrum noise bursts (a hi-hat-like sound) every 0.5 s with the given decay constant.
midistems::AudioBuffer noiseBursts(double decaySeconds) {
  const int rate = 44100;
  midistems::AudioBuffer audio(1, 4 * rate, rate);
  std::mt19937 random(5);
  std::normal_distribution<double> noise;
  for (int hit = 0; hit < 7; ++hit) {
    const int start = int((0.2 + 0.5 * hit) * rate);
    double previous = 0.0;
    for (int i = 0; start + i < 4 * rate && i < int(0.5 * rate); ++i) {
      const double x = noise(random);
      audio.channels[0][start + i] += float(0.2 * std::exp(-double(i) / rate / decaySeconds) * (x - previous));
      previous = x;
    }
  }
  return audio;
}

// Mean over onsets and over the bands above 5 kHz of the level 16 frames (93 ms) after the
// onset relative to its peak, in dB.
double meanDecayAt93MsDb(const drums::OnsetAnalysis& analysis) {
  constexpr int kColumn = 2 + 2;  // peak, pre-onset, then +4, +8, +16 frames
  static_assert(drums::kDecayOffsets[2] == 16);
  double sum = 0.0;
  int count = 0;
  for (size_t i = 0; i < analysis.size(); ++i)
    for (int b = 0; b < drums::kBandCount; ++b)
      if (analysis.centresHz[b] > 5000) {
        sum += 20.0 * analysis.features[i * drums::kFeatureCount + kColumn * drums::kBandCount + b];
        ++count;
      }
  return count ? sum / count : 0.0;
}

TEST(DrumFeatures, DecayFeatureSeparatesShortAndRingingHits) {
  const auto closed = drums::analyseOnsets(noiseBursts(0.03), drums::kCandidateDetectionScale, 30);
  const auto ringing = drums::analyseOnsets(noiseBursts(0.4), drums::kCandidateDetectionScale, 30);
  ASSERT_GE(closed.size(), 7u);
  ASSERT_GE(ringing.size(), 7u);
  // A 30 ms exponential falls 27 dB in 93 ms (less after the window's smearing); 400 ms falls 2 dB.
  EXPECT_LT(meanDecayAt93MsDb(closed), -15.0);
  EXPECT_GT(meanDecayAt93MsDb(ringing), -6.0);
}

TEST(DrumFeatures, FeaturesAreFiniteAndBounded) {
  const auto analysis = drums::analyseOnsets(noiseBursts(0.1), drums::kCandidateDetectionScale, 30);
  ASSERT_FALSE(analysis.features.empty());
  for (float f : analysis.features) {
    EXPECT_TRUE(std::isfinite(f));
    EXPECT_LE(std::abs(f), 3.0f);
  }
  for (size_t i = 0; i < analysis.size(); ++i) {
    const auto p = drums::classifyOnset(analysis.features.data() + i * drums::kFeatureCount);
    for (float x : p) EXPECT_TRUE(x >= 0.0f && x <= 1.0f);
  }
}

TEST(DrumClassifier, GroupsFollowTheGeneralMidiKeys) {
  EXPECT_EQ(drums::groupOfKey(36), drums::kGroupKick);
  EXPECT_EQ(drums::groupOfKey(40), drums::kGroupSnare);
  EXPECT_EQ(drums::groupOfKey(44), drums::kGroupClosedHat);
  EXPECT_EQ(drums::groupOfKey(46), drums::kGroupOpenHat);
  EXPECT_EQ(drums::groupOfKey(50), drums::kGroupTom);
  EXPECT_EQ(drums::groupOfKey(49), drums::kGroupCrash);
  EXPECT_EQ(drums::groupOfKey(51), drums::kGroupRide);
  EXPECT_EQ(drums::groupOfKey(56), -1);  // cowbell: outside the five classes
  for (int g = 0; g < drums::kNumGroups; ++g) EXPECT_EQ(drums::groupOfKey(drums::keyOfGroup(g)), g);
  // Sensitivity moves every threshold the right way.
  for (int g = 0; g < drums::kNumGroups; ++g)
    EXPECT_LT(drums::groupThreshold(g, 0.9), drums::groupThreshold(g, 0.1));
}

}  // namespace
