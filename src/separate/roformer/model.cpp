#include "separate/roformer/model.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "nn/ops/elementwise.h"
#include "nn/ops/elementwise_isa.h"
#include "nn/ops/gemm.h"
#include "nn/ops/parallel.h"

namespace midistems::separate::roformer {
namespace {

using nn::Tensor;
using nn::TensorKind;

std::string key(const std::string& prefix, const std::string& name) { return prefix + "." + name; }

float sigmoid(float x) { return 1.0f / (1.0f + std::exp(-x)); }

// torch.nn.functional.pad(mode='reflect'): the mirror without repeating the edge sample.
int64_t reflect(int64_t i, int64_t n) {
  if (i < 0) return -i;
  if (i >= n) return 2 * (n - 1) - i;
  return i;
}

}  // namespace

void Linear::load(nn::WeightSource& src, const std::string& prefix, int64_t inDim, int64_t outDim, bool withBias) {
  in = inDim;
  out = outDim;
  weight = src.take(key(prefix, "weight"), {out, in}, TensorKind::kWeight);
  if (withBias) bias = src.take(key(prefix, "bias"), {out}, TensorKind::kBias);
}

void Linear::forward(const float* x, int64_t rows, float* y, int64_t ldy) const {
  nn::linear(x, rows, in, weight.data(), bias.numel() ? bias.data() : nullptr, out, y, ldy);
}

void Linear::forwardAdd(const float* x, int64_t rows, float* y, int64_t ldy) const {
  if (bias.numel())
    nn::parallelFor(rows, [&](int64_t r) {
      for (int64_t o = 0; o < out; ++o) y[r * ldy + o] += bias[o];
    });
  nn::gemm(false, true, rows, out, in, 1.0f, x, in, weight.data(), in, 1.0f, y, ldy);
}

void Transformer::load(nn::WeightSource& src, const std::string& prefix, const RoformerConfig& c, int64_t depth) {
  const int64_t inner = c.heads * c.dimHead;
  layers.resize(size_t(depth));
  for (int64_t j = 0; j < depth; ++j) {
    TransformerLayer& l = layers[size_t(j)];
    const std::string p = prefix + ".layers." + std::to_string(j);
    l.attn.rotaryFreqs = src.take(p + ".0.rotary_embed.freqs", {c.dimHead / 2}, TensorKind::kEmbedding);
    l.attn.norm = src.take(p + ".0.norm.gamma", {c.dim}, TensorKind::kNormWeight);
    l.attn.to_qkv.load(src, p + ".0.to_qkv", c.dim, 3 * inner, false);
    l.attn.to_gates.load(src, p + ".0.to_gates", c.dim, c.heads, true);
    l.attn.to_out.load(src, p + ".0.to_out.0", inner, c.dim, false);
    l.ff.norm = src.take(p + ".1.net.0.gamma", {c.dim}, TensorKind::kNormWeight);
    l.ff.in.load(src, p + ".1.net.1", c.dim, 4 * c.dim, true);
    l.ff.out.load(src, p + ".1.net.4", 4 * c.dim, c.dim, true);
  }
  if (c.mel()) norm = src.take(prefix + ".norm.gamma", {c.dim}, TensorKind::kNormWeight);
}

RoformerModel::RoformerModel(const RoformerConfig& config, nn::WeightSource& src) : config_(config) {
  const RoformerConfig& c = config_;
  const int64_t channels = c.audioChannels();
  layers.resize(size_t(c.depth));
  for (int64_t i = 0; i < c.depth; ++i) {
    const std::string p = "layers." + std::to_string(i);
    layers[size_t(i)].time.load(src, p + ".0", c, c.timeTransformerDepth);
    layers[size_t(i)].freq.load(src, p + ".1", c, c.freqTransformerDepth);
  }
  if (!c.mel()) final_norm = src.take("final_norm.gamma", {c.dim}, TensorKind::kNormWeight);
  const int64_t bands = int64_t(c.freqsPerBands.size());
  bandsPerBin_.assign(size_t(c.bins()), 0.0f);
  for (int64_t k = 0; k < bands; ++k) {
    for (int64_t f = 0; f < c.freqsPerBands[size_t(k)]; ++f) bandsPerBin_[size_t(c.bandStarts[size_t(k)] + f)] += 1.0f;
    const int64_t width = 2 * channels * c.freqsPerBands[size_t(k)];
    const std::string p = "band_split.to_features." + std::to_string(k);
    band_split.norm.push_back(src.take(p + ".0.gamma", {width}, TensorKind::kNormWeight));
    band_split.linear.emplace_back();
    band_split.linear.back().load(src, p + ".1", width, c.dim, true);
  }
  const int64_t hidden = c.dim * c.mlpExpansionFactor;
  mask_estimators.resize(size_t(c.numStems));
  for (int64_t s = 0; s < c.numStems; ++s) {
    auto& est = mask_estimators[size_t(s)];
    est.to_freqs.resize(size_t(bands));
    for (int64_t k = 0; k < bands; ++k) {
      const int64_t width = 2 * channels * c.freqsPerBands[size_t(k)];
      // MLP(dim, 2 width, hidden, depth): dims (dim, hidden x (depth - 1), 2 width) in
      // bs_roformer.py, (dim, hidden x depth, 2 width) in mel_band_roformer.py; Tanh between.
      const int64_t linears = c.mel() ? c.maskEstimatorDepth + 1 : c.maskEstimatorDepth;
      for (int64_t j = 0; j < linears; ++j) {
        const int64_t in = j == 0 ? c.dim : hidden;
        const int64_t out = j + 1 == linears ? 2 * width : hidden;
        est.to_freqs[size_t(k)].emplace_back();
        est.to_freqs[size_t(k)].back().load(src,
                                            "mask_estimators." + std::to_string(s) + ".to_freqs." +
                                                std::to_string(k) + ".0." + std::to_string(2 * j),
                                            in, out, true);
      }
    }
  }
  src.finish();
  window_.resize(size_t(c.nfft));
  for (int64_t n = 0; n < c.nfft; ++n)
    window_[size_t(n)] = float(0.5 - 0.5 * std::cos(2.0 * M_PI * double(n) / double(c.nfft)));
  fft_ = std::make_unique<RealFft>(int(c.nfft));
}

RoformerModel::~RoformerModel() = default;

Tensor RoformerModel::stft(const float* input, int64_t length) const {
  const RoformerConfig& c = config_;
  const int64_t channels = c.audioChannels(), bins = c.bins(), frames = c.frames(length), half = c.nfft / 2;
  if (length <= half) throw Error("RoFormer: a chunk of " + std::to_string(length) + " samples is too short for the STFT");
  Tensor out({frames, bins * channels * 2});
  const int64_t width = out.dim(1);
  nn::parallelFor(frames * channels, [&](int64_t task) {
    const int64_t t = task / channels, s = task % channels;
    std::vector<float> frame(size_t(c.nfft));
    std::vector<std::complex<float>> spectrum(static_cast<size_t>(bins));
    const float* x = input + s * length;
    for (int64_t n = 0; n < c.nfft; ++n) frame[size_t(n)] = x[reflect(t * c.hop + n - half, length)] * window_[size_t(n)];
    fft_->forward(frame.data(), spectrum.data());
    float* row = out.data() + t * width;
    for (int64_t f = 0; f < bins; ++f) {
      row[(f * channels + s) * 2] = spectrum[size_t(f)].real();
      row[(f * channels + s) * 2 + 1] = spectrum[size_t(f)].imag();
    }
  });
  return out;
}

Tensor RoformerModel::bandSplit(const Tensor& x) const {
  const RoformerConfig& c = config_;
  const int64_t frames = x.dim(0), width = x.dim(1), bands = int64_t(c.freqsPerBands.size()), channels = c.audioChannels();
  Tensor out({frames, bands, c.dim});
  nn::parallelFor(bands, [&](int64_t k) {
    const int64_t w = 2 * channels * c.freqsPerBands[size_t(k)];
    Tensor normed({frames, w});
    nn::rmsNorm(x.data() + 2 * channels * c.bandStarts[size_t(k)], frames, w, width, band_split.norm[size_t(k)].data(),
            normed.data(), w);
    band_split.linear[size_t(k)].forward(normed.data(), frames, out.data() + k * c.dim, bands * c.dim);
  });
  return out;
}

// x: rows of dim; token p of sequence s is row s * sequenceStride + p * positionStride (the time
// transformer runs over the frames of each band where they lie, bands apart, with no transpose);
// updated in place.
void RoformerModel::runTransformer(const Transformer& t, float* x, int64_t sequences, int64_t length,
                                   int64_t sequenceStride, int64_t positionStride) {
  const RoformerConfig& c = config_;
  const int64_t rows = sequences * length, dim = c.dim, heads = c.heads, dh = c.dimHead, inner = heads * dh;
  xn_.resize({rows, dim});
  qkv_.resize({rows, 3 * inner});
  gates_.resize({rows, heads});
  heads_.resize({rows, inner});
  hidden_.resize({rows, 4 * dim});
  const float scale = float(1.0 / std::sqrt(double(dh)));
  // Queries per block of scores: a (block x length) score matrix stays in the core's cache.
  constexpr int64_t kQueryBlock = 128;
  const int64_t ld = positionStride * 3 * inner;  // between the tokens of one sequence in qkv_
  for (const TransformerLayer& layer : t.layers) {
    const Attention& a = layer.attn;
    // Rotary angles: float32(position) * inv_freq, each used for an adjacent pair.
    std::vector<float> cosTable(size_t(length * dh / 2)), sinTable(size_t(length * dh / 2));
    for (int64_t p = 0; p < length; ++p)
      for (int64_t i = 0; i < dh / 2; ++i) {
        const float angle = float(p) * a.rotaryFreqs[i];
        cosTable[size_t(p * dh / 2 + i)] = float(std::cos(double(angle)));
        sinTable[size_t(p * dh / 2 + i)] = float(std::sin(double(angle)));
      }
    nn::rmsNorm(x, rows, dim, dim, a.norm.data(), xn_.data(), dim);
    a.to_qkv.forward(xn_.data(), rows, qkv_.data(), 3 * inner);
    a.to_gates.forward(xn_.data(), rows, gates_.data(), heads);
    // q and k (the first 2 * inner values of each row) rotated by their token's position.
    nn::rotaryPairs(qkv_.data(), rows, 2 * inner, 3 * inner, cosTable.data(), sinTable.data(), length, dh,
                    positionStride);
    nn::parallelFor(sequences * heads, [&](int64_t task) {
      const int64_t s = task / heads, h = task % heads;
      const float* base = qkv_.data() + s * sequenceStride * 3 * inner + h * dh;
      // This head's keys and values, gathered once into contiguous (length x dh) blocks that stay
      // in cache while every query block reads them (in the time transformer the tokens of a
      // sequence are a band stride apart).
      thread_local nn::FloatVector keys, values, scores;
      keys.resize(size_t(length * dh));
      values.resize(size_t(length * dh));
      scores.resize(size_t(kQueryBlock * length));
      for (int64_t p = 0; p < length; ++p) {
        std::copy_n(base + p * ld + inner, dh, keys.data() + p * dh);
        std::copy_n(base + p * ld + 2 * inner, dh, values.data() + p * dh);
      }
      for (int64_t p0 = 0; p0 < length; p0 += kQueryBlock) {
        const int64_t n = std::min(kQueryBlock, length - p0);
        float sums[kQueryBlock];
        nn::gemm(false, true, n, length, dh, scale, base + p0 * ld, ld, keys.data(), dh, 0.0f, scores.data(), length);
        // softmax(s) v = (exp(s - max) v) / sum: the division touches n x dh values, not n x length.
        nn::softmaxRowsUnnormalised(scores.data(), n, length, length, sums);
        float* o = heads_.data() + (s * sequenceStride + p0 * positionStride) * inner + h * dh;
        nn::gemm(false, false, n, dh, length, 1.0f, scores.data(), length, values.data(), dh, 0.0f, o,
                 positionStride * inner);
        for (int64_t p = 0; p < n; ++p) {
          const int64_t row = s * sequenceStride + (p0 + p) * positionStride;
          const float g = sigmoid(gates_[row * heads + h]) / sums[p];
          float* r = o + p * positionStride * inner;
          for (int64_t i = 0; i < dh; ++i) r[i] *= g;
        }
      }
    });
    a.to_out.forwardAdd(heads_.data(), rows, x, dim);  // the residual: x += to_out(heads)
    const FeedForward& f = layer.ff;
    nn::rmsNorm(x, rows, dim, dim, f.norm.data(), xn_.data(), dim);
    f.in.forward(xn_.data(), rows, hidden_.data(), 4 * dim);
    nn::gelu(hidden_.data(), rows * 4 * dim);
    f.out.forwardAdd(hidden_.data(), rows, x, dim);  // x += ff(x)
  }
  if (t.norm.numel()) nn::rmsNorm(x, rows, dim, dim, t.norm.data(), x, dim);
}

void RoformerModel::timeTransformer(const Transformer& t, Tensor& x) {
  // x (frames, bands, dim): the sequence of band b is rows b, b + bands, b + 2 bands, ...
  runTransformer(t, x.data(), x.dim(1), x.dim(0), 1, x.dim(1));
}

void RoformerModel::freqTransformer(const Transformer& t, Tensor& x) {
  runTransformer(t, x.data(), x.dim(0), x.dim(1), x.dim(1), 1);
}

void RoformerModel::finalNorm(Tensor& x) const {
  if (!final_norm.numel()) return;
  const int64_t rows = x.dim(0) * x.dim(1);
  nn::rmsNorm(x.data(), rows, config_.dim, config_.dim, final_norm.data(), x.data(), config_.dim);
}

Tensor RoformerModel::maskEstimator(int64_t stem, const Tensor& x) const {
  const RoformerConfig& c = config_;
  const int64_t frames = x.dim(0), bands = x.dim(1), channels = c.audioChannels();
  const MaskEstimator& est = mask_estimators[size_t(stem)];
  std::vector<Tensor> bandMasks(static_cast<size_t>(bands));
  nn::parallelFor(bands, [&](int64_t k) {
    const auto& mlp = est.to_freqs[size_t(k)];
    Tensor a({frames, c.dim});
    for (int64_t t = 0; t < frames; ++t) std::copy_n(x.data() + (t * bands + k) * c.dim, c.dim, a.data() + t * c.dim);
    for (size_t j = 0; j < mlp.size(); ++j) {
      Tensor b({frames, mlp[j].out});
      mlp[j].forward(a.data(), frames, b.data(), mlp[j].out);
      if (j + 1 < mlp.size()) nn::tanhInPlace(b.data(), b.numel());
      a = std::move(b);
    }
    // GLU over the last dimension, in place into the first half of each row.
    const int64_t w = 2 * channels * c.freqsPerBands[size_t(k)];
    const nn::ElementwiseKernels& kernels = nn::elementwiseKernels(activeIsaLevel());
    for (int64_t t = 0; t < frames; ++t) kernels.glu(a.data() + t * 2 * w, a.data() + t * 2 * w + w, w, a.data() + t * 2 * w);
    bandMasks[size_t(k)] = std::move(a);
  });
  // Band masks added onto their bins band after band (scatter_add_), then divided by the number
  // of bands over each bin: one for BS-RoFormer's disjoint bands, an average where mel bands overlap.
  Tensor out({frames, c.bins() * channels * 2}, 0.0f);
  const int64_t width = out.dim(1);
  for (int64_t k = 0; k < bands; ++k) {
    const int64_t w = 2 * channels * c.freqsPerBands[size_t(k)];
    for (int64_t t = 0; t < frames; ++t) {
      const float* row = bandMasks[size_t(k)].data() + t * 2 * w;
      float* dst = out.data() + t * width + 2 * channels * c.bandStarts[size_t(k)];
      for (int64_t i = 0; i < w; ++i) dst[i] += row[i];
    }
  }
  if (c.mel())
    for (int64_t t = 0; t < frames; ++t)
      for (int64_t f = 0; f < c.bins(); ++f)
        for (int64_t i = 0; i < 2 * channels; ++i) out[t * width + f * 2 * channels + i] /= bandsPerBin_[size_t(f)];
  return out;
}

void RoformerModel::istft(const Tensor& spectrum, const Tensor& mask, int64_t length, float* output) const {
  const RoformerConfig& c = config_;
  const int64_t channels = c.audioChannels(), bins = c.bins(), frames = spectrum.dim(0), width = spectrum.dim(1);
  const int64_t half = c.nfft / 2, padded = c.nfft + c.hop * (frames - 1);
  // Window-square envelope of the overlap-add (torch.istft divides by it).
  std::vector<float> envelope(size_t(padded), 0.0f);
  for (int64_t t = 0; t < frames; ++t)
    for (int64_t n = 0; n < c.nfft; ++n) envelope[size_t(t * c.hop + n)] += window_[size_t(n)] * window_[size_t(n)];
  // torch.istft(length=L) keeps padded samples [half, half + L); past the padded signal, zeros.
  for (int64_t i = half; i < std::min(padded, half + length); ++i)
    if (envelope[size_t(i)] < 1e-11f) throw Error("RoFormer: the STFT window does not overlap (hop too long)");
  nn::parallelFor(channels, [&](int64_t s) {
    std::vector<float> sum(size_t(padded), 0.0f), frame(size_t(c.nfft));
    std::vector<std::complex<float>> z(static_cast<size_t>(bins));
    const float inv = 1.0f / float(c.nfft);
    for (int64_t t = 0; t < frames; ++t) {
      const float* x = spectrum.data() + t * width;
      const float* m = mask.data() + t * width;
      for (int64_t f = 0; f < bins; ++f) {
        const int64_t r = (f * channels + s) * 2;
        const float xr = x[r], xi = x[r + 1], mr = m[r], mi = m[r + 1];
        z[size_t(f)] = {xr * mr - xi * mi, xr * mi + xi * mr};
      }
      if (c.zeroDc) z[0] = 0.0f;
      fft_->inverse(z.data(), frame.data());
      for (int64_t n = 0; n < c.nfft; ++n) sum[size_t(t * c.hop + n)] += frame[size_t(n)] * inv * window_[size_t(n)];
    }
    // BS (and Mel with match_input_audio_length) keep `length` samples; Mel otherwise returns
    // hop * (frames - 1), zero-filled here to `length`.
    const int64_t end = c.mel() && !c.matchInputLength ? half + c.hop * (frames - 1) : padded;
    float* y = output + s * length;
    for (int64_t i = 0; i < length; ++i) {
      const int64_t p = half + i;
      y[i] = p < end ? sum[size_t(p)] / envelope[size_t(p)] : 0.0f;
    }
  });
}

void RoformerModel::forward(const float* input, int64_t length, float* output) {
  Tensor spectrum = stft(input, length);
  Tensor x = bandSplit(spectrum);
  for (AxialBlock& block : layers) {
    timeTransformer(block.time, x);
    freqTransformer(block.freq, x);
  }
  finalNorm(x);
  const int64_t channels = config_.audioChannels();
  for (int64_t s = 0; s < config_.numStems; ++s) {
    const Tensor mask = maskEstimator(s, x);
    istft(spectrum, mask, length, output + s * channels * length);
  }
}

}  // namespace midistems::separate::roformer
