// The voices' per-sample loop (src/synth/voice_render_isa.cpp) at every instruction-set level this
// CPU supports, against the baseline level: the same patches and notes must render to the same
// samples, bit for bit. Both levels compile the same source with fused multiply-adds (x86-64-v3
// and v4) and the loop never reassociates, so the order of operations is the same at each level;
// wider registers only change which instructions carry it out. A baseline built without FMA
// (-DMIDISTEMS_BASELINE_ARCH=x86-64-v2) rounds differently from the AVX-512 level, and resonant
// filters and hard sync carry the rounding on: there the renders must agree within -70 dB of their
// peak (measured: -110.7 dB on the lane paths, -82.2 dB on the factory presets). The largest
// difference is printed in dB.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "core/cpu_isa.h"
#include "synth/preset.h"
#include "synth_test_util.h"

namespace midistems::synth {
namespace {

using namespace midistems::synth::testing;
constexpr float kRate = 48000;

// Ten notes (two voice groups, the second part-filled), velocities and a pitch bend and mod wheel
// move on the way, released before the end so that release stages run too.
Stereo renderAt(IsaLevel level, const Patch& patch) {
  Synth synth;
  synth.prepare(kRate, level);
  synth.setPatch(patch);
  std::vector<TimedEvent> events;
  const int notes[] = {36, 43, 48, 55, 60, 64, 67, 71, 76, 84};
  for (int i = 0; i < 10; ++i) {
    events.push_back(noteOn(97 * i, notes[i], 40 + 8 * i));
    events.push_back(noteOff(14000 + 311 * i, notes[i]));
  }
  events.push_back({6000, Event::midi(0, 0xE0, 0, 80)});  // pitch bend up
  events.push_back(controller(9000, 1, 90));               // mod wheel
  return renderEvents(synth, events, 24000, 64);
}

struct Difference {
  float peak = 0, worst = 0;
  double dB() const { return worst == 0 ? -INFINITY : 20.0 * std::log10(double(worst) / double(peak)); }
};

Difference compare(const Stereo& a, const Stereo& b) {
  Difference d;
  d.peak = std::max(peakOf(a.left), peakOf(a.right));
  for (size_t i = 0; i < a.left.size(); ++i)
    d.worst = std::max({d.worst, std::fabs(a.left[i] - b.left[i]), std::fabs(a.right[i] - b.right[i])});
  return d;
}

// The patches whose paths through the voice loop differ: every oscillator wave (with hard sync,
// FM, ring modulation, the sub and noise), every filter type with a moving cutoff (per-sample
// coefficients) and a settled one (fixed coefficients; the ladder's inline path), unison in stereo.
std::vector<std::pair<std::string, Patch>> lanePatches() {
  std::vector<std::pair<std::string, Patch>> all;
  for (int w = 0; w < int(Wave::Count); ++w) {
    Patch p;
    p[Param::Osc1Wave] = float(w);
    p[Param::Osc2Wave] = float((w + 1) % int(Wave::Count));
    p[Param::Osc2Level] = 0.5f;
    p[Param::Osc1Table] = 2;
    p[Param::Osc2Table] = 5;
    p[Param::Osc2Sync] = w % 2 == 0 ? 1.0f : 0.0f;
    p[Param::FmAmount] = w % 3 == 1 ? 0.3f : 0.0f;
    p[Param::RingLevel] = w % 3 == 2 ? 0.4f : 0.0f;
    p[Param::SubLevel] = 0.3f;
    p[Param::SubWave] = float(w % 2);
    p[Param::NoiseLevel] = 0.05f;
    all.emplace_back(std::string("wave ") + kWaveNames[w], p);
  }
  for (int f = 0; f < int(FilterType::Count); ++f)
    for (bool moving : {false, true}) {
      Patch p;
      p[Param::Osc2Wave] = float(Wave::Pulse);
      p[Param::Osc2Level] = 0.6f;
      p[Param::FilterTypeParam] = float(f);
      p[Param::FilterCutoff] = 900;
      p[Param::FilterResonance] = 0.7f;
      p[Param::FilterDrive] = 12;
      p[Param::FilterEnvAmount] = moving ? 36.0f : 0.0f;
      if (moving) {
        p[Param::Mod1Source] = float(ModSource::Lfo1);
        p[Param::Mod1Dest] = float(ModDest::Cutoff);
        p[Param::Mod1Amount] = 0.3f;
      }
      all.emplace_back(std::string("filter ") + kFilterTypeNames[f] + (moving ? ", moving" : ", settled"), p);
    }
  Patch unison;
  unison[Param::UnisonVoices] = 7;
  unison[Param::UnisonSpread] = 1;
  unison[Param::FilterTypeParam] = float(FilterType::Ladder24);
  all.emplace_back("unison 7, stereo spread, ladder", unison);
  return all;
}

std::vector<IsaLevel> higherLevels() {
  std::vector<IsaLevel> levels;
  if (supportedIsaLevel() >= IsaLevel::Avx512) levels.push_back(IsaLevel::Avx512);
  return levels;
}

void expectSameAsBaseline(const std::string& name, const Patch& patch, IsaLevel level, double& worstDb) {
  const Stereo baseline = renderAt(IsaLevel::Baseline, patch);
  const Stereo other = renderAt(level, patch);
  const Difference d = compare(baseline, other);
  ASSERT_GT(d.peak, 1e-3f) << name << ": silent render, nothing compared";
#if defined(__FMA__)
  EXPECT_EQ(d.worst, 0.0f) << name << " at " << isaLevelName(level) << ": " << d.dB() << " dB of the peak "
                           << d.peak;
#else
  EXPECT_LT(d.dB(), -70.0) << name << " at " << isaLevelName(level) << ", peak " << d.peak;
#endif
  worstDb = std::max(worstDb, d.dB());
}

TEST(VoiceIsa, LanePathsAgreeWithTheBaselineAtEveryLevel) {
  const auto levels = higherLevels();
  if (levels.empty()) GTEST_SKIP() << "this CPU runs the baseline level only: nothing to compare";
  for (IsaLevel level : levels) {
    double worstDb = -INFINITY;
    for (const auto& [name, patch] : lanePatches()) expectSameAsBaseline(name, patch, level, worstDb);
    std::printf("[ measured ] %s vs baseline, %zu lane paths: largest difference %.1f dB of the peak\n",
                isaLevelName(level), lanePatches().size(), worstDb);
  }
}

TEST(VoiceIsa, FactoryPresetsAgreeWithTheBaselineAtEveryLevel) {
  const auto levels = higherLevels();
  if (levels.empty()) GTEST_SKIP() << "this CPU runs the baseline level only: nothing to compare";
  const auto names = factoryPresetNames();
  for (IsaLevel level : levels) {
    double worstDb = -INFINITY;
    for (const std::string& name : names) expectSameAsBaseline(name, factoryPreset(name).patch, level, worstDb);
    std::printf("[ measured ] %s vs baseline, %zu factory presets: largest difference %.1f dB of the peak\n",
                isaLevelName(level), names.size(), worstDb);
  }
}

}  // namespace
}  // namespace midistems::synth
