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
inline T LadderFilter<T>::tick(T x, const Coefficients& c) {
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
  const T u = softClip((1.0f - ks * G4) * in - ks * c4);
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
  current_ = target_;
  for (T& s : s_) s = flushTiny(zeroIfNotFinite(s));  // one NaN input must not poison the voice for ever
}

template <class T>
void LadderFilter<T>::processModulated(T* io, int n, const T* cutoffHz, const T* resonance,
                                       const T* drive) {
  for (int i = 0; i < n; ++i) {
    current_ = coefficientsFor(cutoffHz[i], resonance[i], drive[i]);
    io[i] = tick(io[i], current_);
  }
  target_ = current_;
  for (T& s : s_) s = flushTiny(zeroIfNotFinite(s));
}

template class LadderFilter<float>;
template class LadderFilter<Lanes>;

}  // namespace midistems::synth::dsp
