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
  void setTargets(T cutoffHz, T resonance, T drive);
  void jumpToTargets();

  void process(T* io, int n);
  // Per-sample controls (coefficients computed every sample).
  void processModulated(T* io, int n, const T* cutoffHz, const T* resonance, const T* drive);

 private:
  struct Coefficients {
    T G;      // g / (1 + g), g = tan(pi fc / fs): one stage's instantaneous gain
    T k;      // feedback gain
    T drive;  // input gain into the saturator, >= 1
    T makeup; // output gain: level compensation for drive and resonance
    T solve;  // 1 / (1 + k G^4), the zero-delay loop's solution factor (ramped, so no division
              // per sample in process())
  };
  Coefficients coefficientsFor(T cutoffHz, T resonance, T drive) const;
  T tick(T x, const Coefficients& c);

  double sampleRate_ = 48000.0;
  Coefficients current_{};
  Coefficients target_{};
  T s_[4] = {};  // the four stages' integrator states
};

using Ladder = LadderFilter<float>;
using LadderBank = LadderFilter<Lanes>;

extern template class LadderFilter<float>;
extern template class LadderFilter<Lanes>;

}  // namespace midistems::synth::dsp
