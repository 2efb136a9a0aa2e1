// The vector loops of the basic-pitch kernels. This file is compiled once per instruction-set
// level, each time into its own namespace (MIDISTEMS_ISA_NS, set by cmake/IsaKernels.cmake), and
// conv_kernels.cpp picks one at run time. Nothing here may define a symbol outside that namespace
// (a CTest test checks the object files): a shared inline function compiled for AVX-512 could
// otherwise be the copy the linker keeps for every caller.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "transcribe/basic_pitch/conv_kernels_isa.h"

#ifndef MIDISTEMS_ISA_NS
#error "conv_kernels_isa.cpp is compiled by cmake/IsaKernels.cmake with MIDISTEMS_ISA_NS set"
#endif

namespace midistems::transcribe::kernels::MIDISTEMS_ISA_NS {

namespace {

// Eight floats in one vector register (AVX2 and up). GCC/Clang vector extensions keep the kernels
// free of intrinsics: the level this file is compiled for decides the instructions.
typedef float Vec8 __attribute__((vector_size(32)));

// The widest vector this level has: 16 floats with AVX-512, 8 otherwise.
#if defined(__AVX512F__)
constexpr int kWide = 16;
#else
constexpr int kWide = 8;
#endif
typedef float VecWide __attribute__((vector_size(kWide * 4)));
typedef float VecWideUnaligned __attribute__((vector_size(kWide * 4), aligned(4)));
inline VecWide loadWide(const float* p) { return *reinterpret_cast<const VecWideUnaligned*>(p); }

template <typename V>
inline V loadAny(const float* p) {
  V v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
template <typename V>
inline void storeAny(float* p, V v) {
  std::memcpy(p, &v, sizeof v);
}

// N = W * Vectors outputs per row (W floats per vector V), Rows rows of A at a time: Rows x Vectors
// accumulators stay in registers while B's row k is loaded once per block.
template <typename V, int W, int Vectors, int Rows>
void gemmBlock(const float* a, int64_t rowStride, int64_t k, const float* b, float* c) {
  constexpr int n = Vectors * W;
  V acc[Rows][Vectors];
  for (int r = 0; r < Rows; ++r)
    for (int v = 0; v < Vectors; ++v) acc[r][v] = loadAny<V>(c + r * n + v * W);
  for (int64_t kk = 0; kk < k; ++kk) {
    V bv[Vectors];
    for (int v = 0; v < Vectors; ++v) bv[v] = loadAny<V>(b + kk * n + v * W);
    for (int r = 0; r < Rows; ++r) {
      const float av = a[r * rowStride + kk];
      for (int v = 0; v < Vectors; ++v) acc[r][v] += av * bv[v];
    }
  }
  for (int r = 0; r < Rows; ++r)
    for (int v = 0; v < Vectors; ++v) storeAny<V>(c + r * n + v * W, acc[r][v]);
}

template <typename V, int W, int Vectors, int Rows>
void gemmWide(const float* a, int64_t rowStride, int64_t m, int64_t k, const float* b, float* c) {
  constexpr int n = Vectors * W;
  int64_t row = 0;
  for (; row + Rows <= m; row += Rows)
    gemmBlock<V, W, Vectors, Rows>(a + row * rowStride, rowStride, k, b, c + row * n);
  for (; row < m; ++row) gemmBlock<V, W, Vectors, 1>(a + row * rowStride, rowStride, k, b, c + row * n);
}

// One output per row. Consecutive rows go in the lanes of a register so that each output still
// sums its taps in order; tap k of row r is a[r * s + k] = phase[k % s][r + k / s], so the input
// is split into s contiguous phases first (de-interleaved channels, or the even and odd samples
// of the decimating low-pass). Blocks of Blocks x 8 rows keep independent FMA chains in flight.
template <typename V, int W, int Blocks>
void dotBlock(const float* phases, int64_t phaseLength, int64_t s, int64_t k, const float* b, float* c) {
  V acc[Blocks];
  for (int j = 0; j < Blocks; ++j) acc[j] = loadAny<V>(c + W * j);
  for (int64_t q = 0; q * s < k; ++q) {
    const float* column = phases + q;
    const int64_t taps = std::min(s, k - q * s);
    for (int64_t p = 0; p < taps; ++p) {
      const float w = b[q * s + p];
      const float* x = column + p * phaseLength;
      for (int j = 0; j < Blocks; ++j) acc[j] += loadAny<V>(x + W * j) * w;
    }
  }
  for (int j = 0; j < Blocks; ++j) storeAny<V>(c + W * j, acc[j]);
}

// Rows [0, m) from phases already split (phases[p * phaseLength + j] = a[j * s + p]).
void dotPhases(const float* phases, int64_t phaseLength, int64_t s, int64_t m, int64_t k, const float* b, float* c) {
  int64_t row = 0;
  for (; row + 4 * kWide <= m; row += 4 * kWide)
    dotBlock<VecWide, kWide, 4>(phases + row, phaseLength, s, k, b, c + row);
  for (; row + 8 <= m; row += 8) dotBlock<Vec8, 8, 1>(phases + row, phaseLength, s, k, b, c + row);
  for (; row < m; ++row) {
    float acc = c[row];
    for (int64_t kk = 0; kk < k; ++kk) acc = std::fma(phases[(kk % s) * phaseLength + row + kk / s], b[kk], acc);
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

void gemm(const float* a, int64_t rowStride, int64_t m, int64_t k, const float* b, int n, float* c) {
  switch (n) {
    case 8: return gemmWide<Vec8, 8, 1, 8>(a, rowStride, m, k, b, c);
    case 16: return gemmWide<Vec8, 8, 2, 4>(a, rowStride, m, k, b, c);
    case 32:
      if constexpr (kWide == 16) return gemmWide<VecWide, 16, 2, 6>(a, rowStride, m, k, b, c);
      return gemmWide<Vec8, 8, 4, 3>(a, rowStride, m, k, b, c);
    case 72: return gemmWide<Vec8, 8, 9, 1>(a, rowStride, m, k, b, c);
    case 80:
      if constexpr (kWide == 16) return gemmWide<VecWide, 16, 5, 4>(a, rowStride, m, k, b, c);
      return gemmWide<Vec8, 8, 10, 1>(a, rowStride, m, k, b, c);
    default: return gemmGeneric(a, rowStride, m, k, b, n, c);
  }
}

// Stride-1 convolution with N outputs from channel planes (planes[t][c][j] = padded[t][j][c]):
// kWide neighbouring output columns share a register, one register per output channel. A block
// computes Outs of the N output channels (from `o0`) for Blocks groups of columns, so that
// Blocks x Outs accumulators plus the loaded columns fit the register file: each loaded column
// feeds Outs FMAs and each broadcast weight Blocks FMAs. Each output still sums its taps in TF
// order (time, frequency, channel), so the grouping never changes a result.
template <int N, int Outs, int Blocks>
void convPlanarBlock(const float* planes, int64_t planeLength, int t, int f0, int o0, int time, int padTime,
                     const Conv2dShape& s, const float* weights, VecWide (&acc)[Blocks][Outs]) {
  const int64_t planeRow = int64_t(s.inChannels) * planeLength;
  for (int b = 0; b < Blocks; ++b)
    for (int o = 0; o < Outs; ++o) acc[b][o] = VecWide{} * 0.0f;
  for (int kt = 0; kt < s.kernelTime; ++kt) {
    const int ti = t + kt - padTime;
    if (ti < 0 || ti >= time) continue;  // zero padding in time
    const float* rowPlanes = planes + ti * planeRow + f0;
    const float* w = weights + int64_t(kt) * s.kernelFreq * s.inChannels * N + o0;
    for (int kf = 0; kf < s.kernelFreq; ++kf)
      for (int c = 0; c < s.inChannels; ++c, w += N) {
        const float* x = rowPlanes + c * planeLength + kf;
        VecWide xb[Blocks];
        for (int b = 0; b < Blocks; ++b) xb[b] = loadWide(x + b * kWide);
        for (int o = 0; o < Outs; ++o)
          for (int b = 0; b < Blocks; ++b) acc[b][o] += xb[b] * w[o];
      }
  }
}

template <int N>
void convPlanar(const float* planes, int64_t planeLength, int time, int outFreq, int padTime, const Conv2dShape& s,
                const float* weights, const float* bias, bool relu, float* output, RowRange rows) {
  // AVX-512's 32 registers hold all N outputs for two column groups (2 x N accumulators); AVX2's
  // 16 hold four outputs for three column groups (12 accumulators, three columns, one weight).
  constexpr int kOuts = kWide == 16 ? N : 4;
  constexpr int kBlocks = kWide == 16 ? 2 : 3;
  static_assert(N % kOuts == 0);
  auto store = [&]<int B>(int t, int f0, int o0, const VecWide(&acc)[B][kOuts]) {
    float* out = output + (int64_t(t) * outFreq + f0) * N + o0;
    for (int b = 0; b < B; ++b)
      for (int lane = 0; lane < kWide && f0 + b * kWide + lane < outFreq; ++lane)
        for (int o = 0; o < kOuts; ++o) {
          float v = acc[b][o][lane];
          if (bias) v += bias[o0 + o];
          out[int64_t(b * kWide + lane) * N + o] = relu ? std::max(v, 0.0f) : v;
        }
  };
  for (int t = rows.begin; t < rows.end; ++t) {
    int f0 = 0;
    for (; f0 + kBlocks * kWide <= outFreq; f0 += kBlocks * kWide)
      for (int o0 = 0; o0 < N; o0 += kOuts) {
        VecWide acc[kBlocks][kOuts];
        convPlanarBlock<N, kOuts, kBlocks>(planes, planeLength, t, f0, o0, time, padTime, s, weights, acc);
        store(t, f0, o0, acc);
      }
    for (; f0 < outFreq; f0 += kWide)
      for (int o0 = 0; o0 < N; o0 += kOuts) {
        VecWide acc[1][kOuts];
        convPlanarBlock<N, kOuts, 1>(planes, planeLength, t, f0, o0, time, padTime, s, weights, acc);
        store(t, f0, o0, acc);
      }
  }
}

bool convPlanarAny(const float* planes, int64_t planeLength, int time, int freq, int padTime, const Conv2dShape& s,
                   const float* weights, const float* bias, bool relu, float* output, RowRange rows) {
  switch (s.outChannels) {
    case 8: convPlanar<8>(planes, planeLength, time, freq, padTime, s, weights, bias, relu, output, rows); return true;
    case 16: convPlanar<16>(planes, planeLength, time, freq, padTime, s, weights, bias, relu, output, rows); return true;
    default: return false;
  }
}

}  // namespace

extern const IsaKernels kIsaKernels{kWide, gemm, dotPhases, convPlanarAny};

}  // namespace midistems::transcribe::kernels::MIDISTEMS_ISA_NS
