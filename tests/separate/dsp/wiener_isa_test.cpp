// The Wiener filter's covariance kernel (separate/dsp/wiener_isa.h) at every instruction-set level
// this CPU supports: against the definition, computed here in double, and against the baseline.
#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <vector>

#include "core/cpu_isa.h"
#include "separate/dsp/wiener_isa.h"
#include "support/random_values.h"

namespace midistems::separate::dsp {
namespace {

using midistems::testing::randomValues;

struct Case {
  int stride = 37, frames = 41, halfWindow = 6, outBegin = 4, outEnd = 39;
  std::vector<float> powers[kNumStems];
  std::vector<std::complex<float>> left, right;
  Case() {
    const size_t n = size_t(stride) * size_t(frames);
    for (int k = 0; k < kNumStems; ++k) powers[k] = randomValues(n, 10 + k, 0.01f, 2.0f);
    const auto re = randomValues(2 * n, 20, -1.0f, 1.0f), im = randomValues(2 * n, 21, -1.0f, 1.0f);
    for (size_t i = 0; i < n; ++i) left.emplace_back(re[i], im[i]), right.emplace_back(re[n + i], im[n + i]);
  }
  // The kernel's result for a chunk of `width` bins starting at bin f0.
  std::vector<Hermitian2> run(const WienerKernels& kernels, int stem, int f0, int width) const {
    std::vector<Hermitian2> out(size_t(outEnd - outBegin) * size_t(stride));
    std::vector<double> scratch(5 * size_t(frames + 1) * kWienerChunk);
    CovarianceChunk c;
    for (int k = 0; k < kNumStems; ++k) c.powers[k] = powers[k].data() + f0;
    c.left = left.data() + f0;
    c.right = right.data() + f0;
    c.stride = stride, c.width = width, c.frames = frames, c.stem = stem;
    c.outBegin = outBegin, c.outEnd = outEnd, c.halfWindow = halfWindow;
    c.out = out.data() + f0;
    c.scratch = scratch.data();
    kernels.localCovariance(c);
    return out;
  }
};

std::vector<IsaLevel> levels() {
  std::vector<IsaLevel> all = {IsaLevel::Baseline};
  if (supportedIsaLevel() == IsaLevel::Avx512) all.push_back(IsaLevel::Avx512);
  return all;
}

TEST(WienerIsa, LocalCovarianceFollowsItsDefinitionAtEveryLevel) {
  const Case c;
  const int f0 = 3, width = 29;  // a chunk that is neither aligned nor full
  for (IsaLevel level : levels())
    for (int stem = 0; stem < kNumStems; ++stem) {
      const auto got = c.run(wienerKernels(level), stem, f0, width);
      double worst = 0;
      for (int t = c.outBegin; t < c.outEnd; ++t)
        for (int f = f0; f < f0 + width; ++f) {
          std::complex<double> a = 0, d = 0, b = 0;
          double v = 0;
          for (int k = std::max(0, t - c.halfWindow); k < std::min(c.frames, t + c.halfWindow + 1); ++k) {
            const size_t p = size_t(k) * size_t(c.stride) + size_t(f);
            double total = 0;
            for (int j = 0; j < kNumStems; ++j) total += c.powers[j][p];
            const double m = c.powers[stem][p] / total;
            const std::complex<double> l = m * std::complex<double>(c.left[p]), r = m * std::complex<double>(c.right[p]);
            a += std::norm(l), d += std::norm(r), b += l * std::conj(r);
            v += 0.5 * (std::norm(l) + std::norm(r));
          }
          const Hermitian2& h = got[size_t(t - c.outBegin) * size_t(c.stride) + size_t(f)];
          worst = std::max({worst, std::abs(h.a - a.real() / v), std::abs(h.d - d.real() / v),
                            std::abs(std::complex<double>(h.b) - b / v)});
        }
      // R is normalised (a + d = 2), so the error is absolute on values of order one.
      EXPECT_LT(worst, 2e-6) << isaLevelName(level) << ", stem " << stem;
    }
}

TEST(WienerIsa, LevelsAgreeWithTheBaseline) {
  if (levels().size() < 2) GTEST_SKIP() << "this CPU runs only the baseline level: nothing to compare";
  const Case c;
  for (int stem = 0; stem < kNumStems; ++stem) {
    const auto base = c.run(wienerKernels(IsaLevel::Baseline), stem, 0, kWienerChunk);
    const auto wide = c.run(wienerKernels(IsaLevel::Avx512), stem, 0, kWienerChunk);
    double worst = 0;
    for (size_t i = 0; i < base.size(); ++i)
      worst = std::max({worst, double(std::abs(base[i].a - wide[i].a)), double(std::abs(base[i].d - wide[i].d)),
                        double(std::abs(base[i].b - wide[i].b))});
    EXPECT_LT(worst, 1e-6) << "stem " << stem;
  }
}

}  // namespace
}  // namespace midistems::separate::dsp
