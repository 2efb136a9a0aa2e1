#pragma once
// The level of a stem over time, for the monophonic note tracker: short-time energy in dB on a
// 5 ms grid. A rise in it marks a repeated attack that basic-pitch's heads do not show; its fall
// places note ends more finely than the model's 11.6 ms frames; its peak gives each note its
// velocity.
#include <cstdint>
#include <vector>

#include "core/audio_buffer.h"

namespace midistems::transcribe {

struct LevelEnvelope {
  double hopSeconds = 0;  // time between values; value i is centred at i * hopSeconds
  std::vector<float> db;  // 10 log10 of the Hann-weighted mean square in a 40 ms window, >= -120
  int64_t indexOf(double seconds) const;  // nearest value, clamped; 0 for an empty envelope
};

// Mono mix of the channels at the buffer's own rate; an empty buffer gives an empty envelope.
LevelEnvelope levelEnvelope(const AudioBuffer& audio);

}  // namespace midistems::transcribe
