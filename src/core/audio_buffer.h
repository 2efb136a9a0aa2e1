#pragma once
// Planar float audio: one vector per channel, all the same length.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace midistems {

struct AudioBuffer {
  int sampleRate = 0;
  std::vector<std::vector<float>> channels;

  AudioBuffer() = default;
  AudioBuffer(int numChannels, int64_t numFrames, int rate)
      : sampleRate(rate), channels(static_cast<size_t>(numChannels),
                                   std::vector<float>(static_cast<size_t>(numFrames), 0.0f)) {}

  int numChannels() const { return static_cast<int>(channels.size()); }
  int64_t numFrames() const { return channels.empty() ? 0 : static_cast<int64_t>(channels[0].size()); }
  double durationSeconds() const { return sampleRate > 0 ? double(numFrames()) / sampleRate : 0.0; }

  // Mean of all channels (basic-pitch's and Demucs' notion of "mono").
  std::vector<float> mono() const {
    std::vector<float> out(static_cast<size_t>(numFrames()), 0.0f);
    if (channels.empty()) return out;
    for (const auto& ch : channels)
      for (size_t i = 0; i < out.size(); ++i) out[i] += ch[i];
    const float scale = 1.0f / float(channels.size());
    for (auto& v : out) v *= scale;
    return out;
  }
};

}  // namespace midistems
