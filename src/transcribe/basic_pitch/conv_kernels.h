#pragma once
// The arithmetic of the basic-pitch network: small dense kernels written for its shapes.
//
// Every convolution here (the CQT kernel bank, the anti-aliasing low-pass, the 2-D convolutions of
// the CNN heads) reduces to one primitive, a "strided-row" matrix product
//     C[m][n] += sum_k A[m * rowStride + k] * B[k][n]
// where consecutive rows of A overlap in memory (rowStride < K): for a 2-D convolution over a
// [time][freq][channel] tensor, one kernel row's (freq, channel) taps are contiguous both in the
// input row and in TF's [time][freq][in][out] weights, so no im2col copy is needed.
//
// Rounding follows the TF.js CPU backend that produced the reference outputs: every output starts
// at 0 and takes one fused multiply-add per tap, in tap order (time, frequency, channel); the bias
// is added afterwards. The CQT's log normalisation magnifies rounding in quiet bins, so matching
// the order matters for parity. (This file is compiled with -ffp-contract=fast so that
// `acc += a * b` becomes one FMA.)
#include <algorithm>
#include <climits>
#include <cstdint>
#include <vector>

namespace midistems::transcribe::kernels {

// C (M x N, row-major, leading dimension N) += A (strided rows) * B (K x N, row-major), each
// output accumulated sequentially over k.
void stridedRowGemm(const float* a, int64_t rowStride, int64_t m, int64_t k, const float* b, int n, float* c);

struct Conv2dShape {
  int kernelTime = 1, kernelFreq = 1, inChannels = 1, outChannels = 1;
  int strideFreq = 1;  // the time stride is always 1 in basic-pitch
};

// Output rows [begin, end) of a convolution (clamped to the tensor): a stitched run needs only
// the frames it keeps and their receptive field. Rows outside the range are left as they were.
struct RowRange {
  int begin = 0, end = INT_MAX;
};

// TF "SAME" 2-D convolution of a [time][freq][inChannels] tensor (zero padding in time and
// frequency, padding split as TF does: the smaller half first). weights: TF layout
// [kernelTime][kernelFreq][inChannels][outChannels]; bias: outChannels. Output:
// [time][ceil(freq / strideFreq)][outChannels]; ReLU applied when `relu`.
void conv2dSame(const float* input, int time, int freq, const Conv2dShape& shape, const float* weights,
                const float* bias, bool relu, std::vector<float>& output, RowRange rows = {});

// The same convolution for strideFreq == 1 from channel planes: planes[t][c][j] holds input column
// j - samePadBefore(freq, 1, kernelFreq) of channel c (zeros outside the input), each plane
// planarLength(freq, kernelFreq) long. Output as conv2dSame.
int64_t planarLength(int freq, int kernelFreq);
void conv2dSamePlanar(const float* planes, int64_t planeLength, int time, int freq, const Conv2dShape& shape,
                      const float* weights, const float* bias, bool relu, std::vector<float>& output,
                      RowRange rows = {});

// Output length of TF "SAME" padding: ceil(size / stride); and the leading pad.
inline int sameOutputSize(int size, int stride) { return (size + stride - 1) / stride; }
inline int samePadBefore(int size, int stride, int kernel) {
  const int total = (sameOutputSize(size, stride) - 1) * stride + kernel - size;
  return total > 0 ? total / 2 : 0;
}

// `rows` clamped to [0, time).
inline RowRange clampRows(RowRange rows, int time) {
  return {std::clamp(rows.begin, 0, time), std::clamp(rows.end, std::clamp(rows.begin, 0, time), time)};
}

// The input rows that output rows `rows` of a time-stride-1 SAME convolution read.
inline RowRange inputRows(RowRange rows, int time, int kernelTime) {
  rows = clampRows(rows, time);
  if (rows.begin >= rows.end) return {0, 0};
  const int pad = samePadBefore(time, 1, kernelTime);
  return clampRows({rows.begin - pad, rows.end + kernelTime - 1 - pad}, time);
}

inline RowRange unite(RowRange a, RowRange b) {
  if (a.begin >= a.end) return b;
  if (b.begin >= b.end) return a;
  return {std::min(a.begin, b.begin), std::max(a.end, b.end)};
}

}  // namespace midistems::transcribe::kernels
