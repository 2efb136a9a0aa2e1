#pragma once
// synth: the polyphonic synthesizer engine of Midistems. JUCE-free and real-time safe: after
// prepare(), process() never allocates, locks or blocks, so a plugin wrapper or a GUI can sit on
// top of it. Depends on the standard library only (core for the offline parts: presets, render).
//
// One Synth is one part (one patch): up to 128 voices of 2 oscillators + sub + noise, unison,
// sync, FM and ring modulation, a multimode filter, three envelopes, four LFOs per voice and two
// global ones, a 32-slot modulation matrix, mono/legato/portamento, and a chain of effects after
// the voices (effects.h).
// Output for the same events is the same at any block size: control-rate work happens on a grid
// of kControlInterval samples fixed to the absolute sample count, and events take effect on
// their exact sample.
#include <cstdint>
#include <memory>

#include "synth/effects.h"
#include "synth/lock_free.h"
#include "synth/params.h"
#include "synth/voice_group.h"

namespace midistems::synth {

// Something that happens at `frame` (0-based, inside the block passed to process): a MIDI channel
// message (the channel nibble is ignored: one Synth is one part), a parameter change, or a new
// tempo (from the host's transport or the MIDI file's tempo map; tempo-synced rates follow it).
struct Event {
  enum class Kind : uint8_t { Midi, Param, Tempo };
  uint32_t frame = 0;
  Kind kind = Kind::Midi;
  uint8_t status = 0, data1 = 0, data2 = 0;
  int32_t param = 0;
  float value = 0;

  static Event midi(uint32_t frame, uint8_t status, uint8_t data1, uint8_t data2 = 0) {
    Event e;
    e.frame = frame, e.status = status, e.data1 = data1, e.data2 = data2;
    return e;
  }
  static Event parameter(uint32_t frame, Param p, float value) {
    Event e;
    e.frame = frame, e.kind = Kind::Param, e.param = int32_t(p), e.value = value;
    return e;
  }
  static Event tempo(uint32_t frame, float beatsPerMinute) {
    Event e;
    e.frame = frame, e.kind = Kind::Tempo, e.value = beatsPerMinute;
    return e;
  }
};

class Synth {
 public:
  static constexpr int kMaxPolyphony = 128;
  // Stolen voices fade out in spare slots while the new note starts at once.
  static constexpr int kMaxVoices = kMaxPolyphony + 32;
  static constexpr int kGroups = kMaxVoices / kLanes;

  Synth();
  ~Synth();
  Synth(const Synth&) = delete;
  Synth& operator=(const Synth&) = delete;

  // Not real-time: sets the sample rate and allocates every buffer. Resets all sound. The voices
  // run at core/cpu_isa.h's activeIsaLevel(), or at `level` (lowered to what this CPU supports).
  void prepare(float sampleRate);
  void prepare(float sampleRate, IsaLevel level);
  // Not real-time: replaces the patch at once, without smoothing (for offline set-up).
  void setPatch(const Patch& patch);
  // Any one control thread: hands a complete patch (parsed off the audio thread) to the audio
  // thread, which swaps it in at the start of its next block; values glide like automation.
  void submitPatch(const Patch& patch);
  // Any one control thread: a parameter change, applied at the start of the next block.
  // Returns false if the queue is full.
  bool queueParameter(Param p, float value);

  // Real-time. Renders `frames` (any count; internally split) stereo samples into left/right
  // (overwritten). `events` must be sorted by frame; frames past the block are clamped to its
  // last sample.
  void process(float* left, float* right, int frames, const Event* events, int numEvents);

  const Patch& patch() const { return target_; }
  // Beats per minute for tempo-synced rates: 120 until a Tempo event says otherwise; values
  // outside kMinTempo .. kMaxTempo are clamped.
  float tempo() const { return tempo_; }
  static constexpr float kMinTempo = 20, kMaxTempo = 999;
  int activeVoices() const;  // voices sounding now (including releasing and fading ones)
  float sampleRate() const { return sampleRate_; }

 private:
  struct ParamChange { int32_t param; float value; };

  void handleMidi(uint8_t status, uint8_t data1, uint8_t data2);
  void setParameter(int param, float value);
  void noteOn(int note, float velocity);
  void noteOff(int note, float releaseVelocity);
  void setSustainPedal(bool down);
  void releaseAll();
  void silenceAll();
  void controlTick();
  void updateContext();
  void updateModulation();
  void renderRun(float* left, float* right, int frames);
  LaneState& lane(int voice) { return groups_[voice / kLanes].lanes[voice % kLanes]; }
  int findFreeVoice() const;
  int findVoiceToSteal() const;
  int playingVoices() const;
  void startVoice(int voice, int note, float velocity, float startPitch, bool retrigger);

  float sampleRate_ = 48000;
  float tempo_ = 120;
  bool prepared_ = false;
  Patch target_;
  float smoothed_[kNumParams] = {};
  float smoothingCoef_ = 0.5f;  // per control tick
  int64_t sampleCount_ = 0;
  uint64_t noteCounter_ = 0;

  std::unique_ptr<VoiceGroup[]> groups_;
  VoiceContext ctx_;
  const VoiceKernels* voiceKernels_ = &voiceKernels(IsaLevel::Baseline);  // set in prepare()
  alignas(32) Lanes accL_[kControlInterval];
  alignas(32) Lanes accR_[kControlInterval];

  // MIDI state.
  float modWheel_ = 0, aftertouch_ = 0, bend_ = 0;
  float channelVolume_ = 1, expression_ = 1, channelPan_ = 0;
  float outputGain_[2] = {0, 0};   // smoothed master x volume x pan, per channel
  float outputTarget_[2] = {0, 0};
  float outputCoef_ = 0.99f;
  bool sustainPedal_ = false;
  float lastPitch_ = -1;
  int heldNotes_[128] = {};  // mono/legato note stack, most recent last
  int numHeld_ = 0;
  uint32_t seed_ = 0x9e3779b9u;
  uint32_t lfoSeed_ = 0x2545f491u;  // random values of LFO 3, 4 and the global LFOs
  // Shared LFO phases: free-running voice LFOs (0-3) and the global LFOs (4-5), with the random
  // values of their current and previous cycles.
  float lfoPhase_[kNumLfos] = {};
  float lfoHeld_[kNumLfos] = {};
  float lfoPrevious_[kNumLfos] = {};
  int32_t ticksSinceNote_ = 0;  // the global LFOs' fade-in
  int newestVoice_ = -1;        // its per-voice sources drive the patch-wide destinations
  // Parameter values with the patch-wide modulation applied: globalValue_ from global sources
  // (what voices start from), patchValue_ with the newest voice's sources too (what patch-wide
  // consumers read: envelope times, unison, effects); laneValue_ is the voices' scratch copy.
  float globalValue_[kNumParams] = {};
  float patchValue_[kNumParams] = {};
  float laneValue_[kNumParams] = {};

  // Resolved in prepare(), so the audio thread never runs the tables' one-time initialisation.
  const dsp::Wavetable* wavetables_[kNumWavetables] = {};

  EffectChain effects_;

  SpscQueue<ParamChange, 1024> parameterQueue_;
  PointerHandoff<Patch> patchHandoff_;
};

}  // namespace midistems::synth
