#pragma once
// The minimum-phase band-limited step (minBLEP) and its integrals, shared read-only: the
// corrections that band-limit a jump in value, slope or curvature at any sub-sample instant.
// The engine's lane-wise hard sync (src/synth/voice_render_isa.cpp) uses them.
//
// A minimum-phase band-limited step (Brandt, "Hard Sync Without Aliasing", ICMC 2001): the running
// integral of the minimum-phase version of a Blackman-Harris-windowed sinc. Stored as the residual
// step - 1, which an oscillator adds (scaled by the jump) after a discontinuity.
// 64 samples long with a cutoff of 0.4375 fs: the Blackman-Harris window's main lobe (+-4/64 of fs)
// then puts the whole transition band (0.375-0.5 fs) below Nyquist, so nothing folds back (a
// cutoff at Nyquist would leave half the transition above it and alias at about -35 dB).
#include <cstddef>
#include <vector>

namespace midistems::synth::dsp {

inline constexpr int kBlepSamples = 64;  // samples a correction lasts
inline constexpr int kBlepOversampling = 64;

struct BlepTable {
  // kBlepSamples * kBlepOversampling + 1 points each.
  std::vector<float> residual;  // band-limited step minus the naive step
  // The same for a unit change of slope (a kink), built from the same minimum-phase filter: the
  // integrated step residual R plus D times the band-limited step, where D = -R(end) is the
  // filter's delay. Both parts are band-limited, and the sum decays to zero (the band-limited ramp
  // lags the naive one by D; the step of height D makes up the lag).
  std::vector<float> kinkResidual;
  // And once more for a change of curvature (second derivative), by the same construction.
  std::vector<float> bendResidual;

  static float read(const std::vector<float>& table, float samplesAfter) {
    const float pos = samplesAfter * float(kBlepOversampling);
    const int i = static_cast<int>(pos);
    if (i >= kBlepSamples * kBlepOversampling) return 0.0f;
    const float frac = pos - float(i);
    return table[static_cast<std::size_t>(i)] + frac * (table[static_cast<std::size_t>(i) + 1] - table[static_cast<std::size_t>(i)]);
  }
  // The three residuals rearranged by sub-sample phase: phases[k][p][m] is residual k (step,
  // kink, bend) at p / kBlepOversampling + m samples (p in 0 .. kBlepOversampling, m in
  // 0 .. kBlepSamples - 1), so that one discontinuity's corrections for all kBlepSamples samples
  // read two contiguous rows (its phase's and the next), with one interpolation weight.
  std::vector<float> phases;
  const float* phaseRow(int residualKind, int p) const {
    return phases.data() + (size_t(residualKind) * (kBlepOversampling + 1) + size_t(p)) * kBlepSamples;
  }

  // Each takes the time since the discontinuity in samples, >= 0.
  float at(float samplesAfterStep) const { return read(residual, samplesAfterStep); }
  float kinkAt(float samplesAfterKink) const { return read(kinkResidual, samplesAfterKink); }
  float bendAt(float samplesAfterBend) const { return read(bendResidual, samplesAfterBend); }
};

// Built on first use (thread-safe; not real-time safe the first time), then shared read-only.
const BlepTable& minBlep();

}  // namespace midistems::synth::dsp
