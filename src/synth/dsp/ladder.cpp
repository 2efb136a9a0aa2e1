#include "synth/dsp/ladder.h"

#include <algorithm>

namespace midistems::synth::dsp {

namespace {

// Feedback gain at resonance 1. The loop gain of four poles at their own frequency is k / 4, so
// the ladder self-oscillates above k = 4 (resonance 0.952); 5 % above that, the oscillation starts
// reliably from a small excitation and the soft clipper settles it at a steady amplitude.
constexpr float kMaxFeedback = 4.2f;

template <class T>
T lerp(T a, T b, float t) {
  return a + (b - a) * t;
}

}  // namespace

template <class T>
void LadderFilter<T>::prepare(double sampleRate) {
  sampleRate_ = sampleRate;
  reset();
  setTargets(T{} + 1000.0f, T{}, T{});
  jumpToTargets();
}

template <class T>
void LadderFilter<T>::reset() {
  for (T& s : s_) s = T{};
}

template <class T>
void LadderFilter<T>::resetLane(int lane) {
  for (T& s : s_) clearLane(s, lane);
}

template <class T>
typename LadderFilter<T>::Coefficients LadderFilter<T>::coefficientsFor(T cutoffHz, T resonance,
                                                                        T drive) const {
  const float fs = float(sampleRate_);
  const T g = tanPi(clampTo(cutoffHz, 10.0f, 0.49f * fs) * (1.0f / fs));
  Coefficients c;
  c.G = g / (1.0f + g);
  c.k = kMaxFeedback * clampTo(resonance, 0.0f, 1.0f);
  c.drive = 1.0f + 15.0f * clampTo(drive, 0.0f, 1.0f);
  c.makeup = (1.0f + 0.5f * c.k) / squareRoot(c.drive);
  const T G2 = c.G * c.G;
  c.solve = 1.0f / (1.0f + c.k * G2 * G2);
  return c;
}

template <class T>
void LadderFilter<T>::setTargets(T cutoffHz, T resonance, T drive) {
  target_ = coefficientsFor(cutoffHz, resonance, drive);
}

template <class T>
void LadderFilter<T>::jumpToTargets() {
  current_ = target_;
}

template <class T>
void LadderFilter<T>::process(T* io, int n) {
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
void LadderFilter<T>::processModulated(T* io, int n, const T* cutoffHz, const T* resonance,
                                       const T* drive) {
  for (int i = 0; i < n; ++i) {
    current_ = coefficientsFor(cutoffHz[i], resonance[i], drive[i]);
    io[i] = tick(io[i], current_);
  }
  target_ = current_;
  endRun();
}

template class LadderFilter<float>;
template class LadderFilter<Lanes>;

}  // namespace midistems::synth::dsp
