// Control-rate work of the voices: starting, releasing and stealing voices, envelope stage
// changes, LFOs, the modulation matrix, and turning pitch/cutoff/levels into the per-sample ramps
// that voice_render_isa.cpp consumes.
#include <algorithm>
#include <cmath>

#include "synth/voice_group.h"
#include "synth/dsp/mip_table.h"

namespace midistems::synth {

const VoiceKernels& voiceKernels(IsaLevel level) {
#ifdef MIDISTEMS_HAVE_ISA_AVX512
  if (level == IsaLevel::Avx512) return isa_avx512::kVoiceKernels;
#else
  (void)level;
#endif
  return isa_baseline::kVoiceKernels;
}

namespace {

constexpr float kPi = 3.14159265358979f;

uint32_t nextRandom(uint32_t& state) {
  state ^= state << 13;
  state ^= state >> 17;
  state ^= state << 5;
  return state;
}
float randomUnit(uint32_t& state) { return float(nextRandom(state) >> 8) * (1.0f / 16777216.0f); }

void applySegment(VoiceGroup& g, int lane, int e) {
  const EnvSegment& env = g.lanes[lane].env[e];
  g.envLevel[e][lane] = float(env.from);
  g.envMul[e][lane] = env.mul();
  g.envAdd[e][lane] = env.add();
}

float phaseIncrement(float pitch, float sampleRate) {
  const float inc = 440.0f * std::exp2((pitch - 69.0f) / 12.0f) / sampleRate;
  return std::clamp(inc, 1e-7f, 0.45f);
}

void setRamp(VoiceGroup& g, int lane, int ramp, float target, bool fresh) {
  if (fresh) {
    g.ramp[ramp][lane] = target;
    g.rampStep[ramp][lane] = 0;
  } else {
    g.ramp[ramp][lane] = g.rampTarget[ramp][lane];
    g.rampStep[ramp][lane] = (target - g.rampTarget[ramp][lane]) * (1.0f / kControlInterval);
  }
  g.rampTarget[ramp][lane] = target;
}

// The mip levels a lane reads at phase increment `inc`, as synth/dsp's Oscillator chooses them:
// the brightest level that is alias-free at this increment and the next duller one, crossfaded by
// log2 frequency. The increment is constant between control ticks, so this holds for every sample.
void setMip(LaneInts& nearLevel, LaneInts& farLevel, Lanes& fade, int lane, float inc) {
  constexpr int kLevelStride = dsp::kTableSize + 1;  // MipTable levels are contiguous
  static_assert(sizeof(dsp::MipTable::levels) == sizeof(float) * kLevelStride * dsp::kMipLevels);
  const dsp::MipChoice mip = dsp::chooseMip(inc);
  nearLevel[lane] = mip.level * kLevelStride;
  farLevel[lane] = mip.nextLevel * kLevelStride;
  fade[lane] = mip.fade;
}

// Wavetable oscillators read the mipmapped frames of synth/dsp's built-in tables: the two frames
// around the morph position, at the mip level that keeps every harmonic below Nyquist.
void setWavetable(LaneState& lane, int osc, const dsp::Wavetable& table, float inc, float position) {
  const int mip = dsp::chooseMip(inc).level;
  const dsp::Wavetable::Morph morph = table.morph(std::clamp(position, 0.0f, 1.0f));
  lane.tableA[osc] = morph.first->levels[size_t(mip)].data();
  lane.tableB[osc] = morph.second->levels[size_t(mip)].data();
  lane.tableMix[osc] = morph.weight;
}

// The matrix for one lane: its sources (the shared ones, then its own), format-1 destinations
// summed into `mod`, parameters moved in their normalised range and written into laneValue for
// the rest of updateLaneControls (which restores them at its end).
void evaluateMatrix(VoiceGroup& g, int lane, const VoiceContext& ctx, bool fresh, float* mod) {
  LaneState& L = g.lanes[lane];
  float* source = L.sources;
  std::copy(ctx.source, ctx.source + kNumModSources, source);
  source[int(ModSource::AmpEnv)] = g.envLevel[kAmpEnv][lane];
  source[int(ModSource::FilterEnv)] = g.envLevel[kFilterEnv][lane];
  source[int(ModSource::ModEnv)] = g.envLevel[kModEnv][lane];
  static constexpr ModSource kVoiceLfoSource[kNumVoiceLfos] = {ModSource::Lfo1, ModSource::Lfo2, ModSource::Lfo3,
                                                               ModSource::Lfo4};
  for (int i = 0; i < kNumVoiceLfos; ++i) {
    const VoiceContext::Lfo& lfo = ctx.lfo[i];
    float& out = source[int(kVoiceLfoSource[i])];
    if (lfo.keySync && !fresh) {
      L.lfoPhase[i] += lfo.increment;
      if (L.lfoPhase[i] >= 1.0f) {
        L.lfoPhase[i] -= std::floor(L.lfoPhase[i]);
        L.lfoPrevious[i] = L.lfoHeld[i];
        L.lfoHeld[i] = 2.0f * randomUnit(L.random) - 1.0f;
      }
    }
    if (!ctx.sourceUsed[int(kVoiceLfoSource[i])]) continue;
    // Free-running LFOs share one phase (their shape is in ctx.source); key-synced ones have their own.
    if (lfo.keySync) out = lfoShape(lfo.wave, L.lfoPhase[i] + lfo.phase, L.lfoHeld[i], L.lfoPrevious[i]);
    out = shapeLfoOutput(out, lfo, L.ageTicks);
  }
  source[int(ModSource::Velocity)] = L.velocity;
  source[int(ModSource::Key)] = (float(L.note) - 60.0f) / 60.0f;
  source[int(ModSource::ReleaseVelocity)] = L.releaseVelocity;
  source[int(ModSource::PolyAftertouch)] = L.pressure;
  source[int(ModSource::Random)] = L.noteRandom;

  float generic[kNumModSlots] = {};
  for (int r = 0; r < ctx.numRoutes; ++r) {
    const VoiceContext::Route& route = ctx.routes[r];
    const float v = applyModCurve(route.curve, source[route.source]) * route.amount;
    if (route.generic >= 0)
      generic[route.generic] += v;
    else
      mod[route.dest] += v;
  }
  for (int k = 0; k < ctx.numGeneric; ++k)
    if (generic[k] != 0.0f)
      ctx.laneValue[ctx.genericParam[k]] = paramInfo(ctx.genericParam[k]).fromNormalized(ctx.genericBase[k] + generic[k]);
}

}  // namespace

void startLane(VoiceGroup& g, int lane, const VoiceContext& ctx, int note, float velocity,
               float startPitch, bool retrigger, uint32_t seed) {
  LaneState& L = g.lanes[lane];
  const bool wasActive = L.active;
  if (!wasActive) {
    ++g.activeCount;
    L.random = seed | 1u;
    for (int u = 0; u < kMaxUnison; ++u) {
      // A single oscillator starts at phase 0 (a defined attack); unison copies start at random
      // phases so that they do not sum to a peak on the first cycle.
      g.phase1[u][lane] = ctx.unison > 1 ? randomUnit(L.random) : 0.0f;
      g.phase2[u][lane] = ctx.unison > 1 ? randomUnit(L.random) : 0.0f;
    }
    g.subPhase[lane] = 0;
    for (auto& copy : g.blep2)
      for (Lanes& slot : copy) slot[lane] = 0.0f;
    g.noise[lane] = nextRandom(L.random) | 1u;
    for (int c = 0; c < 2; ++c) {
      g.svf[c].resetLane(lane);
      g.ladder[c].resetLane(lane);
    }
    for (int e = 0; e < kNumEnvs; ++e) g.envLevel[e][lane] = 0;
  }
  L.active = true;
  L.released = L.sustained = L.fading = false;
  L.note = note;
  L.velocity = velocity;
  L.pitch = startPitch;
  L.targetPitch = float(note);
  if (!wasActive || retrigger) {
    for (int e = 0; e < kNumEnvs; ++e) {
      const float from = g.envLevel[e][lane];
      L.env[e].begin(EnvStage::Attack, from, 1.0, ctx.env[e].attack, ctx.env[e].curve);
      applySegment(g, lane, e);
    }
    for (int i = 0; i < kNumVoiceLfos; ++i) {
      if (ctx.lfo[i].keySync) {
        L.lfoPhase[i] = 0;
        L.lfoPrevious[i] = L.lfoHeld[i];
        L.lfoHeld[i] = 2.0f * randomUnit(L.random) - 1.0f;
      }
    }
    L.ageTicks = 0;
    L.releaseVelocity = 0.5f;
    L.pressure = 0;
    L.noteRandom = 2.0f * randomUnit(L.random) - 1.0f;
  }
  L.freshControls = !wasActive;
  updateLaneControls(g, lane, ctx);
}

void releaseLane(VoiceGroup& g, int lane, const VoiceContext& ctx) {
  LaneState& L = g.lanes[lane];
  if (!L.active || L.released) return;
  L.released = true;
  L.sustained = false;
  for (int e = 0; e < kNumEnvs; ++e) {
    L.env[e].begin(EnvStage::Release, g.envLevel[e][lane], 0.0, ctx.env[e].release, ctx.env[e].curve);
    applySegment(g, lane, e);
  }
}

void fadeLane(VoiceGroup& g, int lane, const VoiceContext& ctx) {
  LaneState& L = g.lanes[lane];
  if (!L.active || L.fading) return;
  L.fading = L.released = true;
  L.sustained = false;
  // A straight line to silence: the steepest step is level / fadeSamples.
  L.env[kAmpEnv].begin(EnvStage::Fade, g.envLevel[kAmpEnv][lane], 0.0, ctx.fadeSamples, 0.0f);
  applySegment(g, lane, kAmpEnv);
}

void advanceEnvelope(VoiceGroup& g, int lane, int e, const VoiceContext& ctx) {
  EnvSegment& env = g.lanes[lane].env[e];
  const VoiceContext::EnvTimes& times = ctx.env[e];
  switch (env.stage) {
    case EnvStage::Attack:
      env.begin(EnvStage::Decay, 1.0, times.sustain, times.decay, times.curve);
      break;
    case EnvStage::Decay:
      env.hold(EnvStage::Sustain, times.sustain, times.sustain, ctx.sustainCoef);
      break;
    default:  // release and fade end in silence
      env.hold(EnvStage::Idle, 0.0, 0.0, 1.0);
      break;
  }
  applySegment(g, lane, e);
}

void updateLaneControls(VoiceGroup& g, int lane, const VoiceContext& ctx) {
  LaneState& L = g.lanes[lane];
  const bool fresh = L.freshControls;
  L.freshControls = false;

  // Envelopes: exact level for timed stages; sustain follows its (smoothed) parameter.
  for (int e = 0; e < kNumEnvs; ++e) {
    EnvSegment& env = L.env[e];
    if (env.length < kForever) {
      g.envLevel[e][lane] = float(env.exactLevel());
    } else if (env.stage == EnvStage::Sustain) {
      env.asymptote = env.to = ctx.env[e].sustain;
      env.coef = ctx.sustainCoef;
      g.envMul[e][lane] = env.mul();
      g.envAdd[e][lane] = env.add();
    }
  }

  // Sources: the shared ones, then this voice's own (skipped when no slot is in use).
  float mod[kNumLegacyModDests] = {};
  if (ctx.numRoutes > 0 || ctx.voiceSources) evaluateMatrix(g, lane, ctx, fresh, mod);
  if (!fresh) ++L.ageTicks;

  if (!fresh) L.pitch += (L.targetPitch - L.pitch) * ctx.glideCoef;
  // Pitch destinations: amount 1 = two octaves.
  const float bend = ctx.source[int(ModSource::PitchBend)];
  const float pitch = L.pitch + bend * ctx.valueOf(Param::BendRange) + 24.0f * mod[int(ModDest::Pitch)];
  const float pitch1 = pitch + 12.0f * ctx.valueOf(Param::Osc1Octave) + ctx.valueOf(Param::Osc1Semitone) +
                       0.01f * ctx.valueOf(Param::Osc1Fine) + 24.0f * mod[int(ModDest::Osc1Pitch)];
  const float pitch2 = pitch + 12.0f * ctx.valueOf(Param::Osc2Octave) + ctx.valueOf(Param::Osc2Semitone) +
                       0.01f * ctx.valueOf(Param::Osc2Fine) + 24.0f * mod[int(ModDest::Osc2Pitch)];
  const float detune = ctx.valueOf(Param::UnisonDetune);
  if (fresh || pitch1 != L.lastPitch[0] || pitch2 != L.lastPitch[1] || ctx.unison != L.lastUnison ||
      detune != L.lastDetune || ctx.sync != L.lastSync) {
    const float inc1 = phaseIncrement(pitch1, ctx.sampleRate);
    const float inc2 = phaseIncrement(pitch2, ctx.sampleRate);
    for (int u = 0; u < ctx.unison; ++u) {
      const float a = std::min(inc1 * ctx.unisonRatio[u], 0.45f);
      const float b = std::min(inc2 * ctx.unisonRatio[u], 0.45f);
      g.inc1[u][lane] = a;
      g.invInc1[u][lane] = 1.0f / a;
      g.inc2[u][lane] = b;
      setMip(g.mipNear1[u], g.mipFar1[u], g.mipFade1[u], lane, a);
      // A synced osc 2 reads a level one octave duller: the sync gating smears each harmonic, and
      // the restarts' kinks alias in proportion to the slope of the highest ones (synth/dsp's
      // measurement: -60 dB needs this margin at a 2 kHz master).
      setMip(g.mipNear2[u], g.mipFar2[u], g.mipFade2[u], lane, ctx.sync ? 2.0f * b : b);
    }
    g.subInc[lane] = 0.5f * inc1;
    setMip(g.mipNearSub, g.mipFarSub, g.mipFadeSub, lane, 0.5f * inc1);
    L.lastPitch[0] = pitch1, L.lastPitch[1] = pitch2, L.lastUnison = ctx.unison, L.lastDetune = detune;
    L.lastSync = ctx.sync;
  }
  // The highest unison copy decides the mip level (ratios ascend).
  const int top = ctx.unison - 1;
  const float position = mod[int(ModDest::WavetablePos)];
  if (ctx.wave1 == Wave::Wavetable)
    setWavetable(L, 0, *ctx.wavetable[0], g.inc1[top][lane], ctx.valueOf(Param::Osc1WavePos) + position);
  if (ctx.wave2 == Wave::Wavetable)
    setWavetable(L, 1, *ctx.wavetable[1], g.inc2[top][lane], ctx.valueOf(Param::Osc2WavePos) + position);

  // Filter: cutoff in semitones from its base; amount 1 of the cutoff destination = 8 octaves.
  const float semitones = ctx.valueOf(Param::FilterKeyTrack) * (float(L.note) - 60.0f) +
                          ctx.valueOf(Param::FilterEnvAmount) * g.envLevel[kFilterEnv][lane] +
                          96.0f * mod[int(ModDest::Cutoff)];
  const float cutoffBase = ctx.valueOf(Param::FilterCutoff);
  // A change below 0.0001 semitone (a cutoff difference of 6 ppm) is not worth an exp2.
  if (std::fabs(semitones - L.lastCutoffSemitones) > 1e-4f || cutoffBase != L.lastCutoffBase) {
    L.cutoff = std::clamp(cutoffBase * std::exp2(semitones / 12.0f), 8.0f, 0.45f * ctx.sampleRate);
    L.lastCutoffSemitones = semitones, L.lastCutoffBase = cutoffBase;
  }
  const float cutoff = L.cutoff;
  setRamp(g, lane, kRampCutoffHz, cutoff, fresh);
  const float resonance = std::clamp(ctx.valueOf(Param::FilterResonance) + mod[int(ModDest::Resonance)], 0.0f, 1.0f);
  setRamp(g, lane, kRampResonance, resonance, fresh);
  setRamp(g, lane, kRampDrive, ctx.drive, fresh);

  const auto level = [&](Param p, ModDest d) { return std::clamp(ctx.valueOf(p) + mod[int(d)], 0.0f, 1.0f); };
  setRamp(g, lane, kRampOsc1Level, level(Param::Osc1Level, ModDest::Osc1Level), fresh);
  setRamp(g, lane, kRampOsc2Level, level(Param::Osc2Level, ModDest::Osc2Level), fresh);
  setRamp(g, lane, kRampSubLevel, level(Param::SubLevel, ModDest::SubLevel), fresh);
  setRamp(g, lane, kRampNoiseLevel, level(Param::NoiseLevel, ModDest::NoiseLevel), fresh);
  setRamp(g, lane, kRampRingLevel, ctx.valueOf(Param::RingLevel), fresh);
  setRamp(g, lane, kRampFm, level(Param::FmAmount, ModDest::FmAmount), fresh);
  const float pwMod = 0.5f * mod[int(ModDest::PulseWidth)];
  setRamp(g, lane, kRampPw1, std::clamp(ctx.valueOf(Param::Osc1PulseWidth) + pwMod, 0.02f, 0.98f), fresh);
  setRamp(g, lane, kRampPw2, std::clamp(ctx.valueOf(Param::Osc2PulseWidth) + pwMod, 0.02f, 0.98f), fresh);

  // Equal-power pan, unity at the centre.
  float panL = ctx.panGainL, panR = ctx.panGainR;
  if (mod[int(ModDest::Pan)] != 0.0f) {
    const float pan = std::clamp(ctx.valueOf(Param::Pan) + mod[int(ModDest::Pan)], -1.0f, 1.0f);
    const float angle = (pan + 1.0f) * (kPi / 4.0f);
    panL = std::cos(angle) * 1.41421356f;
    panR = std::sin(angle) * 1.41421356f;
  }
  const float sensitivity = ctx.valueOf(Param::VelocityToAmp);
  const float velocityGain = 1.0f - sensitivity + sensitivity * L.velocity * L.velocity;
  const float gain = velocityGain * std::clamp(1.0f + mod[int(ModDest::Amp)], 0.0f, 2.0f);
  setRamp(g, lane, kRampGainL, gain * panL, fresh);
  setRamp(g, lane, kRampGainR, gain * panR, fresh);
  for (int k = 0; k < ctx.numGeneric; ++k) ctx.laneValue[ctx.genericParam[k]] = ctx.value[ctx.genericParam[k]];
}

float lfoShape(LfoWave wave, float phase, float held, float previous) {
  phase -= std::floor(phase);
  switch (wave) {
    case LfoWave::Sine: return std::sin(2 * kPi * phase);
    case LfoWave::Triangle: return 1.0f - 4.0f * std::fabs(phase - 0.5f);
    case LfoWave::Saw: return 2.0f * phase - 1.0f;
    case LfoWave::Square: return phase < 0.5f ? 1.0f : -1.0f;
    case LfoWave::SampleHold: return held;
    case LfoWave::SawDown: return 1.0f - 2.0f * phase;
    case LfoWave::SmoothRandom: return previous + (held - previous) * phase * phase * (3.0f - 2.0f * phase);
    case LfoWave::Count: break;
  }
  return 0;
}

float shapeLfoOutput(float value, const VoiceContext::Lfo& lfo, int32_t ageTicks) {
  if (lfo.fadeTicks > 0.0f && float(ageTicks) < lfo.fadeTicks) value *= float(ageTicks) / lfo.fadeTicks;
  return lfo.unipolar ? 0.5f * (value + 1.0f) : value;
}

float applyModCurve(ModCurve curve, float x) {
  switch (curve) {
    case ModCurve::Linear: break;
    case ModCurve::Exponential: return x * std::fabs(x);
    case ModCurve::Logarithmic: return std::copysign(std::sqrt(std::fabs(x)), x);
    case ModCurve::SCurve: {
      const float c = std::clamp(x, -1.0f, 1.0f);
      return c * (1.5f - 0.5f * c * c);
    }
    case ModCurve::Count: break;
  }
  return x;
}

}  // namespace midistems::synth
