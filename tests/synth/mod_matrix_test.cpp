// LFOs and the modulation matrix, measured from the output: LFO rates in Hz and tempo-synced
// (detected from the pitch of a modulated sine), an LFO moving the filter's spectral centroid at
// its rate, a slot modulating another slot's amount, per-voice evaluation, and the rule that every
// continuous parameter of the table is a destination.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "dsp/measure.h"
#include "synth_test_util.h"

namespace midistems::synth {
namespace {

using namespace midistems::synth::testing;
constexpr double kRate = 48000;

// Frequency per cycle of `x` (from upward zero crossings, sub-sample interpolated), as (time, Hz).
std::vector<std::pair<double, double>> pitchTrack(const std::vector<float>& x, size_t from) {
  std::vector<std::pair<double, double>> track;
  double last = -1;
  for (size_t i = from + 1; i < x.size(); ++i) {
    if (x[i - 1] < 0 && x[i] >= 0) {
      const double t = double(i - 1) + double(-x[i - 1]) / double(x[i] - x[i - 1]);
      if (last >= 0) track.push_back({0.5 * (t + last) / kRate, kRate / (t - last)});
      last = t;
    }
  }
  return track;
}

// The period of a slow oscillation of `track` around `centre`: the mean spacing of its upward
// crossings of the centre (linearly interpolated), in seconds.
double periodAround(const std::vector<std::pair<double, double>>& track, double centre) {
  double first = -1, last = -1;
  int crossings = 0;
  for (size_t i = 1; i < track.size(); ++i) {
    const auto [t0, f0] = track[i - 1];
    const auto [t1, f1] = track[i];
    if (f0 < centre && f1 >= centre) {
      const double t = t0 + (t1 - t0) * (centre - f0) / (f1 - f0);
      if (first < 0) first = t; else ++crossings;
      last = t;
    }
  }
  return crossings > 0 ? (last - first) / crossings : 0.0;
}

// A 440 Hz sine whose pitch the LFO `lfo` swings by +-1 semitone through slot 1.
Patch vibratoPatch(int lfo, LfoWave wave = LfoWave::Sine) {
  Patch p = sinePatch();
  const LfoParams& l = lfoParams(lfo);
  p[l.wave] = float(wave);
  static constexpr ModSource kSource[kNumLfos] = {ModSource::Lfo1, ModSource::Lfo2, ModSource::Lfo3,
                                                  ModSource::Lfo4, ModSource::GlobalLfo1, ModSource::GlobalLfo2};
  p[Param::Mod1Source] = float(kSource[lfo]);
  p[Param::Mod1Dest] = float(ModDest::Pitch);
  p[Param::Mod1Amount] = 1.0f / 24.0f;
  return p;
}

double measuredLfoPeriod(const Patch& patch, float tempo, double seconds) {
  Synth synth;
  synth.prepare(float(kRate));
  synth.setPatch(patch);
  const auto out = renderEvents(synth, {{0, Event::tempo(0, tempo)}, noteOn(0, 69)}, int64_t(seconds * kRate), 256);
  return periodAround(pitchTrack(out.left, 4800), 440.0);
}

int syncIndex(const char* name) {
  for (int i = 0; i < kNumTempoSyncs; ++i)
    if (std::string_view(kTempoSyncNames[i]) == name) return i;
  return -1;
}

TEST(ModMatrix, LfoRateInHzMeasuredFromThePitch) {
  double worst = 0;
  for (int lfo : {0, 3, 4}) {  // a voice LFO of format 1 and 2, and a global LFO
    for (float hz : {0.9f, 3.7f, 11.0f}) {
      Patch patch = vibratoPatch(lfo);
      patch[lfoParams(lfo).rate] = hz;
      const double period = measuredLfoPeriod(patch, 120, std::max(4.0, 12.0 / hz));
      const double error = std::fabs(period * hz - 1.0);
      worst = std::max(worst, error);
      EXPECT_LT(error, 0.005) << "LFO " << lfo << " at " << hz << " Hz: period " << period << " s";
    }
  }
  std::printf("[ measured ] LFO rate in Hz from the output's pitch: worst error %.4f %%\n", 100 * worst);
}

TEST(ModMatrix, TempoSyncedLfoFollowsTheTempoWithDottedAndTriplets) {
  struct Case { const char* division; float tempo; double beats; };
  // Beats are quarter notes: 1/8 = 0.5 beat, 1/4d = 1.5, 1/8t = 1/3, 1/16 = 0.25, 1/2t = 4/3.
  const Case cases[] = {{"1/8", 150, 0.5}, {"1/4d", 100, 1.5}, {"1/8t", 120, 1.0 / 3}, {"1/16", 90, 0.25},
                        {"1/2t", 137, 4.0 / 3}};
  double worst = 0;
  for (int lfo : {0, 5}) {
    for (const Case& c : cases) {
      Patch patch = vibratoPatch(lfo);
      patch[lfoParams(lfo).rate] = 0.37f;  // ignored while synced
      patch[lfoParams(lfo).sync] = float(syncIndex(c.division));
      const double expected = c.beats * 60.0 / c.tempo;
      const double period = measuredLfoPeriod(patch, c.tempo, std::max(4.0, 12.0 * expected));
      const double error = std::fabs(period / expected - 1.0);
      worst = std::max(worst, error);
      EXPECT_LT(error, 0.005) << "LFO " << lfo << " " << c.division << " at " << c.tempo << " BPM: period "
                              << period << " s, expected " << expected;
    }
  }
  std::printf("[ measured ] tempo-synced LFO period from the output's pitch: worst error %.4f %%\n", 100 * worst);
}

// Spectral centroid of x[from, from + n) (Blackman-Harris window), in Hz.
double centroid(const std::vector<float>& x, size_t from, int n) {
  const auto mag = dsp::testing::magnitudeSpectrum(x.data() + from, n);
  double num = 0, den = 0;
  for (size_t k = 1; k < mag.size(); ++k) {
    const double power = mag[k] * mag[k];
    num += power * double(k) * kRate / n;
    den += power;
  }
  return den > 0 ? num / den : 0.0;
}

// The frequency (between lo and hi Hz) at which a sampled track oscillates most strongly: the peak
// of its discrete-time Fourier transform on a 0.001 Hz grid.
double strongestOscillation(const std::vector<std::pair<double, double>>& track, double lo, double hi) {
  double mean = 0;
  for (const auto& [t, v] : track) mean += v;
  mean /= double(track.size());
  double best = 0, bestHz = 0;
  for (double hz = lo; hz <= hi; hz += 0.001) {
    double re = 0, im = 0;
    for (const auto& [t, v] : track) {
      re += (v - mean) * std::cos(2 * dsp::testing::kPi * hz * t);
      im += (v - mean) * std::sin(2 * dsp::testing::kPi * hz * t);
    }
    if (re * re + im * im > best) best = re * re + im * im, bestHz = hz;
  }
  return bestHz;
}

TEST(ModMatrix, LfoToCutoffMovesTheCentroidAtTheLfoRate) {
  Patch patch = sinePatch();
  patch[Param::Osc1Wave] = float(Wave::Saw);
  patch[Param::FilterTypeParam] = float(FilterType::Lp24);
  patch[Param::FilterCutoff] = 1500;
  constexpr float kLfoHz = 2.3f;
  patch[Param::Lfo1Rate] = kLfoHz;
  patch[Param::Mod1Source] = float(ModSource::Lfo1);
  patch[Param::Mod1Dest] = float(ModDest::Cutoff);
  patch[Param::Mod1Amount] = 0.25f;  // +-2 octaves
  const auto track = [&](const Patch& p, double seconds) {
    Synth synth;
    synth.prepare(float(kRate));
    synth.setPatch(p);
    const auto out = renderEvents(synth, {noteOn(0, 57)}, int64_t(seconds * kRate), 256);
    std::vector<std::pair<double, double>> centroids;
    for (size_t from = 4800; from + 2048 < out.left.size(); from += 480)
      centroids.push_back({(double(from) + 1024) / kRate, centroid(out.left, from, 2048)});
    return centroids;
  };
  const auto range = [](const std::vector<std::pair<double, double>>& t) {
    double lo = 1e9, hi = 0;
    for (const auto& [time, c] : t) lo = std::min(lo, c), hi = std::max(hi, c);
    return std::pair{lo, hi};
  };
  const auto moving = track(patch, 8.0);
  const auto [lo, hi] = range(moving);
  const double hz = strongestOscillation(moving, 0.5, 10.0);
  std::printf("[ measured ] LFO -> cutoff: centroid %.0f-%.0f Hz, oscillating at %.3f Hz (LFO %.3f Hz)\n", lo, hi, hz,
              double(kLfoHz));
  EXPECT_GT(hi / lo, 1.5);  // the centroid swings widely
  EXPECT_NEAR(hz / kLfoHz, 1.0, 0.01);
  // Without the slot it stays put.
  patch[Param::Mod1Amount] = 0;
  const auto [flatLo, flatHi] = range(track(patch, 2.0));
  EXPECT_LT(flatHi / flatLo, 1.02);
}

// Slot 2 (macro 2) modulates slot 1's amount; slot 1 (macro 1) moves the pitch. With slot 1's own
// amount 0, only slot 2 makes it sound: amount 1/48 of a slot amount's range (-1..1) is 1/24, one
// semitone of pitch at macro 1 = 1.
TEST(ModMatrix, ASlotModulatesAnotherSlotsAmount) {
  Patch patch = sinePatch();
  patch[Param::Macro1] = 1;
  patch[Param::Mod1Source] = float(ModSource::Macro1);
  patch[Param::Mod1Dest] = float(ModDest::Pitch);
  patch[Param::Mod1Amount] = 0;
  patch[Param::Mod2Source] = float(ModSource::Macro2);
  patch[Param::Mod2Dest] = float(modDestOf(Param::Mod1Amount));
  patch[Param::Mod2Amount] = 1.0f / 48.0f;
  const auto play = [&](float macro2) {
    Patch p = patch;
    p[Param::Macro2] = macro2;
    Synth synth;
    synth.prepare(float(kRate));
    synth.setPatch(p);
    return frequencyOf(renderEvents(synth, {noteOn(0, 69)}, 24000, 256).left, 4800, 24000, kRate);
  };
  EXPECT_NEAR(play(0), 440.0, 0.05);
  EXPECT_NEAR(play(1), 440.0 * std::exp2(1.0 / 12.0), 0.05);
  EXPECT_NEAR(play(0.5f), 440.0 * std::exp2(0.5 / 12.0), 0.05);
}

// Per-voice sources move per-voice destinations per voice: velocity -> osc 1 fine tune (a generic
// destination) gives two notes of the same key different pitches, each as its velocity says.
TEST(ModMatrix, PerVoiceSourcesActPerVoice) {
  Patch patch = sinePatch();
  patch[Param::Mod1Source] = float(ModSource::Velocity);
  patch[Param::Mod1Dest] = float(modDestOf(Param::Osc1Fine));
  patch[Param::Mod1Amount] = 0.5f;  // velocity 1 = half the range (-100..100 ct) = +100 cents
  const auto play = [&](int note, int velocity) {
    Synth synth;
    synth.prepare(float(kRate));
    synth.setPatch(patch);
    return frequencyOf(renderEvents(synth, {noteOn(0, note, velocity)}, 24000, 256).left, 4800, 24000, kRate);
  };
  const double soft = play(69, 1), loud = play(69, 127);
  EXPECT_NEAR(soft, 440.0 * std::exp2((100.0 / 127.0) / 1200.0), 0.05);
  EXPECT_NEAR(loud, 440.0 * std::exp2(1.0 / 12.0), 0.1);
  // Poly aftertouch reaches only the voice of its key.
  patch[Param::Mod1Source] = float(ModSource::PolyAftertouch);
  Synth synth;
  synth.prepare(float(kRate));
  synth.setPatch(patch);
  const auto out = renderEvents(synth, {noteOn(0, 69), {0, Event::midi(0, 0xA0, 70, 127)}}, 24000, 256);
  EXPECT_NEAR(frequencyOf(out.left, 4800, 24000, kRate), 440.0, 0.05);
  Synth pressed;
  pressed.prepare(float(kRate));
  pressed.setPatch(patch);
  const auto bent = renderEvents(pressed, {noteOn(0, 69), {0, Event::midi(0, 0xA0, 69, 127)}}, 24000, 256);
  EXPECT_NEAR(frequencyOf(bent.left, 4800, 24000, kRate), 440.0 * std::exp2(1.0 / 12.0), 0.1);
}

// The destination list comes from the table by rule: every continuous row is reachable, no
// stepped row is, and a destination's name is its parameter's id (or format 1's name for it).
TEST(ModMatrix, EveryContinuousParameterIsADestination) {
  int continuous = 0;
  for (int i = 0; i < kNumParams; ++i) {
    const auto p = static_cast<Param>(i);
    const int dest = modDestOf(p);
    if (paramInfo(p).stepped()) {
      EXPECT_EQ(dest, -1) << paramInfo(p).id;
      continue;
    }
    ++continuous;
    ASSERT_GT(dest, 0) << paramInfo(p).id << " is not a destination";
    EXPECT_EQ(modDestParam(dest), p);
    if (dest >= kNumLegacyModDests) EXPECT_STREQ(kModDestChoices[size_t(dest)], paramInfo(p).id);
  }
  // Slot amounts and macros are among them; the destination choice covers the whole list.
  EXPECT_GT(modDestOf(Param::Mod32Amount), 0);
  EXPECT_GT(modDestOf(Param::Macro8), 0);
  EXPECT_EQ(int(paramInfo(Param::Mod32Dest).max), kNumModDests - 1);
  EXPECT_GE(kNumModDests - kNumLegacyModDests, continuous - 8);  // format 1 names up to 8 of them
  std::printf("[ measured ] %d continuous parameters, %d destinations\n", continuous, kNumModDests);
}

}  // namespace
}  // namespace midistems::synth
