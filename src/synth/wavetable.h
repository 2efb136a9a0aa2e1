#pragma once
// The built-in morphing wavetable: 8 frames (sine, triangle, soft saw, saw, square, 25 % pulse,
// a formant-like hollow wave, 10 % pulse), each stored band-limited at one mip level per octave so
// that no harmonic passes Nyquist at any pitch. Built once, shared read-only by every voice.
#include <cstddef>
#include <cstdint>

namespace midistems::synth {

class Wavetable {
 public:
  static constexpr int kFrames = 8;
  static constexpr int kSize = 2048;         // samples per cycle
  static constexpr int kMipLevels = 11;      // level m holds harmonics up to 1024 >> m
  static const Wavetable& builtIn();         // thread-safe lazy construction

  // One cycle (kSize + 1 samples, the last repeats the first) of `frame` at mip `level`.
  const float* cycle(int frame, int level) const {
    return data_ + (size_t(level) * kFrames + size_t(frame)) * (kSize + 1);
  }
  // The mip level whose highest harmonic stays below Nyquist at phase increment `inc`.
  static int mipLevelFor(float inc);

 private:
  Wavetable();
  float* data_;
};

}  // namespace midistems::synth
