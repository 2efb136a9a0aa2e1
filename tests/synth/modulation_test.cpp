// Oscillator interplay and modulation, measured from the output: hard sync locks osc 2 to osc 1's
// period, ring modulation makes sum and difference tones, the mod wheel bends pitch through the
// matrix, an LFO makes vibrato, unison spread makes the two sides differ.
#include <gtest/gtest.h>

#include <cmath>

#include "synth_test_util.h"

namespace midistems::synth {
namespace {

using namespace midistems::synth::testing;
constexpr double kRate = 48000;

// Fundamental by normalised autocorrelation over lags for 50..2000 Hz.
double periodPitch(const std::vector<float>& x, size_t from, size_t length) {
  int bestLag = 0;
  double best = -1;
  for (int lag = int(kRate / 2000); lag <= int(kRate / 50); ++lag) {
    double xy = 0, xx = 0, yy = 0;
    for (size_t i = from; i < from + length; ++i) {
      xy += double(x[i]) * x[i + size_t(lag)];
      xx += double(x[i]) * x[i];
      yy += double(x[i + size_t(lag)]) * x[i + size_t(lag)];
    }
    const double r = xy / std::sqrt(xx * yy + 1e-30);
    if (r > best + 1e-9) best = r, bestLag = lag;
  }
  return kRate / bestLag;
}

// Magnitude of frequency `hz` in x[from, from + length) (one DFT bin, Hann window).
double toneLevel(const std::vector<float>& x, size_t from, size_t length, double hz) {
  double re = 0, im = 0;
  for (size_t i = 0; i < length; ++i) {
    const double w = 0.5 - 0.5 * std::cos(2 * M_PI * double(i) / double(length));
    re += w * x[from + i] * std::cos(2 * M_PI * hz * double(i) / kRate);
    im += w * x[from + i] * std::sin(2 * M_PI * hz * double(i) / kRate);
  }
  return 4.0 * std::sqrt(re * re + im * im) / double(length);
}

std::vector<float> play(const Patch& patch, int note, std::vector<TimedEvent> extra = {}) {
  Synth synth;
  synth.prepare(float(kRate));
  synth.setPatch(patch);
  extra.push_back(noteOn(0, note));
  return renderEvents(synth, extra, 24000, 256).left;
}

TEST(Modulation, HardSyncLocksOsc2ToOsc1) {
  Patch patch = sinePatch();
  patch[Param::Osc1Level] = 0;  // only the synced oscillator is heard
  patch[Param::Osc2Level] = 1;
  patch[Param::Osc2Wave] = float(Wave::Saw);
  patch[Param::Osc2Semitone] = 7;
  patch[Param::Osc2Fine] = 33;
  // Free-running, osc 2 plays 220 Hz * 2^(7.33 / 12) = 337 Hz; synced, it repeats at 220 Hz.
  EXPECT_GT(std::fabs(periodPitch(play(patch, 57), 4800, 4800) - 220.0), 50.0);
  patch[Param::Osc2Sync] = 1;
  EXPECT_NEAR(periodPitch(play(patch, 57), 4800, 4800), 220.0, 1.0);
}

TEST(Modulation, RingModulationMakesSumAndDifferenceTones) {
  Patch patch = sinePatch();
  patch[Param::Osc1Level] = 0;
  patch[Param::Osc2Level] = 0;
  patch[Param::Osc2Wave] = float(Wave::Sine);
  patch[Param::Osc2Semitone] = 7;  // 440 * 1.4983 = 659.3 Hz
  patch[Param::RingLevel] = 1;
  const auto out = play(patch, 69);
  const double f2 = 440.0 * std::exp2(7.0 / 12.0);
  EXPECT_GT(toneLevel(out, 4800, 16384, f2 - 440.0), 0.3);
  EXPECT_GT(toneLevel(out, 4800, 16384, f2 + 440.0), 0.3);
  EXPECT_LT(toneLevel(out, 4800, 16384, 440.0), 0.02);
  EXPECT_LT(toneLevel(out, 4800, 16384, f2), 0.02);
}

TEST(Modulation, ModWheelBendsPitchThroughTheMatrix) {
  Patch patch = sinePatch();
  patch[Param::Mod1Source] = float(ModSource::ModWheel);
  patch[Param::Mod1Dest] = float(ModDest::Pitch);
  patch[Param::Mod1Amount] = 0.5f;  // 0.5 x 24 semitones = one octave at full wheel
  EXPECT_NEAR(frequencyOf(play(patch, 69), 4800, 24000, kRate), 440.0, 0.1);
  EXPECT_NEAR(frequencyOf(play(patch, 69, {controller(0, 1, 127)}), 4800, 24000, kRate), 880.0, 0.2);
}

TEST(Modulation, LfoMakesVibratoAtItsRate) {
  Patch patch = sinePatch();
  patch[Param::Lfo1Rate] = 5;
  patch[Param::Mod1Source] = float(ModSource::Lfo1);
  patch[Param::Mod1Dest] = float(ModDest::Pitch);
  patch[Param::Mod1Amount] = 1.0f / 24.0f;  // +-1 semitone
  const auto out = play(patch, 69);
  // Pitch in 10 ms windows swings between about 415 and 466 Hz, five times a second.
  double lo = 1e9, hi = 0;
  for (size_t start = 2400; start + 480 < 24000; start += 240) {
    const double f = frequencyOf(out, start, start + 480, kRate);
    lo = std::min(lo, f), hi = std::max(hi, f);
  }
  EXPECT_LT(lo, 425.0);
  EXPECT_GT(hi, 455.0);
}

TEST(Modulation, UnisonSpreadMakesTheSidesDiffer) {
  Patch patch = sinePatch();
  patch[Param::Osc1Wave] = float(Wave::Saw);
  patch[Param::UnisonVoices] = 7;
  patch[Param::UnisonDetune] = 30;
  patch[Param::UnisonSpread] = 0;
  Synth mono;
  mono.prepare(float(kRate));
  mono.setPatch(patch);
  const auto centred = renderEvents(mono, {noteOn(0, 57)}, 9600, 256);
  EXPECT_EQ(centred.left, centred.right);
  patch[Param::UnisonSpread] = 1;
  Synth wide;
  wide.prepare(float(kRate));
  wide.setPatch(patch);
  const auto spread = renderEvents(wide, {noteOn(0, 57)}, 9600, 256);
  double diff = 0, sum = 0;
  for (size_t i = 4800; i < 9600; ++i) {
    diff += std::pow(spread.left[i] - spread.right[i], 2);
    sum += std::pow(spread.left[i] + spread.right[i], 2);
  }
  EXPECT_GT(diff / sum, 0.05);
}

}  // namespace
}  // namespace midistems::synth
