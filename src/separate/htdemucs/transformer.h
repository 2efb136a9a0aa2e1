#pragma once
// The cross-domain transformer of HTDemucs (demucs/transformer.py, CrossTransformerEncoder with
// norm_first, sin embeddings, no sparsity): a frequency branch of (frames x freqs) tokens and a
// time branch of (samples) tokens, alternating self-attention layers with layers in which each
// branch attends to the other. Members mirror the checkpoint keys under `crosstransformer.`.
#include <cstdint>
#include <string>
#include <vector>

#include "nn/ops/attention.h"
#include "nn/ops/tensor.h"
#include "nn/weights.h"

namespace midistems::separate::htdemucs {

using nn::CheckpointWeights;
using nn::RandomWeights;
using nn::TensorKind;
using nn::WeightSource;

struct LayerNormWeights {
  nn::Tensor weight, bias;
  void load(WeightSource& src, const std::string& prefix, int64_t dim);
};

// MyTransformerEncoderLayer (self) or CrossTransformerEncoderLayer (cross), norm_first.
struct TransformerLayer {
  bool cross = false;
  // self_attn.* or cross_attn.*
  nn::Tensor in_proj_weight, in_proj_bias, out_proj_weight, out_proj_bias;
  nn::Tensor linear1_weight, linear1_bias, linear2_weight, linear2_bias;
  LayerNormWeights norm1, norm2, norm3;  // norm3 only in cross layers
  LayerNormWeights norm_out;             // GroupNorm(1, dim) over all tokens; when t_norm_out
  nn::Tensor gamma_1, gamma_2;           // LayerScale; when t_layer_scale
  bool hasNormOut = false, hasLayerScale = false;

  void load(WeightSource& src, const std::string& prefix, bool isCross, int64_t dim, int64_t hidden, bool normOut,
            bool layerScale);
};

struct TransformerScratch {
  nn::Tensor normed, normedOther, attended, hidden, ffn, previous;
  nn::AttentionScratch attention;
};

class CrossTransformerEncoder {
 public:
  struct Options {
    int64_t dim = 512, hidden = 2048, heads = 8, layers = 5;
    bool normIn = true, normOut = true, layerScale = true, crossFirst = false;
    double maxPeriod = 10000.0, weightPosEmbed = 1.0;
  };
  void load(WeightSource& src, const std::string& prefix, const Options& options);

  // x: frequency tokens (frames * freqs, dim), time-major (token = frame * freqs + freq);
  // xt: time tokens (samples, dim). Both are transformed in place.
  void forward(nn::Tensor& x, int64_t freqs, int64_t frames, nn::Tensor& xt, TransformerScratch& scratch) const;

  // norm_in / norm_in_t
  LayerNormWeights norm_in, norm_in_t;
  std::vector<TransformerLayer> layers, layers_t;

 private:
  void runLayer(const TransformerLayer& layer, nn::Tensor& x, const nn::Tensor* other, TransformerScratch& s) const;
  Options options_;
};

// Positional embeddings exactly as transformer.py computes them in float32.
// create_2d_sin_embedding, laid out (frames * freqs, dim) time-major.
void sin2dEmbedding(int64_t dim, int64_t freqs, int64_t frames, double maxPeriod, float* out);
// create_sin_embedding, laid out (length, dim).
void sin1dEmbedding(int64_t length, int64_t dim, double maxPeriod, float* out);

}  // namespace midistems::separate::htdemucs
