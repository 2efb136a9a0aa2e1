#pragma once
// Convolutions as used by Demucs-style networks, all lowered to oneDNN sgemm.
//
// Layouts. A 1-D signal is a plane (channels, length), row-major; a batch of planes is
// contiguous. A 2-D feature map of the frequency branch is stored frequency-major,
// (freqs, channels, frames): every frequency row is then a contiguous (channels, frames) plane, so
// a kernel along frequency reads whole contiguous blocks and a 1-D operation along time (Demucs'
// DConv folds frequency into the batch) needs no transposition at all.
//
// Weights arrive in torch's layout and are rearranged once by the prepare* functions.
#include <cstdint>

#include "nn/ops/elementwise.h"
#include "nn/ops/tensor.h"

namespace midistems::nn {

// What happens to a convolution's output before it is stored. kGlu halves the channel count
// (torch.nn.GLU over channels); kGelu is the exact GELU.
enum class Epilogue { kNone, kGelu, kGlu };

struct Conv1dParams {
  int64_t inChannels = 0, outChannels = 0, kernel = 1, stride = 1, padding = 0, dilation = 1;
  int64_t outputLength(int64_t inputLength) const {
    return (inputLength + 2 * padding - dilation * (kernel - 1) - 1) / stride + 1;
  }
};

// torch.nn.Conv1d (zero padding) on `batch` planes x (batch, in, length). weight (out, in, kernel)
// as stored by torch, bias (out) or null. y (batch, out', outputLength) with out' = out / 2 for kGlu.
void conv1d(const float* x, int64_t batch, int64_t length, const float* weight, const float* bias,
            const Conv1dParams& p, Epilogue epilogue, float* y);

// torch.nn.ConvTranspose1d(in, out, kernel, stride) without padding on one plane x (in, length),
// keeping output samples [cropBegin, cropBegin + outLength). weight (in, out, kernel) as torch
// stores it, rearranged by prepareConvTranspose1d.
FloatVector prepareConvTranspose1d(const float* weight, int64_t in, int64_t out, int64_t kernel);
void convTranspose1d(const float* x, int64_t length, const FloatVector& prepared, const float* bias, int64_t in,
                     int64_t out, int64_t kernel, int64_t stride, int64_t cropBegin, int64_t outLength,
                     Activation after, float* y);

// torch.nn.Conv2d with a kernel [kf, kt], stride [sf, 1] and zero padding [pf, pt] on a
// frequency-major map x (freqs, in, frames) -> y (outFreqs, out', frames).
// weight (out, in, kf, kt) as torch stores it, rearranged by prepareConv2d.
struct Conv2dParams {
  int64_t inChannels = 0, outChannels = 0, kernelFreq = 1, kernelTime = 1, strideFreq = 1, padFreq = 0, padTime = 0;
  int64_t outputFreqs(int64_t freqs) const { return (freqs + 2 * padFreq - kernelFreq) / strideFreq + 1; }
};
FloatVector prepareConv2d(const float* weight, const Conv2dParams& p);
void conv2d(const float* x, int64_t freqs, int64_t frames, const FloatVector& prepared, const float* bias,
            const Conv2dParams& p, Epilogue epilogue, float* y);

// torch.nn.ConvTranspose2d(in, out, [k, 1], [s, 1]) on a frequency-major map x (freqs, in, frames),
// keeping output frequencies [crop, freqsOut - crop) where freqsOut = (freqs - 1) * s + k.
// Requires k % s == 0. weight (in, out, k, 1) as torch stores it.
FloatVector prepareConvTransposeFreq(const float* weight, int64_t in, int64_t out, int64_t kernel, int64_t stride);
void convTransposeFreq(const float* x, int64_t freqs, int64_t frames, const FloatVector& prepared, const float* bias,
                       int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t crop, Activation after,
                       float* y);

}  // namespace midistems::nn
