#pragma once
// Activations and normalisations, each matching its torch.nn counterpart:
//  - gelu: the exact form 0.5 x (1 + erf(x / sqrt 2)) (torch's default, approximate='none').
//  - glu: first half of the channels times the sigmoid of the second half (torch.nn.GLU, dim 1).
//  - groupNorm: torch.nn.GroupNorm over planes (batch, channels, length); statistics are
//    accumulated in double, so they are at least as accurate as torch's float32 ones.
//  - layerNorm: torch.nn.LayerNorm over the last dimension of a (rows, dim) matrix.
//  - softmaxRows: numerically stable row-wise softmax.
//  - rmsNorm: F.normalize(x, dim=-1) * sqrt(dim) * gamma, the RMSNorm of lucidrains' models
//    (BS-RoFormer): x / max(|x|, 1e-12) * sqrt(dim) * gamma, with no epsilon inside a mean square.
#include <cstdint>

namespace midistems::nn {

enum class Activation { kNone, kGelu };

void gelu(float* x, int64_t n);
void tanhInPlace(float* x, int64_t n);
void applyActivation(Activation act, float* x, int64_t n);

// out[c, t] = in[c, t] * sigmoid(in[channels + c, t]) for one (2 * channels, length) plane whose
// rows are `ldIn` apart; out rows are `ldOut` apart.
void glu(const float* in, int64_t channels, int64_t length, int64_t ldIn, float* out, int64_t ldOut);

// In place over x (batch, channels, length). gamma/beta may be null (no affine).
void groupNorm(float* x, int64_t batch, int64_t channels, int64_t length, int64_t groups, const float* gamma,
               const float* beta, float eps, Activation after = Activation::kNone);

// y (rows, dim) = LayerNorm(x); y may equal x.
void layerNorm(const float* x, int64_t rows, int64_t dim, const float* gamma, const float* beta, float eps, float* y);

// y (rows, dim), rows `ldy` apart = RMSNorm of x (rows, dim), rows `ldx` apart; y may equal x.
// The squares are summed in double.
void rmsNorm(const float* x, int64_t rows, int64_t dim, int64_t ldx, const float* gamma, float* y, int64_t ldy);

// Rotary position embedding, interleaved (GPT-J) form, in place: each of `rows` rows (`ld` apart)
// holds `width` values, whose adjacent pairs (2i, 2i+1) are rotated by the angle of row position
// p and pair i % (tableWidth / 2); c and s are (positions, tableWidth / 2) tables of its cosine
// and sine. Row r is at position (r / positionStride) % positions.
void rotaryPairs(float* x, int64_t rows, int64_t width, int64_t ld, const float* c, const float* s,
                 int64_t positions, int64_t tableWidth, int64_t positionStride);

void softmaxRows(float* x, int64_t rows, int64_t cols, int64_t ld);
// exp(x - row max) in place and the row sums, without the division (callers that multiply the
// result by a matrix divide the smaller product instead).
void softmaxRowsUnnormalised(float* x, int64_t rows, int64_t cols, int64_t ld, float* sums);

// Demucs DConv tail: x[b, c, t] += scale[c] * g[b, c, t] * sigmoid(g[b, channels + c, t]), with g a
// (batch, 2 * channels, length) tensor (the GLU of a DConv layer followed by its LayerScale).
void gluScaleAdd(const float* g, int64_t batch, int64_t channels, int64_t length, const float* scale, float* x);

}  // namespace midistems::nn
