// The basic-pitch kernels' buffers and their choice of instruction-set level; the vector loops
// themselves are in conv_kernels_isa.cpp, compiled once per level.
#include "transcribe/basic_pitch/conv_kernels.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "transcribe/basic_pitch/conv_kernels_isa.h"

namespace midistems::transcribe::kernels {

const IsaKernels& isaKernels(IsaLevel level) {
#if defined(MIDISTEMS_HAVE_ISA_AVX512)
  if (level == IsaLevel::Avx512) return isa_avx512::kIsaKernels;
#endif
  return isa_baseline::kIsaKernels;
}

namespace {

const IsaKernels& active() {
  static const IsaKernels& kernels = isaKernels(activeIsaLevel());
  return kernels;
}

// Splits `available` values of a into s phases of phaseLength values each (zero-filled).
void splitPhases(const float* a, int64_t available, int64_t s, int64_t phaseLength, float* phases) {
  std::fill(phases, phases + s * phaseLength, 0.0f);
  for (int64_t j = 0; j * s < available; ++j)
    for (int64_t p = 0; p < s && j * s + p < available; ++p) phases[p * phaseLength + j] = a[j * s + p];
}

void gemmDot(const float* a, int64_t rowStride, int64_t m, int64_t k, const float* b, float* c) {
  const int64_t s = rowStride;
  const int64_t phaseLength = m + (k - 1) / s + 1;
  // Scratch reused across calls on the same thread: a fresh buffer of this size would be mapped
  // and faulted in anew for every octave of every window.
  thread_local std::vector<float> phases;
  phases.resize(size_t(s * phaseLength));
  splitPhases(a, (m - 1) * s + k, s, phaseLength, phases.data());
  active().dotPhases(phases.data(), phaseLength, s, m, k, b, c);
}
}  // namespace

void stridedRowGemm(const float* a, int64_t rowStride, int64_t m, int64_t k, const float* b, int n, float* c) {
  if (n == 1) return gemmDot(a, rowStride, m, k, b, c);
  active().gemm(a, rowStride, m, k, b, n, c);
}

int64_t planarLength(int freq, int kernelFreq) {
  const int width = active().planarWidth;
  return int64_t((freq + width - 1) / width * width) + kernelFreq - 1;
}

void conv2dSamePlanar(const float* planes, int64_t planeLength, int time, int freq, const Conv2dShape& s,
                      const float* weights, const float* bias, bool relu, std::vector<float>& output,
                      RowRange rows) {
  const int padTime = samePadBefore(time, 1, s.kernelTime);
  rows = clampRows(rows, time);
  output.resize(size_t(time) * freq * s.outChannels);
  if (active().convPlanar(planes, planeLength, time, freq, padTime, s, weights, bias, relu, output.data(), rows)) return;
  // Any other channel count: plain loops in the same tap order.
  const int n = s.outChannels;
  for (int t = rows.begin; t < rows.end; ++t)
    for (int f = 0; f < freq; ++f)
      for (int o = 0; o < n; ++o) {
        float acc = 0.0f;
        for (int kt = 0; kt < s.kernelTime; ++kt) {
          const int ti = t + kt - padTime;
          if (ti < 0 || ti >= time) continue;
          for (int kf = 0; kf < s.kernelFreq; ++kf)
            for (int c = 0; c < s.inChannels; ++c)
              acc = std::fma(planes[(int64_t(ti) * s.inChannels + c) * planeLength + f + kf],
                             weights[((int64_t(kt) * s.kernelFreq + kf) * s.inChannels + c) * n + o], acc);
        }
        if (bias) acc += bias[o];
        output[(size_t(t) * freq + f) * n + o] = relu ? std::max(acc, 0.0f) : acc;
      }
}

void conv2dSame(const float* input, int time, int freq, const Conv2dShape& s, const float* weights,
                const float* bias, bool relu, std::vector<float>& output, RowRange rows) {
  rows = clampRows(rows, time);
  const RowRange in = inputRows(rows, time, s.kernelTime);
  const int outFreq = sameOutputSize(freq, s.strideFreq);
  const int padFreq = samePadBefore(freq, s.strideFreq, s.kernelFreq);
  const int padTime = samePadBefore(time, 1, s.kernelTime);
  const int n = s.outChannels;
  const int64_t kRow = int64_t(s.kernelFreq) * s.inChannels;  // contiguous taps of one kernel row
  const int64_t rowStride = int64_t(s.strideFreq) * s.inChannels;
  // Scratch reused across calls on the same thread, so that windows do not fault in fresh pages.
  thread_local std::vector<float> padded, planes;

  if (s.strideFreq == 1 && n == 8) {
    // Channel planes, zero-padded in frequency, long enough for whole vectors of outputs.
    const int64_t planeLength = planarLength(freq, s.kernelFreq);
    planes.resize(size_t(time * s.inChannels * planeLength));
    for (int t = in.begin; t < in.end; ++t)
      for (int c = 0; c < s.inChannels; ++c) {
        float* plane = planes.data() + (int64_t(t) * s.inChannels + c) * planeLength;
        std::fill(plane, plane + planeLength, 0.0f);
        const float* in = input + int64_t(t) * freq * s.inChannels + c;
        for (int f = 0; f < freq; ++f) plane[padFreq + f] = in[int64_t(f) * s.inChannels];
      }
    conv2dSamePlanar(planes.data(), planeLength, time, freq, s, weights, bias, relu, output, rows);
    return;
  }

  // Zero-padded copy in frequency, wide enough for every output column's taps (only the pads are
  // cleared: the rest is overwritten).
  const int paddedFreq = std::max((outFreq - 1) * s.strideFreq + s.kernelFreq, padFreq + freq);
  const int64_t paddedRow = int64_t(paddedFreq) * s.inChannels;
  const int64_t planeLength = outFreq + (kRow - 1) / rowStride + 1;
  if (n == 1 && s.strideFreq == 1) {
    // One output channel: channel planes (the phases of dotPhases) straight from the input.
    planes.resize(size_t(time * s.inChannels * planeLength));
    for (int t = in.begin; t < in.end; ++t)
      for (int c = 0; c < s.inChannels; ++c) {
        float* plane = planes.data() + (int64_t(t) * s.inChannels + c) * planeLength;
        std::fill(plane, plane + padFreq, 0.0f);
        const float* in = input + int64_t(t) * freq * s.inChannels + c;
        for (int f = 0; f < freq; ++f) plane[padFreq + f] = in[int64_t(f) * s.inChannels];
        std::fill(plane + padFreq + freq, plane + planeLength, 0.0f);
      }
  } else {
    padded.resize(size_t(time) * paddedRow);
    const int64_t before = int64_t(padFreq) * s.inChannels, body = int64_t(freq) * s.inChannels;
    for (int t = in.begin; t < in.end; ++t) {
      float* row = padded.data() + t * paddedRow;
      std::fill(row, row + before, 0.0f);
      std::memcpy(row + before, input + t * body, sizeof(float) * size_t(body));
      std::fill(row + before + body, row + paddedRow, 0.0f);
    }
    if (n == 1) {
      // One output channel with a frequency stride: split every padded row into phases once.
      planes.resize(size_t(time * rowStride * planeLength));
      for (int t = in.begin; t < in.end; ++t)
        splitPhases(padded.data() + t * paddedRow, std::min(paddedRow, (outFreq - 1) * rowStride + kRow), rowStride,
                    planeLength, planes.data() + t * rowStride * planeLength);
    }
  }
  output.resize(size_t(time) * outFreq * n);
  for (int t = rows.begin; t < rows.end; ++t) {
    float* out = output.data() + int64_t(t) * outFreq * n;
    std::fill(out, out + int64_t(outFreq) * n, 0.0f);
    for (int kt = 0; kt < s.kernelTime; ++kt) {
      const int ti = t + kt - padTime;
      if (ti < 0 || ti >= time) continue;  // zero padding in time
      if (n == 1)
        active().dotPhases(planes.data() + ti * rowStride * planeLength, planeLength, rowStride, outFreq, kRow,
                  weights + kt * kRow, out);
      else
        stridedRowGemm(padded.data() + ti * paddedRow, rowStride, outFreq, kRow, weights + kt * kRow * n, n, out);
    }
    if (bias)
      for (int f = 0; f < outFreq; ++f)
        for (int o = 0; o < n; ++o) out[f * n + o] += bias[o];
    if (relu)
      for (int64_t i = 0; i < int64_t(outFreq) * n; ++i) out[i] = std::max(out[i], 0.0f);
  }
}

}  // namespace midistems::transcribe::kernels
