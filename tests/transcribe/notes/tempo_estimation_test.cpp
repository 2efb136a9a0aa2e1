// Tempo estimation on synthetic click tracks of known tempo.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "transcribe/notes/tempo_estimation.h"

namespace midistems::transcribe {
namespace {

// Decaying 1 kHz clicks on every beat, all equally loud.
AudioBuffer clickTrack(double bpm, double seconds, int rate = 44100) {
  AudioBuffer audio(2, int64_t(seconds * rate), rate);
  const double beat = 60.0 / bpm;
  for (int n = 0; n * beat < seconds; ++n) {
    const auto start = int64_t(n * beat * rate);
    for (int64_t i = 0; i < rate / 20 && start + i < audio.numFrames(); ++i) {
      const double t = double(i) / rate;
      const float v = float(0.5 * std::exp(-t * 60) * std::sin(2 * std::numbers::pi * 1000 * t));
      audio.channels[0][size_t(start + i)] += v;
      audio.channels[1][size_t(start + i)] += v;
    }
  }
  return audio;
}

// A plain pulse is equally periodic at half its tempo; the prior around 120 BPM decides, so
// these tempos are the ones a plain pulse can identify (176, say, may come out as 88).
TEST(TempoEstimation, ClickTracksWithinHalfABpm) {
  for (double bpm : {72.0, 97.0, 120.0, 143.0}) {
    const auto estimate = estimateTempo(clickTrack(bpm, 20));
    ASSERT_TRUE(estimate.has_value()) << bpm;
    EXPECT_NEAR(*estimate, bpm, 0.5) << bpm;
  }
}

TEST(TempoEstimation, SilenceAndShortAudioHaveNoTempo) {
  EXPECT_FALSE(estimateTempo(AudioBuffer(1, 44100 * 10, 44100)).has_value());
  EXPECT_FALSE(estimateTempo(clickTrack(120, 2)).has_value());
  EXPECT_FALSE(estimateTempo(AudioBuffer()).has_value());
}

TEST(TempoEstimation, RangeIsRespected) {
  TempoOptions options;
  options.minBpm = 100;
  options.maxBpm = 130;
  const auto estimate = estimateTempo(clickTrack(60, 20), options);  // 120 is the double
  ASSERT_TRUE(estimate.has_value());
  EXPECT_NEAR(*estimate, 120, 0.5);
}

}  // namespace
}  // namespace midistems::transcribe
