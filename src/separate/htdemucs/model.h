#pragma once
// The HTDemucs network (demucs/htdemucs.py, Demucs v4): a spectrogram branch and a waveform
// branch, each a U-Net of `depth` encoder/decoder layers with DConv residual branches, meeting
// only in the cross-domain transformer. One struct per reference module, members named like the
// checkpoint keys, so `encoder.1.dconv.layers.0.3.weight` lives in
// encoder[1].dconv->layers[0].conv1x1 (the Sequential index is kept in the comment).
//
// Convolution weights that the kernels read in a rearranged layout (the *Prepared members) are
// released after loading; their shapes were checked against the checkpoint.
//
// Feature maps of the spectrogram branch are stored frequency-major (freqs, channels, frames),
// see nn/ops/conv.h; waveform maps are (channels, samples).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "nn/ops/conv.h"
#include "nn/ops/stft.h"
#include "nn/ops/tensor.h"
#include "separate/htdemucs/config.h"
#include "separate/chunked/segment_model.h"
#include "separate/htdemucs/transformer.h"
#include "nn/weights.h"

namespace midistems::separate::htdemucs {

struct ConvWeights {
  nn::Tensor weight, bias;
};

// demucs.demucs.DConv: layers[j] = Sequential(Conv1d k3 dilation 2^j (0), GroupNorm(1) (1),
// GELU (2), Conv1d 1x1 (3), GroupNorm(1) (4), GLU (5), LayerScale (6)), x += layer(x).
struct DConvLayer {
  ConvWeights conv;     // .0
  ConvWeights norm1;    // .1 (GroupNorm affine)
  ConvWeights conv1x1;  // .3
  ConvWeights norm2;    // .4 (GroupNorm affine)
  nn::Tensor scale;     // .6.scale
  int64_t dilation = 1;
};

struct DConv {
  std::vector<DConvLayer> layers;
  int64_t channels = 0, hidden = 0;
  void load(WeightSource& src, const std::string& prefix, int64_t channels, int64_t compress, int64_t depth);
  // x: (batch, channels, length), updated in place.
  void forward(float* x, int64_t batch, int64_t length) const;
};

// HEncLayer: conv (stride) -> GELU -> DConv -> rewrite (1x1) -> GLU.
struct HEncLayer {
  bool freq = true;
  int64_t chin = 0, chout = 0, kernel = 8, stride = 4, pad = 2, contextEnc = 0;
  ConvWeights conv, rewrite;
  std::optional<DConv> dconv;
  nn::FloatVector convPrepared, rewritePrepared;  // frequency branch: rearranged Conv2d weights

  void load(WeightSource& src, const std::string& prefix, const HTDemucsConfig& c, bool isFreq, int64_t in,
            int64_t out, bool withDConv);
  // freq: x (freqs, chin, frames) -> (freqs / stride, chout, frames)
  // time: x (chin, samples) -> (chout, ceil(samples / stride))
  nn::Tensor forward(const nn::Tensor& x) const;
};

// HDecLayer: x + skip -> rewrite (3x3 / k3) -> GLU -> DConv -> transposed conv -> crop -> GELU
// (except the last layer).
struct HDecLayer {
  bool freq = true, last = false;
  int64_t chin = 0, chout = 0, kernel = 8, stride = 4, pad = 2, context = 1;
  ConvWeights conv_tr, rewrite;
  std::optional<DConv> dconv;
  nn::FloatVector convTrPrepared, rewritePrepared;

  void load(WeightSource& src, const std::string& prefix, const HTDemucsConfig& c, bool isFreq, int64_t in,
            int64_t out, bool isLast, bool withDConv);
  // x is consumed (skip is added into it). freq: (freqs, chin, frames) -> (freqs * stride, chout,
  // frames); time: (chin, samples) -> (chout, length).
  nn::Tensor forward(nn::Tensor& x, const nn::Tensor& skip, int64_t length) const;
};

class HTDemucsModel : public SegmentModel {
 public:
  HTDemucsModel(const HTDemucsConfig& config, WeightSource& weights);

  const HTDemucsConfig& config() const { return config_; }
  int64_t numSources() const { return int64_t(config_.sources.size()); }
  // The model always runs on segmentLength() samples (use_train_segment); shorter input is
  // zero-padded at the end, exactly as the reference.
  int64_t segmentLength() const override { return config_.segmentLength(); }
  const std::vector<std::string>& sourceNames() const override { return config_.sources; }
  int sampleRate() const override { return config_.samplerate; }
  int audioChannels() const override { return int(config_.audioChannels); }

  // mix: (audioChannels, length) planar, length <= segmentLength();
  // out: (sources, audioChannels, length).
  void forward(const float* mix, int64_t length, float* out) override;

  // Module tree, named as in the checkpoint.
  std::vector<HEncLayer> encoder, tencoder;
  std::vector<HDecLayer> decoder, tdecoder;  // decoder[0] is the innermost layer
  nn::Tensor freq_emb;                       // freq_emb.embedding.weight (freqs, channels)
  std::optional<ConvWeights> channel_upsampler, channel_downsampler, channel_upsampler_t, channel_downsampler_t;
  std::optional<CrossTransformerEncoder> crosstransformer;

 private:
  nn::Tensor spectrogramInput(const float* mix, int64_t length, std::vector<std::complex<float>>& spectrum) const;
  void toTokens(const nn::Tensor& x, nn::Tensor& tokens, const nn::Tensor& xt, nn::Tensor& tokensT) const;
  void fromTokens(const nn::Tensor& tokens, nn::Tensor& x, const nn::Tensor& tokensT, nn::Tensor& xt) const;

  HTDemucsConfig config_;
  nn::DemucsSpectrogram spectrogram_;
  TransformerScratch transformerScratch_;
};

}  // namespace midistems::separate::htdemucs
