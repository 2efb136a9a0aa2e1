// The shipped engine's oscillators, measured from the whole Synth's output: single held notes
// through voices, mixer, an open filter and the amplifier (no effects, envelopes at sustain).
// The bounds are the synth/dsp library's: pitch within 0.1 cent, and for saw, square and triangle
// at 1, 2.5, 5 and 10 kHz at 48 kHz the strongest non-harmonic component at least 80 dB below the
// fundamental.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "dsp/measure.h"
#include "synth/synth.h"
#include "synth_test_util.h"

namespace midistems::synth {
namespace {

using namespace midistems::synth::testing;
using dsp::testing::aliasLevel;
using dsp::testing::centsBetween;
using dsp::testing::magnitudeSpectrum;
using dsp::testing::measureFrequency;
constexpr float kRate = 48000;
// Amplitude envelope: 5 ms attack and 100 ms decay to a sustain of 1; measure after both.
constexpr int64_t kSettle = 9600;
constexpr double kSyncAliasBoundDb = -60;  // minBLEP-corrected hard sync

// One oscillator of `wave` into a 12 dB high-pass at 20 Hz with no resonance (transparent above the
// bass, and unlike a low-pass at 20 kHz it does not hide anything near Nyquist), no effects.
Patch oscillatorPatch(Wave wave) {
  Patch p = sinePatch();
  p[Param::Osc1Wave] = float(wave);
  p[Param::FilterTypeParam] = float(FilterType::Hp12);
  p[Param::FilterCutoff] = 20;
  p[Param::MasterGain] = -12;  // far from the output safety limiter's knee
  return p;
}

struct Tuning {
  int note;
  float fineCents;
};

// The MIDI note and osc 1 fine tune (within +-50 cents) that play `hz`.
Tuning tuningFor(double hz) {
  const double pitch = 69.0 + 12.0 * std::log2(hz / 440.0);
  const int note = int(std::lround(pitch));
  return {note, float((pitch - note) * 100.0)};
}

// `samples` of the held note's left channel after the envelopes settle.
std::vector<float> renderHeld(Patch patch, Tuning tuning, int samples) {
  patch[Param::Osc1Fine] = tuning.fineCents;
  Synth synth;
  synth.prepare(kRate);
  synth.setPatch(patch);
  auto out = renderEvents(synth, {noteOn(0, tuning.note)}, kSettle + samples, 64);
  return std::vector<float>(out.left.begin() + kSettle, out.left.end());
}

const char* nameOf(Wave wave) {
  switch (wave) {
    case Wave::Saw: return "saw";
    case Wave::Pulse: return "pulse";
    case Wave::Triangle: return "triangle";
    default: return "sine";
  }
}

TEST(EngineOscillator, PitchWithinATenthOfACent) {
  double worst = 0;
  for (Wave wave : {Wave::Saw, Wave::Pulse, Wave::Triangle, Wave::Sine}) {
    for (int note : {33, 57, 69, 93, 105}) {  // 55 Hz ... 3.52 kHz
      const double expected = 440.0 * std::exp2((note - 69) / 12.0);
      const auto x = renderHeld(oscillatorPatch(wave), {note, 0.0f}, 1 << 17);
      const double cents = centsBetween(measureFrequency(x, kRate, expected), expected);
      worst = std::max(worst, std::abs(cents));
      EXPECT_LT(std::abs(cents), 0.1) << nameOf(wave) << " note " << note;
    }
  }
  // Fine tune in between notes too: 1 kHz is note 83 + 21.31 cents.
  const Tuning k1 = tuningFor(1000.0);
  const auto x = renderHeld(oscillatorPatch(Wave::Saw), k1, 1 << 17);
  const double cents = centsBetween(measureFrequency(x, kRate, 1000.0), 1000.0);
  worst = std::max(worst, std::abs(cents));
  EXPECT_LT(std::abs(cents), 0.1) << "saw at 1 kHz by fine tune";
  std::printf("[ measured ] engine pitch, 4 shapes x 55 Hz-3.52 kHz and 1 kHz by fine tune: worst %.4f cents\n",
              worst);
}

TEST(EngineOscillator, SawSquareTriangleAliasesAtLeast80dBDown) {
  double worst = -300;
  for (Wave wave : {Wave::Saw, Wave::Pulse, Wave::Triangle}) {  // Pulse at its default width 0.5: square
    // The exact frequencies of the requirement, and detuned neighbours: at 1 kHz every alias of a
    // 48 kHz render lands on a harmonic; the detuned ones put the aliases between harmonics.
    for (double hz : {1000.0, 1013.7, 2500.0, 2531.0, 5000.0, 5077.0, 10000.0, 10123.0}) {
      const auto x = renderHeld(oscillatorPatch(wave), tuningFor(hz), 1 << 16);
      const auto report = aliasLevel(x, kRate, hz);
      worst = std::max(worst, report.strongestAliasDb);
      EXPECT_LT(report.strongestAliasDb, -80.0)
          << nameOf(wave) << " at " << hz << " Hz: alias at " << report.aliasFrequencyHz << " Hz";
      std::printf("[ measured ] %-8s %7.1f Hz: strongest alias %.1f dB at %.0f Hz\n", nameOf(wave), hz,
                  report.strongestAliasDb, report.aliasFrequencyHz);
    }
  }
  std::printf("[ measured ] engine saw/square/triangle at 1-10 kHz: strongest alias %.1f dB\n", worst);
}

TEST(EngineOscillator, SubSquareIsBandLimited) {
  // Osc 1 silent, the sub square (one octave below osc 1) alone.
  Patch patch = oscillatorPatch(Wave::Saw);
  patch[Param::Osc1Level] = 0;
  patch[Param::SubLevel] = 1;
  double worst = -300;
  patch[Param::Osc1Octave] = 3;  // osc 1 (silent) three octaves up: the sub reaches 10 kHz
  for (double hz : {1013.7, 2531.0, 5077.0, 10123.0}) {
    Tuning tuning = tuningFor(2.0 * hz);
    tuning.note -= 36;
    const auto report = aliasLevel(renderHeld(patch, tuning, 1 << 16), kRate, hz);
    worst = std::max(worst, report.strongestAliasDb);
    EXPECT_LT(report.strongestAliasDb, -80.0) << "sub square at " << hz << " Hz: alias at "
                                              << report.aliasFrequencyHz << " Hz";
  }
  std::printf("[ measured ] engine sub square at 1-10 kHz: strongest alias %.1f dB\n", worst);
}

// Every built-in wavetable at three morph positions, 1 and 5 kHz (and off the harmonic grid):
// relative to the strongest harmonic (formant frames have a weak fundamental).
TEST(EngineOscillator, WavetablesAlias80dBDownAtEveryPosition) {
  double worst = -300;
  for (int table = 0; table < kNumWavetables; ++table) {
    for (float position : {0.0f, 0.37f, 1.0f}) {
      for (double hz : {1013.7, 5077.0}) {
        Patch patch = oscillatorPatch(Wave::Wavetable);
        patch[Param::Osc1Table] = float(table);
        patch[Param::Osc1WavePos] = position;
        const auto report = aliasLevel(renderHeld(patch, tuningFor(hz), 1 << 16), kRate, hz, 0);
        worst = std::max(worst, report.strongestAliasDb);
        EXPECT_LT(report.strongestAliasDb, -80.0)
            << kWavetableNames[table] << " at " << position << ", " << hz << " Hz: alias at " << report.aliasFrequencyHz;
      }
    }
  }
  std::printf("[ measured ] engine wavetables, %d tables x 3 positions at 1 and 5 kHz: strongest alias %.1f dB\n",
              kNumWavetables, worst);
}

// Between two frames the oscillator plays their mix: halfway between frames 7 and 8 of 16 is the
// average of the two frames' outputs (everything after the oscillator is linear).
TEST(EngineOscillator, WavetablePositionMorphsBetweenAdjacentFrames) {
  const auto render = [](float position) {
    Patch patch = oscillatorPatch(Wave::Wavetable);
    patch[Param::Osc1WavePos] = position;
    return renderHeld(patch, {57, 0.0f}, 4096);
  };
  const float a = 7.0f / 15.0f, b = 8.0f / 15.0f;
  const auto fa = render(a), fb = render(b), mid = render(0.5f * (a + b));
  double worst = 0, peak = 0;
  for (size_t i = 0; i < mid.size(); ++i) {
    worst = std::max(worst, double(std::fabs(mid[i] - 0.5f * (fa[i] + fb[i]))));
    peak = std::max(peak, double(std::fabs(fa[i] - fb[i])));
  }
  EXPECT_GT(peak, 0.01);  // the two frames differ
  EXPECT_LT(worst, 1e-5);
}

// Phase modulation (the FM parameter): osc 1, a 1 kHz sine, moves osc 2's phase by fm_amount
// cycles per unit; at 1 / (2 pi) the index is 1 radian, so a 3 kHz sine carrier has sidebands at
// 3 +- n kHz of amplitude |J_n(1)|: J0 = 0.7652, J1 = 0.4401, J2 = 0.1149.
TEST(EngineOscillator, PhaseModulationMakesBesselSidebands) {
  Patch patch = oscillatorPatch(Wave::Sine);
  patch[Param::Osc1Level] = 0;  // the modulator is not heard
  patch[Param::Osc2Level] = 1;
  patch[Param::Osc2Wave] = float(Wave::Sine);
  const double semitones = 12.0 * std::log2(3.0);  // 19.02: one octave, 7 semitones, 1.96 cents
  patch[Param::Osc2Octave] = 1;
  patch[Param::Osc2Semitone] = 7;
  const Tuning modulator = tuningFor(1000.0);
  patch[Param::Osc2Fine] = float((semitones - 19.0) * 100.0) + modulator.fineCents;
  patch[Param::FmAmount] = float(1.0 / (2.0 * dsp::testing::kPi));
  constexpr int kTotal = 48000;  // one second: every component on a bin
  const auto x = renderHeld(patch, modulator, kTotal);
  const auto mag = magnitudeSpectrum(x.data(), kTotal);
  const auto level = [&](double hz) {
    const int c = int(std::lround(hz * kTotal / kRate));
    double peak = 0;
    for (int k = c - 3; k <= c + 3; ++k) peak = std::max(peak, mag[size_t(k)]);
    return peak;
  };
  const double j0 = level(3000.0);
  EXPECT_NEAR(level(4000.0) / j0, 0.4401 / 0.7652, 0.01);
  EXPECT_NEAR(level(5000.0) / j0, 0.1149 / 0.7652, 0.01);
  EXPECT_NEAR(level(2000.0) / j0, 0.4401 / 0.7652, 0.01);
}

// Unison: copies at random phases, summed with 1 / sqrt(N), keep the loudness of one.
TEST(EngineOscillator, SixteenUnisonCopiesKeepTheLoudnessOfOne) {
  const auto rms = [](int copies) {
    Patch patch = oscillatorPatch(Wave::Saw);
    patch[Param::UnisonVoices] = float(copies);
    patch[Param::UnisonDetune] = 30;
    patch[Param::UnisonSpread] = 0;
    const auto x = renderHeld(patch, {57, 0.0f}, 96000);
    return rmsOf(x, 0, x.size());
  };
  const double one = rms(1), sixteen = rms(16);
  std::printf("[ measured ] engine unison RMS: 1 copy %.4f, 16 copies %.4f\n", one, sixteen);
  EXPECT_NEAR(20.0 * std::log10(sixteen / one), 0.0, 1.5);
}

// Hard sync: osc 2 restarts at osc 1's wraps, at the sub-sample instant, with the jumps in value,
// slope and curvature corrected by minBLEP residuals (64 samples, minimum phase). Bound: every
// alias at least 60 dB below the strongest harmonic for masters of 0.2-2 kHz and slave ratios of
// 1.5-3.9 (without the corrections the engine measured -31 dB; the step alone gives about -35 dB).
Patch syncedPatch(Wave slave, double ratio, const Tuning& master) {
  Patch patch = oscillatorPatch(Wave::Saw);
  patch[Param::Osc1Level] = 0;
  patch[Param::Osc2Level] = 1;
  patch[Param::Osc2Wave] = float(slave);
  patch[Param::Osc2Sync] = 1;
  const double semitones = 12.0 * std::log2(ratio);
  const double octaves = std::floor(semitones / 12.0);
  const double rest = semitones - 12.0 * octaves;
  patch[Param::Osc2Octave] = float(octaves);
  patch[Param::Osc2Semitone] = float(std::lround(rest));
  // Osc 2 follows osc 1's fine tune.
  patch[Param::Osc2Fine] = float((rest - std::lround(rest)) * 100.0) + master.fineCents;
  return patch;
}

TEST(EngineOscillator, HardSyncAliasLevel) {
  double worstOfAll = -300;
  for (Wave slave : {Wave::Saw, Wave::Pulse, Wave::Triangle, Wave::Sine}) {
    double worst = -300;
    for (double masterHz : {201.3, 613.7, 1013.7, 1987.0}) {
      for (double ratio : {1.5, 2.37, 3.91}) {
        const Tuning master = tuningFor(masterHz);
        const auto x = renderHeld(syncedPatch(slave, ratio, master), master, 1 << 16);
        // Relative to the strongest harmonic: the synced spectrum's peak moves with the ratio.
        const auto report = aliasLevel(x, kRate, masterHz, 0);
        worst = std::max(worst, report.strongestAliasDb);
        EXPECT_LT(report.strongestAliasDb, kSyncAliasBoundDb) << nameOf(slave) << " slave, " << masterHz
                                                              << " Hz, ratio " << ratio << ": alias at "
                                                              << report.aliasFrequencyHz << " Hz";
      }
    }
    std::printf("[ measured ] engine hard sync, %s slave, masters 0.2-2 kHz, ratios 1.5-3.9: strongest alias %.1f dB\n",
                nameOf(slave), worst);
    worstOfAll = std::max(worstOfAll, worst);
  }
  std::printf("[ measured ] engine hard sync, every slave shape: strongest alias %.1f dB\n", worstOfAll);
}

// A synced saw repeats at the master's period whatever the ratio: its fundamental is the master's.
TEST(EngineOscillator, HardSyncFollowsTheMasterPitch) {
  double worst = 0;
  for (int note : {33, 69, 105}) {  // 55, 440, 3520 Hz
    const double expected = 440.0 * std::exp2((note - 69) / 12.0);
    const Tuning master{note, 0.0f};
    const auto x = renderHeld(syncedPatch(Wave::Saw, 2.37, master), master, 1 << 17);
    const double cents = centsBetween(measureFrequency(x, kRate, expected), expected);
    worst = std::max(worst, std::abs(cents));
    EXPECT_LT(std::abs(cents), 0.1) << "master note " << note;
  }
  std::printf("[ measured ] engine hard-sync pitch error at 55, 440, 3520 Hz: %.5f cents\n", worst);
}

}  // namespace
}  // namespace midistems::synth
