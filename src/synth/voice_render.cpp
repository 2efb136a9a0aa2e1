// The per-sample inner loop of the voices: oscillators, mixer, filter and amplifier for eight
// voices at a time. Everything that can be computed per control tick is computed elsewhere
// (voice_control.cpp); here every operation is a lane-vector operation, and the only branches are
// on patch-wide choices (waveform, filter type) that are the same for all lanes.
#include <algorithm>

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

inline vfloat oscillator(Wave wave, vfloat t, vfloat dt, vfloat invDt, vfloat pulseWidth,
                         const LaneState* lanes, int osc, vuint& noise) {
  switch (wave) {
    case Wave::Sine: return sinTurns(t);
    case Wave::Saw: return 2.0f * t - 1.0f - polyBlep(t, dt, invDt);
    case Wave::Pulse: {
      // Up-jump at phase 0, down-jump at the pulse width; minus the DC of the asymmetric pulse.
      const vfloat naive = t < pulseWidth ? splat(1.0f) : splat(-1.0f);
      const vfloat downPhase = wrapPhase(t - pulseWidth + 1.0f);
      return naive + polyBlep(t, dt, invDt) - polyBlep(downPhase, dt, invDt) -
             (2.0f * pulseWidth - 1.0f);
    }
    case Wave::Triangle: return 1.0f - 4.0f * vabs(t - 0.5f);
    case Wave::Wavetable: return wavetableRead(lanes, osc, t);
    case Wave::Noise: return nextNoise(noise);
  }
  return vfloat{};
}

// Topology-preserving-transform state-variable filter (Zavalishin, "The Art of VA Filter
// Design", ch. 4; the Simper/Cytomic form). Returns the output of the requested response.
inline vfloat svfStage(vfloat v0, vfloat g, vfloat k, vfloat& ic1, vfloat& ic2, FilterType type) {
  const vfloat a1 = 1.0f / (1.0f + g * (g + k));
  const vfloat a2 = g * a1;
  const vfloat a3 = g * a2;
  const vfloat v3 = v0 - ic2;
  const vfloat v1 = a1 * ic1 + a2 * v3;
  const vfloat v2 = ic2 + a2 * ic1 + a3 * v3;
  ic1 = 2.0f * v1 - ic1;
  ic2 = 2.0f * v2 - ic2;
  switch (type) {
    case FilterType::Hp12: case FilterType::Hp24: return v0 - k * v1 - v2;
    case FilterType::Bp12: case FilterType::Bp24: return v1;
    case FilterType::Notch12: case FilterType::Notch24: return v0 - k * v1;
    default: return v2;
  }
}

// Four TPT one-poles with the feedback loop solved without a unit delay (Zavalishin ch. 5), and
// one saturator on the summed input, the usual cheap approximation of the Moog transistor ladder.
inline vfloat ladder(vfloat x, vfloat g, vfloat k, vfloat* s) {
  const vfloat G = g / (1.0f + g);
  const vfloat beta = 1.0f - G;
  const vfloat G2 = G * G;
  const vfloat sum = beta * (G2 * G * s[0] + G2 * s[1] + G * s[2] + s[3]);
  vfloat u = softClip((x - k * sum) / (1.0f + k * G2 * G2));
  for (int i = 0; i < 4; ++i) {
    const vfloat v = G * (u - s[i]);
    const vfloat y = v + s[i];
    s[i] = y + v;
    u = y;
  }
  // Resonance lowers the passband; give part of it back so resonant patches keep their level.
  return u * (1.0f + 0.5f * k);
}

inline vfloat filterSample(vfloat x, vfloat g, vfloat k, vfloat* s, FilterType type) {
  switch (type) {
    case FilterType::Ladder24: return ladder(x, g, k, s);
    case FilterType::Lp24: case FilterType::Hp24: case FilterType::Bp24: case FilterType::Notch24: {
      // First stage Butterworth (k = sqrt 2), resonance on the second.
      const vfloat first = svfStage(x, g, splat(1.41421356f), s[2], s[3], type);
      return svfStage(first, g, k, s[0], s[1], type);
    }
    default: return svfStage(x, g, k, s[0], s[1], type);
  }
}

template <bool Stereo>
void renderSamples(VoiceGroup& g, const VoiceContext& ctx, int n, vfloat* accL, vfloat* accR) {
  const int unison = ctx.unison;
  const Wave wave1 = ctx.wave1, wave2 = ctx.wave2;
  const FilterType filter = ctx.filter;
  vfloat r[kNumRamps], step[kNumRamps];
  for (int k = 0; k < kNumRamps; ++k) r[k] = g.ramp[k], step[k] = g.rampStep[k];
  vfloat fl[4], fr[4];
  for (int k = 0; k < 4; ++k) fl[k] = g.filterState[0][k], fr[k] = g.filterState[1][k];
  const vfloat norm = splat(ctx.unisonNorm);

  for (int i = 0; i < n; ++i) {
    for (int k = 0; k < kNumRamps; ++k) r[k] += step[k];
    vfloat sumL = {}, sumR = {};
    for (int u = 0; u < unison; ++u) {
      vfloat p1 = g.phase1[u] + g.inc1[u];
      const auto wrapped = p1 >= 1.0f;
      p1 = wrapped ? p1 - 1.0f : p1;
      g.phase1[u] = p1;
      const vfloat o1 = oscillator(wave1, p1, g.inc1[u], g.invInc1[u], r[kRampPw1], g.lanes, 0, g.noise);
      vfloat p2 = g.phase2[u] + g.inc2[u];
      p2 = p2 >= 1.0f ? p2 - 1.0f : p2;
      // Hard sync restarts osc 2 where osc 1 wrapped, keeping the sub-sample position.
      if (ctx.sync) p2 = wrapped ? vmin(p1 * g.inc2[u] * g.invInc1[u], splat(0.999999f)) : p2;
      g.phase2[u] = p2;
      const vfloat t2 = ctx.fm ? wrapPhase(p2 + r[kRampFm] * o1) : p2;
      const vfloat o2 = oscillator(wave2, t2, g.inc2[u], g.invInc2[u], r[kRampPw2], g.lanes, 1, g.noise);
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

    for (int e = 0; e < kNumEnvs; ++e) g.envLevel[e] = g.envLevel[e] * g.envMul[e] + g.envAdd[e];
    const vfloat amp = g.envLevel[kAmpEnv];

    vfloat xl = sumL * norm + shared;
    if (ctx.drive) xl = softClip(xl * r[kRampDrive]);
    const vfloat yl = filterSample(xl, r[kRampCutoffG], r[kRampResonanceK], fl, filter) * amp;
    if constexpr (Stereo) {
      vfloat xr = sumR * norm + shared;
      if (ctx.drive) xr = softClip(xr * r[kRampDrive]);
      const vfloat yr = filterSample(xr, r[kRampCutoffG], r[kRampResonanceK], fr, filter) * amp;
      accL[i] += yl * r[kRampGainL];
      accR[i] += yr * r[kRampGainR];
    } else {
      accL[i] += yl * r[kRampGainL];
      accR[i] += yl * r[kRampGainR];
    }
  }
  for (int k = 0; k < kNumRamps; ++k) g.ramp[k] = r[k];
  for (int k = 0; k < 4; ++k) g.filterState[0][k] = fl[k], g.filterState[1][k] = fr[k];
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
