#pragma once
// The vector loops of conv_kernels.cpp, compiled once per instruction-set level
// (conv_kernels_isa.cpp, see cmake/IsaKernels.cmake) and chosen at run time by conv_kernels.cpp.
// They work on raw pointers and never allocate: the buffers belong to the caller.
#include <cstdint>

#include "core/cpu_isa.h"
#include "transcribe/basic_pitch/conv_kernels.h"

namespace midistems::transcribe::kernels {

struct IsaKernels {
  // Floats per vector in the planar convolution: planes are padded to whole vectors of outputs.
  int planarWidth;
  // stridedRowGemm for n > 1 outputs per row.
  void (*gemm)(const float* a, int64_t rowStride, int64_t m, int64_t k, const float* b, int n, float* c);
  // Rows [0, m) of a one-output strided-row product from phases already split:
  // phases[p * phaseLength + j] = a[j * s + p].
  void (*dotPhases)(const float* phases, int64_t phaseLength, int64_t s, int64_t m, int64_t k, const float* b,
                    float* c);
  // conv2dSamePlanar's rows for outChannels 8 or 16 into `output` ([time][freq][outChannels]);
  // false for any other channel count (the caller's plain loops then do it).
  bool (*convPlanar)(const float* planes, int64_t planeLength, int time, int freq, int padTime, const Conv2dShape& s,
                     const float* weights, const float* bias, bool relu, float* output, RowRange rows);
};

namespace isa_baseline {
extern const IsaKernels kIsaKernels;
}
namespace isa_avx512 {
extern const IsaKernels kIsaKernels;
}

// The kernels of `level`; those of the baseline when the build has no code for that level.
const IsaKernels& isaKernels(IsaLevel level);

}  // namespace midistems::transcribe::kernels
