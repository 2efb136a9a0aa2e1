// The element-wise kernels compiled for each instruction-set level (nn/ops/elementwise_isa.h)
// against the baseline ones, on random data with lengths that take the vector bodies and their
// remainders. The maps use libmvec's erff/expf at the level's vector width (within a few ulp of
// each other); the reductions sum in a width-dependent order. So the levels must agree within
// float rounding: 1e-6 for the maps and float sums (relative, absolute below 1), 1e-12 relative for
// double sums.
#include <gtest/gtest.h>

#include "support/random_values.h"

#include <cmath>
#include <vector>

#include "core/cpu_isa.h"
#include "nn/ops/elementwise_isa.h"

namespace midistems::testing {
namespace {

const std::vector<int64_t> kLengths = {1, 7, 16, 33, 1000, 4099};

// The levels this CPU can run besides the baseline; the tests are skipped where there are none.
std::vector<IsaLevel> extraLevels() {
  std::vector<IsaLevel> levels;
  if (supportedIsaLevel() == IsaLevel::Avx512) levels.push_back(IsaLevel::Avx512);
  return levels;
}

// Largest difference between a and b relative to max(|b|, floor): values of order one or less are
// compared absolutely (1 + erf near -1 loses its relative accuracy at every level).
double worstRelative(const std::vector<float>& a, const std::vector<float>& b, double floor = 1.0) {
  double worst = 0.0;
  for (size_t i = 0; i < a.size(); ++i)
    worst = std::max(worst, std::fabs(double(a[i]) - b[i]) / std::max(std::fabs(double(b[i])), floor));
  return worst;
}

TEST(ElementwiseIsa, MapsAgreeAtEveryLevel) {
  const auto levels = extraLevels();
  if (levels.empty()) GTEST_SKIP() << "this CPU runs only the baseline level: nothing to compare";
  const auto& base = nn::elementwiseKernels(IsaLevel::Baseline);
  for (IsaLevel level : levels) {
    const auto& k = nn::elementwiseKernels(level);
    for (int64_t n : kLengths) {
      const auto a = randomValues(size_t(n), 1, -4.0f, 4.0f);
      const auto b = randomValues(size_t(n), 2, -4.0f, 4.0f);
      const auto gamma = randomValues(size_t(n), 3);
      const auto beta = randomValues(size_t(n), 4);
      auto expect = [&](auto run, const char* what) {
        std::vector<float> want = b, got = b;
        run(base, want);
        run(k, got);
        EXPECT_LT(worstRelative(got, want), 1e-6) << what << " at " << isaLevelName(level) << ", n=" << n;
      };
      expect([&](const auto& kk, std::vector<float>& x) { kk.gelu(x.data(), n); }, "gelu");
      expect([&](const auto& kk, std::vector<float>& x) { kk.glu(a.data(), b.data(), n, x.data()); }, "glu");
      expect([&](const auto& kk, std::vector<float>& x) { kk.gluScaleAdd(a.data(), b.data(), n, 0.3f, x.data()); },
             "gluScaleAdd");
      expect([&](const auto& kk, std::vector<float>& x) { kk.scaleShift(x.data(), n, 1.7f, -0.2f); }, "scaleShift");
      expect([&](const auto& kk, std::vector<float>& x) {
        kk.normalize(a.data(), n, 0.1f, 2.5f, gamma.data(), beta.data(), x.data());
      }, "normalize");
      expect([&](const auto& kk, std::vector<float>& x) { kk.scale(x.data(), n, 0.37f); }, "scale");
      expect([&](const auto& kk, std::vector<float>& x) { kk.tanh(x.data(), n); }, "tanh");
      expect([&](const auto& kk, std::vector<float>& x) {
        kk.scaleByVector(a.data(), n, 1.3f, gamma.data(), x.data());
      }, "scaleByVector");
      expect([&](const auto& kk, std::vector<float>& x) {
        kk.rotatePairs(x.data(), n - n % 2, a.data(), gamma.data());
      }, "rotatePairs");
      expect([&](const auto& kk, std::vector<float>& x) {
        const float sum = kk.expMinusMax(x.data(), n);
        x.push_back(sum);
      }, "expMinusMax and its sum");
    }
  }
}

TEST(ElementwiseIsa, StatisticsAgreeAtEveryLevel) {
  const auto levels = extraLevels();
  if (levels.empty()) GTEST_SKIP() << "this CPU runs only the baseline level: nothing to compare";
  const auto& base = nn::elementwiseKernels(IsaLevel::Baseline);
  for (IsaLevel level : levels)
    for (int64_t n : kLengths) {
      const auto x = randomValues(size_t(n), 5, -3.0f, 5.0f);
      double s0 = 0, q0 = 0, s1 = 0, q1 = 0;
      base.sumAndSquares(x.data(), n, &s0, &q0);
      nn::elementwiseKernels(level).sumAndSquares(x.data(), n, &s1, &q1);
      EXPECT_NEAR(s1, s0, 1e-12 * n * 5) << isaLevelName(level) << ", n=" << n;
      EXPECT_NEAR(q1, q0, 1e-12 * n * 25) << isaLevelName(level) << ", n=" << n;
      EXPECT_NE(q0, 0.0);
      EXPECT_NEAR(nn::elementwiseKernels(level).squares(x.data(), n), q0, 1e-12 * n * 25) << isaLevelName(level);
      EXPECT_NEAR(base.squares(x.data(), n), q0, 1e-12 * n * 25) << "baseline, n=" << n;
    }
}

}  // namespace
}  // namespace midistems::testing
