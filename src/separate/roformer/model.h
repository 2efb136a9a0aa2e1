#pragma once
// BS-RoFormer (Music-Source-Separation-Training, models/bs_roformer/bs_roformer.py, class
// BSRoformer): an STFT whose stereo bins are folded into one vector per frame, a band split (an
// RMSNorm and a Linear per band of fixed width), `depth` blocks of axial transformers (over the
// frames of each band, then over the bands of each frame) with rotary position embeddings and
// per-head sigmoid gates, a final RMSNorm, and one mask estimator per stem (an MLP per band, then
// GLU) whose complex masks multiply the STFT before the inverse STFT.
// Mel-Band RoFormer (mel_band_roformer.py, class MelBandRoformer) differs in four places: its
// bands are overlapping mel ranges whose masks are averaged where they overlap, every transformer
// ends with its own RMSNorm (and there is no final_norm), its MLPs have mask_estimator_depth + 1
// layers, and it returns hop * (L // hop) samples (the rest here is zero).
// One struct per reference module, members named like the checkpoint keys:
// `layers.3.1.layers.0.0.to_qkv.weight` lives in layers[3].freq.layers[0].attn.to_qkv.
#include <complex>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/fft.h"
#include "nn/ops/tensor.h"
#include "nn/weights.h"
#include "separate/chunked/segment_model.h"
#include "separate/roformer/config.h"

namespace midistems::separate::roformer {

struct Linear {
  nn::Tensor weight, bias;  // bias empty when the layer has none
  int64_t in = 0, out = 0;
  void load(nn::WeightSource& src, const std::string& prefix, int64_t in, int64_t out, bool withBias);
  // y (rows, out), rows `ldy` apart = x (rows, in) contiguous * weight^T + bias
  void forward(const float* x, int64_t rows, float* y, int64_t ldy) const;
  // y += x * weight^T + bias (a residual connection without a separate output buffer)
  void forwardAdd(const float* x, int64_t rows, float* y, int64_t ldy) const;
};

// Attention: norm (.norm), to_qkv, to_gates, to_out.0; rotary_embed.freqs.
struct Attention {
  nn::Tensor norm, rotaryFreqs;
  Linear to_qkv, to_gates, to_out;
};

// FeedForward: net.0 (RMSNorm), net.1 (Linear), GELU, net.4 (Linear).
struct FeedForward {
  nn::Tensor norm;
  Linear in, out;
};

struct TransformerLayer {
  Attention attn;  // .0
  FeedForward ff;  // .1
};

// Transformer: layers.j, then `norm` (Mel only; BS-RoFormer builds them with norm_output=False).
struct Transformer {
  std::vector<TransformerLayer> layers;
  nn::Tensor norm;
  void load(nn::WeightSource& src, const std::string& prefix, const RoformerConfig& c, int64_t depth);
};

struct AxialBlock {
  Transformer time;  // layers.i.0
  Transformer freq;  // layers.i.1
};

struct BandSplit {
  std::vector<nn::Tensor> norm;  // to_features.k.0.gamma
  std::vector<Linear> linear;    // to_features.k.1
};

struct MaskEstimator {
  std::vector<std::vector<Linear>> to_freqs;  // to_freqs.k.0.(2 j): the MLP of band k
};

class RoformerModel : public SegmentModel {
 public:
  RoformerModel(const RoformerConfig& config, nn::WeightSource& weights);
  ~RoformerModel() override;

  const RoformerConfig& config() const { return config_; }
  const std::vector<std::string>& sourceNames() const override { return config_.sources; }
  int sampleRate() const override { return config_.sampleRate; }
  int audioChannels() const override { return int(config_.audioChannels()); }
  int64_t segmentLength() const override { return config_.chunkSize; }
  // input (channels, length), output (stems, channels, length); any length > nfft / 2.
  void forward(const float* input, int64_t length, float* output) override;

  // The stages, for tests. Frame vectors: (frames, bins * channels * 2) as the reference packs them.
  nn::Tensor stft(const float* input, int64_t length) const;
  nn::Tensor bandSplit(const nn::Tensor& frames) const;                   // (frames, bands, dim)
  void timeTransformer(const Transformer& t, nn::Tensor& x);              // x (frames, bands, dim)
  void freqTransformer(const Transformer& t, nn::Tensor& x);              // x (frames, bands, dim)
  void finalNorm(nn::Tensor& x) const;
  nn::Tensor maskEstimator(int64_t stem, const nn::Tensor& x) const;      // (frames, bins * channels * 2)
  void istft(const nn::Tensor& spectrum, const nn::Tensor& mask, int64_t length, float* output) const;

  std::vector<AxialBlock> layers;
  nn::Tensor final_norm;  // BS only
  BandSplit band_split;
  std::vector<MaskEstimator> mask_estimators;

 private:
  void runTransformer(const Transformer& t, float* x, int64_t sequences, int64_t length, int64_t sequenceStride,
                      int64_t positionStride);

  RoformerConfig config_;
  std::vector<float> bandsPerBin_;  // how many bands cover each bin (the mask average's divisor)
  std::vector<float> window_;       // periodic Hann
  std::unique_ptr<RealFft> fft_;
  nn::Tensor xn_, qkv_, gates_, heads_, hidden_;
};

}  // namespace midistems::separate::roformer
