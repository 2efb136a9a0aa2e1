#include "separate/chunked/chunked_apply.h"

#include <algorithm>

namespace midistems::separate {
namespace {

// A lane's overlap-add state from the first sample not yet emitted on.
struct LaneState {
  std::vector<std::vector<float>> sums;  // [source * channels + c][m - emitted]
  std::vector<float> weightSums;         // [m - emitted]
  int64_t finalEnd = 0;                  // samples below this are complete
};

}  // namespace

void applyChunked(const AudioBuffer& mix, std::vector<ChunkLane>& lanes, const ChunkNormalisation& normalisation,
                  StemSink& sink, const ProgressCallback& progress) {
  const int64_t length = mix.numFrames();
  if (length == 0 || lanes.empty()) return;
  const int64_t ac = mix.numChannels();
  const int64_t numSources = int64_t(lanes[0].model->sourceNames().size());
  const float mean = normalisation.mean, scale = normalisation.scale;
  std::vector<LaneState> states(lanes.size());
  int64_t rounds = 0;
  for (const ChunkLane& lane : lanes) rounds = std::max(rounds, lane.schedule->chunks());
  int64_t emitted = 0;
  std::vector<float> input, output;
  std::vector<int64_t> index;
  for (int64_t round = 0; round < rounds; ++round) {
    for (size_t l = 0; l < lanes.size(); ++l) {
      ChunkLane& lane = lanes[l];
      LaneState& state = states[l];
      if (round >= lane.schedule->chunks()) continue;
      const int64_t segment = lane.model->segmentLength();
      index.resize(size_t(segment));
      lane.schedule->inputIndices(round, segment, index.data());
      input.assign(size_t(ac * segment), 0.0f);
      for (int64_t c = 0; c < ac; ++c) {
        const float* src = mix.channels[size_t(c)].data();
        float* dst = input.data() + c * segment;
        for (int64_t i = 0; i < segment; ++i)
          if (index[size_t(i)] >= 0) dst[i] = (src[index[size_t(i)]] - mean) / scale;
      }
      output.resize(size_t(numSources * ac * segment));
      lane.model->forward(input.data(), segment, output.data());
      const ChunkSchedule::Placement place = lane.schedule->placement(round);
      const int64_t firstM = std::max<int64_t>(0, place.begin + place.trackOffset);
      const int64_t endM = std::min<int64_t>(length, place.end + place.trackOffset);
      if (endM > firstM) {
        const size_t needed = size_t(endM - emitted);
        if (state.sums.empty()) state.sums.resize(size_t(numSources * ac));
        for (auto& row : state.sums)
          if (row.size() < needed) row.resize(needed, 0.0f);
        if (state.weightSums.size() < needed) state.weightSums.resize(needed, 0.0f);
        // Track sample m is output sample m - trackOffset, window entry m - trackOffset - begin.
        const int64_t j0 = firstM - place.trackOffset, count = endM - firstM;
        const float* window = place.window + (j0 - place.begin);
        float* ws = state.weightSums.data() + (firstM - emitted);
        for (int64_t i = 0; i < count; ++i) ws[i] += window[i];
        for (int64_t row = 0; row < numSources * ac; ++row) {
          const float* src = output.data() + row * segment + j0;
          float* dst = state.sums[size_t(row)].data() + (firstM - emitted);
          for (int64_t i = 0; i < count; ++i) dst[i] += window[i] * src[i];
        }
      }
      state.finalEnd = std::clamp<int64_t>(lane.schedule->finalBefore(round), 0, length);
    }
    int64_t finalEnd = length;
    for (const LaneState& state : states) finalEnd = std::min(finalEnd, state.finalEnd);
    if (finalEnd > emitted) {
      const int64_t n = finalEnd - emitted;
      std::vector<AudioBuffer> block(size_t(numSources), AudioBuffer(int(ac), n, mix.sampleRate));
      for (size_t l = 0; l < lanes.size(); ++l) {
        // A lane that has not reached these samples adds nothing to them (its weight sum is 0).
        const int64_t have = std::min<int64_t>(n, int64_t(states[l].weightSums.size()));
        for (int64_t s = 0; s < numSources; ++s)
          for (int64_t c = 0; c < ac; ++c) {
            const float* acc = states[l].sums[size_t(s * ac + c)].data();
            const float* ws = states[l].weightSums.data();
            float* dst = block[size_t(s)].channels[size_t(c)].data();
            const float w = lanes[l].sourceWeight[size_t(s)];
            for (int64_t i = 0; i < have; ++i)
              if (ws[i] != 0.0f) dst[i] += w * (acc[i] / ws[i]);
          }
      }
      for (auto& stem : block)
        for (auto& ch : stem.channels)
          for (float& v : ch) v = v * scale + mean;
      sink.write(block, emitted, n);
      for (LaneState& state : states) {
        for (auto& row : state.sums) row.erase(row.begin(), row.begin() + std::min<int64_t>(n, int64_t(row.size())));
        state.weightSums.erase(state.weightSums.begin(),
                               state.weightSums.begin() + std::min<int64_t>(n, int64_t(state.weightSums.size())));
      }
      emitted = finalEnd;
    }
    if (progress) progress(double(round + 1) / double(rounds));
  }
}

}  // namespace midistems::separate
