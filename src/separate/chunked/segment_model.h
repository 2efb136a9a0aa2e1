#pragma once
// A separation network seen from the chunking around it: one forward over one chunk of
// segmentLength() samples. Every architecture (separate/htdemucs, separate/roformer) implements
// it; separate/chunked/chunked_apply.h cuts a song into such chunks the way its reference does.
#include <cstdint>
#include <string>
#include <vector>

namespace midistems::separate {

class SegmentModel {
 public:
  virtual ~SegmentModel() = default;
  // Source names in output order.
  virtual const std::vector<std::string>& sourceNames() const = 0;
  virtual int sampleRate() const = 0;
  virtual int audioChannels() const = 0;
  // The chunk length the model is run on.
  virtual int64_t segmentLength() const = 0;
  // input: (audioChannels, length) planar, length <= segmentLength();
  // output: (sources, audioChannels, length).
  virtual void forward(const float* input, int64_t length, float* output) = 0;
};

}  // namespace midistems::separate
