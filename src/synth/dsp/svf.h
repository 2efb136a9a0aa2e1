#pragma once
// Zero-delay-feedback state-variable filter (the trapezoidal "TPT" SVF of Zavalishin, "The Art of
// VA Filter Design", ch. 4), low/high/band-pass and notch at 12 dB/oct (one 2-pole section) or
// 24 dB/oct (two sections).
//
// Response at resonance 0: the 12 dB modes are Butterworth (Q = 1/sqrt 2), so low- and high-pass
// are exactly -3 dB at the cutoff; the 24 dB modes are a 4th-order Butterworth (sections with
// Q = 0.5412 and 1.3066), again -3 dB at the cutoff. Band-pass peaks at the cutoff with unit gain,
// and the notch's zero sits at the cutoff. Resonance raises the Q of the (last) section up to
// self-oscillation at resonance 1: the damping becomes slightly negative there, and an
// amplitude-dependent damping term (a van der Pol limiter) holds the oscillation at a steady
// sine at the cutoff frequency. Drive (0..1) crossfades the input from clean to a soft clipper
// with an input gain of 1..16 and an output gain of 1/sqrt(input gain), so full drive saturates
// loud signals and lifts quiet ones by up to 12 dB; drive 0 is exactly clean.
//
// One template serves one voice (`Svf`, T = float) and kLanes voices at once (`SvfBank`,
// T = Lanes). Coefficients are computed at block boundaries and ramped linearly per sample, or
// computed per sample with processModulated(). Real-time safe, no allocation.
#include <cstdint>

#include "synth/dsp/lanes.h"

namespace midistems::synth::dsp {

enum class SvfMode : std::uint8_t {
  LowPass12,
  HighPass12,
  BandPass12,
  Notch12,
  LowPass24,
  HighPass24,
  BandPass24,
  Notch24,
};

template <class T>
class StateVariableFilter {
 public:
  // Sets the sample rate, resets the state and jumps the controls to 1 kHz, resonance 0, drive 0.
  void prepare(double sampleRate);
  // Clears the state of every lane (or of one lane, for a voice that restarts).
  void reset();
  void resetLane(int lane);

  void setMode(SvfMode mode) { mode_ = mode; }
  SvfMode mode() const { return mode_; }

  // Block-rate control: cutoff in Hz (clamped to [10 Hz, 0.49 fs]), resonance and drive in [0, 1].
  // The next process() ramps the coefficients linearly from the previous targets to these;
  // `jumpToTargets` skips the ramp (use it when a voice starts). These and the processing below are
  // defined after the class, forced inline: the voices' loop is compiled once per instruction-set
  // level and inlines them (synth/dsp/lanes.h).
  void setTargets(T cutoffHz, T resonance, T drive);
  void jumpToTargets();

  // Filters io[0..n) in place with the ramped block-rate coefficients. Inputs may be anything:
  // NaN or infinite samples give non-finite output for that block only (the states are cleaned at
  // the end of every block).
  void process(T* io, int n);
  // Filters io[0..n) in place with per-sample controls (the coefficients are computed every
  // sample); afterwards the targets are the last sample's controls.
  void processModulated(T* io, int n, const T* cutoffHz, const T* resonance, const T* drive);

 private:
  // The controls in the form the per-sample loop ramps linearly.
  struct Coefficients {
    T g;           // tan(pi fc / fs)
    T resonance;   // 0..1
    T drive;       // 0..1, the clean/driven crossfade
    T driveGain;   // 1 + 15 drive
    T driveOut;    // 1 / sqrt(driveGain)
  };
  Coefficients coefficientsFor(T cutoffHz, T resonance, T drive) const;
  void sanitise();  // zeroes states that a NaN or infinite input made non-finite
  // run() for the current mode.
  void runMode(T* io, int n, const Coefficients* perSample, Coefficients from, Coefficients to);
  template <bool kFourPole, int kOutput>
  void run(T* io, int n, const Coefficients* perSample, Coefficients from, Coefficients to);
  template <int kOutput>
  static T section(T x, T g, T k, float kNorm, T& a, T& b);

  // Damping 1/Q of the Butterworth sections at resonance 0: 2 cos(pi/4) for the 2-pole response;
  // 2 cos(pi/8) and 2 cos(3 pi/8) for the two sections of the 4-pole response.
  static constexpr float kButterworth2 = 1.41421356f;
  static constexpr float kButterworth4Low = 1.84775907f;   // Q = 0.5412
  static constexpr float kButterworth4High = 0.76536686f;  // Q = 1.3066
  // Damping at resonance 1: slightly negative, so that the filter self-oscillates from any small
  // excitation and grows at a rate of about 1 % of the cutoff frequency per cycle.
  static constexpr float kSelfOscillationDamping = -0.02f;
  // Van der Pol-like limiter: damping grows with the squared amplitude of the resonant section,
  // so the oscillation settles where the damping is zero (state amplitude sqrt(0.02 / 0.04 * 2) = 1).
  static constexpr float kAmplitudeDamping = 0.04f;
  static constexpr int kChunk = 64;  // per-sample coefficients are computed in chunks of this many

  double sampleRate_ = 48000.0;
  SvfMode mode_ = SvfMode::LowPass12;
  Coefficients current_{};
  Coefficients target_{};
  T s1a_{}, s1b_{};  // section 1 integrator states (24 dB modes)
  T s2a_{}, s2b_{};  // resonant section integrator states
  T energyLag_{};    // (s2a^2 + s2b^2) / 2 one sample earlier, for the amplitude-dependent damping
};

template <class T>
MIDISTEMS_LANE_INLINE typename StateVariableFilter<T>::Coefficients StateVariableFilter<T>::coefficientsFor(
    T cutoffHz, T resonance, T drive) const {
  const float fs = float(sampleRate_);
  Coefficients c;
  c.g = tanPi(clampTo(cutoffHz, 10.0f, 0.49f * fs) * (1.0f / fs));
  c.resonance = clampTo(resonance, 0.0f, 1.0f);
  c.drive = clampTo(drive, 0.0f, 1.0f);
  c.driveGain = 1.0f + 15.0f * c.drive;
  c.driveOut = 1.0f / squareRoot(c.driveGain);
  return c;
}

template <class T>
MIDISTEMS_LANE_INLINE void StateVariableFilter<T>::setTargets(T cutoffHz, T resonance, T drive) {
  target_ = coefficientsFor(cutoffHz, resonance, drive);
}

template <class T>
MIDISTEMS_LANE_INLINE void StateVariableFilter<T>::jumpToTargets() {
  current_ = target_;
}

// One trapezoidal SVF section (Zavalishin's TPT form as solved by A. Simper, "Linear trapezoidal
// integrated state variable filter", 2013). Returns the mode's output; `a`/`b` are the states.
template <class T>
template <int kOutput>
MIDISTEMS_LANE_INLINE T StateVariableFilter<T>::section(T x, T g, T k, float kNorm, T& a, T& b) {
  const T a1 = 1.0f / (1.0f + g * (g + k));
  const T a2 = g * a1;
  const T a3 = g * a2;
  const T v3 = x - b;
  const T v1 = a1 * a + a2 * v3;      // band-pass state
  const T v2 = b + a2 * a + a3 * v3;  // low-pass state
  a = flushTiny(2.0f * v1 - a);
  b = flushTiny(2.0f * v2 - b);
  if constexpr (kOutput == 0) return v2;
  if constexpr (kOutput == 1) return x - k * v1 - v2;
  if constexpr (kOutput == 2) return kNorm * v1;  // unit peak gain at resonance 0
  return x - k * v1;                             // notch
}

template <class T>
template <bool kFourPole, int kOutput>
MIDISTEMS_LANE_INLINE void StateVariableFilter<T>::run(T* io, int n, const Coefficients* perSample,
                                                       Coefficients from, Coefficients to) {
  const float kBase = kFourPole ? kButterworth4High : kButterworth2;
  const float kRange = kBase - kSelfOscillationDamping;
  const float invN = 1.0f / float(n);
  for (int i = 0; i < n; ++i) {
    Coefficients c;
    if (perSample) {
      c = perSample[i];
    } else {
      const float t = float(i + 1) * invN;
      c.g = lerp(from.g, to.g, t);
      c.resonance = lerp(from.resonance, to.resonance, t);
      c.drive = lerp(from.drive, to.drive, t);
      c.driveGain = lerp(from.driveGain, to.driveGain, t);
      c.driveOut = lerp(from.driveOut, to.driveOut, t);
    }
    T x = io[i];
    x = x + c.drive * (softClipCubic(c.driveGain * x) * c.driveOut - x);
    if constexpr (kFourPole) x = section<kOutput>(x, c.g, T{} + kButterworth4Low, kButterworth4Low, s1a_, s1b_);
    // The amplitude-dependent damping reads the squared amplitude of the section, a^2 + b^2 (at
    // resonance the two integrator states are equal sines in quadrature, so their squares sum to a
    // steady value), one sample older than the update needs: the division that follows then starts
    // a sample early instead of sitting on the loop's critical path, and a steady measure makes
    // the sample of delay irrelevant to the oscillation's frequency.
    const T k = kBase - kRange * c.resonance + kAmplitudeDamping * energyLag_;
    energyLag_ = 0.5f * (s2a_ * s2a_ + s2b_ * s2b_);
    io[i] = section<kOutput>(x, c.g, k, kBase, s2a_, s2b_);
  }
}

template <class T>
MIDISTEMS_LANE_INLINE void StateVariableFilter<T>::runMode(T* io, int n, const Coefficients* perSample,
                                                           Coefficients from, Coefficients to) {
  switch (mode_) {
    case SvfMode::LowPass12: run<false, 0>(io, n, perSample, from, to); break;
    case SvfMode::HighPass12: run<false, 1>(io, n, perSample, from, to); break;
    case SvfMode::BandPass12: run<false, 2>(io, n, perSample, from, to); break;
    case SvfMode::Notch12: run<false, 3>(io, n, perSample, from, to); break;
    case SvfMode::LowPass24: run<true, 0>(io, n, perSample, from, to); break;
    case SvfMode::HighPass24: run<true, 1>(io, n, perSample, from, to); break;
    case SvfMode::BandPass24: run<true, 2>(io, n, perSample, from, to); break;
    case SvfMode::Notch24: run<true, 3>(io, n, perSample, from, to); break;
  }
}

template <class T>
MIDISTEMS_LANE_INLINE void StateVariableFilter<T>::sanitise() {
  s1a_ = zeroIfNotFinite(s1a_);
  s1b_ = zeroIfNotFinite(s1b_);
  s2a_ = zeroIfNotFinite(s2a_);
  s2b_ = zeroIfNotFinite(s2b_);
  energyLag_ = zeroIfNotFinite(energyLag_);
}

template <class T>
MIDISTEMS_LANE_INLINE void StateVariableFilter<T>::process(T* io, int n) {
  if (n <= 0) return;
  runMode(io, n, nullptr, current_, target_);
  current_ = target_;
  sanitise();
}

template <class T>
MIDISTEMS_LANE_INLINE void StateVariableFilter<T>::processModulated(T* io, int n, const T* cutoffHz,
                                                                    const T* resonance, const T* drive) {
  Coefficients perSample[kChunk];
  for (int start = 0; start < n; start += kChunk) {
    const int count = n - start < kChunk ? n - start : kChunk;
    for (int i = 0; i < count; ++i)
      perSample[i] = coefficientsFor(cutoffHz[start + i], resonance[start + i], drive[start + i]);
    runMode(io + start, count, perSample, current_, current_);
    current_ = target_ = perSample[count - 1];
    sanitise();
  }
}

using Svf = StateVariableFilter<float>;
using SvfBank = StateVariableFilter<Lanes>;

extern template class StateVariableFilter<float>;
extern template class StateVariableFilter<Lanes>;

}  // namespace midistems::synth::dsp
