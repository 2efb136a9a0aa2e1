#pragma once
// Eight voices processed together (one SIMD lane each). A VoiceGroup holds the per-sample state of
// its voices as lane vectors (oscillator phases, filter memories, envelope levels, parameter
// ramps) and the per-voice control state as plain scalars (note, envelope stages, LFO phases).
// Control values are computed once per control tick (kControlInterval samples, on a grid fixed to
// the absolute sample count so that output never depends on the host's block size) and ramped
// linearly per sample in between, the scheme of Surge's QuadFilterChain.
#include <cstdint>

#include "core/cpu_isa.h"
#include "synth/dsp/ladder.h"
#include "synth/dsp/min_blep.h"
#include "synth/dsp/mip_table.h"
#include "synth/dsp/svf.h"
#include "synth/dsp/wavetables.h"
#include "synth/envelope.h"
#include "synth/params.h"
#include "synth/dsp/lanes.h"

namespace midistems::synth {

// 32 samples (0.67 ms at 48 kHz), Surge's control block size: fast enough for envelope-to-cutoff
// sweeps with per-sample ramps in between, slow enough that per-voice control work stays cheap.
constexpr int kControlInterval = 32;
constexpr int kMaxUnison = 16;
enum EnvIndex { kAmpEnv = 0, kFilterEnv = 1, kModEnv = 2, kNumEnvs = 3 };

// Quantities ramped per sample between control ticks.
enum Ramp {
  kRampOsc1Level, kRampOsc2Level, kRampSubLevel, kRampNoiseLevel, kRampRingLevel, kRampPw1,
  kRampPw2, kRampFm, kRampCutoffHz, kRampResonance, kRampGainL, kRampGainR, kRampDrive, kNumRamps
};

struct LaneState {
  bool active = false;
  bool released = false;   // key up (or pedal up) seen: envelopes are releasing
  bool sustained = false;  // key up while the sustain pedal was down
  bool fading = false;     // stolen: fading out fast, no longer counts as a playing voice
  bool freshControls = true;  // no control tick yet: ramps start at their targets
  int note = 60;
  float velocity = 0;      // 0..1
  uint64_t startOrder = 0; // for choosing the oldest voice to steal
  EnvSegment env[kNumEnvs];
  float pitch = 60;        // current (gliding) pitch in semitones
  float targetPitch = 60;
  // Key-synced voice LFOs: phase, the random value of the current cycle and the one before (sample
  // & hold, smooth random).
  float lfoPhase[kNumVoiceLfos] = {};
  float lfoHeld[kNumVoiceLfos] = {};
  float lfoPrevious[kNumVoiceLfos] = {};
  int32_t ageTicks = 0;          // control ticks since the note started (LFO fade-in)
  float releaseVelocity = 0.5f;  // 0..1, from the note-off (0.5 until one comes)
  float pressure = 0;            // poly aftertouch, 0..1
  float noteRandom = 0;          // -1..1, drawn at note start
  // This voice's modulation sources at its last control tick (the newest voice's drive the
  // patch-wide destinations).
  float sources[kNumModSources] = {};
  uint32_t random = 1;
  // Wavetable read positions for each oscillator: two neighbouring frames and the mix between.
  const float* tableA[2] = {nullptr, nullptr};
  const float* tableB[2] = {nullptr, nullptr};
  float tableMix[2] = {0, 0};
  // Inputs of the last pitch and cutoff computations: unchanged inputs skip the exp2/divide work.
  float lastPitch[2] = {-1e9f, -1e9f};
  float lastDetune = -1, lastCutoffSemitones = -1e9f, lastCutoffBase = -1, cutoff = 1000;
  int lastUnison = 0;
  bool lastSync = false;
};

struct alignas(32) VoiceGroup {
  LaneState lanes[kLanes];
  int activeCount = 0;

  Lanes envLevel[kNumEnvs] = {}, envMul[kNumEnvs] = {}, envAdd[kNumEnvs] = {};
  Lanes phase1[kMaxUnison] = {}, phase2[kMaxUnison] = {};
  Lanes inc1[kMaxUnison] = {}, inc2[kMaxUnison] = {};
  Lanes invInc1[kMaxUnison] = {};  // hard sync's sub-sample restart position
  Lanes subPhase = {}, subInc = {};
  // Band-limited table reads of saw, pulse and triangle (synth/dsp's mipmapped basic shapes): per
  // unison copy and oscillator, each lane's two mip levels as offsets (in floats) from the start of
  // the shape's MipTable, and the crossfade between them (dsp::chooseMip at the lane's increment).
  LaneInts mipNear1[kMaxUnison] = {}, mipFar1[kMaxUnison] = {}, mipNear2[kMaxUnison] = {}, mipFar2[kMaxUnison] = {};
  Lanes mipFade1[kMaxUnison] = {}, mipFade2[kMaxUnison] = {};
  LaneInts mipNearSub = {}, mipFarSub = {};
  Lanes mipFadeSub = {};
  LaneUints noise = {};
  int blepPos = 0;         // the current slot of blep2
  int blepCountdown = 0;  // samples until every written correction has been consumed
  Lanes ramp[kNumRamps] = {}, rampStep[kNumRamps] = {}, rampTarget[kNumRamps] = {};
  // The filters of synth/dsp, eight voices per bank; two channels when unison spreads in stereo.
  dsp::SvfBank svf[2];
  dsp::LadderBank ladder[2];
  // Hard sync's minBLEP corrections of osc 2, per unison copy: a ring of the next kBlepSamples
  // samples (slot blepPos is the current one). Consumed while sync is on or corrections remain.
  // Last, so that the state every voice touches stays together.
  Lanes blep2[kMaxUnison][dsp::kBlepSamples] = {};
};

// Values shared by every voice during one control tick, derived from the smoothed parameters.
struct VoiceContext {
  float sampleRate = 48000;
  // Parameter values, indexed by Param: smoothed, with the patch-wide modulation (global sources)
  // applied; laneValue is the same with one lane's per-voice modulation added while
  // updateLaneControls runs (and equal to `value` otherwise), which is what lanes read.
  const float* value = nullptr;
  float* laneValue = nullptr;
  float valueOf(Param p) const { return laneValue[static_cast<int>(p)]; }

  Wave wave1 = Wave::Saw, wave2 = Wave::Saw;
  bool subIsSine = false;
  FilterType filter = FilterType::Lp24;
  bool fm = false;      // osc 1 modulates the phase of osc 2
  bool sync = false;
  int unison = 1;
  bool stereo = false;  // unison spread in use: two filter channels per voice
  float unisonRatio[kMaxUnison] = {};
  float unisonGainL[kMaxUnison] = {}, unisonGainR[kMaxUnison] = {};
  float unisonNorm = 1;

  struct EnvTimes { int32_t attack, decay, release; float sustain, curve; } env[kNumEnvs] = {};
  int32_t fadeSamples = 240;
  double sustainCoef = 0.99;

  // The modulation matrix as the lanes evaluate it: routes to format-1 destinations (any source)
  // and to parameters from per-voice sources; the latter accumulate per destination parameter
  // (genericParam, in the normalised range, from genericBase) and are written into laneValue.
  struct Route {
    int16_t source, dest;  // dest: a ModDest, or -1 for a parameter
    int16_t generic;       // index into genericParam, or -1
    ModCurve curve;
    float amount;
  } routes[kNumModSlots] = {};
  int numRoutes = 0;
  int16_t genericParam[kNumModSlots] = {};
  float genericBase[kNumModSlots] = {};
  int numGeneric = 0;
  // Source values shared by every voice this tick (mod wheel, bend, channel aftertouch, macros,
  // global LFOs, free-running voice LFOs before their fade-in); lanes fill in their own.
  float source[kNumModSources] = {};
  bool sourceUsed[kNumModSources] = {};
  bool voiceSources = false;  // some slot reads a per-voice source: lanes evaluate theirs
  // LFO set-up for this tick: phase increment per tick, and the rest of each LFO's parameters.
  struct Lfo {
    LfoWave wave = LfoWave::Sine;
    float increment = 0, phase = 0, fadeTicks = 0;
    bool keySync = true, unipolar = false;
  } lfo[kNumLfos];
  float glideCoef = 1;  // fraction of the way to the target pitch per control tick
  // Patch-wide values, computed once per tick instead of once per voice.
  float drive = 0;  // filter drive 0..1 as synth/dsp takes it (input gain 1 + 15 drive)
  float panGainL = 1, panGainR = 1;  // the pan parameter, used when nothing modulates pan
  const dsp::Wavetable* wavetable[2] = {nullptr, nullptr};  // per oscillator
  // Level 0 of synth/dsp's band-limited basic shapes; the other levels follow it contiguously.
  // Taken when the context is made (off the audio thread), which also builds the tables.
  const float* sawTable = dsp::basicTable(dsp::BasicShape::Saw).levels[0].data();
  const float* squareTable = dsp::basicTable(dsp::BasicShape::Square).levels[0].data();
  const float* triangleTable = dsp::basicTable(dsp::BasicShape::Triangle).levels[0].data();
  const dsp::BlepTable* blep = &dsp::minBlep();
};

// The per-sample work of the voices (voice_render_isa.cpp), compiled once per instruction-set
// level (cmake/IsaKernels.cmake); the synth picks one in prepare(), never on the audio thread.
struct VoiceKernels {
  // Per-sample processing of `frames` samples (at most kControlInterval) of every active lane,
  // adding the stereo output into accL/accR (one lane vector per sample). Ends envelope stages on
  // the exact sample and marks lanes whose amplitude envelope finished as inactive.
  void (*renderGroup)(VoiceGroup& group, const VoiceContext& ctx, int frames, Lanes* accL, Lanes* accR);
};
namespace isa_baseline {
extern const VoiceKernels kVoiceKernels;
}
namespace isa_avx512 {
extern const VoiceKernels kVoiceKernels;
}
// The kernels of `level`; those of the baseline when the build has no code for that level.
const VoiceKernels& voiceKernels(IsaLevel level);

// Control-rate work (voice_control.cpp).
void startLane(VoiceGroup& group, int lane, const VoiceContext& ctx, int note, float velocity,
               float startPitch, bool retrigger, uint32_t seed);
void releaseLane(VoiceGroup& group, int lane, const VoiceContext& ctx);
void fadeLane(VoiceGroup& group, int lane, const VoiceContext& ctx);
void advanceEnvelope(VoiceGroup& group, int lane, int env, const VoiceContext& ctx);
void updateLaneControls(VoiceGroup& group, int lane, const VoiceContext& ctx);

// LFO and matrix helpers shared by the voices and the patch-wide evaluation (voice_control.cpp).
// lfoShape: bipolar value of `wave` at `phase` (any real; wrapped), with the random values of this
// cycle and the one before. shapeLfoOutput: fade-in and polarity. applyModCurve: a slot's curve.
float lfoShape(LfoWave wave, float phase, float held, float previous);
float shapeLfoOutput(float value, const VoiceContext::Lfo& lfo, int32_t ageTicks);
float applyModCurve(ModCurve curve, float x);

}  // namespace midistems::synth
