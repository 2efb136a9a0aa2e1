#pragma once
// SIMD lanes over voices: the one set of lane helpers of the synthesizer (engine and synth/dsp).
// A `Lanes` value holds one sample (or one coefficient) of kLanes independent voices, so the
// oscillators, filter banks and amplifiers process kLanes voices with the instructions one voice
// would need (the idea of Surge's QuadFilterChain and Vital's poly_values, with 8 lanes to fill an
// AVX register). It uses the GCC/Clang vector extension, which compiles to SSE/AVX/NEON as the
// target allows; on narrower machines the compiler splits each operation into halves.
//
// The helpers are branch-free and, where both make sense, written once for `float` and `Lanes`,
// so scalar single-voice code and the lane-wise code share the same arithmetic, bit for bit.
// They live in namespace synth, so that both the engine and synth/dsp (nested in it) see them.
#include <cstdint>

// Functions that the voices' per-sample loop reaches are forced inline: that loop is compiled once
// per instruction-set level (src/synth/voice_render_isa.cpp), and an out-of-line copy of a shared
// inline function compiled for AVX-512 could be the one the linker keeps for every caller. The
// test `isa_symbols_midistems_synth_engine_isa_avx512` checks that none is left out of line.
#define MIDISTEMS_LANE_INLINE [[gnu::always_inline]] inline

namespace midistems::synth {

inline constexpr int kLanes = 8;
using Lanes = float __attribute__((vector_size(kLanes * sizeof(float))));
using LaneInts = std::int32_t __attribute__((vector_size(kLanes * sizeof(std::int32_t))));
using LaneUints = std::uint32_t __attribute__((vector_size(kLanes * sizeof(std::uint32_t))));

MIDISTEMS_LANE_INLINE Lanes splat(float x) {
  Lanes v = {};
  return v + x;
}

MIDISTEMS_LANE_INLINE float minOf(float a, float b) { return a < b ? a : b; }
MIDISTEMS_LANE_INLINE float maxOf(float a, float b) { return a > b ? a : b; }
MIDISTEMS_LANE_INLINE Lanes minOf(Lanes a, Lanes b) { return a < b ? a : b; }
MIDISTEMS_LANE_INLINE Lanes maxOf(Lanes a, Lanes b) { return a > b ? a : b; }
MIDISTEMS_LANE_INLINE Lanes absOf(Lanes x) { return x < 0.0f ? -x : x; }

template <class T>
MIDISTEMS_LANE_INLINE T clampTo(T x, float lo, float hi) {
  return minOf(maxOf(x, T{} + lo), T{} + hi);
}

// a + (b - a) t: the filters' linear ramps of coefficients across a run.
template <class T>
MIDISTEMS_LANE_INLINE T lerp(T a, T b, float t) {
  return a + (b - a) * t;
}

// Wraps a phase that may have passed 1 (or, with FM, a few cycles either way) into [0, 1).
MIDISTEMS_LANE_INLINE Lanes wrapPhase(Lanes x) {
  Lanes whole = __builtin_convertvector(__builtin_convertvector(x, LaneInts), Lanes);
  whole = x < whole ? whole - 1.0f : whole;  // floor for negatives
  return x - whole;
}

// Two soft clippers with different jobs, so two names:
//
// softClipCubic: x - (4/27) x^3, which reaches exactly 1 with zero slope at |x| = 1.5, clamped
// beyond. Odd, monotonic, unit slope at 0 and bounded by 1 (what a saturator in a feedback loop
// needs: the bound keeps the loop stable), and free of divisions, which matters because it sits on
// the critical path of the ladder's per-sample loop.
template <class T>
MIDISTEMS_LANE_INLINE T softClipCubic(T x) {
  const T c = clampTo(x, -1.5f, 1.5f);
  return c * (1.0f - (4.0f / 27.0f) * c * c);
}

// softClipRational: tanh-like saturation by the rational Pade approximant x (27 + x^2) /
// (27 + 9 x^2), which reaches +-1 at |x| = 3 and is clamped beyond: closer to tanh than the cubic
// (it keeps more of the input's level before the knee), for the output's safety limiter.
template <class T>
MIDISTEMS_LANE_INLINE T softClipRational(T x) {
  x = clampTo(x, -3.0f, 3.0f);
  const T x2 = x * x;
  return x * (27.0f + x2) / (27.0f + 9.0f * x2);
}

// sin(2 pi phase) for phase in [0, 1): fold into a quarter period, then an odd Taylor polynomial
// (error below 4e-6).
template <class T>
MIDISTEMS_LANE_INLINE T sinTurns(T phase) {
  T x = phase - 0.5f;  // [-0.5, 0.5); sin(2 pi phase) = -sin(2 pi x)
  x = x > 0.25f ? 0.5f - x : x;
  x = x < -0.25f ? -0.5f - x : x;
  const T z = x * 6.2831853f;
  const T z2 = z * z;
  return -(z * (1.0f + z2 * (-1.0f / 6 + z2 * (1.0f / 120 + z2 * (-1.0f / 5040 + z2 * (1.0f / 362880))))));
}

// tan(pi * x) for 0 <= x < 0.5, the bilinear-transform prewarp of a normalised cutoff x = fc / fs.
// Uses tan(y) = sin(y)/cos(y) with y = pi*x reduced by the identity tan(y) = 1 / tan(pi/2 - y) on
// the upper half, and the Taylor series to r^15 on |r| <= pi/4, where its relative error is below
// 1e-5 (a cutoff error of 0.001 %). Branch-free so that it runs per sample in SIMD lanes.
template <class T>
MIDISTEMS_LANE_INLINE T tanPi(T x) {
  constexpr float kPi = 3.14159265358979f;
  const T y = kPi * x;
  const T upper = x > 0.25f ? T{} + 1.0f : T{};  // 1 where y > pi/4 (float: promoted below)
  const T r = y + upper * (kPi * 0.5f - 2.0f * y);  // y, or pi/2 - y
  const T r2 = r * r;
  // Series of tan(r) = r + r^3/3 + 2r^5/15 + 17r^7/315 + 62r^9/2835 + 1382r^11/155925 + ...
  const T t = r * (1.0f + r2 * (1.0f / 3 + r2 * (2.0f / 15 + r2 * (17.0f / 315 + r2 *
              (62.0f / 2835 + r2 * (1382.0f / 155925 + r2 * (21844.0f / 6081075.0f +
              r2 * (929569.0f / 638512875.0f))))))));
  return upper * (1.0f / t - t) + t;  // 1/t on the upper half
}

MIDISTEMS_LANE_INLINE float squareRoot(float x) { return __builtin_sqrtf(x); }
MIDISTEMS_LANE_INLINE Lanes squareRoot(Lanes x) {
  Lanes r;
  for (int i = 0; i < kLanes; ++i) r[i] = __builtin_sqrtf(x[i]);
  return r;
}

// Replaces NaN and infinities by zero (x - x is 0 only for finite x): filters clean their states
// with it once per block, so that one bad input sample cannot silence a voice for ever.
MIDISTEMS_LANE_INLINE float zeroIfNotFinite(float x) { return x - x == 0.0f ? x : 0.0f; }
MIDISTEMS_LANE_INLINE Lanes zeroIfNotFinite(Lanes x) { return x - x == 0.0f ? x : Lanes{}; }

// Clears one voice's lane (a scalar has only lane 0).
MIDISTEMS_LANE_INLINE void clearLane(float& x, int) { x = 0.0f; }
MIDISTEMS_LANE_INLINE void clearLane(Lanes& x, int lane) { x[lane] = 0.0f; }

// Forces values that are too small to matter (below 1e-15, -300 dB) to zero, so that decaying
// filter states never enter the subnormal range (where arithmetic is up to 100x slower) and reach
// exact silence: without fused multiply-adds, rounding can hold the states of a low, resonant
// filter in a slowly fading tail around 1e-19 for many seconds.
template <class T>
MIDISTEMS_LANE_INLINE T flushTiny(T x) {
  const T a = maxOf(x, -x);
  return a < 1e-15f ? T{} : x;
}

MIDISTEMS_LANE_INLINE float laneSum(Lanes v) {
  float s = 0;
  for (int i = 0; i < kLanes; ++i) s += v[i];
  return s;
}

// xorshift32 per lane: white noise in [-1, 1) without a shared generator.
MIDISTEMS_LANE_INLINE Lanes nextNoise(LaneUints& state) {
  state ^= state << 13;
  state ^= state >> 17;
  state ^= state << 5;
  return __builtin_convertvector(state >> 8, Lanes) * (2.0f / 16777216.0f) - 1.0f;
}

// Packs up to kLanes planar voice buffers into lane vectors: out[i][lane] = voices[lane][i]; a
// null voice pointer (or lane >= voiceCount) gives silence in that lane.
void interleaveLanes(const float* const* voices, int voiceCount, int n, Lanes* out);
// The inverse: voices[lane][i] = in[i][lane] for lane < voiceCount (null pointers are skipped).
void deinterleaveLanes(const Lanes* in, int n, float* const* voices, int voiceCount);

}  // namespace midistems::synth
