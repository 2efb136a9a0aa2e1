#include "synth/drum_kit.h"

#include "synth/denormals.h"
#include "synth/dsp/lanes.h"

#include <algorithm>
#include <cmath>

namespace midistems::synth {
namespace {

constexpr float kPi = 3.14159265358979f;
// Square-wave frequencies of the TR-808 cymbal and hi-hat oscillator bank (Hz).
constexpr float kMetalRatios[6] = {1.0f, 1.4828f, 1.8003f, 2.5462f, 2.6303f, 3.8969f};

using F = DrumSound::Filter;

DrumSound tom(float hz, float pan) {
  DrumSound s;
  s.toneStartHz = hz * 1.6f, s.toneEndHz = hz, s.pitchDecay = 0.05f, s.toneDecay = 0.3f, s.toneLevel = 0.9f;
  s.noiseDecay = 0.03f, s.noiseLevel = 0.15f, s.filter = F::BandPass, s.filterHz = hz * 4, s.pan = pan;
  return s;
}
DrumSound cymbal(float metalHz, float decay, float filterHz, float pan, float level) {
  DrumSound s;
  s.noiseDecay = decay, s.noiseLevel = 0.35f * level, s.metalLevel = 0.6f * level, s.metalHz = metalHz;
  s.filterHz = filterHz, s.pan = pan;
  return s;
}
DrumSound hand(float hz, float decay, float pan) {
  DrumSound s;
  s.toneStartHz = hz * 1.15f, s.toneEndHz = hz, s.pitchDecay = 0.01f, s.toneDecay = decay, s.toneLevel = 0.7f;
  s.noiseDecay = 0.01f, s.noiseLevel = 0.1f, s.filter = F::BandPass, s.filterHz = hz * 3, s.pan = pan;
  return s;
}
DrumSound noiseHit(float decay, float filterHz, float pan, float level) {
  DrumSound s;
  s.noiseDecay = decay, s.noiseLevel = level, s.filterHz = filterHz, s.pan = pan;
  return s;
}

struct KitTable {
  DrumSound sounds[128];
  bool present[128] = {};
  void set(int key, const DrumSound& s) { sounds[key] = s, present[key] = true; }

  KitTable() {
    DrumSound kick;
    kick.toneStartHz = 160, kick.toneEndHz = 48, kick.pitchDecay = 0.035f, kick.toneDecay = 0.32f;
    kick.toneLevel = 0.85f, kick.noiseDecay = 0.004f, kick.noiseLevel = 0.3f;
    kick.filter = F::BandPass, kick.filterHz = 3000;
    set(35, kick);
    kick.toneStartHz = 180, kick.toneEndHz = 55;
    set(36, kick);
    DrumSound snare;
    snare.toneStartHz = 260, snare.toneEndHz = 185, snare.pitchDecay = 0.02f, snare.toneDecay = 0.09f;
    snare.toneLevel = 0.55f, snare.noiseDecay = 0.16f, snare.noiseLevel = 0.7f;
    // Snare wires: wide band of noise around 3 kHz.
    snare.filter = F::BandPass, snare.filterHz = 3000, snare.filterQ = 0.5f;
    set(38, snare);
    snare.toneDecay = 0.07f, snare.noiseDecay = 0.13f, snare.filterHz = 3500;
    set(40, snare);
    DrumSound rim;
    rim.toneStartHz = 1700, rim.toneEndHz = 1600, rim.toneDecay = 0.015f, rim.toneLevel = 0.6f;
    rim.noiseDecay = 0.01f, rim.noiseLevel = 0.4f, rim.filter = F::BandPass, rim.filterHz = 2500;
    set(37, rim);
    DrumSound clap = noiseHit(0.12f, 1200, 0.05f, 0.8f);
    clap.filter = F::BandPass, clap.filterQ = 1.2f, clap.clap = true;
    set(39, clap);
    const float hatHz = 410;
    DrumSound closedHat = cymbal(hatHz, 0.045f, 7500, 0.3f, 0.9f);
    closedHat.chokeGroup = 1;
    set(42, closedHat);
    DrumSound pedalHat = cymbal(hatHz, 0.03f, 7000, 0.3f, 0.55f);
    pedalHat.chokeGroup = 1;
    set(44, pedalHat);
    DrumSound openHat = cymbal(hatHz, 0.3f, 7000, 0.3f, 0.75f);
    openHat.chokeGroup = 1, openHat.chokedByGroup = true;
    set(46, openHat);
    set(41, tom(82, -0.45f));
    set(43, tom(98, -0.3f));
    set(45, tom(115, -0.15f));
    set(47, tom(135, 0.0f));
    set(48, tom(158, 0.15f));
    set(50, tom(185, 0.3f));
    set(49, cymbal(520, 0.8f, 5000, -0.35f, 0.6f));
    set(57, cymbal(560, 0.8f, 5200, 0.35f, 0.6f));
    set(52, cymbal(380, 0.6f, 3500, -0.2f, 0.6f));
    set(55, cymbal(640, 0.35f, 6000, -0.25f, 0.5f));
    DrumSound ride = cymbal(700, 0.6f, 6000, 0.35f, 0.35f);
    ride.toneStartHz = ride.toneEndHz = 3100, ride.toneDecay = 0.35f, ride.toneLevel = 0.12f;
    set(51, ride);
    set(59, ride);
    DrumSound bell = cymbal(900, 0.5f, 3000, 0.35f, 0.4f);
    bell.toneStartHz = bell.toneEndHz = 2200, bell.toneDecay = 0.6f, bell.toneLevel = 0.3f;
    set(53, bell);
    DrumSound cowbell;
    cowbell.metalHz = 540, cowbell.metalLevel = 0.5f, cowbell.noiseDecay = 0.25f;
    cowbell.filter = F::BandPass, cowbell.filterHz = 800, cowbell.filterQ = 2.0f, cowbell.pan = 0.2f;
    set(56, cowbell);
    set(54, noiseHit(0.15f, 8000, 0.25f, 0.5f));   // tambourine
    set(69, noiseHit(0.06f, 7000, -0.2f, 0.35f));  // cabasa
    set(70, noiseHit(0.07f, 6500, 0.2f, 0.35f));   // maracas
    set(60, hand(400, 0.12f, 0.3f));   // hi bongo
    set(61, hand(300, 0.15f, 0.25f));  // low bongo
    set(62, hand(260, 0.08f, -0.2f));  // mute hi conga
    set(63, hand(240, 0.2f, -0.2f));   // open hi conga
    set(64, hand(180, 0.25f, -0.3f));  // low conga
    set(65, hand(150, 0.3f, 0.1f));    // timbales
    set(66, hand(120, 0.35f, 0.1f));
    set(75, hand(2500, 0.03f, 0.1f));  // claves
    set(76, hand(1000, 0.04f, 0.2f));  // hi wood block
    set(77, hand(800, 0.05f, 0.2f));   // low wood block
    DrumSound triangle;
    triangle.toneStartHz = triangle.toneEndHz = 4800, triangle.toneDecay = 0.5f, triangle.toneLevel = 0.25f;
    set(81, triangle);
    triangle.toneDecay = 0.1f;
    set(80, triangle);
  }
};

const KitTable& kit() {
  static const KitTable table;
  return table;
}

float decayPerSample(float seconds, float sampleRate) {
  // Time constant `seconds`: the level falls to 1/e.
  return std::exp(-1.0f / (std::max(seconds, 1e-4f) * sampleRate));
}

}  // namespace

const DrumSound* drumSoundForKey(int key) {
  if (key < 0 || key > 127 || !kit().present[key]) return nullptr;
  return &kit().sounds[key];
}

void DrumKit::prepare(float sampleRate) {
  sampleRate_ = sampleRate;
  kit();
  for (Voice& v : voices_) v = Voice{};
  room_.prepare(sampleRate);
}

void DrumKit::setGainDb(float db) { gain_ = std::pow(10.0f, db / 20.0f); }

int DrumKit::activeVoices() const {
  int n = 0;
  for (const Voice& v : voices_) n += v.active;
  return n;
}

void DrumKit::trigger(int key, int velocity) {
  const DrumSound* sound = drumSoundForKey(key);
  if (!sound) return;
  if (sound->chokeGroup)
    for (Voice& v : voices_)
      if (v.active && v.sound->chokeGroup == sound->chokeGroup && v.sound->chokedByGroup && v.sound != sound)
        v.fadeMul = decayPerSample(0.004f, sampleRate_);
  // A free voice, else the quietest one (its remaining level is the only step it can make).
  Voice* slot = nullptr;
  float quietest = 1e30f;
  for (Voice& v : voices_) {
    if (!v.active) {
      slot = &v;
      break;
    }
    const float level = std::max(v.toneEnv, v.noiseEnv) * v.fade * v.gain;
    if (level < quietest) quietest = level, slot = &v;
  }
  Voice& v = *slot;
  v = Voice{};
  v.active = true;
  v.sound = sound;
  v.order = ++counter_;
  v.noise = uint32_t(v.order * 2654435761u) | 1u;  // Knuth's multiplicative hash as the seed
  const float vel = float(velocity) / 127.0f;
  v.gain = vel * std::sqrt(vel);  // a gentle velocity curve
  v.pitchEnv = 1, v.pitchMul = decayPerSample(sound->pitchDecay, sampleRate_);
  v.toneEnv = sound->toneLevel, v.toneMul = decayPerSample(sound->toneDecay, sampleRate_);
  v.noiseEnv = 1, v.noiseMul = decayPerSample(sound->noiseDecay, sampleRate_);
  v.fade = 1, v.fadeMul = 1;
  for (int i = 0; i < 6; ++i) v.metalPhase[i] = float(i) * 0.37f;
  // Noise filter: TPT state-variable filter coefficients (fixed for the hit).
  const float g = std::tan(kPi * std::min(sound->filterHz, 0.45f * sampleRate_) / sampleRate_);
  v.k = 1.0f / sound->filterQ;
  v.a1 = 1.0f / (1.0f + g * (g + v.k));
  v.a2 = g * v.a1;
  v.a3 = g * v.a2;
  const float angle = (sound->pan + 1.0f) * (kPi / 4.0f);
  v.panL = std::cos(angle) * 1.41421356f;
  v.panR = std::sin(angle) * 1.41421356f;
}

void DrumKit::renderVoice(Voice& v, float* left, float* right, int frames) {
  const DrumSound& s = *v.sound;
  const float invRate = 1.0f / sampleRate_;
  const float clapBurst = 0.011f * sampleRate_;  // bursts 11 ms apart
  const int32_t clapEnd = int32_t(3 * clapBurst);
  // Work on local copies: the output pointers could alias the voice, which would force every
  // state update through memory.
  float phase = v.phase, pitchEnv = v.pitchEnv, toneEnv = v.toneEnv, noiseEnv = v.noiseEnv, fade = v.fade;
  float ic1 = v.ic1, ic2 = v.ic2;
  float metalPhase[6];
  for (int m = 0; m < 6; ++m) metalPhase[m] = v.metalPhase[m];
  uint32_t noise = v.noise;
  int32_t age = v.age;
  const float pitchMul = v.pitchMul, toneMul = v.toneMul, noiseMul = v.noiseMul, fadeMul = v.fadeMul;
  const float a1 = v.a1, a2 = v.a2, a3 = v.a3, k = v.k, gain = v.gain, panL = v.panL, panR = v.panR;
  bool active = true;
  for (int i = 0; i < frames; ++i) {
    float out = 0;
    if (s.toneLevel > 0) {
      const float hz = s.toneEndHz + (s.toneStartHz - s.toneEndHz) * pitchEnv;
      phase += hz * invRate;
      if (phase >= 1.0f) phase -= 1.0f;
      out += sinTurns(phase) * toneEnv;
      pitchEnv *= pitchMul;
      toneEnv *= toneMul;
    }
    noise ^= noise << 13;
    noise ^= noise >> 17;
    noise ^= noise << 5;
    float excitation = s.noiseLevel * (float(noise >> 8) * (2.0f / 16777216.0f) - 1.0f);
    if (s.metalLevel > 0) {
      float metal = 0;
      for (int m = 0; m < 6; ++m) {
        metalPhase[m] += s.metalHz * kMetalRatios[m] * invRate;
        if (metalPhase[m] >= 1.0f) metalPhase[m] -= 1.0f;
        metal += metalPhase[m] < 0.5f ? 1.0f : -1.0f;
      }
      excitation += s.metalLevel * metal * (1.0f / 6.0f);
    }
    float envelope = noiseEnv;
    const bool inClap = s.clap && age < clapEnd;
    if (inClap) {
      // Three quick decaying bursts, then the tail.
      const float sinceBurst = std::fmod(float(age), clapBurst);
      envelope = std::exp(-sinceBurst / (0.003f * sampleRate_));
    }
    const float v3 = excitation - ic2;
    const float v1 = a1 * ic1 + a2 * v3;
    const float v2 = ic2 + a2 * ic1 + a3 * v3;
    ic1 = 2 * v1 - ic1;
    ic2 = 2 * v2 - ic2;
    const float filtered = s.filter == F::BandPass ? v1 * k : excitation - k * v1 - v2;
    out += filtered * envelope;
    noiseEnv *= noiseMul;
    out *= gain * fade;
    fade *= fadeMul;
    left[i] += out * panL;
    right[i] += out * panR;
    ++age;
    // Ends at -80 dB, checked every sample so that the end never depends on the block size.
    if ((std::max(toneEnv, noiseEnv) + (inClap ? 1.0f : 0.0f)) * fade < 1e-4f) {
      active = false;
      break;
    }
  }
  v.active = active;
  v.phase = phase, v.pitchEnv = pitchEnv, v.toneEnv = toneEnv, v.noiseEnv = noiseEnv, v.fade = fade;
  v.ic1 = ic1, v.ic2 = ic2, v.noise = noise, v.age = age;
  for (int m = 0; m < 6; ++m) v.metalPhase[m] = metalPhase[m];
}

void DrumKit::process(float* left, float* right, int frames, const Event* events, int numEvents) {
  DenormalGuard denormals;
  std::fill(left, left + frames, 0.0f);
  std::fill(right, right + frames, 0.0f);
  int position = 0, next = 0;
  while (position < frames) {
    for (; next < numEvents && std::min<int64_t>(events[next].frame, frames - 1) <= position; ++next) {
      const Event& e = events[next];
      if (e.kind != Event::Kind::Midi) continue;
      if ((e.status & 0xF0) == 0x90 && e.data2 > 0) trigger(e.data1 & 0x7F, e.data2 & 0x7F);
      if ((e.status & 0xF0) == 0xB0 && (e.data1 == 120 || e.data1 == 123))
        for (Voice& v : voices_) v.fadeMul = decayPerSample(0.004f, sampleRate_);
    }
    int end = frames;
    if (next < numEvents) end = int(std::min<int64_t>(events[next].frame, frames - 1));
    if (end <= position) end = position + 1;
    for (Voice& v : voices_)
      if (v.active) renderVoice(v, left + position, right + position, end - position);
    position = end;
  }
  room_.process(left, right, frames,
                {true, 0.5f, FdnReverb::formatOneDecaySeconds(0.15f), 0.5f, 0, 1, 0.12f});
  for (int i = 0; i < frames; ++i) left[i] *= gain_, right[i] *= gain_;
}

}  // namespace midistems::synth
