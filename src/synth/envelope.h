#pragma once
// ADSR envelope segments. Each stage is a curve from one level to another in an exact number of
// samples, so stage times are sample-accurate: the per-sample recurrence `level = level * mul +
// add` runs inside the vectorised voice loop, the stage ends by a sample counter, and at every
// control tick the level is recomputed exactly (in double) from the samples elapsed, so float
// rounding never accumulates over long stages.
//
// Curve shape (0 = straight line, 1 = strongly exponential) sets how far beyond the target the
// segment's asymptote lies, the usual analog-style RC curve (as in the EarLevel ADSR): with
// asymptote A = to + r * (to - from) the curve reaches `to` after exactly N samples when
// coef^N = r / (1 + r).
#include <cmath>
#include <cstdint>

namespace midistems::synth {

enum class EnvStage : uint8_t { Idle, Attack, Decay, Sustain, Release, Fade };

constexpr int32_t kForever = 1 << 30;

struct EnvSegment {
  EnvStage stage = EnvStage::Idle;
  int32_t length = kForever;     // samples in this stage
  int32_t remaining = kForever;  // samples left
  double from = 0, to = 0;
  double asymptote = 0, coef = 1;
  bool linear = true;

  int32_t elapsed() const { return length - remaining; }

  // Exact level after `elapsed()` samples of the stage.
  double exactLevel() const {
    const int32_t n = elapsed();
    if (linear) return from + (to - from) * double(n) / double(length);
    return asymptote + (from - asymptote) * std::pow(coef, double(n));
  }

  // Per-sample recurrence for the vector loop.
  float mul() const { return linear && length < kForever ? 1.0f : float(coef); }
  float add() const {
    if (linear && length < kForever) return float((to - from) / double(length));
    return float(asymptote * (1.0 - coef));
  }

  void begin(EnvStage s, double fromLevel, double toLevel, int32_t samples, float curve) {
    stage = s;
    from = fromLevel;
    to = toLevel;
    length = remaining = samples < 1 ? 1 : samples;
    // r = 10^(2 - 4 curve): curve 0.5 gives r = 1, curve 1 gives r = 0.01 (steep RC curve).
    linear = curve < 0.02f || fromLevel == toLevel;
    if (!linear) {
      const double r = std::pow(10.0, 2.0 - 4.0 * double(curve));
      asymptote = toLevel + r * (toLevel - fromLevel);
      coef = std::pow(r / (1.0 + r), 1.0 / double(length));
    }
  }

  // A stage with no end (sustain, idle): the level holds, or approaches `toLevel` with the
  // one-pole `coefPerSample` (so a moving sustain level never steps).
  void hold(EnvStage s, double level, double toLevel, double coefPerSample) {
    stage = s;
    from = level;
    to = toLevel;
    length = remaining = kForever;
    linear = false;
    asymptote = toLevel;
    coef = coefPerSample;
  }
};

}  // namespace midistems::synth
