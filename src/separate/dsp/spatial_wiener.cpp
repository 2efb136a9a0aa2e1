#include "separate/dsp/spatial_wiener.h"

#include <algorithm>

namespace midistems::separate::dsp {

namespace {

using Complex = std::complex<float>;

// Spatial covariances are averaged over +-128 frames (about +-3 s; +-0.75 s measured 0.2 dB worse). Norbert averages over the
// whole track; a local window follows sources that move and keeps block processing exact.
constexpr int kCovarianceHalfFrames = 128;
// Regularisation of the mix covariance before inversion, relative to its trace (Norbert adds a
// small constant for the same reason: silent points).
constexpr float kLoading = 1e-6f;
constexpr float kTiny = 1e-12f;

// A 2x2 Hermitian matrix [[a, b], [conj(b), d]].
struct Hermitian2 {
  float a = 0, d = 0;
  Complex b{0, 0};
};

}  // namespace

int wienerContextFrames() { return kCovarianceHalfFrames; }

StemSpectra wienerFilter(const SpectralBlock& block, const StemPowers& powers, int powersBegin,
                         int powersEnd, ThreadPool& pool) {
  const int bins = block.bins;
  const int span = powersEnd - powersBegin;

  // Single-channel Wiener masks give initial source images y_j = m_j x, from which the local
  // Gaussian model (power v_j = |y_j|^2 / 2 and normalised spatial covariance R_j) is
  // re-estimated (one iteration of Norbert's EM). The images are recomputed where needed rather
  // than stored, to keep the block's memory small.
  const auto mask = [&](int j, size_t p) {
    float total = 0;
    for (int k = 0; k < kNumStems; ++k) total += powers[size_t(k)][p];
    return powers[size_t(j)][p] / total;
  };

  // R_j(f, t) = sum over nearby frames of y_j y_j^H / sum of v_j.
  const int core = block.coreFrames();
  std::array<std::vector<Hermitian2>, kNumStems> covariance;
  for (auto& c : covariance) c.resize(size_t(core) * size_t(bins));
  pool.parallelFor(0, bins, [&](int64_t f0, int64_t f1) {
    // Prefix sums over time of (a, d, Re b, Im b, v), in double so long windows stay exact.
    std::vector<std::array<double, 5>> prefix(size_t(span) + 1);
    for (int64_t f = f0; f < f1; ++f)
      for (int j = 0; j < kNumStems; ++j) {
        prefix[0] = {0, 0, 0, 0, 0};
        for (int k = 0; k < span; ++k) {
          const size_t p = size_t(k) * size_t(bins) + size_t(f);
          const size_t x = size_t(k + powersBegin) * size_t(bins) + size_t(f);
          const float m = mask(j, p);
          const Complex l = m * block.left[x], r = m * block.right[x];
          const float a = std::norm(l), d = std::norm(r);
          const Complex b = l * std::conj(r);
          const auto& prev = prefix[size_t(k)];
          prefix[size_t(k) + 1] = {prev[0] + a, prev[1] + d, prev[2] + b.real(), prev[3] + b.imag(),
                                   prev[4] + 0.5f * (a + d)};
        }
        for (int t = block.coreBegin; t < block.coreEnd; ++t) {
          const int lo = std::max(powersBegin, t - kCovarianceHalfFrames) - powersBegin;
          const int hi = std::min(powersEnd, t + kCovarianceHalfFrames + 1) - powersBegin;
          const auto& top = prefix[size_t(hi)];
          const auto& bottom = prefix[size_t(lo)];
          const double norm = 1.0 / (top[4] - bottom[4] + 1e-20);
          Hermitian2 r;
          r.a = float((top[0] - bottom[0]) * norm);
          r.d = float((top[1] - bottom[1]) * norm);
          r.b = Complex(float((top[2] - bottom[2]) * norm), float((top[3] - bottom[3]) * norm));
          covariance[size_t(j)][size_t(t - block.coreBegin) * size_t(bins) + size_t(f)] = r;
        }
      }
  });

  StemSpectra out;
  for (auto& stem : out)
    for (auto& ch : stem) ch.resize(size_t(core) * size_t(bins));
  pool.parallelFor(0, core, [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; ++t)
      for (int f = 0; f < bins; ++f) {
        const size_t o = size_t(t) * size_t(bins) + size_t(f);
        const size_t p = size_t(t + block.coreBegin - powersBegin) * size_t(bins) + size_t(f);
        const size_t x = size_t(t + block.coreBegin) * size_t(bins) + size_t(f);
        // Mix covariance C = sum_j v_j R_j, loaded for a stable inverse.
        const Complex xl = block.left[x], xr = block.right[x];
        const float mixPower = 0.5f * (std::norm(xl) + std::norm(xr));
        Hermitian2 weighted[kNumStems];
        Hermitian2 mix;
        for (int j = 0; j < kNumStems; ++j) {
          const float m = mask(j, p);
          const float v = m * m * mixPower;
          const Hermitian2& r = covariance[size_t(j)][o];
          weighted[j].a = v * r.a;
          weighted[j].d = v * r.d;
          weighted[j].b = v * r.b;
          mix.a += weighted[j].a;
          mix.d += weighted[j].d;
          mix.b += weighted[j].b;
        }
        const float loading = kLoading * (mix.a + mix.d) + kTiny;
        mix.a += loading;
        mix.d += loading;
        const float det = mix.a * mix.d - std::norm(mix.b);
        const float invDet = 1.0f / det;
        // inverse of [[a, b], [conj b, d]] is [[d, -b], [-conj b, a]] / det
        const Complex i00(mix.d * invDet, 0), i11(mix.a * invDet, 0);
        const Complex i01 = -mix.b * invDet, i10 = -std::conj(mix.b) * invDet;
        const Complex zl = i00 * xl + i01 * xr;  // C^-1 x
        const Complex zr = i10 * xl + i11 * xr;
        for (int j = 0; j < kNumStems; ++j) {
          const Hermitian2& w = weighted[j];
          out[size_t(j)][0][o] = w.a * zl + w.b * zr;
          out[size_t(j)][1][o] = std::conj(w.b) * zl + w.d * zr;
        }
      }
  });
  return out;
}

}  // namespace midistems::separate::dsp
