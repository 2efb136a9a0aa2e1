#include "synth/dsp/svf.h"

#include <algorithm>

namespace midistems::synth::dsp {

namespace {

// Damping 1/Q of the Butterworth sections at resonance 0: 2 cos(pi/4) for the 2-pole response;
// 2 cos(pi/8) and 2 cos(3 pi/8) for the two sections of the 4-pole response.
constexpr float kButterworth2 = 1.41421356f;
constexpr float kButterworth4Low = 1.84775907f;   // Q = 0.5412
constexpr float kButterworth4High = 0.76536686f;  // Q = 1.3066
// Damping at resonance 1: slightly negative, so that the filter self-oscillates from any small
// excitation and grows at a rate of about 1 % of the cutoff frequency per cycle.
constexpr float kSelfOscillationDamping = -0.02f;
// Van der Pol-like limiter: damping grows with the squared amplitude of the resonant section, so
// the oscillation settles where the damping is zero (state amplitude sqrt(0.02 / 0.04 * 2) = 1).
constexpr float kAmplitudeDamping = 0.04f;
constexpr int kChunk = 64;  // per-sample coefficients are computed in chunks of this many samples

template <class T>
T lerp(T a, T b, float t) {
  return a + (b - a) * t;
}

}  // namespace

template <class T>
void StateVariableFilter<T>::prepare(double sampleRate) {
  sampleRate_ = sampleRate;
  reset();
  setTargets(T{} + 1000.0f, T{}, T{});
  jumpToTargets();
}

template <class T>
void StateVariableFilter<T>::reset() {
  s1a_ = s1b_ = s2a_ = s2b_ = energyLag_ = T{};
}

template <class T>
void StateVariableFilter<T>::resetLane(int lane) {
  clearLane(s1a_, lane);
  clearLane(s1b_, lane);
  clearLane(s2a_, lane);
  clearLane(s2b_, lane);
  clearLane(energyLag_, lane);
}

template <class T>
typename StateVariableFilter<T>::Coefficients StateVariableFilter<T>::coefficientsFor(
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
void StateVariableFilter<T>::setTargets(T cutoffHz, T resonance, T drive) {
  target_ = coefficientsFor(cutoffHz, resonance, drive);
}

template <class T>
void StateVariableFilter<T>::jumpToTargets() {
  current_ = target_;
}

// One trapezoidal SVF section (Zavalishin's TPT form as solved by A. Simper, "Linear trapezoidal
// integrated state variable filter", 2013). Returns the mode's output; `a`/`b` are the states.
template <class T, int kOutput>
inline T svfSection(T x, T g, T k, float kNorm, T& a, T& b) {
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
void StateVariableFilter<T>::run(T* io, int n, const Coefficients* perSample, Coefficients from,
                                 Coefficients to) {
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
    if constexpr (kFourPole) x = svfSection<T, kOutput>(x, c.g, T{} + kButterworth4Low, kButterworth4Low, s1a_, s1b_);
    // The amplitude-dependent damping reads the squared amplitude of the section, a^2 + b^2 (at
    // resonance the two integrator states are equal sines in quadrature, so their squares sum to a
    // steady value), one sample older than the update needs: the division that follows then starts
    // a sample early instead of sitting on the loop's critical path, and a steady measure makes
    // the sample of delay irrelevant to the oscillation's frequency.
    const T k = kBase - kRange * c.resonance + kAmplitudeDamping * energyLag_;
    energyLag_ = 0.5f * (s2a_ * s2a_ + s2b_ * s2b_);
    io[i] = svfSection<T, kOutput>(x, c.g, k, kBase, s2a_, s2b_);
  }
}

namespace {

template <class Filter, class Run>
void dispatchMode(SvfMode mode, Run&& run) {
  switch (mode) {
    case SvfMode::LowPass12: run.template operator()<false, 0>(); break;
    case SvfMode::HighPass12: run.template operator()<false, 1>(); break;
    case SvfMode::BandPass12: run.template operator()<false, 2>(); break;
    case SvfMode::Notch12: run.template operator()<false, 3>(); break;
    case SvfMode::LowPass24: run.template operator()<true, 0>(); break;
    case SvfMode::HighPass24: run.template operator()<true, 1>(); break;
    case SvfMode::BandPass24: run.template operator()<true, 2>(); break;
    case SvfMode::Notch24: run.template operator()<true, 3>(); break;
  }
}

}  // namespace

template <class T>
void StateVariableFilter<T>::sanitise() {
  for (T* s : {&s1a_, &s1b_, &s2a_, &s2b_, &energyLag_}) *s = zeroIfNotFinite(*s);
}

template <class T>
void StateVariableFilter<T>::process(T* io, int n) {
  if (n <= 0) return;
  const Coefficients from = current_;
  const Coefficients to = target_;
  dispatchMode<StateVariableFilter<T>>(mode_, [&]<bool kFourPole, int kOutput>() {
    run<kFourPole, kOutput>(io, n, nullptr, from, to);
  });
  current_ = target_;
  sanitise();
}

template <class T>
void StateVariableFilter<T>::processModulated(T* io, int n, const T* cutoffHz, const T* resonance,
                                              const T* drive) {
  Coefficients perSample[kChunk];
  for (int start = 0; start < n; start += kChunk) {
    const int count = std::min(kChunk, n - start);
    for (int i = 0; i < count; ++i)
      perSample[i] = coefficientsFor(cutoffHz[start + i], resonance[start + i], drive[start + i]);
    dispatchMode<StateVariableFilter<T>>(mode_, [&]<bool kFourPole, int kOutput>() {
      run<kFourPole, kOutput>(io + start, count, perSample, current_, current_);
    });
    current_ = target_ = perSample[count - 1];
    sanitise();
  }
}

template class StateVariableFilter<float>;
template class StateVariableFilter<Lanes>;

}  // namespace midistems::synth::dsp
