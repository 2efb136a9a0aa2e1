#include "transcribe/basic_pitch/harmonic_conv.h"

#include <algorithm>
#include <cstdint>

#include "core/error.h"

namespace midistems::transcribe {

namespace {

// Offset from the output column to the CQT bin read by tap kf of stacked channel c.
int tapOffset(int kf, int pad, int shift) { return kf - pad + shift; }

}  // namespace

FoldedStackConv FoldedStackConv::make(const kernels::Conv2dShape& shape, const std::vector<float>& weights,
                                      const std::vector<float>& bias, bool relu, const std::vector<int>& shifts, int cqtBins,
                                      int stackedBins) {
  if (cqtBins < 1 || stackedBins < 1 || shape.outChannels < 1 || shape.outChannels > 256 || shape.strideFreq != 1 || shape.inChannels != int(shifts.size()) || shifts.empty() ||
      weights.size() != size_t(shape.kernelTime) * shape.kernelFreq * shape.inChannels * shape.outChannels ||
      bias.size() != size_t(shape.outChannels))
    throw Error("basic-pitch: the first contour convolution does not match the harmonic stack");
  FoldedStackConv conv;
  conv.original = shape;
  conv.weights = weights;
  conv.bias = bias;
  conv.relu = relu;
  conv.shifts = shifts;
  conv.cqtBins = cqtBins;
  conv.stackedBins = stackedBins;
  // The padding only depends on the kernel width for a stride of 1.
  const int pad = kernels::samePadBefore(shape.kernelFreq, 1, shape.kernelFreq);
  const auto [lo, hi] = std::minmax_element(shifts.begin(), shifts.end());
  conv.firstOffset = tapOffset(0, pad, *lo);
  conv.foldedTaps = tapOffset(shape.kernelFreq - 1, pad, *hi) - conv.firstOffset + 1;
  const int n = shape.outChannels;
  conv.folded.assign(size_t(shape.kernelTime) * conv.foldedTaps * n, 0.0f);
  for (int kt = 0; kt < shape.kernelTime; ++kt)
    for (int kf = 0; kf < shape.kernelFreq; ++kf)
      for (int c = 0; c < shape.inChannels; ++c) {
        const int tap = tapOffset(kf, pad, shifts[size_t(c)]) - conv.firstOffset;
        const float* w = weights.data() + ((int64_t(kt) * shape.kernelFreq + kf) * shape.inChannels + c) * n;
        float* f = conv.folded.data() + (int64_t(kt) * conv.foldedTaps + tap) * n;
        for (int o = 0; o < n; ++o) f[o] += w[o];
      }
  for (int f = 0; f < stackedBins; ++f)
    for (int kf = 0; kf < shape.kernelFreq; ++kf) {
      const int column = f + kf - pad;
      if (column >= 0 && column < stackedBins) continue;
      for (int c = 0; c < shape.inChannels; ++c) {
        const int bin = column + shifts[size_t(c)];
        if (bin >= 0 && bin < cqtBins) conv.paddingTaps.push_back({f, bin, (int64_t(kf) * shape.inChannels + c) * n});
      }
    }
  return conv;
}

namespace {

// Subtracts the padding taps of frame t from the folded convolution's output (before bias).
void subtractPaddingTaps(const FoldedStackConv& conv, const float* cqt, int time, int t, float* output) {
  const auto& s = conv.original;
  const int n = s.outChannels;
  const int padTime = kernels::samePadBefore(time, 1, s.kernelTime);
  const int64_t kernelRow = int64_t(s.kernelFreq) * s.inChannels * n;
  for (const auto& tap : conv.paddingTaps) {
    float* out = output + (int64_t(t) * conv.stackedBins + tap.column) * n;
    for (int kt = 0; kt < s.kernelTime; ++kt) {
      const int ti = t + kt - padTime;
      if (ti < 0 || ti >= time) continue;
      const float x = cqt[int64_t(ti) * conv.cqtBins + tap.bin];
      const float* w = conv.weights.data() + kt * kernelRow + tap.weight;
      for (int o = 0; o < n; ++o) out[o] -= x * w[o];
    }
  }
}

// The same for 8 output channels and kFrames frames at once whose taps all lie inside the window:
// the frames' sums are independent chains that the processor can overlap.
typedef float Vec8 __attribute__((vector_size(32)));
typedef float Vec8Unaligned __attribute__((vector_size(32), aligned(4)));
constexpr int kFrames = 4;

void subtractPaddingTaps8(const FoldedStackConv& conv, const float* cqt, int time, int t0, float* output) {
  const auto& s = conv.original;
  const int padTime = kernels::samePadBefore(time, 1, s.kernelTime);
  const int64_t kernelRow = int64_t(s.kernelFreq) * s.inChannels * 8;
  const int64_t frameStride = int64_t(conv.stackedBins) * 8;
  const auto& taps = conv.paddingTaps;
  for (size_t i = 0; i < taps.size();) {
    const int column = taps[i].column;
    size_t end = i;
    while (end < taps.size() && taps[end].column == column) ++end;
    float* out = output + (int64_t(t0) * conv.stackedBins + column) * 8;
    Vec8 acc[kFrames];
    for (int r = 0; r < kFrames; ++r) acc[r] = *reinterpret_cast<const Vec8Unaligned*>(out + r * frameStride);
    for (int kt = 0; kt < s.kernelTime; ++kt) {
      const float* rows = cqt + int64_t(t0 + kt - padTime) * conv.cqtBins;
      const float* w = conv.weights.data() + kt * kernelRow;
      for (size_t j = i; j < end; ++j) {
        const Vec8 wj = *reinterpret_cast<const Vec8Unaligned*>(w + taps[j].weight);
        for (int r = 0; r < kFrames; ++r) acc[r] -= rows[r * conv.cqtBins + taps[j].bin] * wj;
      }
    }
    for (int r = 0; r < kFrames; ++r) *reinterpret_cast<Vec8Unaligned*>(out + r * frameStride) = acc[r];
    i = end;
  }
}

}  // namespace

void FoldedStackConv::run(const float* cqt, int time, std::vector<float>& planes, std::vector<float>& output,
                          kernels::RowRange rows) const {
  const kernels::Conv2dShape& s = original;
  const int n = s.outChannels;
  rows = kernels::clampRows(rows, time);
  const kernels::RowRange in = kernels::inputRows(rows, time, s.kernelTime);

  // One plane per frame: plane[i] = CQT bin i + firstOffset (zero outside the CQT).
  const int64_t planeLength = kernels::planarLength(stackedBins, foldedTaps);
  planes.resize(size_t(time) * planeLength);
  for (int t = in.begin; t < in.end; ++t) {
    float* plane = planes.data() + t * planeLength;
    const float* row = cqt + int64_t(t) * cqtBins;
    for (int64_t i = 0; i < planeLength; ++i) {
      const int64_t bin = i + firstOffset;
      plane[i] = bin >= 0 && bin < cqtBins ? row[bin] : 0.0f;
    }
  }
  const kernels::Conv2dShape foldedShape{s.kernelTime, foldedTaps, 1, n, 1};
  kernels::conv2dSamePlanar(planes.data(), planeLength, time, stackedBins, foldedShape, folded.data(), nullptr, false,
                            output, rows);
  // Frames whose kernel rows all lie inside the window go kFrames at a time.
  const int padTime = kernels::samePadBefore(time, 1, s.kernelTime);
  const int interiorEnd = time - (s.kernelTime - 1 - padTime);
  for (int t = rows.begin; t < rows.end; ++t) {
    if (n == 8 && t >= padTime && t + kFrames <= std::min(interiorEnd, rows.end)) {
      subtractPaddingTaps8(*this, cqt, time, t, output.data());
      t += kFrames - 1;
    } else {
      subtractPaddingTaps(*this, cqt, time, t, output.data());
    }
  }
  for (size_t i = size_t(rows.begin) * stackedBins * n; i < size_t(rows.end) * stackedBins * n; i += size_t(n))
    for (int o = 0; o < n; ++o) {
      const float v = output[i + size_t(o)] + bias[size_t(o)];
      output[i + size_t(o)] = relu ? std::max(v, 0.0f) : v;
    }
}

}  // namespace midistems::transcribe
