#include "separate/dsp/spatial_wiener.h"

#include <algorithm>

#include "separate/dsp/wiener_isa.h"

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

}  // namespace

const WienerKernels& wienerKernels(IsaLevel level) {
#ifdef MIDISTEMS_HAVE_ISA_AVX512
  if (level == IsaLevel::Avx512) return isa_avx512::kWienerKernels;
#else
  (void)level;
#endif
  return isa_baseline::kWienerKernels;
}

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

  // R_j(f, t) = sum over nearby frames of y_j y_j^H / sum of v_j, per chunk of adjacent bins
  // (wiener_isa.cpp, at the instruction-set level in use).
  static const WienerKernels& kernels = wienerKernels(activeIsaLevel());
  const int core = block.coreFrames();
  std::array<std::vector<Hermitian2>, kNumStems> covariance;
  for (auto& c : covariance) c.resize(size_t(core) * size_t(bins));
  const int chunks = (bins + kWienerChunk - 1) / kWienerChunk;
  pool.parallelFor(0, chunks, [&](int64_t c0, int64_t c1) {
    std::vector<double> scratch(5 * size_t(span + 1) * kWienerChunk);
    for (int64_t c = c0; c < c1; ++c) {
      const int f0 = int(c) * kWienerChunk;
      CovarianceChunk chunk;
      for (int k = 0; k < kNumStems; ++k) chunk.powers[k] = powers[size_t(k)].data() + f0;
      chunk.left = block.left.data() + size_t(powersBegin) * size_t(bins) + size_t(f0);
      chunk.right = block.right.data() + size_t(powersBegin) * size_t(bins) + size_t(f0);
      chunk.stride = bins;
      chunk.width = std::min(kWienerChunk, bins - f0);
      chunk.frames = span;
      chunk.outBegin = block.coreBegin - powersBegin;
      chunk.outEnd = block.coreEnd - powersBegin;
      chunk.halfWindow = kCovarianceHalfFrames;
      chunk.scratch = scratch.data();
      for (int j = 0; j < kNumStems; ++j) {
        chunk.stem = j;
        chunk.out = covariance[size_t(j)].data() + f0;
        kernels.localCovariance(chunk);
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
