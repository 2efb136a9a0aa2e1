#pragma once
// The vector loops of elementwise.cpp, compiled once per instruction-set level
// (elementwise_isa.cpp, see cmake/IsaKernels.cmake) and chosen at run time by elementwise.cpp.
// Each works on one contiguous range, on raw pointers, and never allocates; splitting the work
// over threads stays in elementwise.cpp. Reductions are vectorised, so their order (and the last
// bits of a sum) depends on the vector width: levels agree within float rounding, not to the bit.
#include <cstdint>

#include "core/cpu_isa.h"

namespace midistems::nn {

struct ElementwiseKernels {
  // x = 0.5 x (1 + erf(x / sqrt 2)) over [0, n).
  void (*gelu)(float* x, int64_t n);
  // out = a * sigmoid(b).
  void (*glu)(const float* a, const float* b, int64_t n, float* out);
  // out += scale * a * sigmoid(gate).
  void (*gluScaleAdd)(const float* a, const float* gate, int64_t n, float scale, float* out);
  // The sum and the sum of squares of x, accumulated in double.
  void (*sumAndSquares)(const float* x, int64_t n, double* sum, double* squares);
  // x = x * scale + shift.
  void (*scaleShift)(float* x, int64_t n, float scale, float shift);
  // out = (in - mean) * rstd * gamma + beta.
  void (*normalize)(const float* in, int64_t n, float mean, float rstd, const float* gamma, const float* beta,
                    float* out);
  // x = exp(x - max x); returns the sum of the results.
  float (*expMinusMax)(float* x, int64_t n);
  // x *= factor.
  void (*scale)(float* x, int64_t n, float factor);
  // x = tanh(x).
  void (*tanh)(float* x, int64_t n);
  // The sum of squares of x, accumulated in double.
  double (*squares)(const float* x, int64_t n);
  // out = in * factor * gamma.
  void (*scaleByVector)(const float* in, int64_t n, float factor, const float* gamma, float* out);
  // Interleaved rotation of the pairs (x[2i], x[2i+1]) by the angle whose cosine and sine are
  // c[i], s[i], over n values (n / 2 pairs).
  void (*rotatePairs)(float* x, int64_t n, const float* c, const float* s);
};

namespace isa_baseline {
extern const ElementwiseKernels kElementwiseKernels;
}
namespace isa_avx512 {
extern const ElementwiseKernels kElementwiseKernels;
}

// The kernels of `level`; those of the baseline when the build has no code for that level.
const ElementwiseKernels& elementwiseKernels(IsaLevel level);

}  // namespace midistems::nn
