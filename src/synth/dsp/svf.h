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
  // `jumpToTargets` skips the ramp (use it when a voice starts).
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
  template <bool kFourPole, int kOutput>
  void run(T* io, int n, const Coefficients* perSample, Coefficients from, Coefficients to);

  double sampleRate_ = 48000.0;
  SvfMode mode_ = SvfMode::LowPass12;
  Coefficients current_{};
  Coefficients target_{};
  T s1a_{}, s1b_{};  // section 1 integrator states (24 dB modes)
  T s2a_{}, s2b_{};  // resonant section integrator states
  T energyLag_{};    // (s2a^2 + s2b^2) / 2 one sample earlier, for the amplitude-dependent damping
};

using Svf = StateVariableFilter<float>;
using SvfBank = StateVariableFilter<Lanes>;

extern template class StateVariableFilter<float>;
extern template class StateVariableFilter<Lanes>;

}  // namespace midistems::synth::dsp
