#include "separate/htdemucs/model.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstring>

#include "core/error.h"
#include "nn/ops/elementwise.h"
#include "nn/ops/gemm.h"
#include "nn/ops/parallel.h"

namespace midistems::separate::htdemucs {
namespace {

constexpr float kNormEps = 1e-5f;  // torch.nn.GroupNorm default

ConvWeights loadConv(WeightSource& src, const std::string& prefix, const std::vector<int64_t>& shape, int64_t outChannels) {
  ConvWeights c;
  c.weight = src.take(prefix + ".weight", shape, TensorKind::kWeight);
  c.bias = src.take(prefix + ".bias", {outChannels}, TensorKind::kBias);
  return c;
}

ConvWeights loadNorm(WeightSource& src, const std::string& prefix, int64_t channels) {
  ConvWeights c;
  c.weight = src.take(prefix + ".weight", {channels}, TensorKind::kNormWeight);
  c.bias = src.take(prefix + ".bias", {channels}, TensorKind::kNormBias);
  return c;
}

void addInPlace(nn::Tensor& x, const nn::Tensor& y) {
  if (x.shape() != y.shape()) throw std::logic_error("HTDemucs: skip connection shape mismatch");
  float* a = x.data();
  const float* b = y.data();
  const int64_t n = x.numel(), grain = 1 << 16;
  nn::parallelFor((n + grain - 1) / grain, [&](int64_t t) {
    const int64_t end = std::min(n, (t + 1) * grain);
#pragma omp simd
    for (int64_t i = t * grain; i < end; ++i) a[i] += b[i];
  });
}

// Mean and unbiased standard deviation (torch.Tensor.std) of n values, accumulated in double.
void meanStd(const float* x, int64_t n, float& mean, float& std) {
  double s = 0.0;
  for (int64_t i = 0; i < n; ++i) s += x[i];
  const double m = s / double(n);
  double q = 0.0;
  for (int64_t i = 0; i < n; ++i) q += (double(x[i]) - m) * (double(x[i]) - m);
  mean = float(m);
  std = float(std::sqrt(q / double(std::max<int64_t>(1, n - 1))));
}

}  // namespace

void DConv::load(WeightSource& src, const std::string& prefix, int64_t ch, int64_t compress, int64_t depth) {
  channels = ch;
  hidden = ch / compress;
  for (int64_t j = 0; j < depth; ++j) {
    const std::string p = prefix + ".layers." + std::to_string(j);
    DConvLayer& layer = layers.emplace_back();
    layer.dilation = int64_t(1) << j;
    layer.conv = loadConv(src, p + ".0", {hidden, ch, 3}, hidden);
    layer.norm1 = loadNorm(src, p + ".1", hidden);
    layer.conv1x1 = loadConv(src, p + ".3", {2 * ch, hidden, 1}, 2 * ch);
    layer.norm2 = loadNorm(src, p + ".4", 2 * ch);
    layer.scale = src.take(p + ".6.scale", {ch}, TensorKind::kLayerScale);
  }
}

void DConv::forward(float* x, int64_t batch, int64_t length) const {
  auto runLayers = [&](float* xc, int64_t nb, nn::Tensor& h, nn::Tensor& g) {
    h.resize({nb, hidden, length});
    g.resize({nb, 2 * channels, length});
    for (const DConvLayer& layer : layers) {
      nn::conv1d(xc, nb, length, layer.conv.weight.data(), layer.conv.bias.data(),
                 {channels, hidden, 3, 1, layer.dilation, layer.dilation}, nn::Epilogue::kNone, h.data());
      nn::groupNorm(h.data(), nb, hidden, length, 1, layer.norm1.weight.data(), layer.norm1.bias.data(), kNormEps,
                    nn::Activation::kGelu);
      nn::conv1d(h.data(), nb, length, layer.conv1x1.weight.data(), layer.conv1x1.bias.data(),
                 {hidden, 2 * channels, 1, 1, 0, 1}, nn::Epilogue::kNone, g.data());
      nn::groupNorm(g.data(), nb, 2 * channels, length, 1, layer.norm2.weight.data(), layer.norm2.bias.data(),
                    kNormEps);
      nn::gluScaleAdd(g.data(), nb, channels, length, layer.scale.data(), xc);
    }
  };
  if (batch == 1) {
    nn::Tensor h, g;
    runLayers(x, 1, h, g);
    return;
  }
  // Frequency branch: rows are independent (each has its own GroupNorm), so each task runs the
  // whole residual stack on one row while it is in cache; the operations inside run serially.
  nn::parallelFor(batch, [&](int64_t b) {
    thread_local nn::Tensor h, g;
    runLayers(x + b * channels * length, 1, h, g);
  });
}

void HEncLayer::load(WeightSource& src, const std::string& prefix, const HTDemucsConfig& c, bool isFreq, int64_t in,
                     int64_t out, bool withDConv) {
  freq = isFreq;
  chin = in;
  chout = out;
  kernel = c.kernelSize;
  stride = c.stride;
  pad = c.kernelSize / 4;
  contextEnc = c.contextEnc;
  const int64_t rk = 1 + 2 * contextEnc;
  if (freq) {
    conv = loadConv(src, prefix + ".conv", {out, in, kernel, 1}, out);
    rewrite = loadConv(src, prefix + ".rewrite", {2 * out, out, rk, rk}, 2 * out);
    convPrepared = nn::prepareConv2d(conv.weight.data(), {in, out, kernel, 1, stride, pad, 0});
    rewritePrepared = nn::prepareConv2d(rewrite.weight.data(), {out, 2 * out, rk, rk, 1, contextEnc, contextEnc});
    conv.weight.release();  // used only in the rearranged form from here on
    rewrite.weight.release();
  } else {
    conv = loadConv(src, prefix + ".conv", {out, in, kernel}, out);
    rewrite = loadConv(src, prefix + ".rewrite", {2 * out, out, rk}, 2 * out);
  }
  if (withDConv) dconv.emplace().load(src, prefix + ".dconv", out, c.dconvComp, c.dconvDepth);
}

nn::Tensor HEncLayer::forward(const nn::Tensor& x) const {
  const int64_t rk = 1 + 2 * contextEnc;
  if (freq) {
    const int64_t freqs = x.dim(0), frames = x.dim(2);
    const nn::Conv2dParams convParams{chin, chout, kernel, 1, stride, pad, 0};
    const int64_t outFreqs = convParams.outputFreqs(freqs);
    nn::Tensor y({outFreqs, chout, frames});
    nn::conv2d(x.data(), freqs, frames, convPrepared, conv.bias.data(), convParams, nn::Epilogue::kGelu, y.data());
    if (dconv) dconv->forward(y.data(), outFreqs, frames);
    nn::Tensor z({outFreqs, chout, frames});
    nn::conv2d(y.data(), outFreqs, frames, rewritePrepared, rewrite.bias.data(),
               {chout, 2 * chout, rk, rk, 1, contextEnc, contextEnc}, nn::Epilogue::kGlu, z.data());
    return z;
  }
  // The waveform branch zero-pads its length to a multiple of the stride first.
  int64_t length = x.dim(1);
  const float* input = x.data();
  nn::Tensor padded;
  if (length % stride != 0) {
    const int64_t paddedLength = length + stride - length % stride;
    padded = nn::Tensor({chin, paddedLength}, 0.0f);
    for (int64_t c = 0; c < chin; ++c) std::memcpy(padded.data() + c * paddedLength, x.data() + c * length, size_t(length) * sizeof(float));
    input = padded.data();
    length = paddedLength;
  }
  const nn::Conv1dParams convParams{chin, chout, kernel, stride, pad, 1};
  const int64_t outLength = convParams.outputLength(length);
  nn::Tensor y({chout, outLength});
  nn::conv1d(input, 1, length, conv.weight.data(), conv.bias.data(), convParams, nn::Epilogue::kGelu, y.data());
  padded.release();
  if (dconv) dconv->forward(y.data(), 1, outLength);
  nn::Tensor z({chout, outLength});
  nn::conv1d(y.data(), 1, outLength, rewrite.weight.data(), rewrite.bias.data(),
             {chout, 2 * chout, rk, 1, contextEnc, 1}, nn::Epilogue::kGlu, z.data());
  return z;
}

void HDecLayer::load(WeightSource& src, const std::string& prefix, const HTDemucsConfig& c, bool isFreq, int64_t in,
                     int64_t out, bool isLast, bool withDConv) {
  freq = isFreq;
  last = isLast;
  chin = in;
  chout = out;
  kernel = c.kernelSize;
  stride = c.stride;
  pad = c.kernelSize / 4;
  context = c.context;
  const int64_t rk = 1 + 2 * context;
  if (freq) {
    conv_tr = loadConv(src, prefix + ".conv_tr", {in, out, kernel, 1}, out);
    rewrite = loadConv(src, prefix + ".rewrite", {2 * in, in, rk, rk}, 2 * in);
    convTrPrepared = nn::prepareConvTransposeFreq(conv_tr.weight.data(), in, out, kernel, stride);
    rewritePrepared = nn::prepareConv2d(rewrite.weight.data(), {in, 2 * in, rk, rk, 1, context, context});
    rewrite.weight.release();  // used only in the rearranged form from here on
  } else {
    conv_tr = loadConv(src, prefix + ".conv_tr", {in, out, kernel}, out);
    rewrite = loadConv(src, prefix + ".rewrite", {2 * in, in, rk}, 2 * in);
    convTrPrepared = nn::prepareConvTranspose1d(conv_tr.weight.data(), in, out, kernel);
  }
  conv_tr.weight.release();
  if (withDConv) dconv.emplace().load(src, prefix + ".dconv", in, c.dconvComp, c.dconvDepth);
}

nn::Tensor HDecLayer::forward(nn::Tensor& x, const nn::Tensor& skip, int64_t length) const {
  addInPlace(x, skip);
  const int64_t rk = 1 + 2 * context;
  const nn::Activation after = last ? nn::Activation::kNone : nn::Activation::kGelu;
  if (freq) {
    const int64_t freqs = x.dim(0), frames = x.dim(2);
    nn::Tensor y({freqs, chin, frames});
    nn::conv2d(x.data(), freqs, frames, rewritePrepared, rewrite.bias.data(), {chin, 2 * chin, rk, rk, 1, context, context},
               nn::Epilogue::kGlu, y.data());
    x.release();
    if (dconv) dconv->forward(y.data(), freqs, frames);
    const int64_t outFreqs = (freqs - 1) * stride + kernel - 2 * pad;
    nn::Tensor z({outFreqs, chout, frames});
    nn::convTransposeFreq(y.data(), freqs, frames, convTrPrepared, conv_tr.bias.data(), chin, chout, kernel, stride, pad,
                          after, z.data());
    return z;
  }
  const int64_t samples = x.dim(1);
  nn::Tensor y({chin, samples});
  nn::conv1d(x.data(), 1, samples, rewrite.weight.data(), rewrite.bias.data(), {chin, 2 * chin, rk, 1, context, 1},
             nn::Epilogue::kGlu, y.data());
  x.release();
  if (dconv) dconv->forward(y.data(), 1, samples);
  if ((samples - 1) * stride + kernel < pad + length) throw std::logic_error("HTDemucs: decoder output too short");
  nn::Tensor z({chout, length});
  nn::convTranspose1d(y.data(), samples, convTrPrepared, conv_tr.bias.data(), chin, chout, kernel, stride, pad, length,
                      after, z.data());
  return z;
}

HTDemucsModel::HTDemucsModel(const HTDemucsConfig& config, WeightSource& weights)
    : config_(config), spectrogram_(config.nfft) {
  const HTDemucsConfig& c = config_;
  const int64_t sources = numSources();
  int64_t chin = c.audioChannels, chinZ = 2 * c.audioChannels;  // complex as channels
  int64_t chout = c.channels, choutZ = c.channels;
  int64_t freqs = c.nfft / 2;
  const bool encDConv = (c.dconvMode & 1) != 0, decDConv = (c.dconvMode & 2) != 0;
  std::vector<HDecLayer> decoders, tdecoders;
  for (int index = 0; index < c.depth; ++index) {
    const std::string i = std::to_string(index);
    encoder.emplace_back().load(weights, "encoder." + i, c, true, chinZ, choutZ, encDConv);
    tencoder.emplace_back().load(weights, "tencoder." + i, c, false, chin, chout, encDConv);
    if (index == 0) {
      chin = c.audioChannels * sources;
      chinZ = 2 * chin;
    }
    // decoder.insert(0, ...) in the reference: the layer mirroring encoder i is decoder[depth-1-i].
    const std::string d = std::to_string(c.depth - 1 - index);
    decoders.emplace_back().load(weights, "decoder." + d, c, true, choutZ, chinZ, index == 0, decDConv);
    tdecoders.emplace_back().load(weights, "tdecoder." + d, c, false, chout, chin, index == 0, decDConv);
    chin = chout;
    chinZ = choutZ;
    chout *= c.growth;
    choutZ *= c.growth;
    freqs /= c.stride;
    if (index == 0 && c.freqEmb != 0.0)
      freq_emb = weights.take("freq_emb.embedding.weight", {freqs, chinZ}, TensorKind::kEmbedding);
  }
  decoder.assign(std::make_move_iterator(decoders.rbegin()), std::make_move_iterator(decoders.rend()));
  tdecoder.assign(std::make_move_iterator(tdecoders.rbegin()), std::make_move_iterator(tdecoders.rend()));

  const int64_t inner = chin;
  if (c.bottomChannels > 0) {
    const int64_t bottom = c.bottomChannels;
    channel_upsampler = loadConv(weights, "channel_upsampler", {bottom, inner, 1}, bottom);
    channel_downsampler = loadConv(weights, "channel_downsampler", {inner, bottom, 1}, inner);
    channel_upsampler_t = loadConv(weights, "channel_upsampler_t", {bottom, inner, 1}, bottom);
    channel_downsampler_t = loadConv(weights, "channel_downsampler_t", {inner, bottom, 1}, inner);
  }
  if (c.tLayers > 0) {
    CrossTransformerEncoder::Options o;
    o.dim = c.transformerDim();
    o.hidden = int64_t(double(o.dim) * c.tHiddenScale);
    o.heads = c.tHeads;
    o.layers = c.tLayers;
    o.normIn = c.tNormIn;
    o.normOut = c.tNormOut;
    o.layerScale = c.tLayerScale;
    o.crossFirst = c.tCrossFirst;
    o.maxPeriod = c.tMaxPeriod;
    o.weightPosEmbed = c.tWeightPosEmbed;
    crosstransformer.emplace().load(weights, "crosstransformer", o);
  }
  weights.finish();
}

nn::Tensor HTDemucsModel::spectrogramInput(const float* mix, int64_t length,
                                           std::vector<std::complex<float>>& spectrum) const {
  // _spec + _magnitude (cac): channels [ch0.re, ch0.im, ch1.re, ch1.im, ...], frequency-major.
  const int64_t ac = config_.audioChannels, bins = spectrogram_.bins(), frames = spectrogram_.frames(length);
  spectrum.resize(size_t(ac * bins * frames));
  for (int64_t c = 0; c < ac; ++c) spectrogram_.forward(mix + c * length, length, spectrum.data() + c * bins * frames);
  nn::Tensor x({bins, 2 * ac, frames});
  for (int64_t f = 0; f < bins; ++f)
    for (int64_t c = 0; c < ac; ++c)
      for (int64_t t = 0; t < frames; ++t) {
        const std::complex<float> v = spectrum[size_t((c * bins + f) * frames + t)];
        x[(f * 2 * ac + 2 * c) * frames + t] = v.real();
        x[(f * 2 * ac + 2 * c + 1) * frames + t] = v.imag();
      }
  return x;
}

void HTDemucsModel::toTokens(const nn::Tensor& x, nn::Tensor& tokens, const nn::Tensor& xt, nn::Tensor& tokensT) const {
  const int64_t freqs = x.dim(0), channels = x.dim(1), frames = x.dim(2), samples = xt.dim(1);
  const int64_t dim = config_.transformerDim();
  tokens.resize({frames * freqs, dim});
  tokensT.resize({samples, dim});
  if (channel_upsampler) {
    // token (t, f) = W x[f][:, t] + b: one product per frequency row, written with a row stride
    // of freqs * dim so the tokens come out time-major.
    const float* w = channel_upsampler->weight.data();
    const float* b = channel_upsampler->bias.data();
    nn::parallelFor(freqs, [&](int64_t f) {
      float* dst = tokens.data() + f * dim;
      for (int64_t t = 0; t < frames; ++t) std::memcpy(dst + t * freqs * dim, b, size_t(dim) * sizeof(float));
      nn::gemm(true, true, frames, dim, channels, 1.0f, x.data() + f * channels * frames, frames, w, channels, 1.0f, dst,
               freqs * dim);
    });
    for (int64_t t = 0; t < samples; ++t)
      std::memcpy(tokensT.data() + t * dim, channel_upsampler_t->bias.data(), size_t(dim) * sizeof(float));
    nn::gemm(true, true, samples, dim, channels, 1.0f, xt.data(), samples, channel_upsampler_t->weight.data(), channels,
             1.0f, tokensT.data(), dim);
  } else {
    for (int64_t f = 0; f < freqs; ++f)
      for (int64_t c = 0; c < channels; ++c)
        for (int64_t t = 0; t < frames; ++t) tokens[(t * freqs + f) * dim + c] = x[(f * channels + c) * frames + t];
    for (int64_t c = 0; c < channels; ++c)
      for (int64_t t = 0; t < samples; ++t) tokensT[t * dim + c] = xt[c * samples + t];
  }
}

void HTDemucsModel::fromTokens(const nn::Tensor& tokens, nn::Tensor& x, const nn::Tensor& tokensT, nn::Tensor& xt) const {
  const int64_t freqs = x.dim(0), channels = x.dim(1), frames = x.dim(2), samples = xt.dim(1);
  const int64_t dim = config_.transformerDim();
  if (channel_downsampler) {
    const float* w = channel_downsampler->weight.data();
    const float* b = channel_downsampler->bias.data();
    nn::parallelFor(freqs, [&](int64_t f) {
      float* dst = x.data() + f * channels * frames;
      for (int64_t c = 0; c < channels; ++c) std::fill(dst + c * frames, dst + (c + 1) * frames, b[c]);
      nn::gemm(false, true, channels, frames, dim, 1.0f, w, dim, tokens.data() + f * dim, freqs * dim, 1.0f, dst, frames);
    });
    for (int64_t c = 0; c < channels; ++c)
      std::fill(xt.data() + c * samples, xt.data() + (c + 1) * samples, channel_downsampler_t->bias[c]);
    nn::gemm(false, true, channels, samples, dim, 1.0f, channel_downsampler_t->weight.data(), dim, tokensT.data(), dim,
             1.0f, xt.data(), samples);
  } else {
    for (int64_t f = 0; f < freqs; ++f)
      for (int64_t c = 0; c < channels; ++c)
        for (int64_t t = 0; t < frames; ++t) x[(f * channels + c) * frames + t] = tokens[(t * freqs + f) * dim + c];
    for (int64_t c = 0; c < channels; ++c)
      for (int64_t t = 0; t < samples; ++t) xt[c * samples + t] = tokensT[t * dim + c];
  }
}

void HTDemucsModel::forward(const float* mix, int64_t length, float* out) {
  const int64_t ac = config_.audioChannels, sources = numSources();
  const int64_t trainLength = segmentLength();
  if (length > trainLength || length <= 0)
    throw std::invalid_argument("HTDemucsModel::forward: length must be in (0, segment length]");
  // use_train_segment: the network always sees the training length, zero-padded at the end.
  nn::Tensor input({ac, trainLength}, 0.0f);
  for (int64_t c = 0; c < ac; ++c) std::memcpy(input.data() + c * trainLength, mix + c * length, size_t(length) * sizeof(float));

  std::vector<std::complex<float>> spectrum;
  nn::Tensor x = spectrogramInput(input.data(), trainLength, spectrum);
  const int64_t bins = x.dim(0), frames = x.dim(2);
  spectrum = {};
  float mean = 0.0f, std = 0.0f, meanT = 0.0f, stdT = 0.0f;
  meanStd(x.data(), x.numel(), mean, std);
  const float denom = 1e-5f + std;
  for (int64_t i = 0; i < x.numel(); ++i) x[i] = (x[i] - mean) / denom;
  nn::Tensor xt = std::move(input);
  meanStd(xt.data(), xt.numel(), meanT, stdT);
  const float denomT = 1e-5f + stdT;
  for (int64_t i = 0; i < xt.numel(); ++i) xt[i] = (xt[i] - meanT) / denomT;

  // Encoder outputs are kept as the skips; each next layer reads its input from there, so no
  // activation is copied.
  std::vector<nn::Tensor> saved, savedT;
  std::vector<int64_t> lengthsT;
  saved.reserve(size_t(config_.depth));
  savedT.reserve(size_t(config_.depth));
  for (int index = 0; index < config_.depth; ++index) {
    const nn::Tensor& inT = index == 0 ? xt : savedT.back();
    lengthsT.push_back(inT.dim(1));
    savedT.push_back(tencoder[size_t(index)].forward(inT));
    const nn::Tensor& in = index == 0 ? x : saved.back();
    saved.push_back(encoder[size_t(index)].forward(in));
    if (index == 0) {
      x.release();
      xt.release();
    }
    if (index == 0 && freq_emb.numel() > 0) {
      // x += freq_emb_scale * (emb_scale * W)[f]
      nn::Tensor& y = saved.back();
      const float embScale = float(config_.embScale), freqEmbScale = float(config_.freqEmb);
      const int64_t freqs = y.dim(0), channels = y.dim(1), t = y.dim(2);
      for (int64_t f = 0; f < freqs; ++f)
        for (int64_t c = 0; c < channels; ++c) {
          const float e = freqEmbScale * (freq_emb[f * channels + c] * embScale);
          float* row = y.data() + (f * channels + c) * t;
          for (int64_t i = 0; i < t; ++i) row[i] += e;
        }
    }
  }

  x = nn::Tensor(saved.back().shape());
  xt = nn::Tensor(savedT.back().shape());
  if (crosstransformer) {
    nn::Tensor tokens, tokensT;
    toTokens(saved.back(), tokens, savedT.back(), tokensT);
    crosstransformer->forward(tokens, x.dim(0), x.dim(2), tokensT, transformerScratch_);
    fromTokens(tokens, x, tokensT, xt);
  } else {
    std::memcpy(x.data(), saved.back().data(), size_t(x.numel()) * sizeof(float));
    std::memcpy(xt.data(), savedT.back().data(), size_t(xt.numel()) * sizeof(float));
  }

  for (int index = 0; index < config_.depth; ++index) {
    x = decoder[size_t(index)].forward(x, saved.back(), 0);
    saved.pop_back();
    const int64_t lengthT = lengthsT.back();
    lengthsT.pop_back();
    xt = tdecoder[size_t(index)].forward(xt, savedT.back(), lengthT);
    savedT.pop_back();
  }

  // x: (bins, sources * channels * 2, frames) -> complex spectrogram per source and channel, with
  // the branch normalisation undone; then iSTFT and the sum with the waveform branch.
  if (x.dim(0) != bins || x.dim(1) != sources * ac * 2 || x.dim(2) != frames)
    throw std::logic_error("HTDemucs: unexpected decoder output shape");
  std::vector<std::complex<float>> z(size_t(bins * frames));
  std::vector<float> wave(static_cast<size_t>(trainLength));
  for (int64_t s = 0; s < sources; ++s)
    for (int64_t c = 0; c < ac; ++c) {
      const int64_t re = (s * ac + c) * 2;
      for (int64_t f = 0; f < bins; ++f)
        for (int64_t t = 0; t < frames; ++t)
          z[size_t(f * frames + t)] = {x[(f * sources * ac * 2 + re) * frames + t] * std + mean,
                                       x[(f * sources * ac * 2 + re + 1) * frames + t] * std + mean};
      spectrogram_.inverse(z.data(), frames, trainLength, wave.data());
      const float* timeBranch = xt.data() + (s * ac + c) * trainLength;
      float* dst = out + (s * ac + c) * length;
      for (int64_t i = 0; i < length; ++i) dst[i] = (timeBranch[i] * stdT + meanT) + wave[size_t(i)];
    }
}

}  // namespace midistems::separate::htdemucs
