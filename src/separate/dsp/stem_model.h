#pragma once
// Where each stem lives in a stereo STFT: power estimates for drums, bass, other and vocals from
// median-filter harmonic/percussive separation, a bass crossover and a stereo-centre cue.
// Internal to the DSP separator.
#include <array>
#include <complex>
#include <vector>

#include "core/thread_pool.h"

namespace midistems::separate::dsp {

// Output order of the DSP separator (Demucs' order).
enum StemIndex { kDrums = 0, kBass = 1, kOther = 2, kVocals = 3, kNumStems = 4 };

// A run of consecutive STFT frames of the stereo mix, frame-major: left[frame * bins + bin].
// Frames [coreBegin, coreEnd) are the ones being separated; the others are context.
struct SpectralBlock {
  int bins = 0;
  int numFrames = 0;
  int coreBegin = 0;
  int coreEnd = 0;
  double binHz = 0;  // frequency spacing of the bins
  std::vector<std::complex<float>> left, right;

  int coreFrames() const { return coreEnd - coreBegin; }
};

// Context frames each side that estimateStemPowers() needs around a frame.
int stemModelContextFrames();

// Power estimates v[stem][(frame - coreBegin) * bins + bin] for the core frames. Depends only on
// the frames within stemModelContextFrames() of each core frame.
using StemPowers = std::array<std::vector<float>, kNumStems>;
StemPowers estimateStemPowers(const SpectralBlock& block, ThreadPool& pool);

}  // namespace midistems::separate::dsp
