#include "synth/synth.h"

#include <algorithm>
#include <cmath>

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
  const float over = softClip((magnitude - kKnee) / (kCeiling - kKnee)) * (kCeiling - kKnee);
  return std::copysign(kKnee + over, x);
}

}  // namespace

Synth::Synth() : groups_(new VoiceGroup[kGroups]) {
  for (int i = 0; i < kNumParams; ++i) smoothed_[i] = target_.values[size_t(i)];
  ctx_.value = smoothed_;
}

Synth::~Synth() = default;

void Synth::prepare(float sampleRate) {
  sampleRate_ = sampleRate;
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
  globalLfoPhase_[0] = globalLfoPhase_[1] = 0;
  prepared_ = true;
  setPatch(target_);
}

void Synth::setPatch(const Patch& patch) {
  for (int i = 0; i < kNumParams; ++i) {
    target_.values[size_t(i)] = paramInfo(i).clamp(patch.values[size_t(i)]);
    smoothed_[i] = target_.values[size_t(i)];
  }
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
  startLane(groups_[voice / kLanes], voice % kLanes, ctx_, note, velocity, startPitch, retrigger, seed_);
}

void Synth::noteOn(int note, float velocity) {
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

void Synth::noteOff(int note) {
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
      [[fallthrough]];
    case 0x80: noteOff(data1); break;
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
    default: break;  // program change and poly pressure are the caller's business
  }
}

void Synth::updateContext() {
  VoiceContext& c = ctx_;
  c.sampleRate = sampleRate_;
  c.value = smoothed_;
  const auto choice = [&](Param p) { return int(smoothed_[int(p)] + 0.5f); };
  c.wave1 = static_cast<Wave>(choice(Param::Osc1Wave));
  c.wave2 = static_cast<Wave>(choice(Param::Osc2Wave));
  c.subIsSine = choice(Param::SubWave) == 1;
  c.filter = static_cast<FilterType>(choice(Param::FilterTypeParam));
  c.sync = choice(Param::Osc2Sync) == 1;
  c.wavetable[0] = wavetables_[std::clamp(choice(Param::Osc1Table), 0, kNumWavetables - 1)];
  c.wavetable[1] = wavetables_[std::clamp(choice(Param::Osc2Table), 0, kNumWavetables - 1)];
  c.unison = std::clamp(choice(Param::UnisonVoices), 1, kMaxUnison);
  const float spread = smoothed_[int(Param::UnisonSpread)];
  const float detune = smoothed_[int(Param::UnisonDetune)];
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
    const float* v = smoothed_ + int(kEnvBase[e]);  // attack, decay, sustain, release, curve
    c.env[e].attack = int32_t(std::lround(double(v[0]) * sampleRate_));
    c.env[e].decay = int32_t(std::lround(double(v[1]) * sampleRate_));
    c.env[e].sustain = v[2];
    c.env[e].release = int32_t(std::lround(double(v[3]) * sampleRate_));
    c.env[e].curve = v[4];
  }
  c.fadeSamples = std::max(1, int(0.004f * sampleRate_));  // 4 ms steal fade
  c.sustainCoef = std::exp(-1.0 / (0.005 * sampleRate_));
  c.numSlots = 0;
  c.fm = smoothed_[int(Param::FmAmount)] > 0.0f;
  for (int s = 0; s < kNumModSlots; ++s) {
    const auto source = static_cast<ModSource>(choice(modSlotParam(s, 0)));
    const auto dest = static_cast<ModDest>(choice(modSlotParam(s, 1)));
    const float amount = smoothed_[int(modSlotParam(s, 2))];
    if (source == ModSource::None || dest == ModDest::None || amount == 0.0f) continue;
    c.slots[c.numSlots++] = {source, dest, amount};
    c.fm = c.fm || dest == ModDest::FmAmount;
  }
  // Drive in dB (0..24) to synth/dsp's 0..1, whose input gain is 1 + 15 drive (16 = +24 dB).
  c.drive = std::clamp((std::pow(10.0f, smoothed_[int(Param::FilterDrive)] / 20.0f) - 1.0f) / 15.0f, 0.0f, 1.0f);
  const float panAngle = (smoothed_[int(Param::Pan)] + 1.0f) * (kPi / 4.0f);
  c.panGainL = std::cos(panAngle) * 1.41421356f;
  c.panGainR = std::sin(panAngle) * 1.41421356f;
  c.lfoUsed[0] = c.lfoUsed[1] = false;
  for (int s = 0; s < c.numSlots; ++s) {
    if (c.slots[s].source == ModSource::Lfo1) c.lfoUsed[0] = true;
    if (c.slots[s].source == ModSource::Lfo2) c.lfoUsed[1] = true;
  }
  c.modWheel = modWheel_;
  c.aftertouch = aftertouch_;
  c.bend = bend_;
  const float glide = smoothed_[int(Param::GlideTime)];
  c.glideCoef = glide > 0 ? 1.0f - std::exp(-float(kControlInterval) / (glide * sampleRate_)) : 1.0f;
  for (int i = 0; i < 2; ++i) {
    const Param base = i == 0 ? Param::Lfo1Wave : Param::Lfo2Wave;
    const auto wave = static_cast<LfoWave>(choice(base));
    const float phase = globalLfoPhase_[i];
    float value = globalLfoHeld_[i];
    switch (wave) {
      case LfoWave::Sine: value = std::sin(2 * kPi * phase); break;
      case LfoWave::Triangle: value = 1.0f - 4.0f * std::fabs(phase - 0.5f); break;
      case LfoWave::Saw: value = 2.0f * phase - 1.0f; break;
      case LfoWave::Square: value = phase < 0.5f ? 1.0f : -1.0f; break;
      case LfoWave::SampleHold: break;
    }
    c.globalLfoValue[i] = value;
  }
  const float gain = std::pow(10.0f, smoothed_[int(Param::MasterGain)] / 20.0f) * channelVolume_ * expression_;
  const float angle = (channelPan_ + 1.0f) * (kPi / 4.0f);
  outputTarget_[0] = gain * std::cos(angle) * 1.41421356f;
  outputTarget_[1] = gain * std::sin(angle) * 1.41421356f;
}

void Synth::controlTick() {
  for (int i = 0; i < kNumParams; ++i) {
    const float target = target_.values[size_t(i)];
    const ParamInfo& info = paramInfo(i);
    if (info.stepped() || smoothed_[i] == target)
      smoothed_[i] = target;
    else if (info.scale == ParamScale::Exponential)  // glide in octaves, not in Hz
      smoothed_[i] *= std::exp(std::log(target / smoothed_[i]) * smoothingCoef_);
    else
      smoothed_[i] += (target - smoothed_[i]) * smoothingCoef_;
  }
  for (int i = 0; i < 2; ++i) {
    const float rate = smoothed_[int(i == 0 ? Param::Lfo1Rate : Param::Lfo2Rate)];
    globalLfoPhase_[i] += rate * float(kControlInterval) / sampleRate_;
    if (globalLfoPhase_[i] >= 1.0f) {
      globalLfoPhase_[i] -= std::floor(globalLfoPhase_[i]);
      seed_ ^= seed_ << 13;
      seed_ ^= seed_ >> 17;
      seed_ ^= seed_ << 5;
      globalLfoHeld_[i] = float(seed_ >> 8) / 8388608.0f - 1.0f;
    }
  }
  updateContext();
  for (int g = 0; g < kGroups; ++g) {
    if (groups_[g].activeCount == 0) continue;
    for (int l = 0; l < kLanes; ++l)
      if (groups_[g].lanes[l].active) updateLaneControls(groups_[g], l, ctx_);
  }
}

void Synth::renderRun(float* left, float* right, int frames) {
  for (int i = 0; i < frames; ++i) accL_[i] = accR_[i] = vfloat{};
  for (int g = 0; g < kGroups; ++g)
    if (groups_[g].activeCount > 0) renderGroup(groups_[g], ctx_, frames, accL_, accR_);
  for (int i = 0; i < frames; ++i) {
    left[i] = laneSum(accL_[i]);
    right[i] = laneSum(accR_[i]);
  }
  effects_.process(left, right, frames, smoothed_, tempo_);
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
