// The vector loops of the element-wise operations. This file is compiled once per instruction-set
// level, each time into its own namespace (MIDISTEMS_ISA_NS, set by cmake/IsaKernels.cmake):
// nothing here may define a symbol outside it (a CTest test checks the object files).
#include "nn/ops/elementwise_isa.h"

#ifndef MIDISTEMS_ISA_NS
#error "elementwise_isa.cpp is compiled by cmake/IsaKernels.cmake with MIDISTEMS_ISA_NS set"
#endif

// glibc's vector math library (libmvec) has SIMD versions of erff, expf and tanhf, in 256-bit and 512-bit
// variants; its own header only announces them under -ffast-math, which we do not want (it would
// reorder our reductions), so they are announced here and used from `omp simd` loops. Accuracy:
// within a few ulp.
extern "C" {
#pragma omp declare simd notinbranch
float erff(float) noexcept;
#pragma omp declare simd notinbranch
float expf(float) noexcept;
#pragma omp declare simd notinbranch
float tanhf(float) noexcept;
}

namespace midistems::nn::MIDISTEMS_ISA_NS {
namespace {

inline float sigmoid(float v) { return 1.0f / (1.0f + expf(-v)); }

void gelu(float* x, int64_t n) {
  constexpr float kInvSqrt2 = 0.70710678118654752f;
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) x[i] = 0.5f * x[i] * (1.0f + erff(x[i] * kInvSqrt2));
}

void glu(const float* a, const float* b, int64_t n, float* out) {
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) out[i] = a[i] * sigmoid(b[i]);
}

void gluScaleAdd(const float* a, const float* gate, int64_t n, float scale, float* out) {
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) out[i] += scale * (a[i] * sigmoid(gate[i]));
}

void sumAndSquares(const float* x, int64_t n, double* sum, double* squares) {
  double s = 0.0, q = 0.0;
#pragma omp simd reduction(+ : s, q)
  for (int64_t i = 0; i < n; ++i) {
    const double v = x[i];
    s += v;
    q += v * v;
  }
  *sum = s;
  *squares = q;
}

void scaleShift(float* x, int64_t n, float scale, float shift) {
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) x[i] = x[i] * scale + shift;
}

void normalize(const float* in, int64_t n, float mean, float rstd, const float* gamma, const float* beta,
               float* out) {
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) out[i] = (in[i] - mean) * rstd * gamma[i] + beta[i];
}

float expMinusMax(float* x, int64_t n) {
  float maxValue = x[0];
#pragma omp simd reduction(max : maxValue)
  for (int64_t i = 0; i < n; ++i) maxValue = x[i] > maxValue ? x[i] : maxValue;
  float sum = 0.0f;
#pragma omp simd reduction(+ : sum)
  for (int64_t i = 0; i < n; ++i) {
    x[i] = expf(x[i] - maxValue);
    sum += x[i];
  }
  return sum;
}

void scale(float* x, int64_t n, float factor) {
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) x[i] *= factor;
}

void tanhInPlace(float* x, int64_t n) {
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) x[i] = tanhf(x[i]);
}

double squares(const float* x, int64_t n) {
  double q = 0.0;
#pragma omp simd reduction(+ : q)
  for (int64_t i = 0; i < n; ++i) q += double(x[i]) * double(x[i]);
  return q;
}

void scaleByVector(const float* in, int64_t n, float factor, const float* gamma, float* out) {
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) out[i] = in[i] * factor * gamma[i];
}

void rotatePairs(float* x, int64_t n, const float* c, const float* s) {
#pragma omp simd
  for (int64_t i = 0; i < n / 2; ++i) {
    const float x0 = x[2 * i], x1 = x[2 * i + 1];
    x[2 * i] = x0 * c[i] - x1 * s[i];
    x[2 * i + 1] = x1 * c[i] + x0 * s[i];
  }
}

}  // namespace

extern const ElementwiseKernels kElementwiseKernels{gelu,        glu,     gluScaleAdd,   sumAndSquares, scaleShift,
                                                    normalize,   expMinusMax, scale, tanhInPlace,   squares,
                                                    scaleByVector, rotatePairs};

}  // namespace midistems::nn::MIDISTEMS_ISA_NS
