// The per-sample inner loop of the voices: oscillators, mixer, filter and amplifier for eight
// voices at a time. Everything that can be computed per control tick is computed elsewhere
// (voice_control.cpp); here every operation is a lane-vector operation, and the only branches are
// on patch-wide choices (waveform, filter type) that are the same for all lanes.
#include <algorithm>

#if defined(__AVX2__)
#include <immintrin.h>
#endif

#include "synth/voice_group.h"
#include "synth/dsp/mip_table.h"

namespace midistems::synth {
namespace {

vfloat wavetableRead(const LaneState* lanes, int osc, vfloat phase) {
  vfloat out = {};
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
  vint nearLevel, farLevel;
  vfloat fade;
};

// Linear interpolation at `phase` (in [0, 1)) in two mip levels of the MipTable at `levels`,
// crossfaded per lane: synth/dsp's Oscillator read, done across eight voices at once. Every lane
// reads its own level, so the reads are gathers.
inline vfloat mipRead(const float* levels, const MipLanes& mip, vfloat phase) {
  const vfloat position = phase * float(dsp::kTableSize);
  vint index = __builtin_convertvector(position, vint);  // phase >= 0: truncation is floor
  index = index > dsp::kTableSize - 1 ? vint{} + (dsp::kTableSize - 1) : index;
  const vfloat frac = position - __builtin_convertvector(index, vfloat);
  const vint nearIndex = index + mip.nearLevel, farIndex = index + mip.farLevel;
  vfloat a0, a1, b0, b1;
#if defined(__AVX2__)
  a0 = vfloat(_mm256_i32gather_ps(levels, __m256i(nearIndex), 4));
  a1 = vfloat(_mm256_i32gather_ps(levels + 1, __m256i(nearIndex), 4));
  b0 = vfloat(_mm256_i32gather_ps(levels, __m256i(farIndex), 4));
  b1 = vfloat(_mm256_i32gather_ps(levels + 1, __m256i(farIndex), 4));
#else
  for (int l = 0; l < kLanes; ++l) {
    a0[l] = levels[nearIndex[l]];
    a1[l] = levels[nearIndex[l] + 1];
    b0[l] = levels[farIndex[l]];
    b1[l] = levels[farIndex[l] + 1];
  }
#endif
  const vfloat a = a0 + frac * (a1 - a0);
  const vfloat b = b0 + frac * (b1 - b0);
  return a + mip.fade * (b - a);
}

// Saw, pulse and triangle read synth/dsp's mipmapped tables (alias-free up to Nyquist: the same
// tables and mip choice as dsp::Oscillator); the pulse is the difference of two saws offset by the
// pulse width, saw(t + 1 - w) - saw(t): 2 - 2w for the first w of the cycle and -2w after, i.e. the
// naive pulse without its DC.
inline vfloat oscillator(Wave wave, vfloat t, const MipLanes& mip, vfloat pulseWidth,
                         const VoiceContext& ctx, const LaneState* lanes, int osc, vuint& noise) {
  switch (wave) {
    case Wave::Sine: return sinTurns(t);
    case Wave::Saw: return mipRead(ctx.sawTable, mip, t);
    case Wave::Pulse: {
      vfloat shifted = t + 1.0f - pulseWidth;
      shifted = shifted >= 1.0f ? shifted - 1.0f : shifted;
      return mipRead(ctx.sawTable, mip, shifted) - mipRead(ctx.sawTable, mip, t);
    }
    case Wave::Triangle: return mipRead(ctx.triangleTable, mip, t);
    case Wave::Wavetable: return wavetableRead(lanes, osc, t);
    case Wave::Noise: return nextNoise(noise);
  }
  return vfloat{};
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
void filterWith(Bank& bank, vfloat* x, int n, const vfloat* cutoff, const vfloat* resonance,
                const vfloat* drive, bool constant) {
  if (constant) {
    bank.setTargets(cutoff[0], resonance[0], drive[0]);
    bank.jumpToTargets();
    bank.process(x, n);
  } else {
    bank.processModulated(x, n, cutoff, resonance, drive);
  }
}

void filterRun(VoiceGroup& g, int channel, FilterType type, vfloat* x, int n, const vfloat* cutoff,
               const vfloat* resonance, const vfloat* drive, bool constant) {
  if (type == FilterType::Ladder24) {
    filterWith(g.ladder[channel], x, n, cutoff, resonance, drive, constant);
  } else {
    g.svf[channel].setMode(svfMode(type));
    filterWith(g.svf[channel], x, n, cutoff, resonance, drive, constant);
  }
}

template <bool Stereo>
void renderSamples(VoiceGroup& g, const VoiceContext& ctx, int n, vfloat* accL, vfloat* accR) {
  const int unison = ctx.unison;
  const Wave wave1 = ctx.wave1, wave2 = ctx.wave2;
  const FilterType filter = ctx.filter;
  vfloat r[kNumRamps], step[kNumRamps];
  for (int k = 0; k < kNumRamps; ++k) r[k] = g.ramp[k], step[k] = g.rampStep[k];
  const vfloat norm = splat(ctx.unisonNorm);
  vfloat xl[kControlInterval], xr[kControlInterval];
  vfloat cutoff[kControlInterval], resonance[kControlInterval], drive[kControlInterval];
  vfloat gainL[kControlInterval], gainR[kControlInterval];

  for (int i = 0; i < n; ++i) {
    for (int k = 0; k < kNumRamps; ++k) r[k] += step[k];
    vfloat sumL = {}, sumR = {};
    for (int u = 0; u < unison; ++u) {
      vfloat p1 = g.phase1[u] + g.inc1[u];
      const auto wrapped = p1 >= 1.0f;
      p1 = wrapped ? p1 - 1.0f : p1;
      g.phase1[u] = p1;
      const vfloat o1 = oscillator(wave1, p1, {g.mipNear1[u], g.mipFar1[u], g.mipFade1[u]}, r[kRampPw1],
                                   ctx, g.lanes, 0, g.noise);
      vfloat p2 = g.phase2[u] + g.inc2[u];
      p2 = p2 >= 1.0f ? p2 - 1.0f : p2;
      // Hard sync restarts osc 2 where osc 1 wrapped, keeping the sub-sample position.
      if (ctx.sync) p2 = wrapped ? vmin(p1 * g.inc2[u] * g.invInc1[u], splat(0.999999f)) : p2;
      g.phase2[u] = p2;
      const vfloat t2 = ctx.fm ? wrapPhase(p2 + r[kRampFm] * o1) : p2;
      const vfloat o2 = oscillator(wave2, t2, {g.mipNear2[u], g.mipFar2[u], g.mipFade2[u]}, r[kRampPw2],
                                   ctx, g.lanes, 1, g.noise);
      const vfloat v = o1 * r[kRampOsc1Level] + o2 * r[kRampOsc2Level] + o1 * o2 * r[kRampRingLevel];
      if constexpr (Stereo) {
        sumL += v * ctx.unisonGainL[u];
        sumR += v * ctx.unisonGainR[u];
      } else {
        sumL += v;
      }
    }
    vfloat sp = g.subPhase + g.subInc;
    sp = sp >= 1.0f ? sp - 1.0f : sp;
    g.subPhase = sp;
    const vfloat sub =
        ctx.subIsSine ? sinTurns(sp)
                      : (sp < 0.5f ? splat(1.0f) : splat(-1.0f)) + polyBlep(sp, g.subInc, g.subInvInc) -
                            polyBlep(wrapPhase(sp + 0.5f), g.subInc, g.subInvInc);
    const vfloat shared = sub * r[kRampSubLevel] + nextNoise(g.noise) * r[kRampNoiseLevel];
    xl[i] = sumL * norm + shared;
    if constexpr (Stereo) xr[i] = sumR * norm + shared;
    cutoff[i] = r[kRampCutoffHz];
    resonance[i] = r[kRampResonance];
    drive[i] = r[kRampDrive];
    gainL[i] = r[kRampGainL];
    gainR[i] = r[kRampGainR];
  }
  bool constant = true;
  for (int l = 0; l < kLanes; ++l)
    constant = constant && step[kRampCutoffHz][l] == 0.0f && step[kRampResonance][l] == 0.0f &&
               step[kRampDrive][l] == 0.0f;
  filterRun(g, 0, filter, xl, n, cutoff, resonance, drive, constant);
  if constexpr (Stereo) filterRun(g, 1, filter, xr, n, cutoff, resonance, drive, constant);
  for (int i = 0; i < n; ++i) {
    for (int e = 0; e < kNumEnvs; ++e) g.envLevel[e] = g.envLevel[e] * g.envMul[e] + g.envAdd[e];
    const vfloat amp = g.envLevel[kAmpEnv];
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

}  // namespace

void renderGroup(VoiceGroup& g, const VoiceContext& ctx, int frames, vfloat* accL, vfloat* accR) {
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

}  // namespace midistems::synth
