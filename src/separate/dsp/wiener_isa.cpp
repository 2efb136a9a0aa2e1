// The Wiener filter's covariance loops. This file is compiled once per instruction-set level,
// each time into its own namespace (MIDISTEMS_ISA_NS, set by cmake/IsaKernels.cmake): nothing here
// may define a symbol outside it (a CTest test checks the object files).
#include "separate/dsp/wiener_isa.h"

#include <algorithm>

#ifndef MIDISTEMS_ISA_NS
#error "wiener_isa.cpp is compiled by cmake/IsaKernels.cmake with MIDISTEMS_ISA_NS set"
#endif

namespace midistems::separate::dsp::MIDISTEMS_ISA_NS {
namespace {

static_assert(kNumStems == 4, "the mask below adds four power estimates");

// Prefix sums over time of (a, d, Re b, Im b, v) per bin, in double so that long windows stay
// exact; every inner loop runs over the chunk's contiguous bins.
void localCovariance(const CovarianceChunk& c) {
  const int w = c.width;
  const auto row = [&](int field, int k) {
    return c.scratch + (size_t(field) * size_t(c.frames + 1) + size_t(k)) * kWienerChunk;
  };
  float a[kWienerChunk], d[kWienerChunk], br[kWienerChunk], bi[kWienerChunk];
  for (int field = 0; field < 5; ++field) std::fill_n(row(field, 0), kWienerChunk, 0.0);
  for (int k = 0; k < c.frames; ++k) {
    const size_t offset = size_t(k) * size_t(c.stride);
    const float* pj = c.powers[c.stem] + offset;
    const float* p0 = c.powers[0] + offset;
    const float* p1 = c.powers[1] + offset;
    const float* p2 = c.powers[2] + offset;
    const float* p3 = c.powers[3] + offset;
    const float* left = reinterpret_cast<const float*>(c.left + offset);
    const float* right = reinterpret_cast<const float*>(c.right + offset);
    for (int i = 0; i < w; ++i) {
      const float m = pj[i] / (p0[i] + p1[i] + p2[i] + p3[i]);
      const float lr = m * left[2 * i], li = m * left[2 * i + 1];
      const float rr = m * right[2 * i], ri = m * right[2 * i + 1];
      a[i] = lr * lr + li * li;
      d[i] = rr * rr + ri * ri;
      br[i] = lr * rr + li * ri;  // l conj(r)
      bi[i] = li * rr - lr * ri;
    }
    const float* fields[4] = {a, d, br, bi};
    for (int field = 0; field < 4; ++field) {
      const double* prev = row(field, k);
      double* next = row(field, k + 1);
      const float* add = fields[field];
      for (int i = 0; i < w; ++i) next[i] = prev[i] + double(add[i]);
    }
    const double* prev = row(4, k);
    double* next = row(4, k + 1);
    for (int i = 0; i < w; ++i) next[i] = prev[i] + double(0.5f * (a[i] + d[i]));
  }
  for (int t = c.outBegin; t < c.outEnd; ++t) {
    const int lo = std::max(0, t - c.halfWindow);
    const int hi = std::min(c.frames, t + c.halfWindow + 1);
    Hermitian2* out = c.out + size_t(t - c.outBegin) * size_t(c.stride);
    for (int i = 0; i < w; ++i) {
      const double norm = 1.0 / (row(4, hi)[i] - row(4, lo)[i] + 1e-20);
      out[i].a = float((row(0, hi)[i] - row(0, lo)[i]) * norm);
      out[i].d = float((row(1, hi)[i] - row(1, lo)[i]) * norm);
      out[i].b = {float((row(2, hi)[i] - row(2, lo)[i]) * norm), float((row(3, hi)[i] - row(3, lo)[i]) * norm)};
    }
  }
}

}  // namespace

const WienerKernels kWienerKernels = {localCovariance};

}  // namespace midistems::separate::dsp::MIDISTEMS_ISA_NS
