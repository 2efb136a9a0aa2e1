// Convolutions against naive double-precision loops written from torch's definitions.
#include <gtest/gtest.h>

#include "nn/ops/conv.h"
#include "nn/ops/gemm.h"
#include "nn/ops/parallel.h"
#include "reference.h"

namespace midistems::nn {
namespace {

using testing::maxAbsError;
using testing::randomVector;

TEST(Gemm, MatchesNaiveProductForEveryTransposition) {
  const int64_t m = 37, n = 29, k = 53;
  for (bool ta : {false, true})
    for (bool tb : {false, true}) {
      const auto a = randomVector(size_t(m * k), 1), b = randomVector(size_t(k * n), 2);
      auto c = randomVector(size_t(m * n), 3);
      std::vector<double> want(size_t(m * n));
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < n; ++j) {
          double s = 0.5 * c[size_t(i * n + j)];
          for (int64_t p = 0; p < k; ++p)
            s += 2.0 * double(ta ? a[size_t(p * m + i)] : a[size_t(i * k + p)]) *
                 double(tb ? b[size_t(j * k + p)] : b[size_t(p * n + j)]);
          want[size_t(i * n + j)] = s;
        }
      gemm(ta, tb, m, n, k, 2.0f, a.data(), ta ? m : k, b.data(), tb ? k : n, 0.5f, c.data(), n);
      EXPECT_LE(maxAbsError(c, want), 2e-5) << ta << tb;
    }
}

// torch.nn.Conv1d on (batch, in, length)
std::vector<double> conv1dRef(const std::vector<float>& x, int64_t batch, int64_t length, const std::vector<float>& w,
                              const std::vector<float>& bias, const Conv1dParams& p) {
  const int64_t outLength = p.outputLength(length);
  std::vector<double> y(size_t(batch * p.outChannels * outLength));
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t co = 0; co < p.outChannels; ++co)
      for (int64_t t = 0; t < outLength; ++t) {
        double s = bias[size_t(co)];
        for (int64_t ci = 0; ci < p.inChannels; ++ci)
          for (int64_t k = 0; k < p.kernel; ++k) {
            const int64_t i = t * p.stride + k * p.dilation - p.padding;
            if (i >= 0 && i < length)
              s += double(w[size_t((co * p.inChannels + ci) * p.kernel + k)]) *
                   x[size_t((b * p.inChannels + ci) * length + i)];
          }
        y[size_t((b * p.outChannels + co) * outLength + t)] = s;
      }
  return y;
}

TEST(Conv1d, StridedDilatedAndPointwiseMatchReference) {
  struct Case {
    Conv1dParams p;
    int64_t batch, length;
  };
  for (const Case& c : {Case{{5, 12, 8, 4, 2, 1}, 1, 10003}, Case{{12, 3, 3, 1, 2, 2}, 7, 301},
                        Case{{6, 10, 1, 1, 0, 1}, 3, 5000}, Case{{4, 8, 3, 1, 1, 1}, 2, 9000}}) {
    const auto x = randomVector(size_t(c.batch * c.p.inChannels * c.length), 4);
    const auto w = randomVector(size_t(c.p.outChannels * c.p.inChannels * c.p.kernel), 5);
    const auto bias = randomVector(size_t(c.p.outChannels), 6);
    const auto want = conv1dRef(x, c.batch, c.length, w, bias, c.p);
    std::vector<float> y(want.size());
    conv1d(x.data(), c.batch, c.length, w.data(), bias.data(), c.p, Epilogue::kNone, y.data());
    EXPECT_LE(maxAbsError(y, want), 1e-5);

    std::vector<float> gelu(want.size());
    conv1d(x.data(), c.batch, c.length, w.data(), bias.data(), c.p, Epilogue::kGelu, gelu.data());
    std::vector<double> wantGelu(want.size());
    for (size_t i = 0; i < want.size(); ++i) wantGelu[i] = testing::geluRef(want[i]);
    EXPECT_LE(maxAbsError(gelu, wantGelu), 1e-5);

    // GLU over channels halves them.
    const int64_t half = c.p.outChannels / 2, outLength = c.p.outputLength(c.length);
    std::vector<float> glu(size_t(c.batch * half * outLength));
    conv1d(x.data(), c.batch, c.length, w.data(), bias.data(), c.p, Epilogue::kGlu, glu.data());
    std::vector<double> wantGlu(glu.size());
    for (int64_t b = 0; b < c.batch; ++b)
      for (int64_t ch = 0; ch < half; ++ch)
        for (int64_t t = 0; t < outLength; ++t)
          wantGlu[size_t((b * half + ch) * outLength + t)] =
              want[size_t((b * c.p.outChannels + ch) * outLength + t)] *
              testing::sigmoidRef(want[size_t((b * c.p.outChannels + half + ch) * outLength + t)]);
    EXPECT_LE(maxAbsError(glu, wantGlu), 1e-5);
  }
}

TEST(ConvTranspose1d, MatchesReferenceWithCrop) {
  const int64_t in = 6, out = 5, kernel = 8, stride = 4, length = 2000, crop = 2;
  const int64_t full = (length - 1) * stride + kernel, outLength = full - 2 * crop - 3;
  const auto x = randomVector(size_t(in * length), 7);
  const auto w = randomVector(size_t(in * out * kernel), 8);  // torch layout (in, out, kernel)
  const auto bias = randomVector(size_t(out), 9);
  std::vector<double> fullOut(size_t(out * full), 0.0);
  for (int64_t co = 0; co < out; ++co)
    for (int64_t u = 0; u < full; ++u) fullOut[size_t(co * full + u)] = bias[size_t(co)];
  for (int64_t ci = 0; ci < in; ++ci)
    for (int64_t co = 0; co < out; ++co)
      for (int64_t t = 0; t < length; ++t)
        for (int64_t k = 0; k < kernel; ++k)
          fullOut[size_t(co * full + t * stride + k)] +=
              double(x[size_t(ci * length + t)]) * w[size_t((ci * out + co) * kernel + k)];
  std::vector<double> want(size_t(out * outLength));
  for (int64_t co = 0; co < out; ++co)
    for (int64_t o = 0; o < outLength; ++o) want[size_t(co * outLength + o)] = fullOut[size_t(co * full + o + crop)];
  std::vector<float> y(want.size());
  const auto prepared = prepareConvTranspose1d(w.data(), in, out, kernel);
  convTranspose1d(x.data(), length, prepared, bias.data(), in, out, kernel, stride, crop, outLength, Activation::kNone,
                  y.data());
  EXPECT_LE(maxAbsError(y, want), 1e-5);
}

// torch.nn.Conv2d on (in, freqs, frames) with kernel (kf, kt), stride (sf, 1), padding (pf, pt);
// the result is returned frequency-major (outFreqs, out, frames) to compare with ours.
std::vector<double> conv2dRef(const std::vector<float>& xTorch, int64_t freqs, int64_t frames,
                              const std::vector<float>& w, const std::vector<float>& bias, const Conv2dParams& p) {
  const int64_t fo = p.outputFreqs(freqs);
  std::vector<double> y(size_t(fo * p.outChannels * frames));
  for (int64_t co = 0; co < p.outChannels; ++co)
    for (int64_t f = 0; f < fo; ++f)
      for (int64_t t = 0; t < frames; ++t) {
        double s = bias[size_t(co)];
        for (int64_t ci = 0; ci < p.inChannels; ++ci)
          for (int64_t df = 0; df < p.kernelFreq; ++df)
            for (int64_t dt = 0; dt < p.kernelTime; ++dt) {
              const int64_t fi = f * p.strideFreq + df - p.padFreq, ti = t + dt - p.padTime;
              if (fi < 0 || fi >= freqs || ti < 0 || ti >= frames) continue;
              s += double(w[size_t(((co * p.inChannels + ci) * p.kernelFreq + df) * p.kernelTime + dt)]) *
                   xTorch[size_t((ci * freqs + fi) * frames + ti)];
            }
        y[size_t((f * p.outChannels + co) * frames + t)] = s;
      }
  return y;
}

std::vector<float> toFreqMajor(const std::vector<float>& xTorch, int64_t channels, int64_t freqs, int64_t frames) {
  std::vector<float> x(xTorch.size());
  for (int64_t c = 0; c < channels; ++c)
    for (int64_t f = 0; f < freqs; ++f)
      for (int64_t t = 0; t < frames; ++t)
        x[size_t((f * channels + c) * frames + t)] = xTorch[size_t((c * freqs + f) * frames + t)];
  return x;
}

TEST(Conv2d, FrequencyKernelAndThreeByThreeMatchReference) {
  const int64_t freqs = 64, frames = 37;
  for (const Conv2dParams& p : {Conv2dParams{4, 8, 8, 1, 4, 2, 0}, Conv2dParams{6, 10, 3, 3, 1, 1, 1}}) {
    const auto xTorch = randomVector(size_t(p.inChannels * freqs * frames), 10);
    const auto w = randomVector(size_t(p.outChannels * p.inChannels * p.kernelFreq * p.kernelTime), 11);
    const auto bias = randomVector(size_t(p.outChannels), 12);
    const auto want = conv2dRef(xTorch, freqs, frames, w, bias, p);
    const auto x = toFreqMajor(xTorch, p.inChannels, freqs, frames);
    std::vector<float> y(want.size());
    conv2d(x.data(), freqs, frames, prepareConv2d(w.data(), p), bias.data(), p, Epilogue::kNone, y.data());
    EXPECT_LE(maxAbsError(y, want), 1e-5);
  }
}

TEST(ConvTransposeFreq, MatchesReferenceWithCrop) {
  const int64_t in = 6, out = 4, kernel = 8, stride = 4, freqs = 16, frames = 23, crop = 2;
  const int64_t full = (freqs - 1) * stride + kernel;
  const auto xTorch = randomVector(size_t(in * freqs * frames), 13);
  const auto w = randomVector(size_t(in * out * kernel), 14);  // (in, out, kernel, 1)
  const auto bias = randomVector(size_t(out), 15);
  std::vector<double> want(size_t((full - 2 * crop) * out * frames));
  for (int64_t u = crop; u < full - crop; ++u)
    for (int64_t co = 0; co < out; ++co)
      for (int64_t t = 0; t < frames; ++t) {
        double s = bias[size_t(co)];
        for (int64_t fi = 0; fi < freqs; ++fi) {
          const int64_t k = u - fi * stride;
          if (k < 0 || k >= kernel) continue;
          for (int64_t ci = 0; ci < in; ++ci)
            s += double(w[size_t((ci * out + co) * kernel + k)]) * xTorch[size_t((ci * freqs + fi) * frames + t)];
        }
        want[size_t(((u - crop) * out + co) * frames + t)] = s;
      }
  const auto x = toFreqMajor(xTorch, in, freqs, frames);
  std::vector<float> y(want.size());
  convTransposeFreq(x.data(), freqs, frames, prepareConvTransposeFreq(w.data(), in, out, kernel, stride), bias.data(),
                    in, out, kernel, stride, crop, Activation::kNone, y.data());
  EXPECT_LE(maxAbsError(y, want), 1e-5);
}

TEST(Conv1d, ResultDoesNotDependOnThreadCount) {
  const Conv1dParams p{16, 32, 3, 1, 2, 2};
  const int64_t length = 20000;
  const auto x = randomVector(size_t(p.inChannels * length), 16);
  const auto w = randomVector(size_t(p.outChannels * p.inChannels * p.kernel), 17);
  std::vector<float> one(size_t(p.outChannels * length)), two(one.size());
  setThreads(1);
  conv1d(x.data(), 1, length, w.data(), nullptr, p, Epilogue::kNone, one.data());
  setThreads(2);
  conv1d(x.data(), 1, length, w.data(), nullptr, p, Epilogue::kNone, two.data());
  EXPECT_LE(maxAbsError(one, two), 1e-6);
}

}  // namespace
}  // namespace midistems::nn
