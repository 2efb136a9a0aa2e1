#include "nn/ops/attention.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "nn/ops/elementwise.h"
#include "nn/ops/gemm.h"
#include "nn/ops/parallel.h"

namespace midistems::nn {

void multiHeadAttention(const float* query, int64_t queries, const float* keyValue, int64_t keys, int64_t dim,
                        int64_t numHeads, const AttentionWeights& w, AttentionScratch& scratch, float* out) {
  if (dim % numHeads != 0) throw std::invalid_argument("multiHeadAttention: dim not divisible by heads");
  const int64_t headDim = dim / numHeads;
  scratch.q.resize({queries, dim});
  scratch.kv.resize({keys, 2 * dim});
  scratch.heads.resize({queries, dim});
  linear(query, queries, dim, w.inProjWeight, w.inProjBias, dim, scratch.q.data(), dim);
  linear(keyValue, keys, dim, w.inProjWeight + dim * dim, w.inProjBias + dim, 2 * dim, scratch.kv.data(), 2 * dim);

  // torch scales q by 1/sqrt(head_dim) before q k^T; alpha does the same inside the product.
  const float scale = float(1.0 / std::sqrt(double(headDim)));
  constexpr int64_t block = 128;
  const int64_t blocks = (queries + block - 1) / block;
  const float* q = scratch.q.data();
  const float* kv = scratch.kv.data();
  float* heads = scratch.heads.data();
  parallelFor(numHeads * blocks, [&](int64_t task) {
    thread_local FloatVector scores;
    float sums[block];
    const int64_t h = task / blocks, r0 = (task % blocks) * block;
    const int64_t n = std::min(block, queries - r0);
    scores.resize(size_t(n * keys));
    gemm(false, true, n, keys, headDim, scale, q + r0 * dim + h * headDim, dim, kv + h * headDim, 2 * dim, 0.0f,
         scores.data(), keys);
    // softmax(s) v = (exp(s - max) v) / sum: the division touches n x head_dim values, not n x keys.
    softmaxRowsUnnormalised(scores.data(), n, keys, keys, sums);
    float* o = heads + r0 * dim + h * headDim;
    gemm(false, false, n, headDim, keys, 1.0f, scores.data(), keys, kv + dim + h * headDim, 2 * dim, 0.0f, o, dim);
    for (int64_t r = 0; r < n; ++r) {
      const float inv = 1.0f / sums[r];
      for (int64_t d = 0; d < headDim; ++d) o[r * dim + d] *= inv;
    }
  });
  linear(heads, queries, dim, w.outProjWeight, w.outProjBias, dim, out, dim);
}

}  // namespace midistems::nn
