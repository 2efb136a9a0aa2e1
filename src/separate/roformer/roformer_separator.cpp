#include "separate/roformer/roformer_separator.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "nn/ops/parallel.h"
#include "nn/weights.h"

namespace midistems::separate::roformer {
namespace {

// torch.linspace(start, end, steps) in float32: the first half counted from start, the second
// from end.
std::vector<float> linspace(float start, float end, int64_t steps) {
  std::vector<float> v(static_cast<size_t>(steps));
  if (steps == 1) {
    v[0] = start;
    return v;
  }
  const float step = (end - start) / float(steps - 1);
  const int64_t halfway = steps / 2;
  for (int64_t i = 0; i < steps; ++i)
    v[size_t(i)] = i < halfway ? start + step * float(i) : end - step * float(steps - i - 1);
  return v;
}

class DemixSchedule : public ChunkSchedule {
 public:
  DemixSchedule(const RoformerConfig& c, int64_t length) : length_(length), chunk_(c.chunkSize) {
    step_ = chunk_ / c.numOverlap;
    const int64_t border = chunk_ - step_;
    const int64_t fade = chunk_ / 10;
    border_ = length > 2 * border && border > 0 ? border : 0;
    padded_ = length + 2 * border_;
    chunks_ = (padded_ + step_ - 1) / step_;
    batch_ = c.batchSize;
    // _getWindowingArray: ones, fade-in linspace(0, 1, fade), fade-out linspace(1, 0, fade).
    const std::vector<float> in = linspace(0.0f, 1.0f, fade), out = linspace(1.0f, 0.0f, fade);
    std::vector<float> full(size_t(chunk_), 1.0f);
    std::copy(in.begin(), in.end(), full.begin());
    std::copy(out.begin(), out.end(), full.end() - fade);
    windows_[0] = full;  // both fades
    windows_[1] = full;  // no fade-in
    std::fill_n(windows_[1].begin(), fade, 1.0f);
    windows_[2] = full;  // no fade-out
    std::fill(windows_[2].end() - fade, windows_[2].end(), 1.0f);
  }
  int64_t chunks() const override { return chunks_; }
  void inputIndices(int64_t k, int64_t segment, int64_t* index) const override {
    const int64_t start = k * step_, len = std::min(chunk_, padded_ - start);
    const bool reflectTail = len > chunk_ / 2;
    for (int64_t i = 0; i < segment; ++i) {
      int64_t j = i;  // position in the chunk's own samples
      if (i >= len) {
        if (!reflectTail) {
          index[i] = -1;
          continue;
        }
        j = 2 * (len - 1) - i;
      }
      // padded position -> track sample (the song itself reflected at its ends)
      const int64_t m = start + j - border_;
      index[i] = m < 0 ? -m : m >= length_ ? 2 * (length_ - 1) - m : m;
    }
  }
  Placement placement(int64_t k) const override {
    const int64_t start = k * step_, len = std::min(chunk_, padded_ - start);
    const int64_t batchEnd = std::min(chunks_, (k / batch_ + 1) * batch_);  // one past the batch's last chunk
    int which = 0;
    if (batchEnd == 1) which = 1;                 // the batch is chunk 0 alone
    else if (batchEnd == chunks_) which = 2;      // the batch holds the last chunk
    return {0, len, start - border_, windows_[which].data()};
  }
  int64_t finalBefore(int64_t k) const override { return k + 1 < chunks_ ? (k + 1) * step_ - border_ : length_; }

 private:
  int64_t length_, chunk_, step_ = 1, border_ = 0, padded_ = 0, chunks_ = 0, batch_ = 1;
  std::vector<float> windows_[3];
};

class RoformerSeparator : public Separator {
 public:
  RoformerSeparator(std::unique_ptr<RoformerModel> model, const RoformerOptions& options)
      : model_(std::move(model)), options_(options) {}
  std::vector<std::string> sources() const override { return model_->sourceNames(); }
  int sampleRate() const override { return model_->sampleRate(); }
  int channels() const override { return model_->audioChannels(); }

  void separate(const AudioBuffer& mix, StemSink& sink, const ProgressCallback& progress) override {
    if (mix.numChannels() != channels())
      throw Error("RoFormer: the mix has " + std::to_string(mix.numChannels()) + " channels, the model needs " +
                  std::to_string(channels()));
    if (mix.sampleRate != sampleRate())
      throw Error("RoFormer: the mix is at " + std::to_string(mix.sampleRate) + " Hz, the model needs " +
                  std::to_string(sampleRate()) + " Hz");
    const int64_t length = mix.numFrames();
    if (length == 0) return;
    for (const auto& ch : mix.channels)
      for (float v : ch)
        if (!std::isfinite(v)) throw Error("RoFormer: the mix contains non-finite samples");
    nn::setThreads(options_.threads);
    std::vector<ChunkLane> lanes(1);
    lanes[0].model = model_.get();
    lanes[0].schedule = makeDemixSchedule(model_->config(), length);
    lanes[0].sourceWeight.assign(model_->sourceNames().size(), 1.0f);
    applyChunked(mix, lanes, {}, sink, progress);
  }

 private:
  std::unique_ptr<RoformerModel> model_;
  RoformerOptions options_;
};

}  // namespace

std::unique_ptr<ChunkSchedule> makeDemixSchedule(const RoformerConfig& config, int64_t length) {
  return std::make_unique<DemixSchedule>(config, length);
}

std::unique_ptr<RoformerModel> buildRoformerModel(const RoformerConfig& config, nn::Checkpoint checkpoint,
                                                      const std::string& name) {
  nn::CheckpointWeights weights(std::move(checkpoint.state), name);
  return std::make_unique<RoformerModel>(config, weights);
}

std::unique_ptr<Separator> makeRoformerSeparator(std::unique_ptr<RoformerModel> model, const RoformerOptions& options) {
  return std::make_unique<RoformerSeparator>(std::move(model), options);
}

}  // namespace midistems::separate::roformer
