#pragma once
// Row-major single-precision matrix product through oneDNN's sgemm:
//   C (m x n) = alpha * op(A) (m x k) * op(B) (k x n) + beta * C
// op(X) is X or its transpose; lda/ldb/ldc are the row strides of the stored matrices.
#include <cstdint>

namespace midistems::nn {

void gemm(bool transA, bool transB, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
          const float* b, int64_t ldb, float beta, float* c, int64_t ldc);

// Floating-point operations (2 m n k per product) of every gemm so far, on all threads: what a
// benchmark divides by its time to give the GFLOP/s a model sustains.
uint64_t gemmFlopCount();

// y (rows x out) = x (rows x in) * w^T + bias, w stored (out x in) as in torch.nn.Linear.
void linear(const float* x, int64_t rows, int64_t in, const float* w, const float* bias, int64_t out, float* y,
            int64_t ldy);

}  // namespace midistems::nn
