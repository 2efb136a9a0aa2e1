#pragma once
// torch.nn.MultiheadAttention (batch_first, no masks, no dropout) on token matrices
// (tokens, dim). Weights as torch stores them: in_proj_weight (3 dim, dim) = [Wq; Wk; Wv],
// in_proj_bias (3 dim), out_proj.weight (dim, dim), out_proj.bias (dim).
// Scores are computed a block of queries at a time per head, so the (queries x keys) matrix
// never exists whole.
#include <cstdint>

#include "nn/ops/tensor.h"

namespace midistems::nn {

struct AttentionWeights {
  const float* inProjWeight = nullptr;
  const float* inProjBias = nullptr;
  const float* outProjWeight = nullptr;
  const float* outProjBias = nullptr;
};

// Scratch buffers kept between calls so repeated layers do not allocate.
struct AttentionScratch {
  Tensor q, kv, heads;
};

// out (queries, dim) = MHA(query, keyValue, keyValue). query and keyValue may be the same matrix
// (self-attention); out must not alias either.
void multiHeadAttention(const float* query, int64_t queries, const float* keyValue, int64_t keys, int64_t dim,
                        int64_t numHeads, const AttentionWeights& w, AttentionScratch& scratch, float* out);

}  // namespace midistems::nn
