#include "synth/synth.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "synth/denormals.h"
#include "synth/dsp/wavetables.h"


namespace midistems::synth {
namespace {

constexpr float kPi = 3.14159265358979f;

// Protection for ears and speakers: transparent up to +12 dBFS, then a soft knee that never
// passes +18 dBFS. Only extreme patches (full resonance, drive and gain on many voices) reach it.
inline float safetyLimit(float x) {
  constexpr float kKnee = 4.0f, kCeiling = 8.0f;
  const float magnitude = std::fabs(x);
  if (magnitude <= kKnee) return x;
  const float over = softClipRational((magnitude - kKnee) / (kCeiling - kKnee)) * (kCeiling - kKnee);
  return std::copysign(kKnee + over, x);
}

}  // namespace

static_assert(kNumWavetables == dsp::kBuiltinWavetableCount, "the wavetable choice names every built-in table");

Synth::Synth() : groups_(new VoiceGroup[kGroups]) {
  for (int i = 0; i < kNumParams; ++i)
    smoothed_[i] = globalValue_[i] = patchValue_[i] = laneValue_[i] = target_.values[size_t(i)];
  ctx_.value = globalValue_;
  ctx_.laneValue = laneValue_;
  // The tables behind these are built on first use: here, off the audio thread.
  modDestParam(1);
  modSlotParams(0);
  lfoParams(0);
}

Synth::~Synth() = default;

void Synth::prepare(float sampleRate) {
  // The voices' instruction-set level, chosen here, off the audio thread (its first reading of the
  // environment may lock). An unknown $MIDISTEMS_ISA keeps the CPU's best level: a host's audio
  // must not stop for it (the command's other kernels report it).
  IsaLevel level = supportedIsaLevel();
  try {
    level = activeIsaLevel();
  } catch (const Error&) {
  }
  prepare(sampleRate, level);
}

void Synth::prepare(float sampleRate, IsaLevel level) {
  sampleRate_ = sampleRate;
  voiceKernels_ = &voiceKernels(std::min(level, supportedIsaLevel()));
  for (int i = 0; i < kNumWavetables; ++i)
    wavetables_[i] = &dsp::builtinWavetable(static_cast<dsp::BuiltinWavetable>(i));
  for (int g = 0; g < kGroups; ++g) {
    groups_[g] = VoiceGroup{};
    for (int c = 0; c < 2; ++c) {
      groups_[g].svf[c].prepare(sampleRate);
      groups_[g].ladder[c].prepare(sampleRate);
    }
  }
  effects_.prepare(sampleRate);
  // Parameters glide with a 10 ms time constant, the usual de-zippering time.
  smoothingCoef_ = 1.0f - std::exp(-float(kControlInterval) / (0.010f * sampleRate));
  outputCoef_ = std::exp(-1.0f / (0.010f * sampleRate));
  sampleCount_ = 0;
  noteCounter_ = 0;
  modWheel_ = aftertouch_ = bend_ = 0;
  channelVolume_ = expression_ = 1;
  channelPan_ = 0;
  sustainPedal_ = false;
  numHeld_ = 0;
  lastPitch_ = -1;
  for (int i = 0; i < kNumLfos; ++i) lfoPhase_[i] = lfoHeld_[i] = lfoPrevious_[i] = 0;
  ticksSinceNote_ = 0;
  newestVoice_ = -1;
  prepared_ = true;
  setPatch(target_);
}

void Synth::setPatch(const Patch& patch) {
  for (int i = 0; i < kNumParams; ++i) {
    target_.values[size_t(i)] = paramInfo(i).clamp(patch.values[size_t(i)]);
    smoothed_[i] = target_.values[size_t(i)];
  }
  updateModulation();
  updateContext();
  outputGain_[0] = outputTarget_[0];
  outputGain_[1] = outputTarget_[1];
}

void Synth::submitPatch(const Patch& patch) {
  auto* copy = new Patch(patch);
  for (int i = 0; i < kNumParams; ++i) copy->values[size_t(i)] = paramInfo(i).clamp(copy->values[size_t(i)]);
  patchHandoff_.publish(copy);
}

bool Synth::queueParameter(Param p, float value) { return parameterQueue_.push({int32_t(p), value}); }

void Synth::setParameter(int param, float value) {
  if (param < 0 || param >= kNumParams) return;
  target_.values[size_t(param)] = paramInfo(param).clamp(value);
}

int Synth::activeVoices() const {
  int count = 0;
  for (int g = 0; g < kGroups; ++g) count += groups_[g].activeCount;
  return count;
}

int Synth::playingVoices() const {
  int count = 0;
  for (int g = 0; g < kGroups; ++g)
    for (const LaneState& l : groups_[g].lanes) count += l.active && !l.fading;
  return count;
}

int Synth::findFreeVoice() const {
  for (int v = 0; v < kMaxVoices; ++v)
    if (!groups_[v / kLanes].lanes[v % kLanes].active) return v;
  return -1;
}

int Synth::findVoiceToSteal() const {
  // The oldest released voice, else the oldest voice (the usual "oldest note" policy).
  int best = -1;
  bool bestReleased = false;
  uint64_t bestOrder = ~uint64_t(0);
  for (int v = 0; v < kMaxVoices; ++v) {
    const LaneState& l = groups_[v / kLanes].lanes[v % kLanes];
    if (!l.active || l.fading) continue;
    const bool better = (l.released && !bestReleased) ||
                        (l.released == bestReleased && l.startOrder < bestOrder);
    if (best < 0 || better) best = v, bestReleased = l.released, bestOrder = l.startOrder;
  }
  return best;
}

void Synth::startVoice(int voice, int note, float velocity, float startPitch, bool retrigger) {
  seed_ ^= seed_ << 13;
  seed_ ^= seed_ >> 17;
  seed_ ^= seed_ << 5;
  LaneState& l = lane(voice);
  if (retrigger || !l.active) l.startOrder = ++noteCounter_;
  newestVoice_ = voice;
  startLane(groups_[voice / kLanes], voice % kLanes, ctx_, note, velocity, startPitch, retrigger, seed_);
}

void Synth::noteOn(int note, float velocity) {
  // Global LFOs set to restart on each note do so, and their fade-in starts again.
  ticksSinceNote_ = 0;
  for (int i = kNumVoiceLfos; i < kNumLfos; ++i)
    if (smoothed_[int(lfoParams(i).keySync)] >= 0.5f) lfoPhase_[i] = 0;
  const auto mode = static_cast<VoiceMode>(target_.choice(Param::VoiceModeParam));
  const bool glide = smoothed_[int(Param::GlideTime)] > 0.0f;
  if (mode == VoiceMode::Poly) {
    for (int v = 0; v < kMaxVoices; ++v) {  // a repeated key ends its previous voice
      LaneState& l = lane(v);
      if (l.active && !l.released && l.note == note) releaseLane(groups_[v / kLanes], v % kLanes, ctx_);
    }
    const int polyphony = target_.choice(Param::Polyphony);
    for (int playing = playingVoices(); playing >= polyphony; --playing) {
      const int victim = findVoiceToSteal();
      if (victim < 0) break;
      fadeLane(groups_[victim / kLanes], victim % kLanes, ctx_);
    }
    int voice = findFreeVoice();
    if (voice < 0) {
      // Every slot is busy fading: reuse the quietest one.
      float quietest = 1e30f;
      for (int v = 0; v < kMaxVoices; ++v) {
        const float level = groups_[v / kLanes].envLevel[kAmpEnv][v % kLanes];
        if (level < quietest) quietest = level, voice = v;
      }
      lane(voice).active = false;
      --groups_[voice / kLanes].activeCount;
    }
    startVoice(voice, note, velocity, glide && lastPitch_ >= 0 ? lastPitch_ : float(note), true);
  } else {
    // Mono and legato: one voice, last-note priority over a stack of held keys.
    int kept = 0;
    for (int i = 0; i < numHeld_; ++i)
      if (heldNotes_[i] != note) heldNotes_[kept++] = heldNotes_[i];
    const bool otherKeyHeld = kept > 0;
    heldNotes_[kept++] = note;
    numHeld_ = kept;
    LaneState& l = lane(0);
    const bool legato = mode == VoiceMode::Legato && otherKeyHeld && l.active && !l.released;
    const float startPitch = glide && l.active ? l.pitch : float(note);
    startVoice(0, note, velocity, startPitch, !legato);
  }
  lastPitch_ = float(note);
}

void Synth::noteOff(int note, float releaseVelocity) {
  for (int v = 0; v < kMaxVoices; ++v) {
    LaneState& l = lane(v);
    if (l.active && !l.released && l.note == note) l.releaseVelocity = releaseVelocity;
  }
  const auto mode = static_cast<VoiceMode>(target_.choice(Param::VoiceModeParam));
  if (mode != VoiceMode::Poly) {
    int kept = 0;
    for (int i = 0; i < numHeld_; ++i)
      if (heldNotes_[i] != note) heldNotes_[kept++] = heldNotes_[i];
    numHeld_ = kept;
    LaneState& l = lane(0);
    if (!l.active || l.released || l.note != note) return;
    if (numHeld_ > 0) {  // fall back to the most recent key still held
      const int previous = heldNotes_[numHeld_ - 1];
      const bool glide = smoothed_[int(Param::GlideTime)] > 0.0f;
      startVoice(0, previous, l.velocity, glide ? l.pitch : float(previous), mode == VoiceMode::Mono);
      lastPitch_ = float(previous);
      return;
    }
  }
  for (int v = 0; v < kMaxVoices; ++v) {
    LaneState& l = lane(v);
    if (!l.active || l.released || l.note != note) continue;
    if (sustainPedal_)
      l.sustained = true;
    else
      releaseLane(groups_[v / kLanes], v % kLanes, ctx_);
  }
}

void Synth::setSustainPedal(bool down) {
  sustainPedal_ = down;
  if (down) return;
  for (int v = 0; v < kMaxVoices; ++v)
    if (lane(v).active && lane(v).sustained) releaseLane(groups_[v / kLanes], v % kLanes, ctx_);
}

void Synth::releaseAll() {
  numHeld_ = 0;
  for (int v = 0; v < kMaxVoices; ++v) releaseLane(groups_[v / kLanes], v % kLanes, ctx_);
}

void Synth::silenceAll() {
  numHeld_ = 0;
  for (int v = 0; v < kMaxVoices; ++v) fadeLane(groups_[v / kLanes], v % kLanes, ctx_);
}

void Synth::handleMidi(uint8_t status, uint8_t data1, uint8_t data2) {
  data1 &= 0x7F;
  data2 &= 0x7F;
  switch (status & 0xF0) {
    case 0x90:
      if (data2 > 0) {
        noteOn(data1, float(data2) / 127.0f);
        break;
      }
      noteOff(data1, 0.5f);  // a note-on of velocity 0 has no release velocity: the default 64
      break;
    case 0x80: noteOff(data1, float(data2) / 127.0f); break;
    case 0xA0:  // poly aftertouch: the pressure of the voices playing this key
      for (int v = 0; v < kMaxVoices; ++v)
        if (lane(v).active && lane(v).note == data1) lane(v).pressure = float(data2) / 127.0f;
      break;
    case 0xB0:
      switch (data1) {
        case 1: modWheel_ = float(data2) / 127.0f; break;
        // Volume and expression: the GM curve, 40 log10(value / 127) dB.
        case 7: channelVolume_ = float(data2 * data2) / (127.0f * 127.0f); break;
        case 10: channelPan_ = std::clamp((float(data2) - 64.0f) / 63.0f, -1.0f, 1.0f); break;
        case 11: expression_ = float(data2 * data2) / (127.0f * 127.0f); break;
        case 64: setSustainPedal(data2 >= 64); break;
        case 120: silenceAll(); break;
        case 121:
          modWheel_ = aftertouch_ = bend_ = 0;
          expression_ = 1;
          setSustainPedal(false);
          break;
        case 123: case 124: case 125: case 126: case 127: releaseAll(); break;
        default: break;
      }
      break;
    case 0xD0: aftertouch_ = float(data1) / 127.0f; break;
    case 0xE0: bend_ = std::clamp(float((data2 << 7 | data1) - 8192) / 8192.0f, -1.0f, 1.0f); break;
    default: break;  // program change is the caller's business
  }
}

namespace {

// Sources that differ from voice to voice.
bool perVoiceSource(int source) {
  switch (static_cast<ModSource>(source)) {
    case ModSource::AmpEnv: case ModSource::FilterEnv: case ModSource::ModEnv: case ModSource::Lfo1:
    case ModSource::Lfo2: case ModSource::Lfo3: case ModSource::Lfo4: case ModSource::Velocity:
    case ModSource::Key: case ModSource::ReleaseVelocity: case ModSource::PolyAftertouch: case ModSource::Random:
      return true;
    default: return false;
  }
}

uint32_t xorshift(uint32_t& state) {
  state ^= state << 13;
  state ^= state >> 17;
  state ^= state << 5;
  return state;
}

// Modulation of one parameter, in its normalised range: from global sources and as patch-wide
// consumers see it (global sources and the newest voice's).
struct ParamModulation {
  int param;
  float global, patch;
};

ParamModulation& modulationOf(ParamModulation* list, int& count, int param) {
  for (int i = 0; i < count; ++i)
    if (list[i].param == param) return list[i];
  list[count] = {param, 0.0f, 0.0f};
  return list[count++];
}

float modulated(int param, float value, float normalisedOffset) {
  const ParamInfo& info = paramInfo(param);
  return normalisedOffset == 0.0f ? value : info.fromNormalized(info.toNormalized(value) + normalisedOffset);
}

}  // namespace

// Once per control tick, before updateContext: the LFOs' set-up and shared phases, the shared
// source values, and the matrix: patch-wide destinations evaluated here, the rest handed to the
// voices as routes.
void Synth::updateModulation() {
  VoiceContext& c = ctx_;
  const auto choice = [&](Param p, int count) { return std::clamp(int(smoothed_[int(p)] + 0.5f), 0, count - 1); };

  for (int i = 0; i < kNumLfos; ++i) {
    const LfoParams& p = lfoParams(i);
    VoiceContext::Lfo& lfo = c.lfo[i];
    lfo.wave = static_cast<LfoWave>(choice(p.wave, kNumLfoWaves));
    const int sync = choice(p.sync, kNumTempoSyncs);
    // Tempo sync: one cycle per note value at the current tempo (beats are quarter notes).
    const float hz = sync > 0 ? tempo_ / (60.0f * kTempoSyncBeats[sync]) : smoothed_[int(p.rate)];
    lfo.increment = hz * float(kControlInterval) / sampleRate_;
    lfo.keySync = smoothed_[int(p.keySync)] >= 0.5f;
    lfo.phase = smoothed_[int(p.phase)];
    lfo.fadeTicks = smoothed_[int(p.fade)] * sampleRate_ / float(kControlInterval);
    lfo.unipolar = smoothed_[int(p.unipolar)] >= 0.5f;
    // The shared phase: free-running voice LFOs and the global ones. LFO 1 and 2 draw their random
    // values from the voices' seed as format 1 did (so that its patches play the same notes).
    lfoPhase_[i] += lfo.increment;
    if (lfoPhase_[i] >= 1.0f) {
      lfoPhase_[i] -= std::floor(lfoPhase_[i]);
      lfoPrevious_[i] = lfoHeld_[i];
      lfoHeld_[i] = float(xorshift(i < 2 ? seed_ : lfoSeed_) >> 8) / 8388608.0f - 1.0f;
    }
    const float shape = lfoShape(lfo.wave, lfoPhase_[i] + lfo.phase, lfoHeld_[i], lfoPrevious_[i]);
    static constexpr ModSource kVoiceLfoSource[kNumVoiceLfos] = {ModSource::Lfo1, ModSource::Lfo2, ModSource::Lfo3,
                                                                 ModSource::Lfo4};
    if (i < kNumVoiceLfos)
      c.source[int(kVoiceLfoSource[i])] = shape;  // the voices add fade-in and polarity
    else
      c.source[int(ModSource::GlobalLfo1) + i - kNumVoiceLfos] = shapeLfoOutput(shape, lfo, ticksSinceNote_);
  }
  ++ticksSinceNote_;
  c.source[int(ModSource::ModWheel)] = modWheel_;
  c.source[int(ModSource::Aftertouch)] = aftertouch_;
  c.source[int(ModSource::PitchBend)] = bend_;
  for (int m = 0; m < kNumMacros; ++m) c.source[int(ModSource::Macro1) + m] = smoothed_[int(macroParam(m))];

  // The newest voice's sources stand for the per-voice ones in patch-wide destinations.
  static constexpr float kNone[kNumModSources] = {};
  const float* newest = newestVoice_ >= 0 && lane(newestVoice_).active ? lane(newestVoice_).sources : kNone;
  const auto patchSource = [&](int source) { return perVoiceSource(source) ? newest[source] : c.source[source]; };

  struct Slot {
    int source, dest;
    ModCurve curve;
    float amount;
  } slots[kNumModSlots];
  int numSlots = 0;
  for (int s = 0; s < kNumModSlots; ++s) {
    const ModSlotParams& p = modSlotParams(s);
    const Slot slot{choice(p.source, kNumModSources), choice(p.dest, kNumModDests),
                    static_cast<ModCurve>(choice(p.curve, kNumModCurves)), smoothed_[int(p.amount)]};
    if (slot.source != int(ModSource::None) && slot.dest != int(ModDest::None)) slots[numSlots++] = slot;
  }
  // Slot amounts are patch-wide destinations, evaluated first (from the slots' own amounts, so a
  // chain of slots modulating slots is one step deep).
  ParamModulation mods[kNumModSlots];
  int numMods = 0;
  for (int i = 0; i < numSlots; ++i) {
    const std::optional<Param> p = slots[i].dest >= kNumLegacyModDests ? modDestParam(slots[i].dest) : std::nullopt;
    if (!p) continue;
    for (int s = 0; s < kNumModSlots; ++s)
      if (modSlotParams(s).amount == *p)
        modulationOf(mods, numMods, int(*p)).patch += applyModCurve(slots[i].curve, patchSource(slots[i].source)) * slots[i].amount;
  }
  float effective[kNumModSlots];
  for (int s = 0; s < kNumModSlots; ++s) {
    const int amount = int(modSlotParams(s).amount);
    float offset = 0;
    for (int m = 0; m < numMods; ++m)
      if (mods[m].param == amount) offset = mods[m].patch;
    effective[s] = modulated(amount, smoothed_[amount], offset);
  }
  numSlots = 0;
  for (int s = 0; s < kNumModSlots; ++s) {
    const ModSlotParams& p = modSlotParams(s);
    const Slot slot{choice(p.source, kNumModSources), choice(p.dest, kNumModDests),
                    static_cast<ModCurve>(choice(p.curve, kNumModCurves)), effective[s]};
    if (slot.source != int(ModSource::None) && slot.dest != int(ModDest::None) && slot.amount != 0.0f)
      slots[numSlots++] = slot;
  }

  std::copy(smoothed_, smoothed_ + kNumParams, globalValue_);
  std::copy(smoothed_, smoothed_ + kNumParams, patchValue_);
  std::fill(c.sourceUsed, c.sourceUsed + kNumModSources, false);
  c.numRoutes = c.numGeneric = 0;
  c.voiceSources = false;
  numMods = 0;
  for (int i = 0; i < numSlots; ++i) {
    const Slot& slot = slots[i];
    c.sourceUsed[slot.source] = true;
    c.voiceSources = c.voiceSources || perVoiceSource(slot.source);
    if (slot.dest < kNumLegacyModDests) {  // format 1's destinations: per voice, with their own laws
      c.routes[c.numRoutes++] = {int16_t(slot.source), int16_t(slot.dest), -1, slot.curve, slot.amount};
      continue;
    }
    const int param = int(*modDestParam(slot.dest));
    ParamModulation& m = modulationOf(mods, numMods, param);
    if (perVoiceSource(slot.source)) {
      int k = 0;
      while (k < c.numGeneric && c.genericParam[k] != param) ++k;
      if (k == c.numGeneric) c.genericParam[c.numGeneric++] = int16_t(param);
      c.routes[c.numRoutes++] = {int16_t(slot.source), -1, int16_t(k), slot.curve, slot.amount};
      m.patch += applyModCurve(slot.curve, newest[slot.source]) * slot.amount;
    } else {
      const float v = applyModCurve(slot.curve, c.source[slot.source]) * slot.amount;
      m.global += v;
      m.patch += v;
    }
  }
  for (int i = 0; i < numMods; ++i) {
    const int p = mods[i].param;
    globalValue_[p] = modulated(p, smoothed_[p], mods[i].global);
    patchValue_[p] = modulated(p, smoothed_[p], mods[i].patch);
  }
  for (int k = 0; k < c.numGeneric; ++k) c.genericBase[k] = paramInfo(c.genericParam[k]).toNormalized(globalValue_[c.genericParam[k]]);
  std::copy(globalValue_, globalValue_ + kNumParams, laneValue_);
}

void Synth::updateContext() {
  VoiceContext& c = ctx_;
  c.sampleRate = sampleRate_;
  const auto choice = [&](Param p) { return int(patchValue_[int(p)] + 0.5f); };
  c.wave1 = static_cast<Wave>(choice(Param::Osc1Wave));
  c.wave2 = static_cast<Wave>(choice(Param::Osc2Wave));
  c.subIsSine = choice(Param::SubWave) == 1;
  c.filter = static_cast<FilterType>(choice(Param::FilterTypeParam));
  c.sync = choice(Param::Osc2Sync) == 1;
  c.wavetable[0] = wavetables_[std::clamp(choice(Param::Osc1Table), 0, kNumWavetables - 1)];
  c.wavetable[1] = wavetables_[std::clamp(choice(Param::Osc2Table), 0, kNumWavetables - 1)];
  c.unison = std::clamp(choice(Param::UnisonVoices), 1, kMaxUnison);
  const float spread = patchValue_[int(Param::UnisonSpread)];
  const float detune = patchValue_[int(Param::UnisonDetune)];
  c.stereo = c.unison > 1 && spread > 0.001f;
  c.unisonNorm = 1.0f / std::sqrt(float(c.unison));
  for (int u = 0; u < c.unison; ++u) {
    // Evenly spaced detune across the total spread; pans alternate across the stereo field.
    const float position = c.unison > 1 ? float(u) / float(c.unison - 1) : 0.5f;
    c.unisonRatio[u] = std::exp2(detune * (position - 0.5f) / 1200.0f);
    const float pan = spread * (u % 2 ? 1.0f : -1.0f) * std::fabs(2.0f * position - 1.0f);
    const float angle = (pan + 1.0f) * (kPi / 4.0f);
    c.unisonGainL[u] = std::cos(angle) * 1.41421356f;
    c.unisonGainR[u] = std::sin(angle) * 1.41421356f;
  }
  static constexpr Param kEnvBase[kNumEnvs] = {Param::AmpEnvAttack, Param::FilterEnvAttack, Param::ModEnvAttack};
  for (int e = 0; e < kNumEnvs; ++e) {
    const float* v = patchValue_ + int(kEnvBase[e]);  // attack, decay, sustain, release, curve
    c.env[e].attack = int32_t(std::lround(double(v[0]) * sampleRate_));
    c.env[e].decay = int32_t(std::lround(double(v[1]) * sampleRate_));
    c.env[e].sustain = v[2];
    c.env[e].release = int32_t(std::lround(double(v[3]) * sampleRate_));
    c.env[e].curve = v[4];
  }
  c.fadeSamples = std::max(1, int(0.004f * sampleRate_));  // 4 ms steal fade
  c.sustainCoef = std::exp(-1.0 / (0.005 * sampleRate_));
  c.fm = patchValue_[int(Param::FmAmount)] > 0.0f;
  for (int r = 0; r < c.numRoutes; ++r) c.fm = c.fm || c.routes[r].dest == int(ModDest::FmAmount);
  // Drive in dB (0..24) to synth/dsp's 0..1, whose input gain is 1 + 15 drive (16 = +24 dB).
  c.drive = std::clamp((std::pow(10.0f, patchValue_[int(Param::FilterDrive)] / 20.0f) - 1.0f) / 15.0f, 0.0f, 1.0f);
  const float panAngle = (patchValue_[int(Param::Pan)] + 1.0f) * (kPi / 4.0f);
  c.panGainL = std::cos(panAngle) * 1.41421356f;
  c.panGainR = std::sin(panAngle) * 1.41421356f;
  const float glide = patchValue_[int(Param::GlideTime)];
  c.glideCoef = glide > 0 ? 1.0f - std::exp(-float(kControlInterval) / (glide * sampleRate_)) : 1.0f;
  const float gain = std::pow(10.0f, patchValue_[int(Param::MasterGain)] / 20.0f) * channelVolume_ * expression_;
  const float angle = (channelPan_ + 1.0f) * (kPi / 4.0f);
  outputTarget_[0] = gain * std::cos(angle) * 1.41421356f;
  outputTarget_[1] = gain * std::sin(angle) * 1.41421356f;
}

void Synth::controlTick() {
  for (int i = 0; i < kNumParams; ++i) {
    const float target = target_.values[size_t(i)];
    if (smoothed_[i] == target) continue;  // most parameters, most of the time
    const ParamInfo& info = paramInfo(i);
    if (info.stepped())
      smoothed_[i] = target;
    else if (info.scale == ParamScale::Exponential)  // glide in octaves, not in Hz
      smoothed_[i] *= std::exp(std::log(target / smoothed_[i]) * smoothingCoef_);
    else
      smoothed_[i] += (target - smoothed_[i]) * smoothingCoef_;
  }
  updateModulation();
  updateContext();
  for (int g = 0; g < kGroups; ++g) {
    if (groups_[g].activeCount == 0) continue;
    for (int l = 0; l < kLanes; ++l)
      if (groups_[g].lanes[l].active) updateLaneControls(groups_[g], l, ctx_);
  }
}

void Synth::renderRun(float* left, float* right, int frames) {
  for (int i = 0; i < frames; ++i) accL_[i] = accR_[i] = Lanes{};
  for (int g = 0; g < kGroups; ++g)
    if (groups_[g].activeCount > 0) voiceKernels_->renderGroup(groups_[g], ctx_, frames, accL_, accR_);
  for (int i = 0; i < frames; ++i) {
    left[i] = laneSum(accL_[i]);
    right[i] = laneSum(accR_[i]);
  }
  // Effect parameters are patch-wide modulation destinations: the chain reads them modulated.
  effects_.process(left, right, frames, patchValue_, tempo_);
  for (int i = 0; i < frames; ++i) {
    outputGain_[0] = outputTarget_[0] + (outputGain_[0] - outputTarget_[0]) * outputCoef_;
    outputGain_[1] = outputTarget_[1] + (outputGain_[1] - outputTarget_[1]) * outputCoef_;
    left[i] = safetyLimit(left[i] * outputGain_[0]);
    right[i] = safetyLimit(right[i] * outputGain_[1]);
  }
}

void Synth::process(float* left, float* right, int frames, const Event* events, int numEvents) {
  if (frames <= 0) return;
  DenormalGuard denormals;
  if (Patch* patch = patchHandoff_.take()) {
    target_ = *patch;
    patchHandoff_.retire(patch);
  }
  ParamChange change;
  while (parameterQueue_.pop(change)) setParameter(change.param, change.value);

  const auto frameOf = [&](int e) { return std::min<int64_t>(events[e].frame, frames - 1); };
  int position = 0, next = 0;
  while (position < frames) {
    for (; next < numEvents && frameOf(next) <= position; ++next) {
      const Event& e = events[next];
      switch (e.kind) {
        case Event::Kind::Midi: handleMidi(e.status, e.data1, e.data2); break;
        case Event::Kind::Param: setParameter(e.param, e.value); break;
        case Event::Kind::Tempo:
          // NaN compares false both ways and keeps the tempo.
          if (e.value >= kMinTempo && e.value <= kMaxTempo)
            tempo_ = e.value;
          else if (e.value > kMaxTempo)
            tempo_ = kMaxTempo;
          else if (e.value < kMinTempo)
            tempo_ = kMinTempo;
          break;
      }
    }
    const int64_t phase = sampleCount_ % kControlInterval;
    if (phase == 0) controlTick();
    int64_t end = std::min<int64_t>(frames, position + (kControlInterval - phase));
    if (next < numEvents) end = std::min(end, frameOf(next));
    renderRun(left + position, right + position, int(end - position));
    sampleCount_ += end - position;
    position = int(end);
  }
}

}  // namespace midistems::synth
