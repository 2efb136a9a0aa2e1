// The per-sample inner loop of the voices: oscillators, mixer, filter and amplifier for eight
// voices at a time. Everything that can be computed per control tick is computed elsewhere
// (voice_control.cpp); here every operation is a lane-vector operation, and the only branches are
// on patch-wide choices (waveform, filter type) that are the same for all lanes.
//
// This file is compiled once per instruction-set level, each time into its own namespace
// (MIDISTEMS_ISA_NS, set by cmake/IsaKernels.cmake), and Synth::prepare picks one. Nothing here may
// define a symbol outside that namespace (a CTest test checks the object files): the lane helpers
// and the filter banks' per-sample members it inlines are forced inline for this reason
// (MIDISTEMS_LANE_INLINE, synth/dsp/lanes.h).
#include <algorithm>

#if defined(__AVX2__)
#include <immintrin.h>
#endif

#include <cmath>

#include "synth/voice_group.h"
#include "synth/dsp/min_blep.h"
#include "synth/dsp/mip_table.h"

#ifndef MIDISTEMS_ISA_NS
#error "voice_render_isa.cpp is compiled by cmake/IsaKernels.cmake with MIDISTEMS_ISA_NS set"
#endif

namespace midistems::synth::MIDISTEMS_ISA_NS {
namespace {

Lanes wavetableRead(const LaneState* lanes, int osc, Lanes phase) {
  Lanes out = {};
  for (int l = 0; l < kLanes; ++l) {
    const float* a = lanes[l].tableA[osc];
    if (!a) continue;
    const float* b = lanes[l].tableB[osc];
    const float position = phase[l] * float(dsp::kTableSize);
    const int i = std::min(int(position), dsp::kTableSize - 1);
    const float frac = position - float(i);
    const float va = a[i] + frac * (a[i + 1] - a[i]);
    const float vb = b[i] + frac * (b[i + 1] - b[i]);
    out[l] = va + lanes[l].tableMix[osc] * (vb - va);
  }
  return out;
}

// One oscillator's band-limited table read state for the current sample: the lanes' mip levels
// (offsets into a MipTable) and their crossfade.
struct MipLanes {
  LaneInts nearLevel, farLevel;
  Lanes fade;
};

#if defined(__AVX2__)
// The table values at `index` and `index + 1` of eight lanes: each pair is one 64-bit gather element
// (half as many element loads as two 32-bit gathers). The lower gather takes lanes 0, 1, 4, 5 and
// the upper 2, 3, 6, 7, so that the even/odd shuffles come out in lane order.
inline void gatherPairs(const float* table, LaneInts index, Lanes& at, Lanes& next) {
  const __m256i order = _mm256_setr_epi32(0, 1, 4, 5, 2, 3, 6, 7);
  const __m256i spread = _mm256_permutevar8x32_epi32(__m256i(index), order);
  const auto* base = reinterpret_cast<const long long*>(table);
  const __m256 lower = _mm256_castsi256_ps(_mm256_i32gather_epi64(base, _mm256_castsi256_si128(spread), 4));
  const __m256 upper = _mm256_castsi256_ps(_mm256_i32gather_epi64(base, _mm256_extracti128_si256(spread, 1), 4));
  at = Lanes(_mm256_shuffle_ps(lower, upper, _MM_SHUFFLE(2, 0, 2, 0)));
  next = Lanes(_mm256_shuffle_ps(lower, upper, _MM_SHUFFLE(3, 1, 3, 1)));
}
#else
inline void gatherPairs(const float* table, LaneInts index, Lanes& at, Lanes& next) {
  for (int l = 0; l < kLanes; ++l) {
    at[l] = table[index[l]];
    next[l] = table[index[l] + 1];
  }
}
#endif

// Linear interpolation at `phase` (in [0, 1)) in two mip levels of the MipTable at `levels`,
// crossfaded per lane: synth/dsp's Oscillator read, done across eight voices at once. Every lane
// reads its own level, so the reads are gathers.
inline Lanes mipRead(const float* levels, const MipLanes& mip, Lanes phase) {
  const Lanes position = phase * float(dsp::kTableSize);
  LaneInts index = __builtin_convertvector(position, LaneInts);  // phase >= 0: truncation is floor
  index = index > dsp::kTableSize - 1 ? LaneInts{} + (dsp::kTableSize - 1) : index;
  const Lanes frac = position - __builtin_convertvector(index, Lanes);
  Lanes a0, a1, b0, b1;
  gatherPairs(levels, index + mip.nearLevel, a0, a1);
  gatherPairs(levels, index + mip.farLevel, b0, b1);
  const Lanes a = a0 + frac * (a1 - a0);
  const Lanes b = b0 + frac * (b1 - b0);
  return a + mip.fade * (b - a);
}

// Saw, pulse and triangle read synth/dsp's mipmapped tables (alias-free up to Nyquist, with
// dsp::chooseMip's levels); the pulse is the difference of two saws offset by the
// pulse width, saw(t + 1 - w) - saw(t): 2 - 2w for the first w of the cycle and -2w after, i.e. the
// naive pulse without its DC.
inline Lanes oscillator(Wave wave, Lanes t, const MipLanes& mip, Lanes pulseWidth,
                         const VoiceContext& ctx, const LaneState* lanes, int osc, LaneUints& noise) {
  switch (wave) {
    case Wave::Sine: return sinTurns(t);
    case Wave::Saw: return mipRead(ctx.sawTable, mip, t);
    case Wave::Pulse: {
      Lanes shifted = t + 1.0f - pulseWidth;
      shifted = shifted >= 1.0f ? shifted - 1.0f : shifted;
      return mipRead(ctx.sawTable, mip, shifted) - mipRead(ctx.sawTable, mip, t);
    }
    case Wave::Triangle: return mipRead(ctx.triangleTable, mip, t);
    case Wave::Wavetable: return wavetableRead(lanes, osc, t);
    case Wave::Noise: return nextNoise(noise);
    case Wave::Count: break;
  }
  return Lanes{};
}

// One lane's value of an oscillator at `phase` (any real number of cycles), read exactly as the
// lane-wise oscillator() reads it: hard sync's minBLEP needs the waveform on both sides of a
// restart, in the lanes where it happens.
float mipReadOne(const float* levels, int nearLevel, int farLevel, float fade, float phase) {
  phase -= std::floor(phase);
  const float position = phase * float(dsp::kTableSize);
  const int i = std::min(int(position), dsp::kTableSize - 1);
  const float frac = position - float(i);
  const float* a = levels + nearLevel + i;
  const float* b = levels + farLevel + i;
  const float va = a[0] + frac * (a[1] - a[0]);
  const float vb = b[0] + frac * (b[1] - b[0]);
  return va + fade * (vb - va);
}

float valueOne(Wave wave, const VoiceContext& ctx, const LaneState& lane, int osc, int nearLevel,
               int farLevel, float fade, float pulseWidth, float phase) {
  phase -= std::floor(phase);
  switch (wave) {
    case Wave::Sine: return sinTurns(phase);
    case Wave::Saw: return mipReadOne(ctx.sawTable, nearLevel, farLevel, fade, phase);
    case Wave::Pulse:
      return mipReadOne(ctx.sawTable, nearLevel, farLevel, fade, phase + 1.0f - pulseWidth) -
             mipReadOne(ctx.sawTable, nearLevel, farLevel, fade, phase);
    case Wave::Triangle: return mipReadOne(ctx.triangleTable, nearLevel, farLevel, fade, phase);
    case Wave::Wavetable: {
      const float* a = lane.tableA[osc];
      if (!a) return 0.0f;
      const float va = mipReadOne(a, 0, 0, 0.0f, phase);
      return va + lane.tableMix[osc] * (mipReadOne(lane.tableB[osc], 0, 0, 0.0f, phase) - va);
    }
    case Wave::Noise: case Wave::Count: break;
  }
  return 0.0f;
}

// Where a hard-synced cycle restarts: where the band-limited table is smooth, so that the step the
// minBLEP corrects is the only discontinuity (mid-ramp for the saw, mid-plateau of the pulse's
// high part; the tables hold band-limited edges at the naive discontinuities, and restarting
// inside one would play half an edge). Sine, triangle and wavetables restart at phase 0.
float syncRestartPhase(Wave wave, float pulseWidth) {
  switch (wave) {
    case Wave::Saw: return 0.5f;
    case Wave::Pulse: return 0.5f * pulseWidth;
    default: return 0.0f;
  }
}

// Hard sync of osc 2 (unison copy u) in the lanes where osc 1 wrapped before this sample: restarts
// the cycle at the sub-sample instant of the wrap and writes the minBLEP corrections of the jumps
// in value, slope and curvature (Brandt 2001, and the integrals of its step; synth/dsp's
// min_blep.h) into the copy's ring, from this sample on. `p2` is osc 2's phase at this sample as if
// nothing happened; it comes back restarted. `offset` is the phase modulation (FM) of each lane.
void syncRestart(VoiceGroup& g, const VoiceContext& ctx, int u, LaneInts wrapped, Lanes p1, Lanes& p2,
                 Lanes pulseWidth, Lanes offset) {
  const dsp::BlepTable& blep = *ctx.blep;
  Lanes* ring = g.blep2[u];
  for (int l = 0; l < kLanes; ++l) {
    if (!wrapped[l]) continue;
    const float inc = g.inc2[u][l];
    const float since = std::min(p1[l] * g.invInc1[u][l], 1.0f);  // samples since the wrap
    const float restart = syncRestartPhase(ctx.wave2, pulseWidth[l]);
    // Osc 2 at the wrap had it not restarted (in double: the difference of two close phases).
    const float before = float(double(p2[l]) - double(since) * double(inc) + double(offset[l]));
    const float after = restart + offset[l];
    p2[l] = std::min(restart + since * inc, 0.999999f);
    const auto value = [&](float phase) {
      return valueOne(ctx.wave2, ctx, g.lanes[l], 1, g.mipNear2[u][l], g.mipFar2[u][l], g.mipFade2[u][l],
                      pulseWidth[l], phase);
    };
    // Slope and curvature by central differences over +-h cycles: 1/128 of the period of the
    // highest harmonic the lane's duller mip level holds (one table step at the brightest levels),
    // so that neither the truncation of the differences nor the rounding of the phases (their
    // error grows as 1/h^2) limits the corrections; the sine is one harmonic.
    const int level = g.mipFar2[u][l] / (dsp::kTableSize + 1);
    const int steps = ctx.wave2 == Wave::Sine ? dsp::kTableSize / 128 : std::max(1, (1 << level) / 64);
    const float h = float(steps) / float(dsp::kTableSize);
    const float va = value(after), vb = value(before);
    const float aPlus = value(after + h), aMinus = value(after - h);
    const float bPlus = value(before + h), bMinus = value(before - h);
    const float perSample = inc / h;  // cycles per sample over the difference step
    const float jump = va - vb;
    const float kink = 0.5f * perSample * ((aPlus - aMinus) - (bPlus - bMinus));
    const float bend = perSample * perSample * ((aPlus - 2.0f * va + aMinus) - (bPlus - 2.0f * vb + bMinus));
    // All 64 corrections share one sub-sample phase: two rows of each residual, one weight.
    const float position = since * float(dsp::kBlepOversampling);
    const int p = std::min(int(position), dsp::kBlepOversampling - 1);
    const float frac = position - float(p);
    const float weight[3] = {jump, kink, bend};
    float correction[dsp::kBlepSamples] = {};
    for (int k = 0; k < 3; ++k) {
      const float* a = blep.phaseRow(k, p);
      const float* b = blep.phaseRow(k, p + 1);
      const float w = weight[k];
      for (int m = 0; m < dsp::kBlepSamples; ++m) correction[m] += w * (a[m] + frac * (b[m] - a[m]));
    }
    static_assert((dsp::kBlepSamples & (dsp::kBlepSamples - 1)) == 0, "the ring wraps by a mask");
    const int split = dsp::kBlepSamples - g.blepPos;  // slots blepPos.. first, then 0..
    for (int m = 0; m < split; ++m) ring[g.blepPos + m][l] += correction[m];
    for (int m = split; m < dsp::kBlepSamples; ++m) ring[m - split][l] += correction[m];
  }
  g.blepCountdown = dsp::kBlepSamples;
}

dsp::SvfMode svfMode(FilterType type) {
  switch (type) {
    case FilterType::Lp24: return dsp::SvfMode::LowPass24;
    case FilterType::Hp12: return dsp::SvfMode::HighPass12;
    case FilterType::Hp24: return dsp::SvfMode::HighPass24;
    case FilterType::Bp12: return dsp::SvfMode::BandPass12;
    case FilterType::Bp24: return dsp::SvfMode::BandPass24;
    case FilterType::Notch12: return dsp::SvfMode::Notch12;
    case FilterType::Notch24: return dsp::SvfMode::Notch24;
    default: return dsp::SvfMode::LowPass12;
  }
}

// The filter stage of one run: synth/dsp's SVF or ladder bank with per-sample controls (so the
// result never depends on how runs are split), in place on `x`.
// When no control moves during the run (the usual case once envelopes settle), the banks run on
// fixed coefficients, computed once: bit-identical to per-sample controls that do not change,
// and much cheaper than recomputing them every sample.
template <class Bank>
void filterWith(Bank& bank, Lanes* x, int n, const Lanes* cutoff, const Lanes* resonance,
                const Lanes* drive, bool constant) {
  if (constant) {
    bank.setTargets(cutoff[0], resonance[0], drive[0]);
    bank.jumpToTargets();
    bank.process(x, n);
  } else {
    bank.processModulated(x, n, cutoff, resonance, drive);
  }
}

void filterRun(VoiceGroup& g, int channel, FilterType type, Lanes* x, int n, const Lanes* cutoff,
               const Lanes* resonance, const Lanes* drive, bool constant) {
  if (type == FilterType::Ladder24) {
    filterWith(g.ladder[channel], x, n, cutoff, resonance, drive, constant);
  } else {
    g.svf[channel].setMode(svfMode(type));
    filterWith(g.svf[channel], x, n, cutoff, resonance, drive, constant);
  }
}

template <bool Stereo>
void renderSamples(VoiceGroup& g, const VoiceContext& ctx, int n, Lanes* accL, Lanes* accR) {
  const int unison = ctx.unison;
  const Wave wave1 = ctx.wave1, wave2 = ctx.wave2;
  const FilterType filter = ctx.filter;
  Lanes r[kNumRamps], step[kNumRamps];
  for (int k = 0; k < kNumRamps; ++k) r[k] = g.ramp[k], step[k] = g.rampStep[k];
  const Lanes norm = splat(ctx.unisonNorm);
  Lanes xl[kControlInterval], xr[kControlInterval];
  Lanes cutoff[kControlInterval], resonance[kControlInterval], drive[kControlInterval];
  Lanes gainL[kControlInterval], gainR[kControlInterval];

  // Sources whose level stays at zero in every lane for this run are not rendered (their phases
  // still advance, so turning them up later finds them where they would have been). The decision
  // holds for a whole control tick, so it does not depend on how the host splits blocks.
  const auto silent = [&](int k) {
    for (int l = 0; l < kLanes; ++l)
      if (r[k][l] != 0.0f || step[k][l] != 0.0f) return false;
    return true;
  };
  const bool ringOn = !silent(kRampRingLevel);
  const bool osc2On = ringOn || !silent(kRampOsc2Level);
  const bool osc1On = ringOn || !silent(kRampOsc1Level) || (ctx.fm && osc2On);
  const bool subOn = !silent(kRampSubLevel);
  const MipLanes subMip{g.mipNearSub, g.mipFarSub, g.mipFadeSub};

  // Controls that do not move during the run (the usual case once envelopes settle) let the ladder
  // run on fixed coefficients inside this loop, interleaved with the oscillators: the CPU then
  // overlaps the filter's dependency chain with the oscillators' work. Otherwise the filter runs
  // after the loop with per-sample or ramped controls.
  bool constant = true;
  for (int l = 0; l < kLanes; ++l)
    constant = constant && step[kRampCutoffHz][l] == 0.0f && step[kRampResonance][l] == 0.0f &&
               step[kRampDrive][l] == 0.0f;
  const bool inlineLadder = constant && filter == FilterType::Ladder24;
  if (inlineLadder)
    for (int c = 0; c < (Stereo ? 2 : 1); ++c) {
      g.ladder[c].setTargets(r[kRampCutoffHz], r[kRampResonance], r[kRampDrive]);
      g.ladder[c].jumpToTargets();
    }
  const auto& ladderCoefficients = g.ladder[0].settled();

  for (int i = 0; i < n; ++i) {
    for (int k = 0; k < kNumRamps; ++k) r[k] += step[k];
    const bool blepOn = ctx.sync || g.blepCountdown > 0;
    Lanes sumL = {}, sumR = {};
    for (int u = 0; u < unison; ++u) {
      Lanes p1 = g.phase1[u] + g.inc1[u];
      const auto wrapped = p1 >= 1.0f;
      p1 = wrapped ? p1 - 1.0f : p1;
      g.phase1[u] = p1;
      const Lanes o1 = osc1On ? oscillator(wave1, p1, {g.mipNear1[u], g.mipFar1[u], g.mipFade1[u]},
                                            r[kRampPw1], ctx, g.lanes, 0, g.noise)
                               : Lanes{};
      Lanes p2 = g.phase2[u] + g.inc2[u];
      p2 = p2 >= 1.0f ? p2 - 1.0f : p2;
      const Lanes fmOffset = ctx.fm ? r[kRampFm] * o1 : Lanes{};
      // Hard sync restarts osc 2 where osc 1 wrapped, at the sub-sample instant, band-limited.
      if (ctx.sync && wave2 != Wave::Noise) {
        bool any = false;
        for (int l = 0; l < kLanes; ++l) any = any || wrapped[l];
        if (any) syncRestart(g, ctx, u, wrapped, p1, p2, r[kRampPw2], fmOffset);
      }
      g.phase2[u] = p2;
      const Lanes t2 = ctx.fm ? wrapPhase(p2 + fmOffset) : p2;
      Lanes o2 = osc2On ? oscillator(wave2, t2, {g.mipNear2[u], g.mipFar2[u], g.mipFade2[u]},
                                      r[kRampPw2], ctx, g.lanes, 1, g.noise)
                         : Lanes{};
      if (blepOn) {
        Lanes& correction = g.blep2[u][g.blepPos];
        o2 += correction;
        correction = Lanes{};
      }
      const Lanes v = o1 * r[kRampOsc1Level] + o2 * r[kRampOsc2Level] + o1 * o2 * r[kRampRingLevel];
      if constexpr (Stereo) {
        sumL += v * ctx.unisonGainL[u];
        sumR += v * ctx.unisonGainR[u];
      } else {
        sumL += v;
      }
    }
    if (blepOn) {
      g.blepPos = (g.blepPos + 1) % dsp::kBlepSamples;
      if (g.blepCountdown > 0) --g.blepCountdown;
    }
    Lanes sp = g.subPhase + g.subInc;
    sp = sp >= 1.0f ? sp - 1.0f : sp;
    g.subPhase = sp;
    // The sub square is synth/dsp's band-limited square table, at its own mip level.
    const Lanes sub = !subOn ? Lanes{} : ctx.subIsSine ? sinTurns(sp) : mipRead(ctx.squareTable, subMip, sp);
    const Lanes shared = sub * r[kRampSubLevel] + nextNoise(g.noise) * r[kRampNoiseLevel];
    xl[i] = sumL * norm + shared;
    if constexpr (Stereo) xr[i] = sumR * norm + shared;
    if (inlineLadder) {
      xl[i] = g.ladder[0].tick(xl[i], ladderCoefficients);
      if constexpr (Stereo) xr[i] = g.ladder[1].tick(xr[i], ladderCoefficients);
    }
    cutoff[i] = r[kRampCutoffHz];
    resonance[i] = r[kRampResonance];
    drive[i] = r[kRampDrive];
    gainL[i] = r[kRampGainL];
    gainR[i] = r[kRampGainR];
  }
  if (inlineLadder) {
    g.ladder[0].endRun();
    if constexpr (Stereo) g.ladder[1].endRun();
  } else {
    filterRun(g, 0, filter, xl, n, cutoff, resonance, drive, constant);
    if constexpr (Stereo) filterRun(g, 1, filter, xr, n, cutoff, resonance, drive, constant);
  }
  for (int i = 0; i < n; ++i) {
    for (int e = 0; e < kNumEnvs; ++e) g.envLevel[e] = g.envLevel[e] * g.envMul[e] + g.envAdd[e];
    const Lanes amp = g.envLevel[kAmpEnv];
    if constexpr (Stereo) {
      accL[i] += xl[i] * amp * gainL[i];
      accR[i] += xr[i] * amp * gainR[i];
    } else {
      accL[i] += xl[i] * amp * gainL[i];
      accR[i] += xl[i] * amp * gainR[i];
    }
  }
  for (int k = 0; k < kNumRamps; ++k) g.ramp[k] = r[k];
}

void renderGroup(VoiceGroup& g, const VoiceContext& ctx, int frames, Lanes* accL, Lanes* accR) {
  int offset = 0;
  while (offset < frames) {
    // Run up to the next envelope stage end of any lane, so that stages end on their sample.
    int32_t run = frames - offset;
    for (const LaneState& lane : g.lanes)
      if (lane.active)
        for (const EnvSegment& env : lane.env) run = std::min(run, env.remaining);
    if (ctx.stereo)
      renderSamples<true>(g, ctx, run, accL + offset, accR + offset);
    else
      renderSamples<false>(g, ctx, run, accL + offset, accR + offset);
    for (int l = 0; l < kLanes; ++l) {
      LaneState& lane = g.lanes[l];
      if (!lane.active) continue;
      for (int e = 0; e < kNumEnvs; ++e) {
        EnvSegment& env = lane.env[e];
        if (env.remaining >= kForever) continue;
        env.remaining -= run;
        if (env.remaining == 0) advanceEnvelope(g, l, e, ctx);
      }
      if (lane.env[kAmpEnv].stage == EnvStage::Idle) {
        // A silent lane keeps running with the others: freeze its ramps so that its filter
        // coefficients cannot drift out of the stable range while nobody updates them.
        lane.active = false;
        --g.activeCount;
        for (int k = 0; k < kNumRamps; ++k) g.rampStep[k][l] = 0.0f;
      }
    }
    offset += run;
  }
}

}  // namespace

extern const VoiceKernels kVoiceKernels;
const VoiceKernels kVoiceKernels{renderGroup};

}  // namespace midistems::synth::MIDISTEMS_ISA_NS
