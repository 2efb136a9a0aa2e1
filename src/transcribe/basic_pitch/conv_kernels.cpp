#include "transcribe/basic_pitch/conv_kernels.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace midistems::transcribe::kernels {

namespace {

// Eight floats in one vector register (AVX with -march=native, two SSE registers otherwise).
// GCC/Clang vector extensions keep the kernels portable and free of intrinsics.
typedef float Vec8 __attribute__((vector_size(32)));
typedef float Vec8Unaligned __attribute__((vector_size(32), aligned(4)));

inline Vec8 load8(const float* p) { return *reinterpret_cast<const Vec8Unaligned*>(p); }
inline void store8(float* p, Vec8 v) { *reinterpret_cast<Vec8Unaligned*>(p) = v; }
inline Vec8 splat8(float x) { return Vec8{x, x, x, x, x, x, x, x}; }

// N = 8 * Vectors outputs per row, Rows rows of A at a time: Rows * Vectors accumulators stay in
// registers while B's row k is loaded once per block.
template <int Vectors, int Rows>
void gemmBlock(const float* a, int64_t rowStride, int64_t k, const float* b, float* c) {
  constexpr int n = Vectors * 8;
  Vec8 acc[Rows][Vectors];
  for (int r = 0; r < Rows; ++r)
    for (int v = 0; v < Vectors; ++v) acc[r][v] = load8(c + r * n + v * 8);
  for (int64_t kk = 0; kk < k; ++kk) {
    Vec8 bv[Vectors];
    for (int v = 0; v < Vectors; ++v) bv[v] = load8(b + kk * n + v * 8);
    for (int r = 0; r < Rows; ++r) {
      const Vec8 av = splat8(a[r * rowStride + kk]);
      for (int v = 0; v < Vectors; ++v) acc[r][v] += av * bv[v];
    }
  }
  for (int r = 0; r < Rows; ++r)
    for (int v = 0; v < Vectors; ++v) store8(c + r * n + v * 8, acc[r][v]);
}

template <int Vectors, int Rows>
void gemmWide(const float* a, int64_t rowStride, int64_t m, int64_t k, const float* b, float* c) {
  constexpr int n = Vectors * 8;
  int64_t row = 0;
  for (; row + Rows <= m; row += Rows) gemmBlock<Vectors, Rows>(a + row * rowStride, rowStride, k, b, c + row * n);
  for (; row < m; ++row) gemmBlock<Vectors, 1>(a + row * rowStride, rowStride, k, b, c + row * n);
}

// One output per row. Eight consecutive rows go in the eight lanes of one register so that each
// output still sums its taps in order; tap k of row r is a[r * s + k] = phase[k % s][r + k / s],
// so the input is first split into s contiguous phases (de-interleaved channels, or the even and
// odd samples of the decimating low-pass).
void gemmDot(const float* a, int64_t rowStride, int64_t m, int64_t k, const float* b, float* c) {
  const int64_t s = rowStride;
  const int64_t phaseLength = m + (k - 1) / s + 1;
  std::vector<float> phases(size_t(s * phaseLength), 0.0f);
  const int64_t available = (m - 1) * s + k;  // the input values the product reads
  for (int64_t i = 0; i < available; ++i) phases[size_t((i % s) * phaseLength + i / s)] = a[i];
  int64_t row = 0;
  for (; row + 8 <= m; row += 8) {
    Vec8 acc = load8(c + row);
    for (int64_t kk = 0; kk < k; ++kk)
      acc += load8(phases.data() + (kk % s) * phaseLength + row + kk / s) * splat8(b[kk]);
    store8(c + row, acc);
  }
  for (; row < m; ++row) {
    float acc = c[row];
    for (int64_t kk = 0; kk < k; ++kk) acc = std::fma(a[row * s + kk], b[kk], acc);
    c[row] = acc;
  }
}

void gemmGeneric(const float* a, int64_t rowStride, int64_t m, int64_t k, const float* b, int n, float* c) {
  for (int64_t row = 0; row < m; ++row)
    for (int64_t kk = 0; kk < k; ++kk) {
      const float av = a[row * rowStride + kk];
      for (int j = 0; j < n; ++j) c[row * n + j] = std::fma(av, b[kk * n + j], c[row * n + j]);
    }
}

}  // namespace

void stridedRowGemm(const float* a, int64_t rowStride, int64_t m, int64_t k, const float* b, int n, float* c) {
  switch (n) {
    case 1: return gemmDot(a, rowStride, m, k, b, c);
    case 8: return gemmWide<1, 8>(a, rowStride, m, k, b, c);
    case 16: return gemmWide<2, 4>(a, rowStride, m, k, b, c);
    case 32: return gemmWide<4, 3>(a, rowStride, m, k, b, c);
    case 72: return gemmWide<9, 1>(a, rowStride, m, k, b, c);
    default: return gemmGeneric(a, rowStride, m, k, b, n, c);
  }
}

void conv2dSame(const float* input, int time, int freq, const Conv2dShape& s, const float* weights,
                const float* bias, bool relu, std::vector<float>& output) {
  const int outFreq = sameOutputSize(freq, s.strideFreq);
  const int padFreq = samePadBefore(freq, s.strideFreq, s.kernelFreq);
  const int padTime = samePadBefore(time, 1, s.kernelTime);
  // Zero-padded copy in frequency, wide enough for every output column's taps.
  const int paddedFreq = std::max((outFreq - 1) * s.strideFreq + s.kernelFreq, padFreq + freq);
  const int64_t paddedRow = int64_t(paddedFreq) * s.inChannels;
  std::vector<float> padded(size_t(time) * paddedRow, 0.0f);
  for (int t = 0; t < time; ++t)
    std::memcpy(padded.data() + t * paddedRow + int64_t(padFreq) * s.inChannels,
                input + int64_t(t) * freq * s.inChannels, sizeof(float) * size_t(freq) * s.inChannels);

  const int n = s.outChannels;
  const int64_t kRow = int64_t(s.kernelFreq) * s.inChannels;  // contiguous taps of one kernel row
  output.assign(size_t(time) * outFreq * n, 0.0f);
  for (int t = 0; t < time; ++t) {
    float* out = output.data() + int64_t(t) * outFreq * n;
    for (int kt = 0; kt < s.kernelTime; ++kt) {
      const int ti = t + kt - padTime;
      if (ti < 0 || ti >= time) continue;  // zero padding in time
      stridedRowGemm(padded.data() + ti * paddedRow, int64_t(s.strideFreq) * s.inChannels, outFreq, kRow,
                     weights + kt * kRow * n, n, out);
    }
    if (bias)
      for (int f = 0; f < outFreq; ++f)
        for (int o = 0; o < n; ++o) out[f * n + o] += bias[o];
    if (relu)
      for (int64_t i = 0; i < int64_t(outFreq) * n; ++i) out[i] = std::max(out[i], 0.0f);
  }
}

}  // namespace midistems::transcribe::kernels
