#pragma once
// The inner loops of the multichannel Wiener filter (spatial_wiener.cpp), compiled once per
// instruction-set level (wiener_isa.cpp, see cmake/IsaKernels.cmake) and chosen at run time.
// They work on raw pointers over a chunk of adjacent bins and never allocate. Sums run in double
// in the same order at every level; levels agree within float rounding (contraction into FMA).
#include <complex>

#include "core/cpu_isa.h"
#include "separate/dsp/stem_model.h"

namespace midistems::separate::dsp {

// A 2x2 Hermitian matrix [[a, b], [conj(b), d]].
struct Hermitian2 {
  float a = 0, d = 0;
  std::complex<float> b{0, 0};
};

// Bins per chunk: the scratch below is sized for it.
constexpr int kWienerChunk = 32;

// The local spatial covariance R_j(f, t) of one stem over one chunk of bins: the sum, over the
// frames within `halfWindow` of t, of y y^H with y = m_j x (m_j = v_j / sum_k v_k, the
// single-channel Wiener mask), divided by the sum of (|y_l|^2 + |y_r|^2) / 2.
struct CovarianceChunk {
  // powers[k] points at the chunk's first bin in the first frame of stem k's power estimates;
  // frames are `stride` floats apart.
  const float* powers[kNumStems] = {};
  // The mix spectra at the chunk's first bin in the same first frame; frames are `stride`
  // complex values apart.
  const std::complex<float>* left = nullptr;
  const std::complex<float>* right = nullptr;
  int stride = 0;
  int width = 0;   // bins in the chunk, at most kWienerChunk
  int frames = 0;  // frames of powers and spectra from the first one
  int stem = 0;
  // Covariances are written for frames [outBegin, outEnd) (counted from the first frame) at
  // out + (t - outBegin) * stride; each window is clipped to [0, frames).
  int outBegin = 0, outEnd = 0, halfWindow = 0;
  Hermitian2* out = nullptr;
  // 5 * (frames + 1) * kWienerChunk doubles.
  double* scratch = nullptr;
};

struct WienerKernels {
  void (*localCovariance)(const CovarianceChunk& chunk);
};

namespace isa_baseline {
extern const WienerKernels kWienerKernels;
}
namespace isa_avx512 {
extern const WienerKernels kWienerKernels;
}

// The kernels of `level`; those of the baseline when the build has no code for that level.
const WienerKernels& wienerKernels(IsaLevel level);

}  // namespace midistems::separate::dsp
