#pragma once
// Activations and normalisations, each matching its torch.nn counterpart:
//  - gelu: the exact form 0.5 x (1 + erf(x / sqrt 2)) (torch's default, approximate='none').
//  - glu: first half of the channels times the sigmoid of the second half (torch.nn.GLU, dim 1).
//  - groupNorm: torch.nn.GroupNorm over planes (batch, channels, length); statistics are
//    accumulated in double, so they are at least as accurate as torch's float32 ones.
//  - layerNorm: torch.nn.LayerNorm over the last dimension of a (rows, dim) matrix.
//  - softmaxRows: numerically stable row-wise softmax.
#include <cstdint>

namespace midistems::nn {

enum class Activation { kNone, kGelu };

void gelu(float* x, int64_t n);
void applyActivation(Activation act, float* x, int64_t n);

// out[c, t] = in[c, t] * sigmoid(in[channels + c, t]) for one (2 * channels, length) plane whose
// rows are `ldIn` apart; out rows are `ldOut` apart.
void glu(const float* in, int64_t channels, int64_t length, int64_t ldIn, float* out, int64_t ldOut);

// In place over x (batch, channels, length). gamma/beta may be null (no affine).
void groupNorm(float* x, int64_t batch, int64_t channels, int64_t length, int64_t groups, const float* gamma,
               const float* beta, float eps, Activation after = Activation::kNone);

// y (rows, dim) = LayerNorm(x); y may equal x.
void layerNorm(const float* x, int64_t rows, int64_t dim, const float* gamma, const float* beta, float eps, float* y);

void softmaxRows(float* x, int64_t rows, int64_t cols, int64_t ld);
// exp(x - row max) in place and the row sums, without the division (callers that multiply the
// result by a matrix divide the smaller product instead).
void softmaxRowsUnnormalised(float* x, int64_t rows, int64_t cols, int64_t ld, float* sums);

// Demucs DConv tail: x[b, c, t] += scale[c] * g[b, c, t] * sigmoid(g[b, channels + c, t]), with g a
// (batch, 2 * channels, length) tensor (the GLU of a DConv layer followed by its LayerScale).
void gluScaleAdd(const float* g, int64_t batch, int64_t channels, int64_t length, const float* scale, float* x);

}  // namespace midistems::nn
