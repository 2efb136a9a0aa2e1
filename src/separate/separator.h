#pragma once
// The interface every source separator implements (HTDemucs models, bags of models, the DSP
// separator). Separated audio leaves through a StemSink, progressively and in order, so a long
// song never needs all its stems in memory at once.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/audio_buffer.h"

namespace midistems::separate {

class StemSink {
 public:
  virtual ~StemSink() = default;
  // stems[s] holds frames [offset, offset + frames) of source s (same order as
  // Separator::sources()). Calls come in increasing, contiguous offset order and together cover
  // the whole input exactly once.
  virtual void write(const std::vector<AudioBuffer>& stems, int64_t offset, int64_t frames) = 0;
};

// fraction done in [0, 1]
using ProgressCallback = std::function<void(double)>;

class Separator {
 public:
  virtual ~Separator() = default;
  // Source names in output order, e.g. {"drums", "bass", "other", "vocals"}.
  virtual std::vector<std::string> sources() const = 0;
  // The rate and channel count the separator works at; callers convert the mix to them.
  virtual int sampleRate() const = 0;
  virtual int channels() const = 0;
  // mix: sampleRate() Hz, channels() channels, finite samples.
  virtual void separate(const AudioBuffer& mix, StemSink& sink, const ProgressCallback& progress) = 0;
};

// A StemSink that keeps everything in memory (tests, short clips).
class CollectingStemSink : public StemSink {
 public:
  std::vector<AudioBuffer> stems;
  void write(const std::vector<AudioBuffer>& block, int64_t offset, int64_t frames) override {
    if (stems.empty()) stems.resize(block.size());
    for (size_t s = 0; s < block.size(); ++s) {
      auto& dst = stems[s];
      dst.sampleRate = block[s].sampleRate;
      dst.channels.resize(block[s].channels.size());
      for (size_t c = 0; c < block[s].channels.size(); ++c) {
        dst.channels[c].resize(size_t(offset + frames));
        for (int64_t i = 0; i < frames; ++i) dst.channels[c][size_t(offset + i)] = block[s].channels[c][size_t(i)];
      }
    }
  }
};

}  // namespace midistems::separate
