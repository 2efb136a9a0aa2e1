#pragma once
// Lane vectors for processing eight voices at once (the idea of Surge's QuadFilterChain and
// Vital's poly_values: one register holds the same quantity for several voices, so the per-sample
// work is shared across voices instead of repeated per voice). GCC/Clang vector extensions keep
// this portable: with -march=native they become AVX registers, without it SSE pairs.
#include <cstdint>

namespace midistems::synth {

constexpr int kLanes = 8;
using vfloat = float __attribute__((vector_size(32)));
using vint = int32_t __attribute__((vector_size(32)));
using vuint = uint32_t __attribute__((vector_size(32)));

inline vfloat splat(float x) { return vfloat{} + x; }
inline vfloat vmin(vfloat a, vfloat b) { return a < b ? a : b; }
inline vfloat vmax(vfloat a, vfloat b) { return a > b ? a : b; }
inline vfloat vclamp(vfloat x, float lo, float hi) { return vmin(vmax(x, splat(lo)), splat(hi)); }
inline vfloat vabs(vfloat x) { return x < 0.0f ? -x : x; }
// Wraps a phase that may have passed 1 (or, with FM, a few cycles either way) into [0, 1).
inline vfloat wrapPhase(vfloat x) {
  vfloat whole = __builtin_convertvector(__builtin_convertvector(x, vint), vfloat);
  whole = x < whole ? whole - 1.0f : whole;  // floor for negatives
  return x - whole;
}

// tanh-like soft saturation: a rational Pade approximant that reaches +-1 at |x| = 3 and is
// clamped beyond, cheap enough for every sample of every voice.
inline vfloat softClip(vfloat x) {
  x = vclamp(x, -3.0f, 3.0f);
  const vfloat x2 = x * x;
  return x * (27.0f + x2) / (27.0f + 9.0f * x2);
}
inline float softClip(float x) {
  x = x < -3.0f ? -3.0f : (x > 3.0f ? 3.0f : x);
  const float x2 = x * x;
  return x * (27.0f + x2) / (27.0f + 9.0f * x2);
}

// sin(2*pi*phase) for phase in [0, 1): fold into a quarter period, then an odd Taylor polynomial
// (error below 4e-6).
inline vfloat sinTurns(vfloat phase) {
  vfloat x = phase - 0.5f;  // [-0.5, 0.5); sin(2 pi phase) = -sin(2 pi x)
  x = x > 0.25f ? 0.5f - x : x;
  x = x < -0.25f ? -0.5f - x : x;
  const vfloat z = x * 6.2831853f;
  const vfloat z2 = z * z;
  const vfloat s =
      z * (1.0f + z2 * (-1.0f / 6 + z2 * (1.0f / 120 + z2 * (-1.0f / 5040 + z2 * (1.0f / 362880)))));
  return -s;
}

inline float sinTurns(float phase) {
  float x = phase - 0.5f;
  x = x > 0.25f ? 0.5f - x : x;
  x = x < -0.25f ? -0.5f - x : x;
  const float z = x * 6.2831853f;
  const float z2 = z * z;
  return -z * (1.0f + z2 * (-1.0f / 6 + z2 * (1.0f / 120 + z2 * (-1.0f / 5040 + z2 * (1.0f / 362880)))));
}

inline float laneSum(vfloat v) {
  float s = 0;
  for (int i = 0; i < kLanes; ++i) s += v[i];
  return s;
}

// xorshift32 per lane: white noise in [-1, 1) without a shared generator.
inline vfloat nextNoise(vuint& state) {
  state ^= state << 13;
  state ^= state >> 17;
  state ^= state << 5;
  return __builtin_convertvector(state >> 8, vfloat) * (2.0f / 16777216.0f) - 1.0f;
}

}  // namespace midistems::synth
