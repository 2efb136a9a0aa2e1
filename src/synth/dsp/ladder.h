#pragma once
// Zero-delay-feedback transistor-ladder low-pass, 24 dB/oct (four trapezoidal one-pole stages in a
// global negative feedback loop, solved without a unit delay; Zavalishin, "The Art of VA Filter
// Design", ch. 5), with a saturating nonlinearity at the input of the ladder, where the input and
// the feedback meet (as in the Moog transistor ladder's differential pair).
//
// The loop is solved linearly for the instantaneous feedback, which is then saturated (soft clip,
// bounded by 1), so every stage sees a bounded input and the filter cannot blow up at any setting.
// Cutoff is the frequency of the four poles (bilinear prewarped): at resonance 0 the response is
// -12 dB there and -3 dB where the prewarped frequency is 0.4349 x cutoff (four equal
// poles: (1 + x^2)^4 = 2, x = (2^(1/4) - 1)^(1/2)). Resonance 0..1
// sets the feedback gain 0..4.2; the loop reaches unity gain (self-oscillation, a sine at the
// cutoff) at resonance 0.952 and the saturator holds the amplitude. The low-frequency loss of
// a ladder at high resonance (DC gain 1 / (1 + k)) is compensated by half. Drive 0..1 raises the
// input gain into the saturator from 1 to 16, with an output gain of 1/sqrt(input gain), as the
// SVF's drive. Even at drive 0 the saturator shapes full-scale input a little (the soft clipper
// compresses a peak of 1 to 0.85), as a transistor ladder does.
//
// One template serves one voice (`Ladder`, T = float) and kLanes voices (`LadderBank`,
// T = Lanes). Real-time safe, no allocation.
#include "synth/dsp/lanes.h"

namespace midistems::synth::dsp {

template <class T>
class LadderFilter {
 public:
  // Sets the sample rate, resets the state and jumps the controls to 1 kHz, resonance 0, drive 0.
  void prepare(double sampleRate);
  void reset();
  void resetLane(int lane);

  // Block-rate control: cutoff in Hz (clamped to [10 Hz, 0.49 fs]), resonance and drive in [0, 1].
  // The next process() ramps the coefficients linearly from the previous targets to these.
  // The members that run per sample or per run are defined below, forced inline: the voices'
  // loop is compiled once per instruction-set level and inlines them (synth/dsp/lanes.h).
  void setTargets(T cutoffHz, T resonance, T drive);
  void jumpToTargets();

  void process(T* io, int n);
  // Per-sample controls (coefficients computed every sample).
  void processModulated(T* io, int n, const T* cutoffHz, const T* resonance, const T* drive);

  // process() for a caller that interleaves the filter with its own per-sample work, so that the
  // CPU overlaps the filter's long dependency chain with that work: after jumpToTargets() (controls
  // that do not move during the run), `y = tick(x, settled())` for each sample, then endRun().
  // The same arithmetic as process(), so the same result.
  struct Coefficients {
    T G;      // g / (1 + g), g = tan(pi fc / fs): one stage's instantaneous gain
    T k;      // feedback gain
    T drive;  // input gain into the saturator, >= 1
    T makeup; // output gain: level compensation for drive and resonance
    T solve;  // 1 / (1 + k G^4), the zero-delay loop's solution factor (ramped, so no division
              // per sample in process())
  };
  const Coefficients& settled() const { return current_; }
  T tick(T x, const Coefficients& c);
  // Ends a run: the controls reach their targets, states that a non-finite input poisoned are
  // cleared (one NaN must not silence the voice for ever) and tiny ones flushed to zero.
  MIDISTEMS_LANE_INLINE void endRun() {
    current_ = target_;
    for (T& s : s_) s = flushTiny(zeroIfNotFinite(s));
  }

 private:
  Coefficients coefficientsFor(T cutoffHz, T resonance, T drive) const;

  double sampleRate_ = 48000.0;
  Coefficients current_{};
  Coefficients target_{};
  T s_[4] = {};  // the four stages' integrator states
};

template <class T>
MIDISTEMS_LANE_INLINE T LadderFilter<T>::tick(T x, const Coefficients& c) {
    // Stage i is y_i = G u_i + (1 - G) s_i, so y_i = G^i u + c_i, where c_i depends only on the
    // states: every stage output follows from the ladder input u in one step, instead of four
    // dependent ones (a shorter critical path, same arithmetic). With u = x - k y4 the loop solves
    // to y4 = (G^4 x + c_4) / (1 + k G^4); the input is then saturated and the stages updated.
    const T G = c.G;
    const T H = 1.0f - G;
    const T G2 = G * G;
    const T G3 = G2 * G;
    const T G4 = G2 * G2;
    const T c1 = H * s_[0];
    const T c2 = G * c1 + H * s_[1];
    const T c3 = G * c2 + H * s_[2];
    // c4 as a sum of independent products (shallower than continuing the recursion), and the loop
    // solution folded into two gains, so that the input's part is off the critical path:
    // in - k y4 = (1 - k G^4 solve) in - k solve c4.
    const T c4 = ((H * G3) * s_[0] + (H * G2) * s_[1]) + ((H * G) * s_[2] + H * s_[3]);
    const T in = c.drive * x;
    const T ks = c.k * c.solve;
    const T u = softClipCubic((1.0f - ks * G4) * in - ks * c4);
    const T y1 = G * u + c1;
    const T y2 = G2 * u + c2;
    const T y3 = G3 * u + c3;
    const T y4 = G4 * u + c4;
    // Trapezoidal integrator states: s' = y + v = 2 y - s. Tiny states are flushed once per run, at
    // the end of process(), not here on the loop's critical path (a state cannot decay from 1e-15 to
    // the subnormal range within one run).
    s_[0] = 2.0f * y1 - s_[0];
    s_[1] = 2.0f * y2 - s_[1];
    s_[2] = 2.0f * y3 - s_[2];
    s_[3] = 2.0f * y4 - s_[3];
    return y4 * c.makeup;
}

// Feedback gain at resonance 1. The loop gain of four poles at their own frequency is k / 4, so
// the ladder self-oscillates above k = 4 (resonance 0.952); 5 % above that, the oscillation starts
// reliably from a small excitation and the soft clipper settles it at a steady amplitude.
inline constexpr float kLadderMaxFeedback = 4.2f;

template <class T>
MIDISTEMS_LANE_INLINE typename LadderFilter<T>::Coefficients LadderFilter<T>::coefficientsFor(
    T cutoffHz, T resonance, T drive) const {
  const float fs = float(sampleRate_);
  const T g = tanPi(clampTo(cutoffHz, 10.0f, 0.49f * fs) * (1.0f / fs));
  Coefficients c;
  c.G = g / (1.0f + g);
  c.k = kLadderMaxFeedback * clampTo(resonance, 0.0f, 1.0f);
  c.drive = 1.0f + 15.0f * clampTo(drive, 0.0f, 1.0f);
  c.makeup = (1.0f + 0.5f * c.k) / squareRoot(c.drive);
  const T G2 = c.G * c.G;
  c.solve = 1.0f / (1.0f + c.k * G2 * G2);
  return c;
}

template <class T>
MIDISTEMS_LANE_INLINE void LadderFilter<T>::setTargets(T cutoffHz, T resonance, T drive) {
  target_ = coefficientsFor(cutoffHz, resonance, drive);
}

template <class T>
MIDISTEMS_LANE_INLINE void LadderFilter<T>::jumpToTargets() {
  current_ = target_;
}

template <class T>
MIDISTEMS_LANE_INLINE void LadderFilter<T>::process(T* io, int n) {
  if (n <= 0) return;
  const Coefficients from = current_;
  const Coefficients to = target_;
  const float invN = 1.0f / float(n);
  for (int i = 0; i < n; ++i) {
    const float t = float(i + 1) * invN;
    const Coefficients c{lerp(from.G, to.G, t), lerp(from.k, to.k, t), lerp(from.drive, to.drive, t),
                         lerp(from.makeup, to.makeup, t), lerp(from.solve, to.solve, t)};
    io[i] = tick(io[i], c);
  }
  endRun();
}

template <class T>
MIDISTEMS_LANE_INLINE void LadderFilter<T>::processModulated(T* io, int n, const T* cutoffHz,
                                                             const T* resonance, const T* drive) {
  for (int i = 0; i < n; ++i) {
    current_ = coefficientsFor(cutoffHz[i], resonance[i], drive[i]);
    io[i] = tick(io[i], current_);
  }
  target_ = current_;
  endRun();
}

using Ladder = LadderFilter<float>;
using LadderBank = LadderFilter<Lanes>;

extern template class LadderFilter<float>;
extern template class LadderFilter<Lanes>;

}  // namespace midistems::synth::dsp
