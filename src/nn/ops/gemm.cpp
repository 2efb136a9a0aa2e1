#include "nn/ops/gemm.h"

#include <oneapi/dnnl/dnnl.h>

#include <atomic>
#include <stdexcept>
#include <string>

#include "core/cpu_isa.h"

namespace midistems::nn {
namespace {

std::atomic<uint64_t> flopCount{0};

// oneDNN picks its own kernels for the CPU it runs on. When MIDISTEMS_ISA holds our kernels below
// what the CPU has, oneDNN is held to the same level, so that a forced level measures what a CPU of
// that level would do. It must be set before oneDNN's first kernel is made: on the first GEMM.
void matchOneDnnToActiveIsa() {
  static const bool done = [] {
    if (activeIsaLevel() < supportedIsaLevel()) {
#if defined(__AVX2__)
      dnnl_set_max_cpu_isa(dnnl_cpu_isa_avx2);
#else
      dnnl_set_max_cpu_isa(dnnl_cpu_isa_sse41);
#endif
    }
    return true;
  }();
  (void)done;
}

}  // namespace

void gemm(bool transA, bool transB, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
          const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) c[i * ldc + j] = beta == 0.0f ? 0.0f : beta * c[i * ldc + j];
    return;
  }
  matchOneDnnToActiveIsa();
  flopCount.fetch_add(2 * uint64_t(m) * uint64_t(n) * uint64_t(k), std::memory_order_relaxed);
  const dnnl_status_t status =
      dnnl_sgemm(transA ? 'T' : 'N', transB ? 'T' : 'N', m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  if (status != dnnl_success)
    throw std::runtime_error("oneDNN sgemm failed with status " + std::to_string(int(status)));
}

uint64_t gemmFlopCount() { return flopCount.load(std::memory_order_relaxed); }

void linear(const float* x, int64_t rows, int64_t in, const float* w, const float* bias, int64_t out, float* y,
            int64_t ldy) {
  float beta = 0.0f;
  if (bias) {
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t o = 0; o < out; ++o) y[r * ldy + o] = bias[o];
    beta = 1.0f;
  }
  gemm(false, true, rows, out, in, 1.0f, x, in, w, in, beta, y, ldy);
}

}  // namespace midistems::nn
