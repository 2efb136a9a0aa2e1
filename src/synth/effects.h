#pragma once
// Effects after the voices: chorus, stereo delay and an FDN reverb. Each one allocates its lines
// in prepare() and then processes any number of samples without allocating or locking. Settings
// are given per call; mix, bypass and delay time glide per sample so changes never click, and a
// bypassed effect fades out, clears its lines once and then costs nothing.
#include <cstdint>
#include <vector>

namespace midistems::synth {

// Per-sample one-pole glide towards a target.
struct Glide {
  float value = 0, coef = 0.999f;
  void setTime(float seconds, float sampleRate);
  float next(float target) { return value = target + (value - target) * coef; }
};

class Chorus {
 public:
  void prepare(float sampleRate);
  void reset();
  // rate in Hz, depth and mix 0..1.
  void process(float* left, float* right, int frames, bool on, float rate, float depth, float mix);

 private:
  float sampleRate_ = 48000;
  std::vector<float> lineL_, lineR_;
  uint32_t mask_ = 0, write_ = 0;
  double phase_ = 0;
  Glide wet_;
  bool clear_ = true;
};

class StereoDelay {
 public:
  void prepare(float sampleRate);
  void reset();
  // time in seconds (0.01..2), feedback 0..0.95, damping 0..1 (low-pass in the loop), mix 0..1.
  void process(float* left, float* right, int frames, bool on, float time, float feedback,
               float damping, float mix);

 private:
  float sampleRate_ = 48000;
  std::vector<float> lineL_, lineR_;
  uint32_t mask_ = 0, write_ = 0;
  Glide delaySamples_, wet_;
  float lowL_ = 0, lowR_ = 0;
  bool clear_ = true;
};

// Feedback delay network reverb (Jot & Chaigne 1991; Smith, "Physical Audio Signal Processing",
// FDN reverberation): 8 delay lines mixed by a normalised Hadamard matrix, per-line gains set for
// the wanted RT60, a one-pole low-pass in each line for frequency-dependent decay, and a chain of
// allpass diffusers on the input.
class FdnReverb {
 public:
  static constexpr int kLines = 8;
  void prepare(float sampleRate);
  void reset();
  // size 0..1 (RT60 0.3 s .. 8 s), damping 0..1, mix 0..1.
  void process(float* left, float* right, int frames, bool on, float size, float damping, float mix);
  // The RT60 in seconds that `size` gives.
  static float decaySeconds(float size) { return 0.3f + 7.7f * size * size; }

 private:
  struct Line {
    std::vector<float> buffer;
    uint32_t length = 1, position = 0;
    float low = 0;
  };
  struct Allpass {
    std::vector<float> buffer;
    uint32_t position = 0;
  };
  float sampleRate_ = 48000;
  Line lines_[kLines];
  Allpass diffusers_[4];
  Glide wet_;
  float lastSize_ = -1, lastDamping_ = -1;
  float gains_[kLines] = {};
  float dampCoef_ = 0;
  bool clear_ = true;
};

}  // namespace midistems::synth
