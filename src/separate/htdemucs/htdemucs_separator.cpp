#include "separate/htdemucs/htdemucs_separator.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <string>

#include "core/error.h"
#include "nn/checkpoint.h"
#include "nn/ops/parallel.h"

namespace midistems::separate {
namespace {

using htdemucs::HTDemucsModel;

// One pass of apply_model's split loop over the mix delayed by `delay` samples (a shift), for one
// model, with its overlap-add state kept from `base` (the first sample not yet emitted) on.
struct Lane {
  HTDemucsModel* model = nullptr;
  int64_t delay = 0;
  std::vector<float> sourceWeight;  // bag weight / per-source total / shifts
  int64_t segment = 0, stride = 0, chunks = 0;
  std::vector<float> window;  // triangular weights
  std::vector<std::vector<float>> sums;  // [source * channels + c][m - base]
  std::vector<float> weightSums;         // [m - base]
  int64_t finalEnd = 0;                  // samples below this are complete
};

class HTDemucsSeparator : public Separator {
 public:
  HTDemucsSeparator(std::vector<std::unique_ptr<HTDemucsModel>> models, const std::vector<std::vector<float>>& bagWeights,
                    const HTDemucsOptions& options)
      : models_(std::move(models)), options_(options) {
    if (models_.empty()) throw Error("HTDemucs: no model given");
    if (!(options.overlap >= 0.0 && options.overlap < 1.0))
      throw Error("HTDemucs: overlap must be in [0, 1), got " + std::to_string(options.overlap));
    if (options.shifts < 0) throw Error("HTDemucs: shifts must not be negative");
    const auto& first = models_[0]->config();
    for (const auto& m : models_) {
      const auto& c = m->config();
      if (c.sources != first.sources || c.samplerate != first.samplerate || c.audioChannels != first.audioChannels)
        throw Error("HTDemucs: the models of a bag must have the same sources, sample rate and channels");
    }
    const size_t numSources = first.sources.size();
    if (bagWeights.empty()) {
      weights_.assign(models_.size(), std::vector<float>(numSources, 1.0f));
    } else {
      if (bagWeights.size() != models_.size())
        throw Error("HTDemucs: " + std::to_string(bagWeights.size()) + " weight rows for " +
                    std::to_string(models_.size()) + " models");
      for (const auto& row : bagWeights)
        if (row.size() != numSources)
          throw Error("HTDemucs: a bag weight row has " + std::to_string(row.size()) + " values for " +
                      std::to_string(numSources) + " sources");
      weights_ = bagWeights;
    }
    totals_.assign(numSources, 0.0f);
    for (const auto& row : weights_)
      for (size_t s = 0; s < numSources; ++s) totals_[s] += row[s];
    for (size_t s = 0; s < numSources; ++s)
      if (!(totals_[s] > 0.0f)) throw Error("HTDemucs: bag weights of source '" + first.sources[s] + "' sum to zero");
  }

  std::vector<std::string> sources() const override { return models_[0]->config().sources; }
  int sampleRate() const override { return models_[0]->config().samplerate; }
  int channels() const override { return models_[0]->config().audioChannels; }

  void separate(const AudioBuffer& mix, StemSink& sink, const ProgressCallback& progress) override;

 private:
  std::vector<Lane> makeLanes(int64_t length) const;

  std::vector<std::unique_ptr<HTDemucsModel>> models_;
  std::vector<std::vector<float>> weights_;
  std::vector<float> totals_;
  HTDemucsOptions options_;
};

std::vector<Lane> HTDemucsSeparator::makeLanes(int64_t length) const {
  std::mt19937_64 rng(options_.seed);
  const int64_t maxShift = int64_t(0.5 * sampleRate());  // apply.py: int(0.5 * samplerate)
  std::vector<Lane> lanes;
  const int passes = std::max(1, options_.shifts);
  for (size_t m = 0; m < models_.size(); ++m) {
    // A model whose weights are all zero cannot change the result: it is not run at all. Its
    // shift draws are still made, so the other models see the same offsets as the reference.
    const bool contributes = std::any_of(weights_[m].begin(), weights_[m].end(), [](float w) { return w != 0.0f; });
    for (int pass = 0; pass < passes; ++pass) {
      Lane lane;
      lane.model = models_[m].get();
      if (options_.shifts > 0) {
        // apply.py: offset = randint(0, max_shift); the shifted mix is the track delayed by
        // max_shift - offset, and its output is read back from that delay on.
        std::uniform_int_distribution<int64_t> offset(0, maxShift);
        lane.delay = maxShift - offset(rng);
      }
      if (!contributes) continue;
      for (size_t s = 0; s < totals_.size(); ++s)
        lane.sourceWeight.push_back(weights_[m][s] / totals_[s] / float(passes));
      lane.segment = lane.model->segmentLength();
      lane.stride = std::max<int64_t>(1, int64_t((1.0 - options_.overlap) * double(lane.segment)));
      const int64_t laneLength = length + lane.delay;
      lane.chunks = (laneLength + lane.stride - 1) / lane.stride;
      // th.cat([arange(1, segment // 2 + 1), arange(segment - segment // 2, 0, -1)]) / max
      const int64_t half = lane.segment / 2;
      const float peak = float(std::max(half, lane.segment - half));
      lane.window.resize(size_t(lane.segment));
      for (int64_t i = 0; i < lane.segment; ++i)
        lane.window[size_t(i)] = float(i < half ? i + 1 : lane.segment - i) / peak;
      lanes.push_back(std::move(lane));
    }
  }
  return lanes;
}

void HTDemucsSeparator::separate(const AudioBuffer& mix, StemSink& sink, const ProgressCallback& progress) {
  const int64_t length = mix.numFrames();
  const int64_t ac = channels(), numSources = int64_t(totals_.size());
  if (mix.numChannels() != ac)
    throw Error("HTDemucs: the mix has " + std::to_string(mix.numChannels()) + " channels, the model needs " +
                std::to_string(ac));
  if (mix.sampleRate != sampleRate())
    throw Error("HTDemucs: the mix is at " + std::to_string(mix.sampleRate) + " Hz, the model needs " +
                std::to_string(sampleRate()) + " Hz");
  if (length == 0) return;
  for (const auto& ch : mix.channels)
    for (float v : ch)
      if (!std::isfinite(v)) throw Error("HTDemucs: the mix contains non-finite samples");
  nn::setThreads(options_.threads);

  // api.Separator: ref = mix.mean(0); mix = (mix - ref.mean()) / (ref.std() + 1e-8). The mono
  // reference is recomputed on the fly (two passes) rather than stored: no copy of the song.
  auto monoAt = [&](int64_t i) {
    float s = 0.0f;
    for (int64_t c = 0; c < ac; ++c) s += mix.channels[size_t(c)][size_t(i)];
    return s / float(ac);
  };
  double sum = 0.0;
  for (int64_t i = 0; i < length; ++i) sum += monoAt(i);
  const double refMean = sum / double(length);
  double squares = 0.0;
  for (int64_t i = 0; i < length; ++i) squares += (double(monoAt(i)) - refMean) * (double(monoAt(i)) - refMean);
  const float mean = float(refMean);
  const float scale = float(std::sqrt(squares / double(std::max<int64_t>(1, length - 1)))) + 1e-8f;

  std::vector<Lane> lanes = makeLanes(length);
  int64_t rounds = 0;
  for (const Lane& lane : lanes) rounds = std::max(rounds, lane.chunks);
  int64_t emitted = 0;
  std::vector<float> input, output;
  for (int64_t round = 0; round < rounds; ++round) {
    for (Lane& lane : lanes) {
      if (round >= lane.chunks) continue;
      const int64_t laneLength = length + lane.delay;
      const int64_t offset = round * lane.stride;
      const int64_t chunkLength = std::min(lane.segment, laneLength - offset);
      // TensorChunk.padded: centred in a segment, real neighbouring audio where it exists.
      const int64_t start = offset - (lane.segment - chunkLength) / 2;
      input.assign(size_t(ac * lane.segment), 0.0f);
      for (int64_t c = 0; c < ac; ++c) {
        const float* src = mix.channels[size_t(c)].data();
        float* dst = input.data() + c * lane.segment;
        for (int64_t i = 0; i < lane.segment; ++i) {
          const int64_t m = start + i - lane.delay;  // sample of the track
          if (m >= 0 && m < length) dst[i] = (src[m] - mean) / scale;
        }
      }
      output.resize(size_t(numSources * ac * lane.segment));
      lane.model->forward(input.data(), lane.segment, output.data());
      // center_trim to chunkLength, weight, accumulate in track coordinates.
      const int64_t trim = (lane.segment - chunkLength) / 2;
      const int64_t firstM = std::max<int64_t>(0, offset - lane.delay);
      const int64_t endM = std::min<int64_t>(length, offset + chunkLength - lane.delay);
      if (endM > firstM) {
        const size_t needed = size_t(endM - emitted);
        if (lane.sums.empty()) lane.sums.resize(size_t(numSources * ac));
        for (auto& row : lane.sums)
          if (row.size() < needed) row.resize(needed, 0.0f);
        if (lane.weightSums.size() < needed) lane.weightSums.resize(needed, 0.0f);
        for (int64_t m = firstM; m < endM; ++m) {
          const int64_t i = m + lane.delay - offset;  // position in the trimmed chunk
          lane.weightSums[size_t(m - emitted)] += lane.window[size_t(i)];
        }
        for (int64_t row = 0; row < numSources * ac; ++row) {
          const float* src = output.data() + row * lane.segment + trim;
          float* dst = lane.sums[size_t(row)].data() - emitted;
          for (int64_t m = firstM; m < endM; ++m) {
            const int64_t i = m + lane.delay - offset;
            dst[m] += lane.window[size_t(i)] * src[i];
          }
        }
      }
      lane.finalEnd = round + 1 < lane.chunks ? std::clamp<int64_t>((round + 1) * lane.stride - lane.delay, 0, length)
                                              : length;
    }
    int64_t finalEnd = length;
    for (const Lane& lane : lanes) finalEnd = std::min(finalEnd, lane.finalEnd);
    if (finalEnd > emitted) {
      const int64_t n = finalEnd - emitted;
      std::vector<AudioBuffer> block(size_t(numSources), AudioBuffer(int(ac), n, sampleRate()));
      for (const Lane& lane : lanes)
        for (int64_t s = 0; s < numSources; ++s)
          for (int64_t c = 0; c < ac; ++c) {
            const float* acc = lane.sums[size_t(s * ac + c)].data();
            float* dst = block[size_t(s)].channels[size_t(c)].data();
            const float w = lane.sourceWeight[size_t(s)];
            for (int64_t i = 0; i < n; ++i) dst[i] += w * (acc[i] / lane.weightSums[size_t(i)]);
          }
      for (auto& stem : block)
        for (auto& ch : stem.channels)
          for (float& v : ch) v = v * scale + mean;
      sink.write(block, emitted, n);
      for (Lane& lane : lanes) {
        for (auto& row : lane.sums) row.erase(row.begin(), row.begin() + std::min<int64_t>(n, int64_t(row.size())));
        lane.weightSums.erase(lane.weightSums.begin(),
                              lane.weightSums.begin() + std::min<int64_t>(n, int64_t(lane.weightSums.size())));
      }
      emitted = finalEnd;
    }
    if (progress) progress(double(round + 1) / double(rounds));
  }
}

}  // namespace

std::unique_ptr<htdemucs::HTDemucsModel> loadHTDemucsModel(const std::filesystem::path& file) {
  // Named by the path as given, as the checkpoint reader names it.
  return buildHTDemucsModel(nn::loadCheckpoint(file), file.string());
}

std::unique_ptr<htdemucs::HTDemucsModel> buildHTDemucsModel(nn::Checkpoint checkpoint, const std::string& name) {
  if (!checkpoint.klass.empty() && checkpoint.klass != "demucs.htdemucs.HTDemucs")
    throw Error(name + ": a " + checkpoint.klass + " checkpoint, not HTDemucs (demucs.htdemucs.HTDemucs)");
  const htdemucs::HTDemucsConfig config = htdemucs::HTDemucsConfig::fromKwargs(checkpoint.kwargs, name);
  htdemucs::CheckpointWeights weights(std::move(checkpoint.state), name);
  return std::make_unique<htdemucs::HTDemucsModel>(config, weights);
}

std::unique_ptr<Separator> makeHTDemucsSeparator(std::vector<std::unique_ptr<htdemucs::HTDemucsModel>> models,
                                                 const std::vector<std::vector<float>>& bagWeights,
                                                 const HTDemucsOptions& options) {
  return std::make_unique<HTDemucsSeparator>(std::move(models), bagWeights, options);
}

std::unique_ptr<Separator> openHTDemucs(const std::vector<std::filesystem::path>& modelFiles,
                                        const std::vector<std::vector<float>>& bagWeights,
                                        const HTDemucsOptions& options) {
  std::vector<std::unique_ptr<htdemucs::HTDemucsModel>> models;
  for (const auto& file : modelFiles) models.push_back(loadHTDemucsModel(file));
  return makeHTDemucsSeparator(std::move(models), bagWeights, options);
}

}  // namespace midistems::separate
