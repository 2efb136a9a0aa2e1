// Activations, normalisations, softmax and multi-head attention against double-precision loops.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "nn/ops/attention.h"
#include "nn/ops/elementwise.h"
#include "nn/ops/gemm.h"
#include "reference.h"

namespace midistems::nn {
namespace {

using testing::maxAbsError;
using testing::randomVector;

TEST(Elementwise, GeluIsTheExactErfForm) {
  auto x = randomVector(100000, 1, 6.0f);
  std::vector<double> want(x.size());
  for (size_t i = 0; i < x.size(); ++i) want[i] = testing::geluRef(x[i]);
  gelu(x.data(), int64_t(x.size()));
  EXPECT_LE(maxAbsError(x, want), 2e-6);
  // The tanh approximation differs by up to ~5e-4 near |x| = 2: make sure that is not what we compute.
  float probe = 2.0f;
  gelu(&probe, 1);
  EXPECT_NEAR(probe, testing::geluRef(2.0), 1e-6);
}

TEST(Elementwise, RmsNormIsNormalizeTimesSqrtDimAndGamma) {
  // Strided rows, a quiet row (scaled up to unit RMS, no epsilon inside a mean square) and an
  // all-zero row (stays zero).
  const int64_t rows = 37, dim = 200, ldx = 211, ldy = 205;
  auto x = randomVector(size_t(rows * ldx), 3, 2.0f);
  for (int64_t i = 0; i < dim; ++i) {
    x[size_t(5 * ldx + i)] *= 1e-6f;
    x[size_t(9 * ldx + i)] = 0.0f;
  }
  auto gamma = randomVector(size_t(dim), 4, 0.5f);
  for (auto& g : gamma) g += 1.0f;
  std::vector<float> y(size_t(rows * ldy), -7.0f);
  rmsNorm(x.data(), rows, dim, ldx, gamma.data(), y.data(), ldy);
  std::vector<float> got;
  std::vector<double> want;
  for (int64_t r = 0; r < rows; ++r) {
    double squares = 0.0;
    for (int64_t i = 0; i < dim; ++i) squares += double(x[size_t(r * ldx + i)]) * x[size_t(r * ldx + i)];
    const double norm = std::max(std::sqrt(squares), 1e-12);
    for (int64_t i = 0; i < dim; ++i) {
      got.push_back(y[size_t(r * ldy + i)]);
      want.push_back(double(x[size_t(r * ldx + i)]) / norm * std::sqrt(double(dim)) * gamma[size_t(i)]);
    }
    for (int64_t i = dim; i < ldy && r + 1 < rows; ++i) EXPECT_EQ(y[size_t(r * ldy + i)], -7.0f) << "past the row";
  }
  EXPECT_LE(maxAbsError(got, want), 2e-5);
  EXPECT_GT(std::fabs(y[size_t(5 * ldy)]), 0.05f) << "a quiet row is scaled up to unit RMS";
  for (int64_t i = 0; i < dim; ++i) EXPECT_EQ(y[size_t(9 * ldy + i)], 0.0f);
}

TEST(Elementwise, RotaryRotatesAdjacentPairsByTheRowsPosition) {
  // Rows of 3 heads of 8 values (ld 30), positions 5 rows apart as in a (positions, 5) layout read
  // column by column: row r is at position (r / 5) % 4.
  const int64_t rows = 40, width = 24, ld = 30, head = 8, positions = 4, stride = 5;
  auto x = randomVector(size_t(rows * ld), 5);
  const auto before = x;
  std::vector<float> c(size_t(positions * head / 2)), s(c.size());
  for (int64_t p = 0; p < positions; ++p)
    for (int64_t i = 0; i < head / 2; ++i) {
      const double angle = double(p) * std::pow(10000.0, -2.0 * double(i) / double(head));
      c[size_t(p * head / 2 + i)] = float(std::cos(angle));
      s[size_t(p * head / 2 + i)] = float(std::sin(angle));
    }
  rotaryPairs(x.data(), rows, width, ld, c.data(), s.data(), positions, head, stride);
  std::vector<float> got;
  std::vector<double> want;
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t p = (r / stride) % positions;
    for (int64_t j = 0; j < width; j += 2) {
      const int64_t i = (j % head) / 2;
      const double angle = double(p) * std::pow(10000.0, -2.0 * double(i) / double(head));
      const double x0 = before[size_t(r * ld + j)], x1 = before[size_t(r * ld + j + 1)];
      got.push_back(x[size_t(r * ld + j)]);
      got.push_back(x[size_t(r * ld + j + 1)]);
      want.push_back(x0 * std::cos(angle) - x1 * std::sin(angle));
      want.push_back(x1 * std::cos(angle) + x0 * std::sin(angle));
    }
    for (int64_t j = width; j < ld; ++j) EXPECT_EQ(x[size_t(r * ld + j)], before[size_t(r * ld + j)]) << "past the width";
  }
  EXPECT_LE(maxAbsError(got, want), 1e-6);
}

TEST(Elementwise, TanhMatchesTheLibrary) {
  auto x = randomVector(5000, 6, 5.0f);
  std::vector<double> want(x.size());
  for (size_t i = 0; i < x.size(); ++i) want[i] = std::tanh(double(x[i]));
  tanhInPlace(x.data(), int64_t(x.size()));
  EXPECT_LE(maxAbsError(x, want), 1e-6);
}

TEST(Elementwise, GroupNormWithGroupsAndAffine) {
  const int64_t batch = 3, channels = 8, length = 1000, groups = 4;
  auto x = randomVector(size_t(batch * channels * length), 2, 3.0f);
  for (auto& v : x) v += 5.0f;  // an offset makes a naive one-pass float variance fail
  const auto gamma = randomVector(size_t(channels), 3), beta = randomVector(size_t(channels), 4);
  std::vector<double> want(x.size());
  const int64_t per = channels / groups;
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t g = 0; g < groups; ++g) {
      double s = 0, q = 0;
      const int64_t base = (b * channels + g * per) * length, n = per * length;
      for (int64_t i = 0; i < n; ++i) s += x[size_t(base + i)];
      const double mean = s / double(n);
      for (int64_t i = 0; i < n; ++i) q += (x[size_t(base + i)] - mean) * (x[size_t(base + i)] - mean);
      const double rstd = 1.0 / std::sqrt(q / double(n) + 1e-5);
      for (int64_t i = 0; i < n; ++i) {
        const int64_t c = g * per + i / length;
        want[size_t(base + i)] = (x[size_t(base + i)] - mean) * rstd * gamma[size_t(c)] + beta[size_t(c)];
      }
    }
  groupNorm(x.data(), batch, channels, length, groups, gamma.data(), beta.data(), 1e-5f);
  EXPECT_LE(maxAbsError(x, want), 2e-5);
}

TEST(Elementwise, LayerNormSoftmaxAndGlu) {
  const int64_t rows = 50, dim = 96;
  const auto x = randomVector(size_t(rows * dim), 5, 4.0f);
  const auto gamma = randomVector(size_t(dim), 6), beta = randomVector(size_t(dim), 7);
  std::vector<float> y(x.size());
  layerNorm(x.data(), rows, dim, gamma.data(), beta.data(), 1e-5f, y.data());
  std::vector<double> want(x.size());
  for (int64_t r = 0; r < rows; ++r) {
    double s = 0, q = 0;
    for (int64_t i = 0; i < dim; ++i) s += x[size_t(r * dim + i)];
    const double mean = s / double(dim);
    for (int64_t i = 0; i < dim; ++i) q += std::pow(x[size_t(r * dim + i)] - mean, 2);
    for (int64_t i = 0; i < dim; ++i)
      want[size_t(r * dim + i)] = (x[size_t(r * dim + i)] - mean) / std::sqrt(q / double(dim) + 1e-5) * gamma[size_t(i)] + beta[size_t(i)];
  }
  EXPECT_LE(maxAbsError(y, want), 1e-5);

  auto s = randomVector(size_t(rows * dim), 8, 30.0f);  // large logits test the max subtraction
  std::vector<double> soft(s.size());
  for (int64_t r = 0; r < rows; ++r) {
    double m = -1e300, sum = 0;
    for (int64_t i = 0; i < dim; ++i) m = std::max(m, double(s[size_t(r * dim + i)]));
    for (int64_t i = 0; i < dim; ++i) sum += std::exp(s[size_t(r * dim + i)] - m);
    for (int64_t i = 0; i < dim; ++i) soft[size_t(r * dim + i)] = std::exp(s[size_t(r * dim + i)] - m) / sum;
  }
  softmaxRows(s.data(), rows, dim, dim);
  EXPECT_LE(maxAbsError(s, soft), 1e-6);

  std::vector<float> g(size_t(2 * 3 * 40)), gl(size_t(3 * 40));
  g = randomVector(g.size(), 9, 5.0f);
  glu(g.data(), 3, 40, 40, gl.data(), 40);
  std::vector<double> wantGlu(gl.size());
  for (int64_t c = 0; c < 3; ++c)
    for (int64_t t = 0; t < 40; ++t)
      wantGlu[size_t(c * 40 + t)] = g[size_t(c * 40 + t)] * testing::sigmoidRef(g[size_t((3 + c) * 40 + t)]);
  EXPECT_LE(maxAbsError(gl, wantGlu), 1e-6);
}

// torch.nn.MultiheadAttention(batch_first) forward in double.
std::vector<double> attentionRef(const std::vector<float>& q, int64_t nq, const std::vector<float>& kv, int64_t nk,
                                 int64_t dim, int64_t heads, const std::vector<float>& inW, const std::vector<float>& inB,
                                 const std::vector<float>& outW, const std::vector<float>& outB) {
  auto project = [&](const std::vector<float>& x, int64_t n, int64_t part) {
    std::vector<double> y(size_t(n * dim));
    for (int64_t r = 0; r < n; ++r)
      for (int64_t o = 0; o < dim; ++o) {
        double s = inB[size_t(part * dim + o)];
        for (int64_t i = 0; i < dim; ++i) s += double(x[size_t(r * dim + i)]) * inW[size_t((part * dim + o) * dim + i)];
        y[size_t(r * dim + o)] = s;
      }
    return y;
  };
  const auto Q = project(q, nq, 0), K = project(kv, nk, 1), V = project(kv, nk, 2);
  const int64_t hd = dim / heads;
  std::vector<double> concat(size_t(nq * dim)), out(size_t(nq * dim));
  for (int64_t h = 0; h < heads; ++h)
    for (int64_t i = 0; i < nq; ++i) {
      std::vector<double> sc(static_cast<size_t>(nk));
      double m = -1e300, sum = 0;
      for (int64_t j = 0; j < nk; ++j) {
        double s = 0;
        for (int64_t d = 0; d < hd; ++d) s += Q[size_t(i * dim + h * hd + d)] * K[size_t(j * dim + h * hd + d)];
        sc[size_t(j)] = s / std::sqrt(double(hd));
        m = std::max(m, sc[size_t(j)]);
      }
      for (auto& v : sc) sum += (v = std::exp(v - m));
      for (int64_t d = 0; d < hd; ++d) {
        double s = 0;
        for (int64_t j = 0; j < nk; ++j) s += sc[size_t(j)] / sum * V[size_t(j * dim + h * hd + d)];
        concat[size_t(i * dim + h * hd + d)] = s;
      }
    }
  for (int64_t r = 0; r < nq; ++r)
    for (int64_t o = 0; o < dim; ++o) {
      double s = outB[size_t(o)];
      for (int64_t i = 0; i < dim; ++i) s += concat[size_t(r * dim + i)] * outW[size_t(o * dim + i)];
      out[size_t(r * dim + o)] = s;
    }
  return out;
}

TEST(Attention, SelfAndCrossAttentionMatchReference) {
  const int64_t dim = 32, heads = 4, nq = 300, nk = 170;
  const auto inW = randomVector(size_t(3 * dim * dim), 10, 0.3f), inB = randomVector(size_t(3 * dim), 11);
  const auto outW = randomVector(size_t(dim * dim), 12, 0.3f), outB = randomVector(size_t(dim), 13);
  const auto q = randomVector(size_t(nq * dim), 14), kv = randomVector(size_t(nk * dim), 15);
  AttentionWeights w{inW.data(), inB.data(), outW.data(), outB.data()};
  AttentionScratch scratch;
  std::vector<float> out(size_t(nq * dim));
  multiHeadAttention(q.data(), nq, kv.data(), nk, dim, heads, w, scratch, out.data());
  EXPECT_LE(maxAbsError(out, attentionRef(q, nq, kv, nk, dim, heads, inW, inB, outW, outB)), 1e-5);
  multiHeadAttention(q.data(), nq, q.data(), nq, dim, heads, w, scratch, out.data());
  EXPECT_LE(maxAbsError(out, attentionRef(q, nq, q, nq, dim, heads, inW, inB, outW, outB)), 1e-5);
}

TEST(Linear, MatchesReference) {
  const int64_t rows = 33, in = 40, out = 24;
  const auto x = randomVector(size_t(rows * in), 16), w = randomVector(size_t(out * in), 17), b = randomVector(size_t(out), 18);
  std::vector<float> y(size_t(rows * out));
  linear(x.data(), rows, in, w.data(), b.data(), out, y.data(), out);
  std::vector<double> want(y.size());
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t o = 0; o < out; ++o) {
      double s = b[size_t(o)];
      for (int64_t i = 0; i < in; ++i) s += double(x[size_t(r * in + i)]) * w[size_t(o * in + i)];
      want[size_t(r * out + o)] = s;
    }
  EXPECT_LE(maxAbsError(y, want), 1e-5);
}

}  // namespace
}  // namespace midistems::nn
