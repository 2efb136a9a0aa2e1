#include "separate/htdemucs/transformer.h"

#include <cmath>
#include <cstring>

#include "nn/ops/elementwise.h"
#include "nn/ops/gemm.h"
#include "nn/ops/parallel.h"

namespace midistems::separate::htdemucs {
namespace {

constexpr float kEps = 1e-5f;  // LayerNorm and GroupNorm defaults in the reference

// x[n, d] += gamma[d] * y[n, d] (gamma null: plain residual)
void addScaled(float* x, const float* y, const float* gamma, int64_t rows, int64_t dim) {
  nn::parallelFor((rows + 63) / 64, [&](int64_t task) {
    const int64_t end = std::min(rows, (task + 1) * 64);
    for (int64_t r = task * 64; r < end; ++r) {
      float* xr = x + r * dim;
      const float* yr = y + r * dim;
      if (gamma) {
#pragma omp simd
        for (int64_t d = 0; d < dim; ++d) xr[d] += gamma[d] * yr[d];
      } else {
#pragma omp simd
        for (int64_t d = 0; d < dim; ++d) xr[d] += yr[d];
      }
    }
  });
}

// GroupNorm(1, dim) of the reference (MyGroupNorm) on token-major data: statistics over every
// token and channel, affine per channel.
void groupNormAllTokens(float* x, int64_t rows, int64_t dim, const float* gamma, const float* beta) {
  const int64_t tasks = (rows + 255) / 256;
  std::vector<double> sums(static_cast<size_t>(tasks)), squares(static_cast<size_t>(tasks));
  nn::parallelFor(tasks, [&](int64_t task) {
    double s = 0.0, q = 0.0;
    const int64_t end = std::min(rows, (task + 1) * 256);
    for (int64_t i = task * 256 * dim; i < end * dim; ++i) {
      s += x[i];
      q += double(x[i]) * x[i];
    }
    sums[size_t(task)] = s;
    squares[size_t(task)] = q;
  });
  double s = 0.0, q = 0.0;
  for (int64_t t = 0; t < tasks; ++t) {
    s += sums[size_t(t)];
    q += squares[size_t(t)];
  }
  const double n = double(rows) * double(dim);
  const double mean = s / n;
  const double var = std::max(0.0, q / n - mean * mean);
  const float rstd = float(1.0 / std::sqrt(var + double(kEps)));
  const float m = float(mean);
  nn::parallelFor(tasks, [&](int64_t task) {
    const int64_t end = std::min(rows, (task + 1) * 256);
    for (int64_t r = task * 256; r < end; ++r) {
      float* xr = x + r * dim;
#pragma omp simd
      for (int64_t d = 0; d < dim; ++d) xr[d] = (xr[d] - m) * rstd * gamma[d] + beta[d];
    }
  });
}

// x + weight_pos_embed * embedding; the released models use weight 1.
void scaleIfNeeded(nn::Tensor& embedding, float weight) {
  if (weight == 1.0f) return;
  for (int64_t i = 0; i < embedding.numel(); ++i) embedding[i] *= weight;
}

}  // namespace

void LayerNormWeights::load(WeightSource& src, const std::string& prefix, int64_t dim) {
  weight = src.take(prefix + ".weight", {dim}, TensorKind::kNormWeight);
  bias = src.take(prefix + ".bias", {dim}, TensorKind::kNormBias);
}

void TransformerLayer::load(WeightSource& src, const std::string& prefix, bool isCross, int64_t dim, int64_t hidden,
                            bool normOut, bool layerScale) {
  cross = isCross;
  const std::string attn = prefix + (cross ? ".cross_attn" : ".self_attn");
  in_proj_weight = src.take(attn + ".in_proj_weight", {3 * dim, dim}, TensorKind::kWeight);
  in_proj_bias = src.take(attn + ".in_proj_bias", {3 * dim}, TensorKind::kBias);
  out_proj_weight = src.take(attn + ".out_proj.weight", {dim, dim}, TensorKind::kWeight);
  out_proj_bias = src.take(attn + ".out_proj.bias", {dim}, TensorKind::kBias);
  linear1_weight = src.take(prefix + ".linear1.weight", {hidden, dim}, TensorKind::kWeight);
  linear1_bias = src.take(prefix + ".linear1.bias", {hidden}, TensorKind::kBias);
  linear2_weight = src.take(prefix + ".linear2.weight", {dim, hidden}, TensorKind::kWeight);
  linear2_bias = src.take(prefix + ".linear2.bias", {dim}, TensorKind::kBias);
  norm1.load(src, prefix + ".norm1", dim);
  norm2.load(src, prefix + ".norm2", dim);
  if (cross) norm3.load(src, prefix + ".norm3", dim);
  hasNormOut = normOut;
  if (normOut) norm_out.load(src, prefix + ".norm_out", dim);
  hasLayerScale = layerScale;
  if (layerScale) {
    gamma_1 = src.take(prefix + ".gamma_1.scale", {dim}, TensorKind::kLayerScale);
    gamma_2 = src.take(prefix + ".gamma_2.scale", {dim}, TensorKind::kLayerScale);
  }
}

void CrossTransformerEncoder::load(WeightSource& src, const std::string& prefix, const Options& options) {
  options_ = options;
  if (options.normIn) {
    norm_in.load(src, prefix + ".norm_in", options.dim);
    norm_in_t.load(src, prefix + ".norm_in_t", options.dim);
  }
  const int classicParity = options.crossFirst ? 1 : 0;
  for (int64_t i = 0; i < options.layers; ++i) {
    const bool cross = i % 2 != classicParity;
    const std::string layerKey = prefix + ".layers." + std::to_string(i);
    const std::string layerKeyT = prefix + ".layers_t." + std::to_string(i);
    layers.emplace_back().load(src, layerKey, cross, options.dim, options.hidden, options.normOut,
                               options.layerScale);
    layers_t.emplace_back().load(src, layerKeyT, cross, options.dim, options.hidden,
                                 options.normOut, options.layerScale);
  }
}

void CrossTransformerEncoder::runLayer(const TransformerLayer& layer, nn::Tensor& x, const nn::Tensor* other,
                                       TransformerScratch& s) const {
  const int64_t rows = x.dim(0), dim = options_.dim;
  s.normed.resize({rows, dim});
  s.attended.resize({rows, dim});
  nn::layerNorm(x.data(), rows, dim, layer.norm1.weight.data(), layer.norm1.bias.data(), kEps, s.normed.data());
  nn::AttentionWeights w{layer.in_proj_weight.data(), layer.in_proj_bias.data(), layer.out_proj_weight.data(),
                         layer.out_proj_bias.data()};
  if (layer.cross) {
    const int64_t keys = other->dim(0);
    s.normedOther.resize({keys, dim});
    nn::layerNorm(other->data(), keys, dim, layer.norm2.weight.data(), layer.norm2.bias.data(), kEps,
                  s.normedOther.data());
    nn::multiHeadAttention(s.normed.data(), rows, s.normedOther.data(), keys, dim, options_.heads, w, s.attention,
                           s.attended.data());
  } else {
    nn::multiHeadAttention(s.normed.data(), rows, s.normed.data(), rows, dim, options_.heads, w, s.attention,
                           s.attended.data());
  }
  addScaled(x.data(), s.attended.data(), layer.hasLayerScale ? layer.gamma_1.data() : nullptr, rows, dim);

  const LayerNormWeights& ffnNorm = layer.cross ? layer.norm3 : layer.norm2;
  nn::layerNorm(x.data(), rows, dim, ffnNorm.weight.data(), ffnNorm.bias.data(), kEps, s.normed.data());
  const int64_t hidden = options_.hidden;
  s.hidden.resize({rows, hidden});
  nn::linear(s.normed.data(), rows, dim, layer.linear1_weight.data(), layer.linear1_bias.data(), hidden,
             s.hidden.data(), hidden);
  nn::gelu(s.hidden.data(), s.hidden.numel());
  nn::linear(s.hidden.data(), rows, hidden, layer.linear2_weight.data(), layer.linear2_bias.data(), dim,
             s.attended.data(), dim);
  addScaled(x.data(), s.attended.data(), layer.hasLayerScale ? layer.gamma_2.data() : nullptr, rows, dim);
  if (layer.hasNormOut)
    groupNormAllTokens(x.data(), rows, dim, layer.norm_out.weight.data(), layer.norm_out.bias.data());
}

void CrossTransformerEncoder::forward(nn::Tensor& x, int64_t freqs, int64_t frames, nn::Tensor& xt,
                                      TransformerScratch& scratch) const {
  const int64_t dim = options_.dim;
  const int64_t tokens = freqs * frames, samples = xt.dim(0);
  const float posWeight = float(options_.weightPosEmbed);
  nn::Tensor embedding({tokens, dim});
  sin2dEmbedding(dim, freqs, frames, options_.maxPeriod, embedding.data());
  if (options_.normIn) nn::layerNorm(x.data(), tokens, dim, norm_in.weight.data(), norm_in.bias.data(), kEps, x.data());
  scaleIfNeeded(embedding, posWeight);
  addScaled(x.data(), embedding.data(), nullptr, tokens, dim);
  embedding.resize({samples, dim});
  sin1dEmbedding(samples, dim, options_.maxPeriod, embedding.data());
  if (options_.normIn)
    nn::layerNorm(xt.data(), samples, dim, norm_in_t.weight.data(), norm_in_t.bias.data(), kEps, xt.data());
  scaleIfNeeded(embedding, posWeight);
  addScaled(xt.data(), embedding.data(), nullptr, samples, dim);
  embedding.release();

  const int classicParity = options_.crossFirst ? 1 : 0;
  for (size_t i = 0; i < layers.size(); ++i) {
    if (int(i % 2) == classicParity) {
      runLayer(layers[i], x, nullptr, scratch);
      runLayer(layers_t[i], xt, nullptr, scratch);
    } else {
      // Each branch attends to the other branch's state before this layer.
      scratch.previous.resize(x.shape());
      std::memcpy(scratch.previous.data(), x.data(), size_t(x.numel()) * sizeof(float));
      runLayer(layers[i], x, &xt, scratch);
      runLayer(layers_t[i], xt, &scratch.previous, scratch);
    }
  }
}

void sin2dEmbedding(int64_t dim, int64_t freqs, int64_t frames, double maxPeriod, float* out) {
  // pe[0:half:2] = sin(t * div), pe[1:half:2] = cos(t * div), pe[half::2] = sin(f * div),
  // pe[half+1::2] = cos(f * div); div = exp(arange(0, half, 2) * -(ln(max_period) / half)),
  // every step rounded to float32 as torch does.
  const int64_t half = dim / 2;
  const float logScale = float(-(std::log(maxPeriod) / double(half)));
  std::vector<float> div(static_cast<size_t>(half / 2));
  for (int64_t k = 0; k < half / 2; ++k) div[size_t(k)] = std::exp(float(2 * k) * logScale);
  for (int64_t t = 0; t < frames; ++t)
    for (int64_t f = 0; f < freqs; ++f) {
      float* row = out + (t * freqs + f) * dim;
      for (int64_t k = 0; k < half / 2; ++k) {
        const float pt = float(t) * div[size_t(k)];
        const float pf = float(f) * div[size_t(k)];
        row[2 * k] = float(std::sin(double(pt)));
        row[2 * k + 1] = float(std::cos(double(pt)));
        row[half + 2 * k] = float(std::sin(double(pf)));
        row[half + 2 * k + 1] = float(std::cos(double(pf)));
      }
    }
}

void sin1dEmbedding(int64_t length, int64_t dim, double maxPeriod, float* out) {
  // phase = pos / max_period ** (i / (half - 1)), [cos(phase), sin(phase)], float32 steps.
  const int64_t half = dim / 2;
  std::vector<float> denominators(static_cast<size_t>(half));
  for (int64_t i = 0; i < half; ++i) {
    const float exponent = float(i) / float(half - 1);
    denominators[size_t(i)] = float(std::pow(double(float(maxPeriod)), double(exponent)));
  }
  for (int64_t pos = 0; pos < length; ++pos) {
    float* row = out + pos * dim;
    for (int64_t i = 0; i < half; ++i) {
      const float phase = float(pos) / denominators[size_t(i)];
      row[i] = float(std::cos(double(phase)));
      row[half + i] = float(std::sin(double(phase)));
    }
  }
}

}  // namespace midistems::separate::htdemucs
