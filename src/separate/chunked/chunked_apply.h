#pragma once
// The chunked apply shared by every model separator. A ChunkSchedule says how one reference cuts
// a track into model inputs and where each output lands with which weight (HTDemucs: centred
// chunks with triangular weights and shifts; RoFormer: reflect-padded chunks with linear fades);
// applyChunked runs the chunks, sums the weighted outputs in track coordinates, divides by the
// summed weights and hands samples to the sink as soon as no later chunk can change them. Only
// about one segment of overlap-add state is kept per lane, whatever the song's length.
#include <cstdint>
#include <memory>
#include <vector>

#include "core/audio_buffer.h"
#include "separate/chunked/segment_model.h"
#include "separate/separator.h"

namespace midistems::separate {

class ChunkSchedule {
 public:
  virtual ~ChunkSchedule() = default;
  virtual int64_t chunks() const = 0;
  // index[i] (i < segment): the track sample that feeds input sample i of chunk k, or -1 for a
  // zero. segment is the model's segmentLength().
  virtual void inputIndices(int64_t k, int64_t segment, int64_t* index) const = 0;
  // Output samples [begin, end) of chunk k land on track samples j + trackOffset with weight
  // window[j - begin]; samples outside the track are dropped.
  struct Placement {
    int64_t begin = 0, end = 0, trackOffset = 0;
    const float* window = nullptr;
  };
  virtual Placement placement(int64_t k) const = 0;
  // Track samples below this no longer change once chunk k has been added.
  virtual int64_t finalBefore(int64_t k) const = 0;
};

// One pass over the track: a model, its schedule, and the weight of each of its sources in the
// result (bags of models, shifts).
struct ChunkLane {
  SegmentModel* model = nullptr;
  std::unique_ptr<ChunkSchedule> schedule;
  std::vector<float> sourceWeight;
};

// The model sees (mix - mean) / scale; its outputs are mapped back with v * scale + mean.
struct ChunkNormalisation {
  float mean = 0.0f, scale = 1.0f;
};

// Round r runs chunk r of every lane. A track sample is Σ_lanes weight · (Σ window · output) /
// (Σ window), and 0 where a lane's window sum is 0. The lanes' models must share sources, rate
// and channels; `mix` has their rate and channels.
void applyChunked(const AudioBuffer& mix, std::vector<ChunkLane>& lanes, const ChunkNormalisation& normalisation,
                  StemSink& sink, const ProgressCallback& progress);

}  // namespace midistems::separate
