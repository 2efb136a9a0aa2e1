#pragma once
// The level of a stem over time, for the monophonic note tracker: short-time energy in dB and
// positive spectral flux (log-magnitude rise, summed over bins) on a 5 ms grid. The flux marks
// attacks that basic-pitch's onset head misses; the energy places note starts and ends more
// finely than the model's 11.6 ms frames and gives each note its velocity.
#include <vector>

#include "core/audio_buffer.h"

namespace midistems::transcribe {

struct LevelEnvelope {
  double hopSeconds = 0;      // time between values; value i is centred at i * hopSeconds
  std::vector<float> db;      // 10 log10 of the mean square in the window, floored at -120
  std::vector<float> flux;    // sum over bins of max(0, rise of log magnitude), per value
  // Interpolated dB at a time (clamped to the ends); -120 for an empty envelope.
  float dbAt(double seconds) const;
  int64_t indexOf(double seconds) const;  // nearest value, clamped
};

// Mono mix of the channels at the buffer's own rate; an empty buffer gives an empty envelope.
LevelEnvelope levelEnvelope(const AudioBuffer& audio);

}  // namespace midistems::transcribe
