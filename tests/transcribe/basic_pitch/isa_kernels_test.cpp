// The basic-pitch kernels compiled for each instruction-set level (conv_kernels_isa.h) against the
// baseline ones, on random data in every shape basic-pitch uses and on odd sizes that take the
// remainder paths. Each output sums its taps in the same order with one FMA per tap at every
// level, so the results must be identical to the bit.
#include <gtest/gtest.h>

#include "support/random_values.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

#include "core/cpu_isa.h"
#include "core/error.h"
#include "transcribe/basic_pitch/conv_kernels_isa.h"

namespace midistems::testing {
namespace {

namespace kernels = transcribe::kernels;

size_t differingValues(const std::vector<float>& a, const std::vector<float>& b) {
  size_t differing = 0;
  for (size_t i = 0; i < a.size(); ++i) differing += std::memcmp(&a[i], &b[i], sizeof(float)) != 0;
  return differing;
}

// The levels this CPU can run besides the baseline; the test is skipped where there are none.
std::vector<IsaLevel> extraLevels() {
  std::vector<IsaLevel> levels;
  if (supportedIsaLevel() == IsaLevel::Avx512) levels.push_back(IsaLevel::Avx512);
  return levels;
}

TEST(IsaKernels, GemmIsIdenticalAtEveryLevel) {
  const auto levels = extraLevels();
  if (levels.empty()) GTEST_SKIP() << "this CPU runs only the baseline level: nothing to compare";
  const auto& base = kernels::isaKernels(IsaLevel::Baseline);
  // n: every case of the switch and one that takes the generic loop; m: whole blocks and remainders.
  for (int n : {8, 16, 32, 72, 80, 5})
    for (int64_t m : {1, 7, 12, 25}) {
      const int64_t k = 37, rowStride = 3;
      const auto a = randomValues(size_t((m - 1) * rowStride + k), 1);
      const auto b = randomValues(size_t(k * n), 2);
      const auto c0 = randomValues(size_t(m * n), 3);
      std::vector<float> expected = c0;
      base.gemm(a.data(), rowStride, m, k, b.data(), n, expected.data());
      for (IsaLevel level : levels) {
        std::vector<float> got = c0;
        kernels::isaKernels(level).gemm(a.data(), rowStride, m, k, b.data(), n, got.data());
        EXPECT_EQ(differingValues(got, expected), 0u) << isaLevelName(level) << " n=" << n << " m=" << m;
      }
    }
}

TEST(IsaKernels, DotPhasesIsIdenticalAtEveryLevel) {
  const auto levels = extraLevels();
  if (levels.empty()) GTEST_SKIP() << "this CPU runs only the baseline level: nothing to compare";
  const auto& base = kernels::isaKernels(IsaLevel::Baseline);
  for (int64_t s : {1, 2, 8})
    for (int64_t m : {3, 8, 63, 64, 131}) {
      const int64_t k = 29, phaseLength = m + (k - 1) / s + 1;
      const auto phases = randomValues(size_t(s * phaseLength), 4);
      const auto b = randomValues(size_t(k), 5);
      const auto c0 = randomValues(size_t(m), 6);
      std::vector<float> expected = c0;
      base.dotPhases(phases.data(), phaseLength, s, m, k, b.data(), expected.data());
      for (IsaLevel level : levels) {
        std::vector<float> got = c0;
        kernels::isaKernels(level).dotPhases(phases.data(), phaseLength, s, m, k, b.data(), got.data());
        EXPECT_EQ(differingValues(got, expected), 0u) << isaLevelName(level) << " s=" << s << " m=" << m;
      }
    }
}

TEST(IsaKernels, PlanarConvolutionIsIdenticalAtEveryLevel) {
  const auto levels = extraLevels();
  if (levels.empty()) GTEST_SKIP() << "this CPU runs only the baseline level: nothing to compare";
  const auto& base = kernels::isaKernels(IsaLevel::Baseline);
  for (int outChannels : {8, 16})
    for (int freq : {7, 40, 88}) {
      const int time = 6, padTime = 1;
      const kernels::Conv2dShape shape{3, 5, 2, outChannels, 1};
      const auto weights = randomValues(size_t(3 * 5 * 2 * outChannels), 7);
      const auto bias = randomValues(size_t(outChannels), 8);
      // Planes long enough for the widest level's whole vectors.
      const int64_t planeLength = (freq + 15) / 16 * 16 + shape.kernelFreq - 1;
      const auto planes = randomValues(size_t(time * shape.inChannels * planeLength), 9);
      const kernels::RowRange rows{1, 5};
      std::vector<float> expected(size_t(time) * freq * outChannels, -7.0f);
      ASSERT_TRUE(base.convPlanar(planes.data(), planeLength, time, freq, padTime, shape, weights.data(),
                                  bias.data(), true, expected.data(), rows));
      for (IsaLevel level : levels) {
        std::vector<float> got(expected.size(), -7.0f);
        ASSERT_TRUE(kernels::isaKernels(level).convPlanar(planes.data(), planeLength, time, freq, padTime, shape,
                                                          weights.data(), bias.data(), true, got.data(), rows));
        EXPECT_EQ(differingValues(got, expected), 0u) << isaLevelName(level) << " n=" << outChannels << " freq=" << freq;
      }
    }
}

TEST(IsaKernels, EnvironmentChoosesALevelTheCpuHas) {
  EXPECT_LE(int(activeIsaLevel()), int(supportedIsaLevel()));
  // The suite also runs with MIDISTEMS_ISA=baseline (tests/transcribe/basic_pitch/CMakeLists.txt).
  if (const char* requested = std::getenv("MIDISTEMS_ISA"); requested && *requested)
    EXPECT_EQ(activeIsaLevel(), std::min(parseIsaLevel(requested), supportedIsaLevel())) << requested;
  else
    EXPECT_EQ(activeIsaLevel(), supportedIsaLevel());
  EXPECT_EQ(parseIsaLevel("avx2"), IsaLevel::Baseline);
  EXPECT_EQ(parseIsaLevel("baseline"), IsaLevel::Baseline);
  EXPECT_EQ(parseIsaLevel("avx512"), IsaLevel::Avx512);
  EXPECT_THROW(parseIsaLevel("sse9"), Error);
  EXPECT_FALSE(cpuModelName().empty());
}

}  // namespace
}  // namespace midistems::testing
