#pragma once
// A synthesized General MIDI drum kit for MIDI channel 10: kick, snare, clap, hi-hats (closed,
// pedal and open, with the closed ones choking the open one), six toms, crash, ride, ride bell,
// splash, china, cowbell, tambourine, rimshot, claves, woodblocks, congas, bongos, shaker and
// triangle at their GM keys (GM 1 percussion map, keys 35-81). Every sound is built from three
// parts, a pitched sine with a falling pitch envelope, filtered noise and a "metal" cluster of six
// square waves at the inharmonic ratios of the TR-808 cymbal circuit, each with an exponential
// decay. Real-time safe after prepare(); same event interface and block-size independence as Synth.
#include <cstdint>

#include "synth/effects.h"
#include "synth/synth.h"

namespace midistems::synth {

struct DrumSound {
  float toneStartHz = 0, toneEndHz = 0, pitchDecay = 0.03f, toneDecay = 0.2f, toneLevel = 0;
  float noiseDecay = 0.1f, noiseLevel = 0, metalLevel = 0, metalHz = 0;
  enum class Filter : uint8_t { HighPass, BandPass } filter = Filter::HighPass;
  float filterHz = 1000, filterQ = 0.7f;
  float pan = 0;
  bool clap = false;        // three quick bursts before the tail
  int chokeGroup = 0;       // sounds in the same non-zero group cut each other (hi-hats)
  bool chokedByGroup = false;  // this sound is cut by the others of its group (open hi-hat)
};

// The sound for a GM percussion key, or nullptr for keys outside the kit.
const DrumSound* drumSoundForKey(int key);

class DrumKit {
 public:
  static constexpr int kMaxVoices = 32;
  void prepare(float sampleRate);
  // Renders into left/right (overwritten). Note-ons trigger; note-offs are ignored as in GM;
  // CC 120/123 silence everything with a short fade.
  void process(float* left, float* right, int frames, const Event* events, int numEvents);
  int activeVoices() const;
  void setGainDb(float db);

 private:
  struct Voice {
    bool active = false;
    const DrumSound* sound = nullptr;
    uint64_t order = 0;
    float gain = 0;
    float phase = 0, pitchEnv = 0, pitchMul = 0, toneEnv = 0, toneMul = 0;
    float noiseEnv = 0, noiseMul = 0, fade = 1, fadeMul = 1;
    float metalPhase[6] = {};
    float ic1 = 0, ic2 = 0;  // noise filter state
    float a1 = 0, a2 = 0, a3 = 0, k = 0;
    int32_t age = 0;
    float panL = 1, panR = 1;
    uint32_t noise = 1;  // per voice, so the output never depends on how blocks are split
  };
  void trigger(int key, int velocity);
  void renderVoice(Voice& v, float* left, float* right, int frames);

  float sampleRate_ = 48000;
  Voice voices_[kMaxVoices];
  uint64_t counter_ = 0;
  float gain_ = 0.3f;  // about -10 dB: sits the kit level with the factory presets in a mix
  FdnReverb room_;
};

}  // namespace midistems::synth
