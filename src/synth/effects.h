#pragma once
// Effects after the voices: distortion (8x oversampled), chorus, flanger, phaser, stereo delay,
// an FDN reverb, a 3-band EQ and a compressor, run by EffectChain in the order the patch's chain
// slots give. Each one allocates its lines in prepare() and then processes any number of samples
// without allocating or locking. Settings are given per call; mix, bypass and delay time glide per
// sample so changes never click, and a bypassed effect fades out, clears its state once and then
// costs nothing.
#include <cstdint>
#include <vector>

#include "synth/params.h"

namespace midistems::synth {

// Per-sample one-pole glide towards a target.
struct Glide {
  float value = 0, coef = 0.999f;
  void setTime(float seconds, float sampleRate);
  float next(float target) { return value = target + (value - target) * coef; }
};

// A power-of-two ring of samples read at a fractional delay (linear interpolation).
class DelayLine {
 public:
  void allocate(float maxSamples);
  void clear();
  void push(float x) {
    write_ = (write_ + 1) & mask_;
    line_[write_] = x;
  }
  // `delay` samples behind the newest sample (0 = the newest); 0 .. maxSamples.
  float read(float delay) const;
  float maxDelay() const { return float(mask_) - 2.0f; }

 private:
  std::vector<float> line_;
  uint32_t mask_ = 0, write_ = 0;
};

// A linear-phase FIR stage that changes the rate by two, polyphase (zero-stuffing then low-pass,
// or low-pass then dropping every other sample), Kaiser-windowed sinc taps.
class Resampler2 {
 public:
  void design(int taps, double cutoff, double kaiserBeta);  // cutoff: fraction of the higher rate
  void clear();
  void up(float x, float* out2);  // one sample in, two out
  float down(const float* in2);   // two samples in, one out
  int delayAtHighRate() const { return (int(taps_.size()) - 1) / 2; }

 private:
  std::vector<float> taps_;
  std::vector<float> phases_;   // the even taps, then the odd ones (for up)
  std::vector<float> history_;  // doubled, so every convolution reads one contiguous run
  int position_ = 0;
};

struct DistortionSettings {
  bool on = false;
  DistortionCurve curve = DistortionCurve::Soft;
  float driveDb = 0;  // 0..24
  float tone = 1;     // 0..1: a low-pass from 500 Hz to open
  float mix = 1;
};

// Waveshaper at 8x the sample rate (three 2x stages; the first, steep one keeps everything above
// the output's Nyquist frequency out, the other two only have to remove images far from the
// audio band), so a full-scale 5 kHz sine at full drive aliases more than 70 dB down. The curves
// are analytic (tanh, erf, biased tanh, sine), whose harmonics fall off exponentially, so what
// folds back past 8x is negligible; a hard clipper's 1/n harmonics would not be. The dry signal is
// delayed by the resamplers' latency so that mix settings between 0 and 1 do not comb.
class Distortion {
 public:
  static constexpr int kOversampling = 8;
  void prepare(float sampleRate);
  void reset();
  void stop() {  // out of the chain: silent at once, cleared once
    if (!clear_) reset();
  }
  void process(float* left, float* right, int frames, const DistortionSettings& s);
  int latency() const { return latency_; }
  static float shape(DistortionCurve curve, float x);

 private:
  struct Channel {
    Resampler2 up[3], down[3];
    DelayLine dry;
    float tone = 0, dc = 0, dcIn = 0;
  };
  float processSample(Channel& c, float x, DistortionCurve curve, float drive, float makeup);
  float sampleRate_ = 48000;
  Channel channels_[2];
  int latency_ = 0;
  Glide fade_, mix_;
  float toneCoef_ = 0, dcCoef_ = 0;
  bool clear_ = true;
};

struct ChorusSettings {
  bool on = false;
  float rate = 0.6f, depth = 0.5f, mix = 0.35f;  // Hz, 0..1, 0..1
};

class Chorus {
 public:
  void prepare(float sampleRate);
  void reset();
  void stop() {  // out of the chain: silent at once, cleared once
    if (!clear_) reset();
  }
  void process(float* left, float* right, int frames, const ChorusSettings& s);

 private:
  float sampleRate_ = 48000;
  std::vector<float> lineL_, lineR_;
  uint32_t mask_ = 0, write_ = 0;
  double phase_ = 0;
  Glide wet_;
  bool clear_ = true;
};

struct FlangerSettings {
  bool on = false;
  float rate = 0.25f, depth = 0.7f, feedback = 0.5f, mix = 0.5f;  // Hz, 0..1, -0.95..0.95, 0..1
};

// A swept short delay (0.3 .. 4.3 ms) with feedback; the right side sweeps 90 degrees later.
class Flanger {
 public:
  void prepare(float sampleRate);
  void reset();
  void stop() {  // out of the chain: silent at once, cleared once
    if (!clear_) reset();
  }
  void process(float* left, float* right, int frames, const FlangerSettings& s);

 private:
  float sampleRate_ = 48000;
  DelayLine lines_[2];
  float last_[2] = {};
  double phase_ = 0;
  Glide wet_;
  bool clear_ = true;
};

struct PhaserSettings {
  bool on = false;
  float rate = 0.4f, depth = 0.7f, center = 800, feedback = 0.4f, mix = 0.5f;
};

// Six first-order allpass stages whose break frequency sweeps two octaves either side of the
// centre at full depth; mixed half and half with the dry signal they give three moving notches.
class Phaser {
 public:
  static constexpr int kStages = 6;
  void prepare(float sampleRate);
  void reset();
  void stop() {  // out of the chain: silent at once, cleared once
    if (!clear_) reset();
  }
  void process(float* left, float* right, int frames, const PhaserSettings& s);

 private:
  float sampleRate_ = 48000;
  float state_[2][kStages] = {};
  float last_[2] = {};
  float coef_[2] = {};
  uint32_t tick_ = 0;
  double phase_ = 0;
  Glide wet_;
  bool clear_ = true;
};

struct DelaySettings {
  bool on = false;
  float time = 0.375f;      // seconds, 0.01..2 (tempo-synced times are resolved by the caller)
  float feedback = 0.35f;   // 0..0.95
  float damping = 0.3f;     // 0..1: a low-pass in the loop
  float lowCut = 0;         // Hz: a high-pass in the loop, 0 = off
  float mix = 0.25f;
  bool pingPong = false;    // the echoes alternate between the sides
};

class StereoDelay {
 public:
  static constexpr float kMaxSeconds = 2;
  void prepare(float sampleRate);
  void reset();
  void stop() {  // out of the chain: silent at once, cleared once
    if (!clear_) reset();
  }
  void process(float* left, float* right, int frames, const DelaySettings& s);

 private:
  float sampleRate_ = 48000;
  std::vector<float> lineL_, lineR_;
  uint32_t mask_ = 0, write_ = 0;
  Glide delaySamples_, wet_;
  float lowL_ = 0, lowR_ = 0, highL_ = 0, highR_ = 0;
  bool clear_ = true;
};

struct ReverbSettings {
  bool on = false;
  float size = 0.5f;      // 0..1: the room (line lengths 0.4x .. 2.2x Freeverb's)
  float decay = 2.225f;   // RT60 in seconds
  float damping = 0.4f;   // 0..1
  float preDelayMs = 0;   // 0..250
  float width = 1;        // 0 mono .. 1 full
  float mix = 0.2f;
};

// Feedback delay network reverb (Jot & Chaigne 1991; Smith, "Physical Audio Signal Processing",
// FDN reverberation): 8 delay lines mixed by a normalised Hadamard matrix, per-line gains set for
// the wanted RT60, a one-pole low-pass in each line for frequency-dependent decay, a pre-delay and
// a chain of allpass diffusers on the input.
class FdnReverb {
 public:
  static constexpr int kLines = 8;
  void prepare(float sampleRate);
  void reset();
  void stop() {  // out of the chain: silent at once, cleared once
    if (!clear_) reset();
  }
  void process(float* left, float* right, int frames, const ReverbSettings& s);
  // The RT60 in seconds that preset format 1's reverb size gave (its room was size 0.5).
  static float formatOneDecaySeconds(float size) { return 0.3f + 7.7f * size * size; }
  // Line lengths relative to Freeverb's: 0.4 .. 2.2, exactly format 1's 1.3 at size 0.5.
  static float roomScale(float size) { return 1.3f + 1.8f * (size - 0.5f); }

 private:
  struct Line {
    std::vector<float> buffer;
    uint32_t mask = 0, position = 0, length = 1;
    float low = 0;
  };
  struct Allpass {
    std::vector<float> buffer;
    uint32_t position = 0;
  };
  void configure(const ReverbSettings& s);
  float sampleRate_ = 48000;
  Line lines_[kLines];
  Allpass diffusers_[4];
  DelayLine preDelay_;
  Glide wet_;
  float lastSize_ = -1, lastDecay_ = -1, lastDamping_ = -1;
  float gains_[kLines] = {};
  float dampCoef_ = 0;
  bool clear_ = true;
};

struct EqSettings {
  bool on = false;
  float lowFreq = 120, lowGain = 0, midFreq = 1000, midGain = 0, midQ = 0.7f, highFreq = 6000, highGain = 0;
  float mix = 1;
};

// Low shelf, peak and high shelf biquads (RBJ Audio EQ Cookbook, shelf slope 1).
class Equalizer {
 public:
  void prepare(float sampleRate);
  void reset();
  void stop() {  // out of the chain: silent at once, cleared once
    if (!clear_) reset();
  }
  void process(float* left, float* right, int frames, const EqSettings& s);

 private:
  struct Biquad {
    float b0 = 1, b1 = 0, b2 = 0, a1 = 0, a2 = 0;
    float z1[2] = {}, z2[2] = {};
  };
  float sampleRate_ = 48000;
  Biquad bands_[3];
  EqSettings last_;
  bool designed_ = false;
  Glide wet_;
  bool clear_ = true;
};

struct CompressorSettings {
  bool on = false;
  float threshold = -18, ratio = 4, knee = 6;  // dB, :1, dB
  float attackMs = 5, releaseMs = 120, makeup = 0, mix = 1;
};

// Feed-forward compressor with a stereo-linked peak detector, a soft-knee gain computer and
// attack/release smoothing of the gain in decibels (Giannoulis, Massberg & Reiss, "Digital
// Dynamic Range Compressor Design", JAES 2012).
class Compressor {
 public:
  void prepare(float sampleRate);
  void reset();
  void stop() {  // out of the chain: silent at once, cleared once
    if (!clear_) reset();
  }
  void process(float* left, float* right, int frames, const CompressorSettings& s);
  // The static curve: output level in dB for an input level in dB (before make-up gain).
  static float staticCurve(float inputDb, float threshold, float ratio, float knee);

 private:
  float sampleRate_ = 48000;
  float reductionDb_ = 0;
  Glide wet_;
  bool clear_ = true;
};

// The effects in the order of the patch's chain slots, with their settings read from the patch's
// (smoothed) parameter values. Delay times follow `tempo` when the delay is synced.
class EffectChain {
 public:
  void prepare(float sampleRate);
  void reset();
  void process(float* left, float* right, int frames, const float* values, float tempo);
  // The effects in the order `values`' slots run them (no duplicates, no "none").
  static int order(const float* values, EffectKind* out);

 private:
  Distortion distortion_;
  Chorus chorus_;
  Flanger flanger_;
  Phaser phaser_;
  StereoDelay delay_;
  FdnReverb reverb_;
  Equalizer eq_;
  Compressor compressor_;
};

}  // namespace midistems::synth
