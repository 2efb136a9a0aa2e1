#include "separate/htdemucs/htdemucs_separator.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <string>

#include "core/error.h"
#include "nn/checkpoint.h"
#include "nn/ops/parallel.h"
#include "separate/chunked/chunked_apply.h"

namespace midistems::separate {
namespace {

using htdemucs::HTDemucsModel;

// apply_model's split loop for one model over the mix delayed by `delay` samples (a shift):
// chunks of `segment` every `stride` samples, padded centrally with the neighbouring audio (zeros
// beyond the track), centre-trimmed outputs with triangular weights.
class HTDemucsSchedule : public ChunkSchedule {
 public:
  HTDemucsSchedule(int64_t length, int64_t delay, int64_t segment, double overlap)
      : length_(length), delay_(delay), segment_(segment) {
    stride_ = std::max<int64_t>(1, int64_t((1.0 - overlap) * double(segment)));
    chunks_ = (length + delay + stride_ - 1) / stride_;
    // th.cat([arange(1, segment // 2 + 1), arange(segment - segment // 2, 0, -1)]) / max
    const int64_t half = segment / 2;
    const float peak = float(std::max(half, segment - half));
    window_.resize(size_t(segment));
    for (int64_t i = 0; i < segment; ++i) window_[size_t(i)] = float(i < half ? i + 1 : segment - i) / peak;
  }
  int64_t chunks() const override { return chunks_; }
  void inputIndices(int64_t k, int64_t, int64_t* index) const override {
    const int64_t offset = k * stride_;
    // TensorChunk.padded: centred in a segment, real neighbouring audio where it exists.
    const int64_t start = offset - (segment_ - chunkLength(k)) / 2;
    for (int64_t i = 0; i < segment_; ++i) {
      const int64_t m = start + i - delay_;  // sample of the track
      index[i] = m >= 0 && m < length_ ? m : -1;
    }
  }
  Placement placement(int64_t k) const override {
    // center_trim to the chunk's length
    const int64_t trim = (segment_ - chunkLength(k)) / 2;
    return {trim, trim + chunkLength(k), k * stride_ - delay_ - trim, window_.data()};
  }
  int64_t finalBefore(int64_t k) const override {
    return k + 1 < chunks_ ? (k + 1) * stride_ - delay_ : length_;
  }

 private:
  int64_t chunkLength(int64_t k) const { return std::min(segment_, length_ + delay_ - k * stride_); }
  int64_t length_, delay_, segment_, stride_ = 1, chunks_ = 0;
  std::vector<float> window_;
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
  std::vector<ChunkLane> makeLanes(int64_t length) const;

  std::vector<std::unique_ptr<HTDemucsModel>> models_;
  std::vector<std::vector<float>> weights_;
  std::vector<float> totals_;
  HTDemucsOptions options_;
};

std::vector<ChunkLane> HTDemucsSeparator::makeLanes(int64_t length) const {
  std::mt19937_64 rng(options_.seed);
  const int64_t maxShift = int64_t(0.5 * sampleRate());  // apply.py: int(0.5 * samplerate)
  std::vector<ChunkLane> lanes;
  const int passes = std::max(1, options_.shifts);
  for (size_t m = 0; m < models_.size(); ++m) {
    // A model whose weights are all zero cannot change the result: it is not run at all. Its
    // shift draws are still made, so the other models see the same offsets as the reference.
    const bool contributes = std::any_of(weights_[m].begin(), weights_[m].end(), [](float w) { return w != 0.0f; });
    for (int pass = 0; pass < passes; ++pass) {
      int64_t delay = 0;
      if (options_.shifts > 0) {
        // apply.py: offset = randint(0, max_shift); the shifted mix is the track delayed by
        // max_shift - offset, and its output is read back from that delay on.
        std::uniform_int_distribution<int64_t> offset(0, maxShift);
        delay = maxShift - offset(rng);
      }
      if (!contributes) continue;
      ChunkLane lane;
      lane.model = models_[m].get();
      for (size_t s = 0; s < totals_.size(); ++s)
        lane.sourceWeight.push_back(weights_[m][s] / totals_[s] / float(passes));
      lane.schedule = std::make_unique<HTDemucsSchedule>(length, delay, lane.model->segmentLength(), options_.overlap);
      lanes.push_back(std::move(lane));
    }
  }
  return lanes;
}

void HTDemucsSeparator::separate(const AudioBuffer& mix, StemSink& sink, const ProgressCallback& progress) {
  const int64_t length = mix.numFrames();
  const int64_t ac = channels();
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

  std::vector<ChunkLane> lanes = makeLanes(length);
  applyChunked(mix, lanes, {mean, scale}, sink, progress);
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
